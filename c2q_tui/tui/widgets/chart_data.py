"""What a chart plots, from a result's rows: chart specs, value conversion and plotext drawing.

No widget here, so every rule (which columns are numeric, what x a line chart uses, how a pie is
shown) is testable without a terminal. Rows come as the API sends them (strings or None) or as the
embedded backend's native values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from c2q_tui.svgcharts import number

if TYPE_CHECKING:
    from textual_plotext.plot import Plot as Figure

CHART_TYPES = ("BarChart", "LineChart", "PieChart", "Table")
CHART_LABELS = {
    "BarChart": "Bar",
    "LineChart": "Line",
    "PieChart": "Pie (shares)",
    "Table": "Table (no chart)",
}
MAX_BARS = 50  # categories drawn; more would be unreadable at terminal resolution
MAX_SLICES = 10  # pie: the largest shares, then "other"
MAX_SERIES = 8  # pivoted series drawn
MAX_POINTS = 2_000  # a line chart samples evenly above this
SCAN_ROWS = 2_000  # rows inspected to decide a column's kind
_TIME = re.compile(r"\d{4}-\d{2}(-\d{2})?([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?.*)?")


@dataclass(frozen=True)
class ChartSpec:
    """What is drawn: chart type, x column, y columns and an optional pivot (series) column."""

    kind: str
    x: str | None = None
    y: tuple[str, ...] = ()
    pivot: str | None = None
    title: str = ""

    def chart_options(self) -> dict[str, Any]:
        """The spec in the API's `chart_options` shape, e.g. to remember a user's choice."""
        if self.kind == "Table" or self.x is None:
            return {"chart_name": "Table", "title": self.title, "option": {}}
        option: dict[str, Any] = {"x": self.x, "y": self.y[0] if len(self.y) == 1 else list(self.y)}
        if self.pivot:
            option["pivot_column"] = self.pivot
        return {"chart_name": self.kind, "title": self.title, "option": option}

    def heading(self) -> str:
        return self.title or f"{', '.join(self.y)} by {self.x}"


# ---------------------------------------------------------------- values

# the headless report charts read numbers by the same rule
to_number = number


def to_time(value: Any) -> datetime | None:
    """A datetime for a date, a datetime or an ISO date string ("2024-05", "2024-05-01 10:00")."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # positions are naive days since 1970
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and _TIME.fullmatch(value.strip()):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text if len(text) > 7 else text + "-01")
        except ValueError:
            return None
        return parsed.replace(tzinfo=None)
    return None


