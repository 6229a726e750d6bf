"""DashboardScreen: a dashboard's items as tiles in a grid, each a chart (when the item has a
numeric column to plot) or a compact table of its first rows.

Everything shown comes from the `Dashboard` read from history: opening the screen makes no request.
Arrow keys (or h/j/k/l) move between tiles, enter maximises one, delete removes it, ctrl+e exports
the dashboard as an HTML or Markdown report, r renames it and s saves a named copy.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Digits, Footer, Static
from textual_plotext import PlotextPlot

from c2q_tui.dashboards import PINNED, Dashboard, DashboardItem, DashboardStore
from c2q_tui.formats import cell_text, text_table
from c2q_tui.svgcharts import ChartPlan, chart_plan, number
from c2q_tui.tui.screens.dialogs import TextPrompt
from c2q_tui.tui.widgets.chart_data import ChartSpec, chart_title, draw

KPI_COLUMNS = 3  # a one-row answer with up to this many columns shows its figures large
KPI_DIGITS = 14
TILE_ROWS = 40
MIN_BARS = 3  # rows a table tile holds; a maximised tile shows as many of them as fit
EMPTY_PINNED = "Nothing pinned yet. On an answer in the chat, press p to pin it (or its selected sub-task)."
EMPTY = "This dashboard has no tiles left."


def _spec(plan: ChartPlan, *, titled: bool = True) -> ChartSpec:
    return ChartSpec(kind=plan.chart_name, x=plan.x, y=(plan.y,), title=plan.title if titled else "")


def _kpi(name: str, value: Any) -> Vertical:
    """One figure of a one-row answer, in large digits when it is a number."""
    text = cell_text(value)
    figure: Widget = (
        Digits(text, classes="kpi-value")
        if number(value) is not None and len(text) <= KPI_DIGITS
        else Static(Content.styled(text, "bold"), classes="kpi-text")
    )
    return Vertical(figure, Static(Content.styled(name, "$text-muted"), classes="kpi-label"), classes="kpi")


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


class DashboardTile(Vertical, can_focus=True):
    """One item: its title, then a chart or a table, then a one-line note."""

    ALLOW_MAXIMIZE = True

    def __init__(self, item: DashboardItem, number: int) -> None:
        super().__init__(classes="dash-tile")
        self.item = item
        self.number = number
        self.plan = None if item.sql_error else chart_plan(item.columns, item.rows, item.chart_options)
        self.chart_error = ""
        self.drawn = len(item.rows)  # rows in the chart: a small tile draws fewer bars
        self._sized: Size | None = None

    def compose(self) -> ComposeResult:
        item = self.item
        yield Static(
            Content.assemble((f"{self.number}. ", "bold $accent"), (item.title or item.question, "bold")),
            classes="tile-title",
        )
        if item.sql_error:
            yield Static(
                Content.assemble(("SQL error: ", "bold $error"), item.sql_error), classes="tile-error"
            )
        elif self.plan is not None:
            # the plan's own title is usually the task again: the heading says what is plotted
            yield Static(Content(chart_title(_spec(self.plan, titled=False))), classes="tile-heading")
            yield PlotextPlot(classes="tile-chart")
        elif len(item.rows) == 1 and 0 < len(item.columns) <= KPI_COLUMNS:
            with Horizontal(classes="tile-kpis"):
                for name, value in zip(item.columns, item.rows[0], strict=False):
                    yield _kpi(name, value)
        elif item.columns:
            yield Static(text_table(item.columns, item.rows[:TILE_ROWS]), classes="tile-table", markup=False)
        else:
            yield Static("No rows.", classes="tile-table")
        yield Static(Content.styled(self.note, "dim"), classes="tile-foot")

    @property
    def note(self) -> str:
        item = self.item
        if item.sql_error:
            return "the SQL failed"
        n = len(item.rows)
        if self.plan is not None:
            cut = f", first {self.drawn} drawn" if self.drawn < n else ""
            return f"{_rows(n)}{cut} · {self.plan.kind} chart"
        shown = min(n, TILE_ROWS)
        return f"{_rows(n)}, first {shown} shown" if shown < n else _rows(n)

    def on_resize(self) -> None:
        # the plot inside gets its new size in the same layout pass: draw once that is done
        self.call_after_refresh(self._draw)

    def _draw(self) -> None:
        """Draw the chart for the tile's current size: a bar chart keeps only the bars that fit
        one per line, since at terminal resolution more would overlap and hide their labels."""
        if self.plan is None or self.chart_error:
            return
        plot = self.query_one(PlotextPlot)
        rows = self.item.rows
        if self.plan.kind == "bar":
            rows = rows[: max(MIN_BARS, (plot.size.height - 4) * 2 // 3)]
        if len(rows) == self.drawn and self._sized == plot.size:
            return
        self.drawn, self._sized = len(rows), plot.size
        plt = plot.plt
        plt.clear_figure()
        try:
            draw(plt, _spec(self.plan), self.item.columns, rows)
        except ValueError as exc:  # the data cannot be drawn this way after all: say why
            self.chart_error = str(exc)
            plot.display = False
            self.query_one(".tile-heading", Static).update(Content.styled(self.chart_error, "$text-muted"))
        plot.refresh()
        self.query_one(".tile-foot", Static).update(Content.styled(self.note, "dim"))

    @property
    def charted(self) -> bool:
        return self.plan is not None and not self.chart_error


class DashboardScreen(Screen[None]):
    CSS_PATH = "dashboard.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="dashboard-close", tooltip="Back to the chat."),
        Binding("left,h", "move(-1, 0)", "Left", show=False, id="dashboard-left"),
        Binding("right,l", "move(1, 0)", "Right", show=False, id="dashboard-right"),
        Binding("up,k", "move(0, -1)", "Up", show=False, id="dashboard-up"),
        Binding("down,j", "move(0, 1)", "Down", show=False, id="dashboard-down"),
        Binding(
            "enter,f4",
            "toggle_tile",
            "Maximise",
            id="dashboard-maximize",
            tooltip="Maximise the focused tile, or restore the grid.",
        ),
        Binding(
            "delete,x",
            "remove_tile",
            "Remove",
            id="dashboard-remove",
            tooltip="Remove the focused tile from this dashboard.",
        ),
        Binding(
            "ctrl+e",
            "export",
            "Export",
            id="dashboard-export",
            tooltip="Export the dashboard as an HTML report or Markdown.",
        ),
        Binding("r", "rename", "Rename", id="dashboard-rename", tooltip="Rename this dashboard."),
        Binding(
            "s",
            "save_copy",
            "Save copy",
            id="dashboard-save",
            tooltip="Save these tiles as a new named dashboard (the pinned board stays as it is).",
        ),
    ]

    def __init__(self, board: Dashboard, store: DashboardStore) -> None:
        super().__init__(classes="dashboard-screen")
        self.board = board
        self.store = store

    def compose(self) -> ComposeResult:
        with Horizontal(id="dash-top"):
            yield Static("", id="dash-title")
            yield Static("", id="dash-info")
        with Grid(id="dash-grid"):
            for number, item in enumerate(self.board.items, 1):
                yield DashboardTile(item, number)
        yield Static(EMPTY_PINNED if self.board.kind == PINNED else EMPTY, id="dash-empty")
        yield Footer()

    def on_mount(self) -> None:
        self._relayout()
        tiles = self.tiles
        if tiles:
            tiles[0].focus()

    @property
    def tiles(self) -> list[DashboardTile]:
        return list(self.query(DashboardTile))

    @property
    def columns(self) -> int:
        n = len(self.board.items)
        return 1 if n <= 1 else 2 if n <= 4 else 3

    def _relayout(self) -> None:
        n = len(self.board.items)
        self.query_one("#dash-title", Static).update(Content.styled(self.board.name, "bold"))
        self.query_one("#dash-info", Static).update(
            Content.styled(f"{self.board.label} · {n} tile{'' if n == 1 else 's'} · from history", "dim")
        )
        grid = self.query_one("#dash-grid", Grid)
        grid.display = n > 0
        self.query_one("#dash-empty", Static).display = n == 0
        grid.styles.grid_size_columns = self.columns
        rows = math.ceil(n / self.columns) if n else 1
        # two rows share the screen; more scroll, each tall enough to read a chart
        grid.styles.grid_rows = "1fr" if rows <= 2 else "18"

    def _focused_index(self) -> int | None:
        tiles = self.tiles
        return tiles.index(self.focused) if isinstance(self.focused, DashboardTile) else None

    # ------------------------------------------------------------ actions

    def action_move(self, dx: int, dy: int) -> None:
        tiles = self.tiles
        if not tiles or self.maximized is not None:
            return
        index = self._focused_index()
        if index is None:
            tiles[0].focus()
            return
        target = index + dx + dy * self.columns
        if 0 <= target < len(tiles):
            tiles[target].focus()
            tiles[target].scroll_visible()

    def action_toggle_tile(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        if isinstance(self.focused, DashboardTile):
            self.maximize(self.focused, container=False)

    def action_close(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        self.dismiss(None)

    async def action_remove_tile(self) -> None:
        tile = self.focused
        if not isinstance(tile, DashboardTile):
            self.notify("Focus a tile to remove it.")
            return
        if self.maximized is not None:
            self.minimize()
        index = self.tiles.index(tile)
        self.store.remove_item(tile.item.item_id)
        self.board.items = [i for i in self.board.items if i.item_id != tile.item.item_id]
        await tile.remove()
        self._relayout()
        tiles = self.tiles
        if tiles:
            tiles[min(index, len(tiles) - 1)].focus()
        self.notify(f"Removed “{tile.item.title}” from {self.board.name}.", markup=False)

    def action_export(self) -> None:
        from c2q_tui.tui.screens.dashboard_list import DashboardExportScreen

        if not self.board.items:
            self.notify("Nothing to export: this dashboard has no tiles.")
            return
        self.app.push_screen(DashboardExportScreen(self.board))

    def action_rename(self) -> None:
        def renamed(name: str | None) -> None:
            if name:
                self.store.rename(self.board.dashboard_id, name)
                self.board.name = name
                self._relayout()

        self.app.push_screen(TextPrompt("Rename dashboard", self.board.name), renamed)

    def action_save_copy(self) -> None:
        def named(name: str | None) -> None:
            if name:
                self.store.save_copy(self.board.dashboard_id, name)
                self.notify(
                    f"Saved “{name}” ({len(self.board.items)} tiles); f12 lists dashboards.", markup=False
                )

        if not self.board.items:
            self.notify("Nothing to save: this dashboard has no tiles.")
            return
        self.app.push_screen(TextPrompt("Save as a new dashboard", self.board.name), named)
