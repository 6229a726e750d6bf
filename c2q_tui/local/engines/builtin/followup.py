"""Follow-ups: a question that only says what to change ("only in Energy", "top 3 instead", "what
about Microsoft", "and per year?") modifies the plan of the session's previous answer.
"""

from __future__ import annotations

import copy

from .assemble import Assembler
from .parsed import Parsed, Unmappable, is_table, numeric_col
from .plan import Agg, Col, Order, Plan
from .shapes import _add, _argmax

_LEADING = {
    "and",
    "only",
    "now",
    "just",
    "but",
    "also",
    "then",
    "same",
    "instead",
    "what",
    "how",
    "so",
    "ok",
    "okay",
    "sort",
    "order",
    "rank",
    "group",
    "limit",
    "show",
    "top",
    "bottom",
    "exclude",
    "remove",
    "filter",
    "in",
    "for",
    "break",
    "split",
    "add",
    "include",
    "without",
    "except",
}


def is_followup(p: Parsed, question: str) -> bool:
    if p.markers & {"ONLY", "ABOUT", "INSTEAD", "ALSO", "AND"}:
        return True
    complete = (
        bool(p.tables)
        or any(a.target is not None for a in p.aggs)
        or p.wh_target is not None
        or bool(p.qualifiers)
        or (p.sup is not None and p.sup[1] is not None and is_table(p.sup[1]))
    )
    if complete:
        return False
    first = question.strip().lower().split()[:1]
    pronoun = any(
        w in question.lower().split() for w in ("them", "those", "these", "they", "their", "it", "ones")
    )
    return bool(first and first[0] in _LEADING) or pronoun or not complete


def _identity(a: Assembler, c: Col) -> set[tuple[str, str]]:
    tm = a.idx.tables[c.table]
    ids = {(c.table, k) for k in tm.info.primary_key}
    if tm.label:
        ids.add((c.table, tm.label))
    return ids if (c.table, c.column) in ids else {(c.table, c.column)}


