"""SQL tools for any SQL in the app: explain, optimize, convert (headless: no Textual here).

Offline cores, blocking and never raising on bad SQL: `explain_sql`, `optimize_sql`, `convert_sql`.
`assist` wraps each action for a profile's provider (offline, an OpenAI-compatible model, or Chat2DB)
as an async stream of text chunks for a panel.
"""

from __future__ import annotations

from c2q_tui.sqltools.convert import TARGETS, Conversion, Target, convert_sql, target
from c2q_tui.sqltools.explain import Explanation, explain_sql
from c2q_tui.sqltools.optimize import Optimization, optimize_sql

__all__ = [
    "TARGETS",
    "Conversion",
    "Explanation",
    "Optimization",
    "Target",
    "convert_sql",
    "explain_sql",
    "optimize_sql",
    "target",
]
