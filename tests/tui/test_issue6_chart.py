"""ChartView: chart_options drawn in the terminal; type and x / y switched by keys and selects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Select
from textual_plotext import PlotextPlot

from c2q_tui.tui.themes import LIGHT, register_all
from c2q_tui.tui.widgets.chart_data import (
    ChartSpec,
    numeric_columns,
    spec_from_options,
    to_number,
    to_time,
)
from c2q_tui.tui.widgets.chart_view import NO_NUMBERS, TABLE_MESSAGE, ChartView

SIZE = (120, 40)
# rows as the API sends them: strings, NULL as None
SECTORS = ["sector", "companies", "revenue"]
SECTOR_ROWS: list[list[Any]] = [
    ["Technology", "25", "1520.5"],
    ["Energy", "12", "830.25"],
    ["Utilities", "9", None],
    ["Health Care", "18", "990"],
    ["Financials", "20", "1200.75"],
]
BAR = {"chart_name": "BarChart", "title": "Revenue by sector", "option": {"x": "sector", "y": "revenue"}}
QUOTES = ["record_date", "symbol", "close"]
QUOTE_ROWS = [[f"2024-{m:02d}-01", s, str(100 + m * (3 if s == "AAPL" else -2))]
              for m in range(1, 13) for s in ("AAPL", "MSFT")]


class ChartApp(App[None]):
    def __init__(self, columns: Sequence[str] = (), rows: Sequence[Sequence[Any]] = (),
                 options: dict[str, Any] | None = None, *, theme: str | None = None) -> None:
        super().__init__()
        self.animation_level = "none"
        self.initial = (list(columns), rows, options)
        self.wanted_theme = theme

    def compose(self) -> ComposeResult:
        yield ChartView(id="chart")

    def on_mount(self) -> None:
        if self.wanted_theme:
            register_all(self, default=self.wanted_theme)
        columns, rows, options = self.initial
        if columns:
            self.chart.show(columns, rows, options)
        self.chart.focus()

    @property
    def chart(self) -> ChartView:
        return self.query_one(ChartView)


def changes(seen: list[Message]) -> list[ChartView.Changed]:
    """Each Changed once (message_hook sees a bubbling message at every node it passes)."""
    unique = {id(m): m for m in seen if isinstance(m, ChartView.Changed)}
    return list(unique.values())


def plot_text(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


# ---------------------------------------------------------------- pure helpers


def test_values_from_api_strings() -> None:
    assert to_number("1520.50") == 1520.5 and to_number("-3") == -3.0 and to_number(7) == 7.0
    assert to_number("abc") is None and to_number(None) is None and to_number(True) is None
    assert to_number("nan") is None
    assert to_time("2024-05") is not None and to_time("2024-05-01 10:00:00") is not None
    assert to_time("2024") is None and to_time("May") is None
    assert numeric_columns(SECTORS, SECTOR_ROWS) == ["companies", "revenue"]


def test_spec_follows_chart_options_and_repairs_what_does_not_fit() -> None:
    numeric = numeric_columns(SECTORS, SECTOR_ROWS)
    spec = spec_from_options(SECTORS, SECTOR_ROWS, BAR, numeric)
    assert spec == ChartSpec("BarChart", "sector", ("revenue",), None, "Revenue by sector")
    both = {"chart_name": "LineChart", "option": {"x": "sector", "y": ["companies", "revenue"]}}
    assert spec_from_options(SECTORS, SECTOR_ROWS, both, numeric).y == ("companies", "revenue")
    wrong = {"chart_name": "Sunburst", "option": {"x": "nope", "y": "sector"}}
    repaired = spec_from_options(SECTORS, SECTOR_ROWS, wrong, numeric)
    assert (repaired.kind, repaired.x, repaired.y) == ("Table", "sector", ("companies",))
    assert spec_from_options(SECTORS, SECTOR_ROWS, None, numeric).kind == "Table"
    assert spec.chart_options() == {"chart_name": "BarChart", "title": "Revenue by sector",
                                    "option": {"x": "sector", "y": "revenue"}}


# ---------------------------------------------------------------- the widget


async def test_bar_chart_with_title_and_axis_labels() -> None:
    app = ChartApp(SECTORS, SECTOR_ROWS, BAR)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.chart.charted and app.chart.message == ""
        text = plot_text(app)
        assert "Revenue by sector" in text
        assert "Technology" in text and "Financials" in text
        axis_labels = text.splitlines()[-2]  # plotext writes both axis labels under the x axis
        assert axis_labels.startswith("revenue") and "sector" in axis_labels


async def test_a_title_wider_than_the_chart_is_shortened_not_dropped() -> None:
    title = "Find the total revenue of the companies in each sector, largest first, for the last year"
    app = ChartApp(SECTORS, SECTOR_ROWS, {**BAR, "title": title})
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.pause()
        text = plot_text(app)
        assert "Find the total revenue" in text and "…" in text
        assert title not in text
        await pilot.resize_terminal(140, 30)  # wide enough again: the whole title comes back
        await pilot.pause()
        assert title in plot_text(app)


async def test_line_chart_with_dates_on_x_and_a_pivot() -> None:
    options = {"chart_name": "LineChart", "title": "Close", "option": {"x": "record_date", "y": "close",
                                                                      "pivot_column": "symbol"}}
    app = ChartApp(QUOTES, QUOTE_ROWS, options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.chart.charted
        assert app.chart.spec is not None and app.chart.spec.pivot == "symbol"
        text = plot_text(app)
        assert "2024-01-01" in text and "AAPL" in text and "MSFT" in text


async def test_pie_is_drawn_as_shares_with_percentages() -> None:
    rows = [["Tech", "40.5"], ["Energy", "10"], ["Health", "20"], ["Utilities", "5"], ["Fin", "24.5"]]
    options = {"chart_name": "PieChart", "option": {"x": "sector", "y": "weight"}}
    app = ChartApp(["sector", "weight"], rows, options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = plot_text(app)
        assert "Tech 40.5%" in text and "Utilities 5.0%" in text
        assert "Share of weight by sector" in text
        assert "share of the total" in app.chart.note


async def test_pie_of_negative_values_says_why_not() -> None:
    options = {"chart_name": "PieChart", "option": {"x": "k", "y": "v"}}
    app = ChartApp(["k", "v"], [["gain", "5"], ["loss", "-2"]], options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.chart.charted and "negative values" in app.chart.message
        await pilot.press("t")  # Pie -> Table -> ...; a bar chart draws negatives fine
        await pilot.press("t")
        await pilot.pause()
        assert app.chart.spec is not None and app.chart.spec.kind == "BarChart"
        assert app.chart.charted and app.chart.message == ""


async def test_table_shows_a_message_until_a_chart_type_is_picked() -> None:
    options = {"chart_name": "Table", "option": {"columns": SECTORS}}
    seen: list[Message] = []
    app = ChartApp(SECTORS, SECTOR_ROWS, options)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await pilot.pause()
        assert not app.chart.charted and app.chart.message == TABLE_MESSAGE
        assert not app.screen.query_one(PlotextPlot).display
        await pilot.press("t")  # Table -> Bar
        await pilot.pause()
        assert app.chart.charted and app.chart.spec is not None
        assert app.chart.spec.kind == "BarChart"
        changed = changes(seen)
        assert changed and changed[-1].chart_options["chart_name"] == "BarChart"


async def test_no_numeric_column_is_a_message_and_controls_are_off() -> None:
    app = ChartApp(["name", "city"], [["a", "Paris"], ["b", "Rome"]], BAR)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.chart.message == NO_NUMBERS and app.chart.spec is None
        assert all(s.disabled for s in app.chart.query(Select))
        await pilot.press("t")  # nothing to switch; no error
        app.chart.clear("Run a question to see a chart.")
        await pilot.pause()
        assert app.chart.message == "Run a question to see a chart."


async def test_switching_type_x_and_y_with_keys_and_selects() -> None:
    seen: list[Message] = []
    app = ChartApp(SECTORS, SECTOR_ROWS, BAR)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await pilot.pause()
        chart = app.chart
        await pilot.press("y")  # revenue -> the next choice
        await pilot.pause()
        assert chart.spec is not None and chart.spec.y != ("revenue",)
        await pilot.press("t")  # Bar -> Line
        await pilot.pause()
        assert chart.spec.kind == "LineChart" and chart.charted
        await pilot.press("x")  # sector -> companies (then y can no longer be companies)
        await pilot.pause()
        assert chart.spec.x == "companies" and "companies" not in chart.spec.y
        # the selects do the same, and show what is drawn
        chart.query_one("#chart-type", Select).value = "PieChart"
        await pilot.pause()
        chart.query_one("#chart-x", Select).value = "sector"
        await pilot.pause()
        chart.query_one("#chart-y", Select).value = ("companies",)
        await pilot.pause()
        assert (chart.spec.kind, chart.spec.x, chart.spec.y) == ("PieChart", "sector", ("companies",))
        assert "Technology 29.8%" in plot_text(app)
        assert chart.query_one("#chart-x", Select).value == "sector"
        changed = changes(seen)
        assert len(changed) == 6  # one per change, none echoed back by the selects
        assert changed[-1].chart_options == {"chart_name": "PieChart", "title": "Revenue by sector",
                                             "option": {"x": "sector", "y": "companies"}}


async def test_show_replaces_the_previous_result() -> None:
    app = ChartApp(SECTORS, SECTOR_ROWS, BAR)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.chart.show(QUOTES, QUOTE_ROWS, {"chart_name": "LineChart", "option": {"x": "record_date",
                                                                                   "y": "close"}})
        await pilot.pause()
        assert app.chart.spec is not None and app.chart.spec.x == "record_date"
        assert app.chart.query_one("#chart-x", Select).value == "record_date"


async def test_large_results_are_cut_with_a_note() -> None:
    rows = [[f"2020-01-{i % 28 + 1:02d}", f"S{i}", str(i)] for i in range(5_000)]
    app = ChartApp(QUOTES, rows, {"chart_name": "LineChart", "option": {"x": "record_date", "y": "close"}})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.chart.charted and app.chart.note == "one row in 3 of 5,000 drawn"
        app.chart.set_chart(kind="BarChart", x="symbol")
        await pilot.pause()
        assert app.chart.charted and app.chart.note == "first 50 of 5,000 rows"


# ---------------------------------------------------------------- snapshots


def test_snapshot_bar_chart(snap_compare: Any) -> None:
    assert snap_compare(ChartApp(SECTORS, SECTOR_ROWS, BAR), terminal_size=SIZE)


def test_snapshot_light_theme(snap_compare: Any) -> None:
    option = {"x": "record_date", "y": "close", "pivot_column": "symbol"}
    options = {"chart_name": "LineChart", "title": "Monthly close", "option": option}
    assert snap_compare(ChartApp(QUOTES, QUOTE_ROWS, options, theme=LIGHT), terminal_size=SIZE)
