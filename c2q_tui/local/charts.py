"""Pick `chart_options` for a result, the way Chat2Query hints a chart.

LineChart for a measure over time, BarChart for a measure per category, PieChart for shares of a
whole with few categories, Table otherwise. Engines that know the question's intent pass `intent`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, Literal

Intent = Literal["auto", "share", "trend", "table"]

_TIME_NAME = re.compile(r"(^|_)(date|day|month|year|week|quarter|time|period)s?($|_)|_(at|on)$", re.I)
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}([ T].*)?$")
MAX_BAR_CATEGORIES = 50
MAX_PIE_SLICES = 8


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return True
    if isinstance(v, str):
        try:
            float(v)
        except ValueError:
            return False
        return True
    return False


def _is_temporal(name: str, values: Sequence[Any]) -> bool:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, dt.date) for v in present):
        return True
    if _TIME_NAME.search(name):
        return all(isinstance(v, int) or (isinstance(v, str) and _ISO_DATE.match(v)) for v in present)
    return False


def table(title: str, columns: Sequence[str]) -> dict[str, Any]:
    return {"chart_name": "Table", "title": title, "option": {"columns": list(columns)}}


def choose_chart(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str,
    intent: Intent = "auto",
) -> dict[str, Any]:
    if intent == "table" or len(columns) < 2 or not rows:
        return table(title, columns)
    col_values = [[r[i] for r in rows] for i in range(len(columns))]
    numeric = [
        i for i, vals in enumerate(col_values) if any(v is not None for v in vals)
        and all(v is None or _is_number(v) for v in vals)
    ]
    temporal = [i for i, vals in enumerate(col_values) if _is_temporal(columns[i], vals)]
    x_candidates = [i for i in range(len(columns)) if i not in numeric or i in temporal]
    if not x_candidates:
        return table(title, columns)
    x = x_candidates[0]
    ys = [columns[i] for i in numeric if i != x]
    if not ys:
        return table(title, columns)
    y: str | list[str] = ys[0] if len(ys) == 1 else ys
    if x in temporal or intent == "trend":
        return {"chart_name": "LineChart", "title": title, "option": {"x": columns[x], "y": y}}
    if intent == "share" and len(rows) <= MAX_PIE_SLICES and len(ys) == 1:
        return {"chart_name": "PieChart", "title": title, "option": {"x": columns[x], "y": ys[0]}}
    if len(rows) <= MAX_BAR_CATEGORIES:
        return {"chart_name": "BarChart", "title": title, "option": {"x": columns[x], "y": y}}
    return table(title, columns)