def label(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\n", " ")
    return text if len(text) <= 24 else text[:23] + "…"


def column_values(columns: Sequence[str], rows: Sequence[Sequence[Any]], name: str) -> list[Any]:
    index = list(columns).index(name)
    return [row[index] if index < len(row) else None for row in rows]


def _all(values: Sequence[Any], parse: Callable[[Any], object]) -> bool:
    present = [v for v in values[:SCAN_ROWS] if v is not None]
    return bool(present) and all(parse(v) is not None for v in present)


def numeric_columns(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """Columns whose non-null values are all numbers (judged on the first rows)."""
    head = rows[:SCAN_ROWS]
    return [c for c in columns if _all(column_values(columns, head, c), to_number)]


def default_spec(columns: Sequence[str], rows: Sequence[Sequence[Any]], kind: str,
                 numeric: Sequence[str], title: str = "") -> ChartSpec:
    """x: the first time column, else the first text one, else the first; y: the first number."""
    times = [c for c in columns if _all(column_values(columns, rows[:SCAN_ROWS], c), to_time)]
    text = [c for c in columns if c not in numeric]
    candidates = times or text or list(columns)
    x = candidates[0] if candidates else None
    y = tuple(c for c in numeric if c != x)[:1]
    return ChartSpec(kind=kind, x=x, y=y, title=title)


def spec_from_options(columns: Sequence[str], rows: Sequence[Sequence[Any]],
                      chart_options: dict[str, Any] | None, numeric: Sequence[str]) -> ChartSpec:
    """The answer's `chart_options`, checked against the result; what does not fit is replaced by
    the defaults (an unknown chart name is a Table)."""
    options = chart_options or {}
    kind = str(options.get("chart_name") or "Table")
    kind = kind if kind in CHART_TYPES else "Table"
    title = str(options.get("title") or "")
    base = default_spec(columns, rows, kind, numeric, title)
    option = options.get("option") if isinstance(options.get("option"), dict) else {}
    assert isinstance(option, dict)
    x = option.get("x") if option.get("x") in columns else base.x
    raw_y = option.get("y")
    wanted = [raw_y] if isinstance(raw_y, str) else raw_y if isinstance(raw_y, list) else []
    y = tuple(c for c in wanted if c in numeric and c != x) or tuple(c for c in numeric if c != x)[:1]
    pivot = option.get("pivot_column")
    pivot = pivot if isinstance(pivot, str) and pivot in columns and pivot not in (x, *y) else None
    return replace(base, x=x, y=y, pivot=pivot)


# ---------------------------------------------------------------- drawing


def _series(spec: ChartSpec, columns: Sequence[str], rows: Sequence[Sequence[Any]]
            ) -> tuple[list[Any], dict[str, list[float | None]]]:
    """x values in first-seen order and one value list per series (y columns, or pivot values)."""
    assert spec.x is not None
    xs = column_values(columns, rows, spec.x)
    if spec.pivot is None:
        return xs, {y: [to_number(v) for v in column_values(columns, rows, y)] for y in spec.y}
    keys = column_values(columns, rows, spec.pivot)
    ys = [to_number(v) for v in column_values(columns, rows, spec.y[0])]
    order = list(dict.fromkeys(label(x) for x in xs))
    firsts = {label(x): x for x in reversed(xs)}
    series: dict[str, dict[str, float]] = {}
    for x, key, y in zip(xs, keys, ys, strict=True):
        if y is not None:
            cell = series.setdefault(label(key), {})
            cell[label(x)] = cell.get(label(x), 0.0) + y
    picked = list(series.items())[:MAX_SERIES]
    return [firsts[k] for k in order], {name: [vals.get(k) for k in order] for name, vals in picked}


def chart_title(spec: ChartSpec) -> str:
    """The heading shown above a chart. It is not given to plotext, which centres a title on the
    canvas and silently drops it when it does not fit on either side."""
    if spec.kind == "PieChart" and not spec.title and spec.y:
        return f"Share of {spec.y[0]} by {spec.x}"
    return spec.heading()


def draw(plt: Figure, spec: ChartSpec, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Draw `spec` (all but its title: see `chart_title`) on a cleared figure. Returns a note for
    the status line ("" when nothing to say);
    raises ValueError with a message for the user when the data cannot be drawn this way."""
    if spec.x is None or not spec.y:
        raise ValueError("Pick a numeric column for y to draw a chart.")
    if spec.kind == "PieChart":
        return _pie(plt, spec, columns, rows)
    # cut the rows before converting them: a 100k-row result must not stall the UI
    total, note = len(rows), ""
    if spec.kind == "LineChart" and total > MAX_POINTS:
        step = math.ceil(total / MAX_POINTS)
        rows, note = rows[::step], f"one row in {step} of {total:,} drawn"
    elif spec.kind == "BarChart" and spec.pivot is None and total > MAX_BARS:
        rows, note = rows[:MAX_BARS], f"first {MAX_BARS} of {total:,} rows"
    xs, series = _series(spec, columns, rows)
    if not series:
        raise ValueError("Nothing to draw: the y column has no numbers.")
    if spec.kind == "LineChart":
        _line(plt, spec, xs, series)
        return note
    return note or _bars(plt, spec, xs, series)


def _bars(plt: Figure, spec: ChartSpec, xs: list[Any], series: dict[str, list[float | None]]) -> str:
    shown = min(len(xs), MAX_BARS)
    labels = [label(x) for x in xs[:shown]]
    values = [[v or 0.0 for v in vals[:shown]] for vals in series.values()]
    horizontal = shown > 12 or max((len(t) for t in labels), default=0) > 14
    names = list(series)
    if horizontal:  # plotext stacks horizontal bars bottom-up: reverse to read top-down
        labels, values = labels[::-1], [v[::-1] for v in values]
    orientation: Literal["horizontal", "vertical"] = "horizontal" if horizontal else "vertical"
    if len(values) == 1:
        plt.bar(labels, values[0], orientation=orientation)
    else:
        # plotext names this `labels`; textual-plotext's stub says `label`
        plt.multiple_bar(labels, values, labels=names, orientation=orientation)  # type: ignore[call-arg]
    value_axis = ", ".join(spec.y)
    plt.xlabel(value_axis if horizontal else spec.x)
    plt.ylabel(spec.x if horizontal else value_axis)
    return f"first {shown} of {len(xs):,} categories" if shown < len(xs) else ""


def _positions(xs: list[Any]) -> tuple[list[float], str]:
    """x as numbers: time (days), numbers, or row positions for text."""
    if _all(xs, to_time):
        return [(t - datetime(1970, 1, 1)).total_seconds() / 86400 if (t := to_time(x)) else math.nan
                for x in xs], "time"
    if _all(xs, to_number):
        return [n if (n := to_number(x)) is not None else math.nan for x in xs], "number"
    return [float(i) for i in range(len(xs))], "text"


def _line(plt: Figure, spec: ChartSpec, xs: list[Any], series: dict[str, list[float | None]]) -> None:
    positions, kind = _positions(xs)
    order = sorted(range(len(xs)), key=lambda i: positions[i]) if kind != "text" else list(range(len(xs)))
    order = [i for i in order if not math.isnan(positions[i])]
    for name, values in series.items():
        points = [(positions[i], values[i]) for i in order if values[i] is not None]
        if points:
            plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille",
                     label=name if len(series) > 1 else None)
    ticks = order[:: max(1, math.ceil(len(order) / 6))] or order
    plt.xticks([positions[i] for i in ticks], [label(to_time(xs[i]) or xs[i]) for i in ticks])
    plt.xlabel(spec.x)
    plt.ylabel(", ".join(series) if spec.pivot is None else spec.y[0])


def _pie(plt: Figure, spec: ChartSpec, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    assert spec.x is not None
    y = spec.y[0]
    pairs = [(label(x), to_number(v)) for x, v in zip(column_values(columns, rows, spec.x),
                                                     column_values(columns, rows, y), strict=True)]
    values = [(name, v) for name, v in pairs if v is not None]
    if any(v < 0 for _, v in values):
        raise ValueError(f"A pie shows shares of a whole: {y} has negative values. Try a bar chart.")
    total = sum(v for _, v in values)
    if total <= 0:
        raise ValueError(f"A pie shows shares of a whole: {y} adds up to nothing.")
    values.sort(key=lambda p: p[1], reverse=True)
    if len(values) > MAX_SLICES:
        rest = sum(v for _, v in values[MAX_SLICES - 1:])
        values = [*values[: MAX_SLICES - 1], (f"other ({len(values) - MAX_SLICES + 1})", rest)]
    shares = [v / total * 100 for _, v in values]
    labels = [f"{name} {share:.1f}%" for (name, _), share in zip(values, shares, strict=True)]
    plt.bar(labels[::-1], shares[::-1], orientation="horizontal")
    plt.xlabel(f"share of total {y} (%)")
    plt.ylabel(spec.x)
    return "pie drawn as bars of each share of the total"
