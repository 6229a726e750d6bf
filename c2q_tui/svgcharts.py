"""What a dashboard item charts, and that chart as a small SVG for the HTML report.

`chart_plan` decides once, headless, what an item is drawn as (the answer's `chart_options` when
they fit its rows, else a bar chart of the first numeric column, or a line over time), so the
dashboard's tiles and the exported report show the same chart. `chart_svg` draws it with nothing
but rectangles, polylines, paths and text; every label is escaped.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

Kind = Literal["bar", "line", "pie"]
SCAN_ROWS = 2_000
MAX_BARS = 20
MAX_SLICES = 8
MAX_POINTS = 500
COLOURS = ("#3b7dd8", "#e07b39", "#3fa66a", "#c8485a", "#8a63c9", "#b08d2e", "#2aa3a3", "#7a7f87")
_TIME = re.compile(r"\d{4}-\d{2}(-\d{2})?([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?.*)?")
_KINDS: dict[str, Kind] = {"BarChart": "bar", "LineChart": "line", "PieChart": "pie"}


@dataclass(frozen=True)
class ChartPlan:
    kind: Kind
    x: str
    y: str
    title: str = ""

    def describe(self) -> str:
        return self.title or f"{self.y} by {self.x} ({self.kind})"

    @property
    def chart_name(self) -> str:
        return {"bar": "BarChart", "line": "LineChart", "pie": "PieChart"}[self.kind]


def number(value: Any) -> float | None:
    """A finite float for a number or a numeric string (booleans are not numbers)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value)
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def _is_time(value: Any) -> bool:
    if isinstance(value, date | datetime):
        return True
    return isinstance(value, str) and bool(_TIME.fullmatch(value.strip()))


def _column(columns: Sequence[str], rows: Sequence[Sequence[Any]], name: str) -> list[Any]:
    i = list(columns).index(name)
    return [r[i] if i < len(r) else None for r in rows]


def _every(values: Sequence[Any], test: Any) -> bool:
    present = [v for v in values[:SCAN_ROWS] if v is not None]
    return bool(present) and all(test(v) for v in present)


def chart_plan(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], chart_options: dict[str, Any] | None
) -> ChartPlan | None:
    """What to chart, or None when a table says more (no numeric column, under two rows, no x)."""
    if len(rows) < 2 or len(columns) < 2:
        return None
    numeric = [c for c in columns if _every(_column(columns, rows, c), lambda v: number(v) is not None)]
    if not numeric:
        return None
    times = [c for c in columns if _every(_column(columns, rows, c), _is_time)]
    options = chart_options or {}
    option = options.get("option") if isinstance(options.get("option"), dict) else {}
    assert isinstance(option, dict)
    text = [c for c in columns if c not in numeric]
    candidates: list[str | None] = [*times, *text, None]
    x = option.get("x") if option.get("x") in columns else candidates[0]
    if x is None and len(numeric) > 1:
        x = numeric[0]
    if not isinstance(x, str):
        return None
    wanted = option.get("y")
    first = wanted[0] if isinstance(wanted, list) and wanted else wanted
    y = first if first in numeric and first != x else next((c for c in numeric if c != x), None)
    if y is None:
        return None
    kind = _KINDS.get(str(options.get("chart_name") or ""), "line" if x in times else "bar")
    if kind == "pie":
        values = [number(v) for v in _column(columns, rows, y)]
        if any(v is not None and v < 0 for v in values) or sum(v or 0 for v in values) <= 0:
            kind = "bar"  # a pie shows shares of a whole: negatives or a zero total have none
    return ChartPlan(kind, x, y, str(options.get("title") or ""))


# ---------------------------------------------------------------- drawing


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _label(value: Any, limit: int = 22) -> str:
    text = "NULL" if value is None else " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fmt_number(v: float) -> str:
    size = abs(v)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{v / limit:.3g}{suffix}"
    return f"{v:.3g}" if v != int(v) else f"{int(v)}"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_e(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="11">'
        f"<title>{_e(label)}</title>" + "".join(body) + "</svg>"
    )


def _pairs(plan: ChartPlan, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[tuple[Any, float]]:
    xs = _column(columns, rows, plan.x)
    ys = [number(v) for v in _column(columns, rows, plan.y)]
    return [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]


def _bars(plan: ChartPlan, pairs: list[tuple[Any, float]]) -> str:
    shown = pairs[:MAX_BARS]
    width, left, top, step = 560, 150, 24, 22
    height = top + step * len(shown) + (28 if len(pairs) > len(shown) else 10)
    low = min(0.0, *(v for _, v in shown))
    high = max(0.0, *(v for _, v in shown))
    span = (high - low) or 1.0
    plot = width - left - 70

    def at(v: float) -> float:
        return left + (v - low) / span * plot

    zero = at(0.0)
    body = [f'<text x="{left}" y="14" font-weight="bold">{_e(plan.y)} by {_e(plan.x)}</text>']
    for i, (x, v) in enumerate(shown):
        y = top + i * step
        x0, x1 = sorted((zero, at(v)))
        body.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{_e(_label(x))}</text>')
        body.append(
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1):.1f}" height="{step - 6}" '
            f'fill="{COLOURS[0]}"/>'
        )
        body.append(f'<text x="{x1 + 4:.1f}" y="{y + 14}" fill="#444">{_e(fmt_number(v))}</text>')
    bottom = top + step * len(shown)
    body.append(f'<line x1="{zero:.1f}" y1="{top}" x2="{zero:.1f}" y2="{bottom}" stroke="#888"/>')
    if len(pairs) > len(shown):
        body.append(
            f'<text x="{left}" y="{height - 8}" fill="#666">first {len(shown)} of {len(pairs):,} rows</text>'
        )
    return _svg(width, height, f"Bar chart of {plan.y} by {plan.x}", body)


