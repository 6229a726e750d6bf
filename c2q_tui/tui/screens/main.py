"""The main screen: header (profile, database, connection, quota) over session sidebar | chat pane |
SQL viewer above the refine panel and the result grid, and the footer with the bindings.

The screen only lays widgets out and gives the app typed access to them; the app drives them.

Start-up: the first frame holds only what it shows. The result grid (pyarrow, textual-fastdatatable)
and the chart (plotext) cost ~150 ms to import and mount, so it has stand-ins that draw what their
empty states draw (the chart's tab is not visible then); the refine and assist panels and the chat's
suggestions start hidden, so they are not there at all (their Buttons alone bring 7 kB of CSS to
parse), nor are their modules imported; the Rows/Chart tabs (seven widgets) come into two lines kept
for them. `load_results_panes`, `mount_hidden_panels` (called once the first frame is up) and the
properties below put them in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import AwaitMount, Widget
from textual.widgets import ContentSwitcher, Footer, Select, Static

from c2q_tui.tui.widgets.chat_pane import ChatPane
from c2q_tui.tui.widgets.quota_meter import QuotaMeter
from c2q_tui.tui.widgets.session_list import SessionList
from c2q_tui.tui.widgets.sql_viewer import SqlViewer

if TYPE_CHECKING:
    from textual.widgets import Tabs

    from c2q_tui.tui.widgets.assist_panel import AssistPanel
    from c2q_tui.tui.widgets.chart_view import ChartView
    from c2q_tui.tui.widgets.refine_panel import RefinePanel
    from c2q_tui.tui.widgets.result_grid import ResultGrid
    from c2q_tui.tui.widgets.suggestions import SuggestionsPanel


class Pane(Vertical):
    """A part of the screen that f4 can maximise."""

    ALLOW_MAXIMIZE = True


class GridStandIn(Widget):
    """Draws what an empty ResultGrid draws (a blank area over its status line) until the grid is in;
    one widget rather than the grid's two Statics."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"grid-stand-in--status"}
    # ResultGrid's own rule for its status line, so both draw alike
    DEFAULT_CSS = """
    GridStandIn { height: 1fr; }
    GridStandIn > .grid-stand-in--status { background: $panel; }
    """

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y != self.size.height - 1:
            return Strip.blank(width, self.rich_style)
        return Strip.blank(width, self.get_component_rich_style("grid-stand-in--status"))


PANES = ("sidebar", "chat", "sql-pane", "assist", "results", "work")


