"""c2q-tui: a terminal client for the TiDB Cloud Chat2Query API."""

__version__ = "0.1.0"
