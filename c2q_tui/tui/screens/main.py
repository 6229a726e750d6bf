"""The main screen: header (profile, database, connection, quota) over session sidebar | chat pane |
SQL viewer above the refine panel and the result grid, and the footer with the bindings.

The screen only lays widgets out and gives the app typed access to them; the app drives them.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Select, Static, TabbedContent, TabPane

from c2q_tui.tui.widgets.chart_view import ChartView
from c2q_tui.tui.widgets.chat_pane import ChatPane
from c2q_tui.tui.widgets.quota_meter import QuotaMeter
from c2q_tui.tui.widgets.refine_panel import RefinePanel
from c2q_tui.tui.widgets.result_grid import ResultGrid
from c2q_tui.tui.widgets.session_list import SessionList
from c2q_tui.tui.widgets.sql_viewer import SqlViewer
from c2q_tui.tui.widgets.suggestions import SuggestionsPanel


class Pane(Vertical):
    """A part of the screen that f4 can maximise."""

    ALLOW_MAXIMIZE = True


PANES = ("sidebar", "chat", "sql-pane", "results", "work")


class MainScreen(Screen[None]):
    # narrow terminals drop the sidebar (f2 brings it back) so chat and results keep their room
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-normal")]

    def __init__(self, *, clock: Callable[[], float], live: bool) -> None:
        super().__init__(id="main")
        self.clock = clock
        self.live = live

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static(Content.styled("c2q-tui", "bold"), id="brand")
            yield Static("", id="profile-label")
            yield Static("", id="database-label")
            yield Static("", id="conn-status")
            yield QuotaMeter(id="quota")
        with Horizontal(id="body"):
            yield SessionList(id="sidebar")
            yield ChatPane(clock=self.clock, live=self.live, id="chat")
            with Pane(id="work"):
                with Pane(id="sql-pane"):
                    yield SqlViewer(id="sql")
                yield RefinePanel(id="refine")
                # the results area: the rows and a chart of them
                with Pane(id="results"), TabbedContent(id="result-tabs", initial="tab-rows"):
                    with TabPane("Rows", id="tab-rows"):
                        yield ResultGrid(id="grid")
                    with TabPane("Chart", id="tab-chart"):
                        yield ChartView(id="chart")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sql-pane").border_title = "SQL"
        self.chart.clear("Select an answer to chart its rows.")
        for select in self.chart.query(Select):  # one line of controls: the chart keeps the room
            select.compact = True

    # typed access for the app ------------------------------------------------------------------

    @property
    def sidebar(self) -> SessionList:
        return self.query_one("#sidebar", SessionList)

    @property
    def chat(self) -> ChatPane:
        return self.query_one("#chat", ChatPane)

    @property
    def sql(self) -> SqlViewer:
        return self.query_one("#sql", SqlViewer)

    @property
    def grid(self) -> ResultGrid:
        return self.query_one("#grid", ResultGrid)

    @property
    def chart(self) -> ChartView:
        return self.query_one("#chart", ChartView)

    @property
    def result_tabs(self) -> TabbedContent:
        return self.query_one("#result-tabs", TabbedContent)

    @property
    def refine(self) -> RefinePanel:
        return self.query_one("#refine", RefinePanel)

    @property
    def suggestions(self) -> SuggestionsPanel:
        return self.query_one("#suggestions", SuggestionsPanel)

    @property
    def quota(self) -> QuotaMeter:
        return self.query_one("#quota", QuotaMeter)

    def set_header(
        self, *, profile: str, database: str, status: str, busy: bool = False, error: bool = False
    ) -> None:
        self.query_one("#profile-label", Static).update(
            Content.assemble(("profile ", "dim"), (profile, "bold"))
        )
        self.query_one("#database-label", Static).update(
            Content.assemble(("database ", "dim"), (database or "…", "bold"))
        )
        conn = self.query_one("#conn-status", Static)
        conn.update(Content(status))
        conn.set_class(busy, "-busy")
        conn.set_class(error, "-error")

    def pane_of(self, widget: object) -> str | None:
        """The id of the innermost pane holding `widget`, for maximising it."""
        from textual.widget import Widget

        if not isinstance(widget, Widget):
            return None
        for node in (widget, *widget.ancestors):
            if isinstance(node, Widget) and node.id in PANES:
                return node.id
        return None