def _position(x: Any) -> float | None:
    if isinstance(x, datetime):
        return x.timestamp()
    if isinstance(x, date):
        return datetime(x.year, x.month, x.day).timestamp()
    if isinstance(x, str) and _TIME.fullmatch(x.strip()):
        text = x.strip()
        try:
            return datetime.fromisoformat(text if len(text) > 7 else text + "-01").timestamp()
        except ValueError:
            return None
    return number(x)


def _line(plan: ChartPlan, pairs: list[tuple[Any, float]]) -> str:
    width, height, left, right, top, bottom = 560, 260, 56, 16, 24, 40
    positions = [_position(x) for x, _ in pairs]
    if all(p is not None for p in positions):
        order = sorted(range(len(pairs)), key=lambda i: positions[i] or 0.0)
    else:
        order = list(range(len(pairs)))
    step = max(1, math.ceil(len(order) / MAX_POINTS))
    order = order[::step]
    values = [pairs[i][1] for i in order]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(k: int) -> float:
        return left + (k / max(len(order) - 1, 1)) * plot_w

    def py(v: float) -> float:
        return top + plot_h - (v - low) / span * plot_h

    points = " ".join(f"{px(k):.1f},{py(v):.1f}" for k, v in enumerate(values))
    body = [
        f'<text x="{left}" y="14" font-weight="bold">{_e(plan.y)} by {_e(plan.x)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>',
        f'<polyline points="{points}" fill="none" stroke="{COLOURS[0]}" stroke-width="2"/>',
    ]
    for v in (low, (low + high) / 2, high):
        body.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{_e(fmt_number(v))}</text>')
    ticks = sorted({0, len(order) // 2, len(order) - 1})
    for k in ticks:
        anchor = "start" if k == 0 else "end" if k == len(order) - 1 else "middle"
        body.append(
            f'<text x="{px(k):.1f}" y="{top + plot_h + 16}" text-anchor="{anchor}">'
            f"{_e(_label(pairs[order[k]][0], 16))}</text>"
        )
    return _svg(width, height, f"Line chart of {plan.y} by {plan.x}", body)


def _pie(plan: ChartPlan, pairs: list[tuple[Any, float]]) -> str:
    slices = sorted(((_label(x), v) for x, v in pairs if v > 0), key=lambda p: p[1], reverse=True)
    if len(slices) > MAX_SLICES:
        rest = sum(v for _, v in slices[MAX_SLICES - 1 :])
        slices = [*slices[: MAX_SLICES - 1], (f"other ({len(slices) - MAX_SLICES + 1})", rest)]
    total = sum(v for _, v in slices) or 1.0
    cx, cy, r = 120, 130, 100
    width, height = 560, max(260, 40 + 20 * len(slices))
    body = [f'<text x="10" y="14" font-weight="bold">Share of {_e(plan.y)} by {_e(plan.x)}</text>']
    angle = -math.pi / 2
    for i, (name, v) in enumerate(slices):
        colour = COLOURS[i % len(COLOURS)]
        share = v / total
        if share >= 0.9999:
            body.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{colour}"/>')
        else:
            end = angle + share * 2 * math.pi
            x0, y0 = cx + r * math.cos(angle), cy + r * math.sin(angle)
            x1, y1 = cx + r * math.cos(end), cy + r * math.sin(end)
            large = 1 if share > 0.5 else 0
            body.append(
                f'<path d="M{cx},{cy} L{x0:.2f},{y0:.2f} A{r},{r} 0 {large} 1 {x1:.2f},{y1:.2f} Z" '
                f'fill="{colour}" stroke="#fff" stroke-width="1"/>'
            )
            angle = end
        ly = 40 + i * 20
        body.append(f'<rect x="250" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
        body.append(f'<text x="268" y="{ly}">{_e(name)} — {share * 100:.1f}%</text>')
    return _svg(width, height, f"Pie chart of {plan.y} by {plan.x}", body)


def chart_svg(plan: ChartPlan, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """The chart as an inline `<svg>` element ("" when no row has a number to draw)."""
    pairs = _pairs(plan, columns, rows)
    if not pairs:
        return ""
    if plan.kind == "line":
        return _line(plan, pairs)
    if plan.kind == "pie":
        return _pie(plan, pairs)
    return _bars(plan, pairs)
