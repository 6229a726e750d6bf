"""Plain-English descriptions of a plan: the clarified task and the chart intent."""

from __future__ import annotations

from typing import Literal

from .index import Index
from .lexicon import fmt_number
from .plan import Agg, Col, Filter, Plan

_FUNC = {"sum": "total", "avg": "average", "max": "highest", "min": "lowest"}
_OPS = {
    "=": "is",
    "!=": "is not",
    ">": "above",
    ">=": "at least",
    "<": "below",
    "<=": "at most",
    "in": "is one of",
    "notin": "is not one of",
    "like": "matches",
    "between": "between",
}


def _col(idx: Index, c: Col) -> str:
    words = idx.col(c.table, c.column).phrase
    return f"{c.time} of {words}" if c.time else words


def _agg(idx: Index, a: Agg) -> str:
    if a.func == "count":
        if a.col is not None:
            return f"the number of distinct {_col(idx, a.col)} values"
        return f"the number of {idx.tables[a.of_table].plural}" if a.of_table else "the number of rows"
    assert a.col is not None
    return f"the {_FUNC[a.func]} {_col(idx, a.col)}"


def _val(v: object) -> str:
    if isinstance(v, int) and not isinstance(v, bool) and 1800 <= v <= 2100:
        return str(v)  # a year
    if isinstance(v, int | float) and not isinstance(v, bool):
        return fmt_number(float(v))
    return f"'{v}'"


def _filter(idx: Index, f: Filter) -> str:
    name = _col(idx, f.col)
    if f.op == "isnotnull":
        return f"{name} is known"
    if f.op in ("in", "notin"):
        return f"{name} {_OPS[f.op]} {', '.join(_val(v) for v in f.values)}"
    if f.op == "between":
        return f"{name} between {_val(f.values[0])} and {_val(f.values[1])}"
    return f"{name} {_OPS.get(f.op, f.op)} {_val(f.values[0])}"


def describe(idx: Index, plan: Plan) -> str:
    entity = idx.tables[plan.table].plural
    if plan.aggs:
        head = "Find " + " and ".join(_agg(idx, a) for a in plan.aggs)
        if plan.aggs[0].func != "count":
            head += f" of {entity}"
    elif plan.distinct:
        head = "List the distinct " + ", ".join(_col(idx, c) for c in plan.select)
    else:
        extra = [c for c in plan.select if c.table != plan.table or idx.col(c.table, c.column).measure]
        head = f"List the {entity}"
        if extra:
            head += " with their " + ", ".join(_col(idx, c) for c in extra)
    parts = [head]
    real = [f for f in plan.filters if f.op != "isnotnull"]
    if real:
        parts.append("where " + " and ".join(_filter(idx, f) for f in real))
    if plan.group:
        label = [c for c in plan.group if c in plan.select] or plan.group
        parts.append("for each " + ", ".join(_col(idx, c) for c in label))
    for f in plan.having:
        assert f.agg is not None
        parts.append(f"keeping those where {_agg(idx, f.agg)} is {_OPS.get(f.op, f.op)} {_val(f.values[0])}")
    if plan.order:
        o = plan.order[0]
        what = _agg(idx, plan.aggs[o.agg]) if o.agg is not None else _col(idx, o.col) if o.col else ""
        way = "highest first" if o.desc else "lowest first"
        if plan.limit == 1:
            parts.append(
                f"and keep the one with the {'highest' if o.desc else 'lowest'} {what.removeprefix('the ')}"
            )
        else:
            parts.append(f"sorted by {what.removeprefix('the ')} ({way})")
    if plan.limit and plan.limit != 1:
        parts.append(f"showing the first {plan.limit}")
    text = ", ".join(parts) if plan.group or plan.order else " ".join(parts)
    return text[0].upper() + text[1:] + "."


def chart_intent(idx: Index, plan: Plan, share: bool) -> Literal["auto", "share", "trend", "table"]:
    if not plan.aggs:
        return "table"
    if any(g.time or idx.col(g.table, g.column).year_like for g in plan.group):
        return "trend"
    if share and plan.group and plan.aggs[0].func in ("count", "sum"):
        return "share"
    return "auto"