def merge(a: Assembler, prev: Plan) -> Plan:
    p = a.p
    plan = copy.deepcopy(prev)
    a.main = plan.table
    a.focus = plan.tables()
    if p.unmapped:
        a.build()  # raises with the closest names
    a.note("follow-up", "builds on the previous answer")
    for v in p.values:
        f = a._value_filter(v)
        same = _identity(a, f.col)
        olds = [o for o in plan.filters if (o.col.table, o.col.column) in same]
        if "ALSO" in p.markers and olds and f.op in ("=", "in") and olds[0].op in ("=", "in"):
            olds[0].values += [x for x in f.values if x not in olds[0].values]
            olds[0].op = "in"
            continue
        plan.filters = [o for o in plan.filters if o not in olds]
        plan.filters.append(f)
    for c in p.cmps:
        if c.count_of is not None:
            a._having(plan, c)
            continue
        fs = a._cmp_filter(c)
        keys = {f.col.key() for f in fs}
        if c.is_date or c.op in ("year", "month", "day", "last", "between"):
            plan.filters = [o for o in plan.filters if o.col.key() not in keys]
        else:
            plan.filters = [
                o for o in plan.filters if not (o.col.key() in keys and _family(o.op) == _family(fs[0].op))
            ]
        plan.filters.extend(fs)
    _aggs(a, plan)
    if p.list_intent and not p.aggs and not p.groups and plan.aggs and not plan.group:
        from .shapes import _list_columns  # "how many ...?" then "list them"

        plan.aggs, plan.select, plan.order, plan.limit = [], [], [], None
        _list_columns(a, plan)
    for g in p.groups:
        col: Col
        if isinstance(g, str):
            tc = a.time_col([plan.table, *a.focus])
            meta = a.idx.col(tc.table, tc.column)
            col = Col(tc.table, tc.column, None if meta.year_like else g)
        elif is_table(g):
            for key in a.entity_group(a.table_of(g)):
                _add(plan.group, key)
            continue
        else:
            col = a.pick(g, "any")
        if not plan.aggs:
            plan.aggs = [Agg("count", of_table=plan.table)]
            plan.select, plan.order, plan.limit = [], [], None
        _add(plan.group, col)
        plan.select = [c for c in plan.group if not _hidden(a, c, plan.group)]
        if col.time:
            plan.order = [Order(col)]
    if p.sup is not None and p.sup[1] is not None and numeric_col(a.idx, p.sup[1]) and not plan.group:
        col = a.pick(p.sup[1], "measure")
        _argmax(a, plan, col, p.sup[0] == "desc", p.limit or 1)
    elif p.sup is not None and plan.group and plan.aggs:
        plan.order = [Order(agg=0, desc=p.sup[0] == "desc")]
        plan.limit = p.limit or 1
    elif p.sup is not None and not plan.group:
        col = a.size_measure(plan.table, "largest" if p.sup[0] == "desc" else "smallest")
        _argmax(a, plan, col, p.sup[0] == "desc", p.limit or 1)
    if p.limit is not None:
        plan.limit = p.limit
        if p.top_dir is not None and plan.order:
            for o in plan.order:
                o.desc = p.top_dir == "desc"
        elif not plan.order:
            if plan.aggs and plan.group:
                plan.order = [Order(agg=0, desc=(p.top_dir or "desc") == "desc")]
            else:
                col = a.size_measure(plan.table, "top")
                _argmax(a, plan, col, (p.top_dir or "desc") == "desc", p.limit)
    if p.order:
        from .shapes import _orders

        _orders(a, plan)
    elif p.direction and plan.order:
        for o in plan.order:
            o.desc = p.direction == "desc"
    elif p.direction and plan.aggs:
        plan.order = [Order(agg=0, desc=p.direction == "desc")]
    for m in p.columns + ([p.wh_target] if p.wh_target is not None and not is_table(p.wh_target) else []):
        if m.used:
            continue
        col = a.pick(m, "any")
        if plan.group:
            if a.idx.col(col.table, col.column).measure:
                func = p.pending_func or "sum"
                plan.aggs.append(Agg(func, col))
            else:
                _add(plan.group, col)
                _add(plan.select, col)
        else:
            _add(plan.select, col)
    if p.tables and not plan.aggs:
        t = a.table_of(p.tables[0])
        if t != plan.table and not p.values and not p.cmps:
            raise Unmappable(f"could not tell how '{p.tables[0].text}' changes the previous question")
    return plan


def _family(op: str) -> str:
    return {">": "gt", ">=": "gt", "<": "lt", "<=": "lt"}.get(op, op)


def _hidden(a: Assembler, c: Col, group: list[Col]) -> bool:
    tm = a.idx.tables[c.table]
    return (
        c.column in tm.info.primary_key
        and bool(tm.label)
        and tm.label != c.column
        and any(g.table == c.table and g.column == tm.label for g in group)
    )


def _aggs(a: Assembler, plan: Plan) -> None:
    p = a.p
    aggs, count_measure = a._aggs()
    if count_measure is not None:
        a._count_measure(plan, count_measure)
    if aggs:
        for g in aggs:
            if g.func == "count" and g.col is None and g.of_table is None:
                g.of_table = plan.table
        if "ALSO" in p.markers:
            plan.aggs.extend(aggs)
        else:
            plan.aggs = aggs
            plan.order = [o for o in plan.order if o.agg is None]
        if not plan.group:
            plan.select, plan.limit = [], None
            plan.order = [o for o in plan.order if o.agg is not None]
        t = aggs[0].col.table if aggs[0].col is not None and aggs[0].func != "count" else aggs[0].of_table
        if t and t != plan.table:
            plan.table = t
            a.main = t
    elif p.pending_func:
        changed = False
        for g in plan.aggs:
            if g.col is not None and g.func != "count":
                g.func, changed = p.pending_func, True
        if not changed:
            measures = [c for c in plan.select if a.idx.col(c.table, c.column).measure]
            if not measures:
                raise Unmappable(f"could not tell what to take the {p.pending_func} of")
            plan.aggs = [Agg(p.pending_func, measures[-1])]
            plan.select, plan.order, plan.limit = [c for c in plan.group], [], None
