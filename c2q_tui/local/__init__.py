"""The embedded Chat2Query-compatible backend: the same API as TiDB Cloud's, on any SQLAlchemy database.

Entry points: `c2q_tui.local.app.create_app` / `build_local_app` (the ASGI app),
`c2q_tui.local.settings.LocalSettings` (its configuration) and `c2q_tui.local.serve` (`c2q-tui serve`).
Nothing here imports Textual.
"""