class MainScreen(Screen[None]):
    # narrow terminals drop the sidebar (f2 brings it back) so chat and results keep their room
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-normal")]
    # the composer has focus from the first frame (not the first focusable widget, the sessions filter)
    AUTO_FOCUS = "#question"

    def __init__(self, *, clock: Callable[[], float], live: bool) -> None:
        super().__init__(id="main")
        self.clock = clock
        self.live = live

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            # the name, profile and database in one Static: a widget less to style and draw at start-up
            yield Static(self._title(), id="brand", markup=False)
            yield Static("", id="conn-status", markup=False)
            yield QuotaMeter(id="quota")
        # the screen lays these out side by side (app.tcss); the header and the footer are docked
        yield SessionList(id="sidebar")
        yield ChatPane(clock=self.clock, live=self.live, id="chat")
        with Pane(id="work"):
            with Pane(id="sql-pane"):
                yield SqlViewer(id="sql")
            # here come the assist and refine panels, after the first frame
            # the results area: the rows and a chart of them, switched by the tabs over them
            with Pane(id="results"):
                yield Vertical(id="result-tabs")  # the tabs come in after the first frame
                with ContentSwitcher(id="result-views", initial="rows-view"):
                    with Vertical(id="rows-view"):
                        yield GridStandIn(id="grid-stand-in")
                    yield Vertical(id="chart-view")  # the chart goes in when first needed
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sql-pane").border_title = "SQL"

    _resumed = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler. At start-up every widget got its styles as it mounted,
        # just before this first resume: the full style update it would do redoes them all (~14 ms).
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    # what the first frame does without ------------------------------------------------------------

    _side_panels = False
    _results_panes = False

    def mount_hidden_panels(self) -> None:
        """The app calls this once the first frame is up."""
        self._mount_result_tabs()
        self._mount_side_panels()
        self.chat.mount_suggestions()
        self.chat.mount_banner()
        self.sql.mount_parts()

    def _mount_side_panels(self) -> None:
        """The assist and refine panels, hidden until used, between the SQL and the results."""
        if self._side_panels:
            return
        self._side_panels = True
        from c2q_tui.tui.widgets.assist_panel import AssistPanel
        from c2q_tui.tui.widgets.refine_panel import RefinePanel

        self.query_one("#work").mount(AssistPanel(id="assist"), RefinePanel(id="refine"), before="#results")

    _result_tabs = False

    def _mount_result_tabs(self) -> None:
        """The Rows and Chart tabs, into the two lines kept for them: a Tabs is seven widgets."""
        if self._result_tabs:
            return
        self._result_tabs = True
        from textual.widgets import Tab, Tabs

        charted = self.query_one("#result-views", ContentSwitcher).current == "chart-view"
        active = "tab-chart" if charted else None
        tabs = Tabs(Tab("Rows", id="tab-rows"), Tab("Chart", id="tab-chart"), active=active)
        self.query_one("#result-tabs").mount(tabs)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab is not None and event.tab.id in ("tab-rows", "tab-chart"):
            self.query_one("#result-views", ContentSwitcher).current = event.tab.id[4:] + "-view"

    def show_results(self, view: Literal["rows", "chart"]) -> None:
        """Bring the rows or the chart to the front, as a click on its tab does."""
        self.query_one("#result-views", ContentSwitcher).current = f"{view}-view"
        if self._result_tabs:
            from textual.widgets import Tabs

            self.query_one("#result-tabs Tabs", Tabs).active = f"tab-{view}"

    def load_results_panes(self) -> None:
        """Put the real grid and chart in place of their stand-ins; later calls do nothing. The first
        use does it (the app empties both as soon as the history has loaded, which is just after
        the first frame), and the app calls it once connected in case nothing has used them yet."""
        if self._results_panes:
            return
        self._results_panes = True
        from c2q_tui.tui.widgets.chart_view import ChartView
        from c2q_tui.tui.widgets.result_grid import ResultGrid

        self.query_one("#rows-view").mount(ResultGrid(id="grid"))
        self.query_one("#grid-stand-in").remove()
        chart = ChartView(id="chart")
        chart.clear("Select an answer to chart its rows.")
        self.call_later(self._compact_chart, self.query_one("#chart-view").mount(chart))

    async def _compact_chart(self, mounted: AwaitMount) -> None:
        await mounted  # the selects exist once the chart has composed
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
        from c2q_tui.tui.widgets.result_grid import ResultGrid

        self.load_results_panes()
        return self.query_one("#grid", ResultGrid)

    @property
    def chart(self) -> ChartView:
        from c2q_tui.tui.widgets.chart_view import ChartView

        self.load_results_panes()
        return self.query_one("#chart", ChartView)

    @property
    def assist(self) -> AssistPanel:
        from c2q_tui.tui.widgets.assist_panel import AssistPanel

        self._mount_side_panels()
        return self.query_one("#assist", AssistPanel)

    @property
    def refine(self) -> RefinePanel:
        from c2q_tui.tui.widgets.refine_panel import RefinePanel

        self._mount_side_panels()
        return self.query_one("#refine", RefinePanel)

    @property
    def suggestions(self) -> SuggestionsPanel:
        return self.chat.mount_suggestions()

    @property
    def quota(self) -> QuotaMeter:
        return self.query_one("#quota", QuotaMeter)

    def set_header(
        self, *, profile: str, database: str, status: str, busy: bool = False, error: bool = False
    ) -> None:
        self.query_one("#brand", Static).update(self._title(profile, database or "…"))
        conn = self.query_one("#conn-status", Static)
        conn.update(Content(status))
        conn.set_class(busy, "-busy")
        conn.set_class(error, "-error")

    @staticmethod
    def _title(profile: str = "", database: str = "") -> Content:
        parts: list[tuple[str, str] | str] = [("c2q-tui", "bold $accent")]
        if profile:
            parts += ["  ", ("profile ", "dim"), (profile, "bold"), "  ", ("database ", "dim"),
                      (database, "bold")]
        return Content.assemble(*parts)

    def pane_of(self, widget: object) -> str | None:
        """The id of the innermost pane holding `widget`, for maximising it."""
        from textual.widget import Widget

        if not isinstance(widget, Widget):
            return None
        for node in (widget, *widget.ancestors):
            if isinstance(node, Widget) and node.id in PANES:
                return node.id
        return None
