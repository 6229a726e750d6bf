"""The last step of assembling a plan: superlatives, top-N, ordering and the columns a list shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .linking import Mention
from .parsed import Unmappable, is_table, numeric_col
from .plan import Agg, Col, Filter, Order, Plan
from .sqlgen import fans_out, join_tree

if TYPE_CHECKING:
    from .assemble import Assembler


def _add(cols: list[Col], c: Col) -> None:
    if all(x.key() != c.key() for x in cols):
        cols.append(c)


def apply_shape(a: Assembler, plan: Plan) -> None:
    p = a.p
    idx = a.idx
    sup = p.sup
    grouped = bool(plan.group)
    # an aggregate the question wants the best group of: "the sector with the highest average revenue"
    sup_agg = next((i for i, s in enumerate(p.aggs) if s.sup), None)
    if sup_agg is not None and sup_agg < len(plan.aggs):
        plan.order = [Order(agg=sup_agg, desc=p.aggs[sup_agg].sup == "desc")]
        if grouped and plan.limit is None and p.limit is None:
            plan.limit = 1
        sup = None
    if sup is not None:
        direction, target = sup
        desc = direction == "desc"
        dim_target = (
            p.wh_target is not None and not is_table(p.wh_target) and not numeric_col(idx, p.wh_target)
        )
        if target is not None and _orderable(a, target):
            col = a.pick(target, "order")
            if grouped or (dim_target and plan.aggs):
                if not plan.aggs:
                    plan.aggs.append(Agg("max" if desc else "min", col))
                plan.order = [Order(agg=len(plan.aggs) - 1, desc=desc)]
                plan.limit = plan.limit or (1 if dim_target else None)
            elif dim_target:
                assert p.wh_target is not None
                plan.group = [a.pick(p.wh_target, "dim")]
                plan.select = list(plan.group)
                plan.aggs.append(Agg("sum", col))
                plan.order = [Order(agg=len(plan.aggs) - 1, desc=desc)]
                plan.limit = 1
                a.note(target.text, f"{col.column} is summed per {plan.group[0].column} to rank them")
            elif plan.aggs:
                plan.aggs.append(Agg("max" if desc else "min", col))
            elif p.tables or (p.wh_target is not None and is_table(p.wh_target)) or p.list_intent:
                _argmax(a, plan, col, desc, 1 if p.limit is None else p.limit)
            else:
                plan.aggs.append(Agg("max" if desc else "min", col))
                plan.table = col.table if not plan.filters else plan.table
        elif target is not None and is_table(target) and (grouped or dim_target or _other_entity(a, target)):
            t = a.table_of(target)
            if not grouped:
                if dim_target:
                    assert p.wh_target is not None
                    plan.group = [a.pick(p.wh_target, "dim")]
                else:
                    other = _other_entity(a, target)
                    assert other is not None
                    plan.group = a.entity_group(other)
                    plan.table = t
                plan.select = [g for g in plan.group if not _hidden_key(a, g, plan.group)]
            plan.aggs.append(Agg("count", of_table=t))
            plan.order = [Order(agg=len(plan.aggs) - 1, desc=desc)]
            plan.limit = p.limit or 1
        elif target is not None and not is_table(target) and target.columns:
            col = a.pick(target, "dim")
            plan.group = [col]
            plan.select = [col]
            plan.aggs.append(Agg("count", of_table=plan.table))
            plan.order = [Order(agg=len(plan.aggs) - 1, desc=desc)]
            plan.limit = p.limit or 1
        elif plan.aggs and grouped:
            plan.order = [Order(agg=0, desc=desc)]
            plan.limit = p.limit or 1
        else:
            word = target.text if target is not None else "largest" if desc else "smallest"
            col = a.time_col([plan.table]) if p.sup_time else a.size_measure(plan.table, word)
            plural = target is not None and target.text.lower().endswith("s")
            _argmax(a, plan, col, desc, p.limit or (None if plural else 1))
    if plan.group and not plan.aggs:
        # "revenue per category": a measure named next to a grouping is summed
        for m in p.columns:
            if not m.used and numeric_col(idx, m):
                col = a.pick(m, "measure")
                plan.aggs.append(Agg("sum", col))
                m.used = True
                a.note(m.text, f"{col.column} is summed per group")
        if not plan.aggs:
            plan.aggs.append(Agg("count", of_table=plan.table))
    if p.limit is not None:
        _top_n(a, plan)
    _orders(a, plan)
    if not plan.aggs and not plan.group:
        _list_columns(a, plan)
    elif p.columns and not plan.group and plan.aggs:
        leftovers = [m.text for m in p.columns if not m.used and not numeric_col(idx, m) and a.categorical(m)]
        if leftovers and not any(s.target in p.columns for s in p.aggs):
            for m in p.columns:
                if not m.used and not numeric_col(idx, m) and a.categorical(m):
                    plan.group.append(a.pick(m, "any"))
                    plan.select.insert(0, plan.group[-1])


def _orderable(a: Assembler, m: Mention) -> bool:
    if m.kind != "schema" or is_table(m):
        return False
    return any(
        (a.idx.col(r.table, r.column or "").numeric and not a.idx.col(r.table, r.column or "").key)
        or a.idx.col(r.table, r.column or "").temporal
        or a.idx.col(r.table, r.column or "").year_like
        for r in m.columns
    )


def _hidden_key(a: Assembler, c: Col, group: list[Col]) -> bool:
    tm = a.idx.tables[c.table]
    return (
        c.column in tm.info.primary_key
        and bool(tm.label)
        and tm.label != c.column
        and any(g.table == c.table and g.column == tm.label for g in group)
    )


def _other_entity(a: Assembler, target: Mention) -> str | None:
    t = a.table_of(target)
    p = a.p
    cands = [p.wh_target, *p.tables]
    for m in cands:
        if m is not None and is_table(m) and a.table_of(m) != t:
            return a.table_of(m)
    return None


def _argmax(a: Assembler, plan: Plan, col: Col, desc: bool, limit: int | None) -> None:
    plan.limit = limit
    if col.table != plan.table and not plan.aggs and fans_out(join_tree(a.idx, plan.table, [col.table])):
        # "top 5 products by revenue": the measure lives in many rows per product, so sum it
        plan.group = a.entity_group(plan.table)
        plan.select = [g for g in plan.group if not _hidden_key(a, g, plan.group)]
        plan.aggs.append(Agg("sum", col))
        plan.order = [Order(agg=len(plan.aggs) - 1, desc=desc)]
        a.note(col.column, f"{col.column} is summed per {a.idx.tables[plan.table].noun}")
        return
    plan.order = [Order(col, desc=desc)]
    meta = a.idx.col(col.table, col.column)
    if meta.info.nullable and meta.derived is None:
        plan.filters.append(Filter(col, "isnotnull"))
    _add(plan.select, col)


def _top_n(a: Assembler, plan: Plan) -> None:
    p = a.p
    plan.limit = p.limit
    if plan.order:
        return
    desc = (p.top_dir or p.direction or "desc") == "desc"
    if p.direction:
        desc = p.direction == "desc"
    measure: Col | None = None
    order_agg = any(o == "agg" for o, _ in p.order)
    mentions = [o for o, _ in p.order if isinstance(o, Mention)]
    if plan.aggs and (order_agg or plan.group):
        plan.order = [Order(agg=len(plan.aggs) - 1 if order_agg else 0, desc=desc)]
        return
    if mentions:
        measure = a.pick(mentions[0], "any")
        p.order = [o for o in p.order if o[0] is not mentions[0]]
    dim = (
        p.wh_target
        if p.wh_target is not None
        and not is_table(p.wh_target)
        and p.wh_target.columns
        and not numeric_col(a.idx, p.wh_target)
        else None
    )
    if measure is None:
        if dim is not None:
            raise Unmappable(f"could not tell what to rank {dim.text} by")
        measure = a.size_measure(plan.table, "top" if desc else "bottom")
    if dim is not None and a.idx.col(measure.table, measure.column).measure and not plan.group:
        plan.group = [a.pick(dim, "dim")]
        plan.select = list(plan.group)
        plan.aggs.append(Agg("sum", measure))
        plan.order = [Order(agg=len(plan.aggs) - 1, desc=desc)]
        a.note(dim.text, f"{measure.column} is summed per {plan.group[0].column} to rank them")
        return
    if plan.aggs and plan.group:
        plan.order = [Order(agg=0, desc=desc)]
        return
    _argmax(a, plan, measure, desc, p.limit)


def _orders(a: Assembler, plan: Plan) -> None:
    p = a.p
    for target, _ in p.order:
        if target == "agg" and plan.aggs:
            desc = p.direction != "asc"
            plan.order = [Order(agg=len(plan.aggs) - 1, desc=desc)]
            if p.direction is None:
                a.note("order", "sorted from highest to lowest")
            continue
        if target == "time":
            tg = [g for g in plan.group if g.time]
            if tg:
                plan.order = [Order(tg[0], desc=p.direction == "desc")]
            continue
        if not isinstance(target, Mention):
            continue
        col = a.pick(target, "any")
        meta = a.idx.col(col.table, col.column)
        if p.direction is not None:
            desc = p.direction == "desc"
        else:
            desc = meta.measure
            if desc:
                a.note("order", f"sorted by {col.column} from highest to lowest")
        agg_i = next(
            (i for i, g in enumerate(plan.aggs) if g.col is not None and g.col.key() == col.key()), None
        )
        if agg_i is not None and plan.group:
            plan.order = [Order(agg=agg_i, desc=desc)]
            continue
        if plan.group and all(g.key() != col.key() for g in plan.group) and meta.measure:
            plan.aggs.append(Agg("sum", col))
            plan.order = [Order(agg=len(plan.aggs) - 1, desc=desc)]
            continue
        plan.order = [o for o in plan.order if o.col is None or o.col.key() != col.key()]
        plan.order.insert(0, Order(col, desc=desc))
        if not plan.group and not plan.aggs:
            _add(plan.select, col)
    if p.direction and plan.order and not p.order:
        for o in plan.order:
            o.desc = p.direction == "desc"


def _list_columns(a: Assembler, plan: Plan) -> None:
    p = a.p
    idx = a.idx
    explicit: list[Col] = []
    wh = p.wh_target
    for m in [wh, *p.columns]:
        if m is None or is_table(m) or (m.used and m is not wh):
            continue
        if not m.columns:
            continue
        _add(explicit, a.pick(m, "any"))
    own = {c.table for c in explicit}
    dims_only = (
        explicit
        and all(a.table_of(t) in own for t in p.tables)
        and (wh is None or not is_table(wh))
        and all(
            not idx.col(c.table, c.column).measure and c.column != idx.tables[c.table].label for c in explicit
        )
        and not any(
            f.col.table == explicit[0].table and f.col.column in idx.tables[c.table].info.primary_key
            for f in plan.filters
            for c in explicit[:1]
        )
    )
    if dims_only and not plan.order:
        # "list the sectors": the distinct values of a column
        plan.select = explicit
        plan.distinct = True
        plan.order = [Order(c) for c in explicit]
        return
    base = a.shown(plan.table)
    tm = idx.tables[plan.table]
    fks = [e for e in idx.edges.get(plan.table, []) if e.forward]
    if tm.info.primary_key and all(any(c == x for e in fks for x, _ in e.pairs) for c in tm.info.primary_key):
        # a link table ("index_compositions"): show what it links, by name, except what a filter pins
        pinned = {f.col.table for f in plan.filters if f.op == "="}
        base = []
        for e in fks:
            label = idx.tables[e.dst].label
            if e.dst not in pinned and label:
                base.append(Col(e.dst, label))
        base = base or a.shown(plan.table)
    cols = list(base)
    for c in explicit:
        _add(cols, c)
    for f in plan.filters:
        meta = idx.col(f.col.table, f.col.column)
        if f.op not in ("=", "in", "!=", "notin", "isnotnull") and (meta.measure or meta.year_like):
            _add(cols, Col(f.col.table, f.col.column))
    for c in plan.select:
        _add(cols, c)
    plan.select = cols
