"""ChartView: the chart tab. Draws an answer's `chart_options` in the terminal with plotext.

Bar and line charts are drawn as such (with title and axis labels). Plotext has no pie chart, so
a PieChart is drawn as horizontal bars of each category's share of the total, labelled with its
percentage, largest first. "Table" (or no numeric column) shows a message instead of a chart.
The user can switch the chart type and the x / y columns for any result with a numeric column,
with the selects at the top or the bindings below; each switch posts `ChartView.Changed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Select, Static
from textual_plotext import PlotextPlot

from c2q_tui.tui.widgets.chart_data import (
    CHART_LABELS,
    CHART_TYPES,
    ChartSpec,
    chart_title,
    draw,
    numeric_columns,
    spec_from_options,
)

TABLE_MESSAGE = "This answer is best read as a table. Pick Bar, Line or Pie (or press t) to chart it."
NO_NUMBERS = "Nothing to chart: the result has no numeric column."
NO_ROWS = "Nothing to chart: the result has no rows."
_PLACEHOLDER: list[tuple[str, Any]] = [("—", "")]


class ChartView(Widget, can_focus=True):
    """A chart of a result, with controls to change what is drawn.

    `show(columns, rows, chart_options)` draws a result; `clear(message)` empties the view.
    Focus the view (or one of its selects) and press t / x / y to cycle type, x and y.
    """

    DEFAULT_CSS = """
    ChartView { height: 1fr; layout: vertical; }
    ChartView:focus { background-tint: $foreground 5%; }
    ChartView > #chart-controls { height: auto; padding: 0 1; }
    ChartView > #chart-controls > Label { width: auto; padding: 1 1 0 1; color: $text-muted; }
    ChartView > #chart-controls > Select { width: 1fr; max-width: 32; }
    ChartView > #chart-title {
        height: 1; width: 1fr; padding: 0 1; text-align: center; text-style: bold;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    ChartView > #chart-plot { height: 1fr; }
    ChartView > #chart-message { height: 1fr; width: 1fr; content-align: center middle; color: $text-muted; }
    ChartView > #chart-note { height: 1; padding: 0 1; color: $text-muted; background: $panel; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "cycle_type", "Chart type", id="chart-cycle-type",
                tooltip="Switch between bar, line, pie and no chart."),
        Binding("x", "cycle_x", "X column", id="chart-cycle-x",
                tooltip="Plot against the next column of the result."),
        Binding("y", "cycle_y", "Y column", id="chart-cycle-y",
                tooltip="Plot the next numeric column (or all of them)."),
    ]

    class Changed(Message):
        """The user changed what the chart shows; `chart_options` is the new choice, API-shaped."""

        def __init__(self, chart_view: ChartView, spec: ChartSpec) -> None:
            super().__init__()
            self.chart_view = chart_view
            self.spec = spec

        @property
        def chart_options(self) -> dict[str, Any]:
            return self.spec.chart_options()

        @property
        def control(self) -> ChartView:
            return self.chart_view

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns: list[str] = []
        self._rows: Sequence[Sequence[Any]] = []
        self._numeric: list[str] = []
        self._spec: ChartSpec | None = None
        self._message = NO_ROWS  # what to say when the spec is not a chart
        self._shown = NO_ROWS  # what is said now: that, or why the chart could not be drawn
        self._note = ""
        self._title = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="chart-controls"):
            yield Label("Chart")
            yield Select([(CHART_LABELS[k], k) for k in CHART_TYPES], value="Table", allow_blank=False,
                         id="chart-type", tooltip="Chart type (t)")
            yield Label("x")
            yield Select(_PLACEHOLDER, allow_blank=False, id="chart-x", tooltip="X column (x)")
            yield Label("y")
            yield Select(_PLACEHOLDER, allow_blank=False, id="chart-y", tooltip="Y column (y)")
        yield Static("", id="chart-title", markup=False)
        yield PlotextPlot(id="chart-plot")
        yield Static(self._message, id="chart-message", markup=False)
        yield Static("", id="chart-note", markup=False)

    def on_mount(self) -> None:
        self._sync_controls()
        self._redraw()

    # ------------------------------------------------------------ public API

    def show(self, columns: Sequence[str], rows: Sequence[Sequence[Any]],
             chart_options: dict[str, Any] | None) -> None:
        """Draw a result as its `chart_options` say (None or "Table": a message, no chart)."""
        self._columns = [str(c) for c in columns]
        self._rows = rows
        self._numeric = numeric_columns(self._columns, rows)
        has_data = bool(self._columns and rows and self._numeric)
        self._spec = (
            spec_from_options(self._columns, rows, chart_options, self._numeric) if has_data else None
        )
        self._message = NO_ROWS if not rows else NO_NUMBERS if not self._numeric else TABLE_MESSAGE
        if self.is_mounted:
            self._sync_controls()
            self._redraw()

    def clear(self, message: str = "No chart") -> None:
        self._columns, self._rows, self._numeric, self._spec = [], [], [], None
        self._message = message
        if self.is_mounted:
            self._sync_controls()
            self._redraw()

    @property
    def title(self) -> str:
        """The heading above the chart ("" when no chart is drawn)."""
        return self._title

    @property
    def spec(self) -> ChartSpec | None:
        """What is drawn (None when there is nothing to chart)."""
        return self._spec

    @property
    def message(self) -> str:
        """The text shown instead of a chart ("" while a chart is drawn)."""
        return self._shown

    @property
    def charted(self) -> bool:
        return self.is_mounted and self.query_one("#chart-plot", PlotextPlot).display

    @property
    def note(self) -> str:
        return self._note

    def set_chart(
        self, kind: str | None = None, x: str | None = None, y: Sequence[str] | None = None
    ) -> None:
        """Change what is drawn (what the controls do); posts Changed when something changed."""
        if self._spec is None:
            return
        spec = self._spec
        if kind is not None and kind in CHART_TYPES and kind != spec.kind:
            # a Table spec already holds default x / y, so switching to a chart draws at once
            spec = ChartSpec(kind, spec.x, spec.y, spec.pivot, spec.title)
        if x is not None and x in self._columns and x != spec.x:
            ys = tuple(c for c in spec.y if c != x) or tuple(c for c in self._numeric if c != x)[:1]
            spec = ChartSpec(spec.kind, x, ys, None if spec.pivot == x else spec.pivot, spec.title)
        if y is not None:
            ys = tuple(c for c in y if c in self._numeric and c != spec.x)
            if ys and ys != spec.y:
                spec = ChartSpec(spec.kind, spec.x, ys, spec.pivot if len(ys) == 1 else None, spec.title)
        if spec == self._spec:
            return
        self._spec = spec
        self._sync_controls()
        self._redraw()
        self.post_message(self.Changed(self, spec))

    # ------------------------------------------------------------ actions

    def _y_choices(self) -> list[tuple[str, tuple[str, ...]]]:
        spec = self._spec
        x = spec.x if spec else None
        singles: list[tuple[str, tuple[str, ...]]] = [(c, (c,)) for c in self._numeric if c != x]
        choices = list(singles)
        if spec is not None and len(spec.y) > 1 and (", ".join(spec.y), spec.y) not in choices:
            choices.append((", ".join(spec.y), spec.y))
        every = tuple(c for c, _ in singles)
        if len(every) > 1 and every != (spec.y if spec else ()):
            choices.append(("all numeric columns", every))
        return choices

    def action_cycle_type(self) -> None:
        if self._spec is not None:
            index = CHART_TYPES.index(self._spec.kind)
            self.set_chart(kind=CHART_TYPES[(index + 1) % len(CHART_TYPES)])

    def action_cycle_x(self) -> None:
        if self._spec is not None and self._columns:
            index = self._columns.index(self._spec.x) if self._spec.x in self._columns else -1
            self.set_chart(x=self._columns[(index + 1) % len(self._columns)])

    def action_cycle_y(self) -> None:
        choices = [value for _, value in self._y_choices()]
        if self._spec is not None and choices:
            index = choices.index(self._spec.y) if self._spec.y in choices else -1
            self.set_chart(y=choices[(index + 1) % len(choices)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cycle_type", "cycle_x", "cycle_y"):
            return self._spec is not None
        return True

    @on(Select.Changed, "#chart-type")
    def _type_picked(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str) and event.value:
            self.set_chart(kind=event.value)

    @on(Select.Changed, "#chart-x")
    def _x_picked(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str) and event.value:
            self.set_chart(x=event.value)

    @on(Select.Changed, "#chart-y")
    def _y_picked(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, tuple):
            self.set_chart(y=event.value)

    # ------------------------------------------------------------ rendering

    def _sync_controls(self) -> None:
        """Make the selects show the spec, without their Changed events coming back as edits."""
        spec = self._spec
        kind = self.query_one("#chart-type", Select)
        xs = self.query_one("#chart-x", Select)
        ys = self.query_one("#chart-y", Select)
        with self.prevent(Select.Changed):
            kind.value = spec.kind if spec else "Table"
            x_options = [(c, c) for c in self._columns] or _PLACEHOLDER
            xs.set_options(x_options)
            xs.value = spec.x if spec and spec.x else x_options[0][1]
            y_options: list[tuple[str, Any]] = list(self._y_choices()) or _PLACEHOLDER
            ys.set_options(y_options)
            wanted = spec.y if spec and spec.y else None
            ys.value = wanted if any(v == wanted for _, v in y_options) else y_options[0][1]
        for select in (kind, xs, ys):
            select.disabled = spec is None

    def _redraw(self) -> None:
        plot = self.query_one("#chart-plot", PlotextPlot)
        title = ""
        message = self._message
        self._note = ""
        spec = self._spec
        if spec is not None and spec.kind != "Table":
            plt = plot.plt
            plt.clear_figure()
            try:
                self._note = draw(plt, spec, self._columns, self._rows)
                title = chart_title(spec)
                message = ""
            except ValueError as exc:
                message = str(exc)
        self._shown = message
        plot.display = not message
        heading = self.query_one("#chart-title", Static)
        heading.display = bool(title) and not message
        heading.update(title)
        self._title = title if heading.display else ""
        shown = self.query_one("#chart-message", Static)
        shown.display = bool(message)
        shown.update(message)
        self.query_one("#chart-note", Static).update(self._note)
        plot.refresh()
