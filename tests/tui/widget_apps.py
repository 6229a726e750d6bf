"""Tiny host apps for the ResultGrid and SqlViewer tests, snapshot tests included."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import App, ComposeResult

from c2q_tui.tui.widgets import ResultGrid, SqlViewer

SMALL_COLUMNS = ["id", "sector", "revenue", "note"]
SMALL_ROWS: list[list[Any]] = [
    ["9", "Energy", "1520.50", "[bold]not markup[/]"],
    ["10", "Utilities", None, "tab\there"],
    ["2", "Technology", "98.25", None],
]

ORDERS_SQL = (
    "select c.name, count(*) as orders, sum(o.total) as revenue from customers c "
    "join orders o on o.customer_id = c.id where o.created_at >= '2024-01-01' "
    "group by c.name order by revenue desc limit 10"
)
REFINED_SQL = (
    "select c.name, c.country, count(*) as orders, sum(o.total) as revenue from customers c "
    "join orders o on o.customer_id = c.id where o.created_at >= '2024-01-01' "
    "group by c.name, c.country order by revenue desc limit 5"
)


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


class GridApp(App[None]):
    """A ResultGrid filling the screen, optionally showing a result once mounted."""

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        rows: Sequence[Sequence[Any]] | None = None,
        **show: Any,
    ) -> None:
        super().__init__()
        self.animation_level = "none"
        self._initial = (list(columns or []), rows, show) if rows is not None else None

    def compose(self) -> ComposeResult:
        yield ResultGrid(id="grid")

    async def on_mount(self) -> None:
        grid = self.query_one(ResultGrid)
        if self._initial is not None:
            columns, rows, show = self._initial
            await grid.show(columns, rows, **show)
        grid.focus()

    @property
    def grid(self) -> ResultGrid:
        return self.query_one(ResultGrid)


class SqlApp(App[None]):
    """A SqlViewer filling the screen, optionally showing SQL or a diff once mounted."""

    def __init__(self, sql: str | None = None, *, old_sql: str | None = None, explanation: str = "") -> None:
        super().__init__()
        self.animation_level = "none"
        self._sql, self._old_sql, self._explanation = sql, old_sql, explanation

    def compose(self) -> ComposeResult:
        yield SqlViewer(id="sql")

    def on_mount(self) -> None:
        viewer = self.query_one(SqlViewer)
        if self._sql is not None and self._old_sql is not None:
            viewer.show_diff(self._old_sql, self._sql, self._explanation)
        elif self._sql is not None:
            viewer.show_sql(self._sql)
        viewer.focus()

    @property
    def viewer(self) -> SqlViewer:
        return self.query_one(SqlViewer)
