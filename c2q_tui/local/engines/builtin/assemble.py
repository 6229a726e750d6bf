"""Parsed question to plan: pick the main table, resolve ambiguous columns and values against the
tables in focus, and apply the shape (aggregate, group, top-N, list). Every choice the question did
not spell out is recorded as an assumption.
"""

from __future__ import annotations

from .conditions import Conditions
from .linking import Mention, closest
from .parsed import Unmappable, is_table, numeric_col
from .plan import Agg, Col, Filter, Order, Plan


class Assembler(Conditions):
    # -- main -----------------------------------------------------------------------------------
    def build(self) -> Plan:
        p = self.p
        if p.unmapped:
            words = p.unmapped
            tables, cols = closest(self.idx, [w.lower() for w in words])
            raise Unmappable(
                f"could not map {', '.join(repr(w) for w in words)} to the data; closest tables: "
                f"{', '.join(tables)}; closest columns: {', '.join(cols)}",
                words,
            )
        self.focus = self._focus()
        aggs, count_measure = self._aggs()
        self.main = self._main(aggs)
        if self.main not in self.focus:
            self.focus.insert(0, self.main)
        plan = Plan(table=self.main)
        plan.aggs = aggs
        for a in plan.aggs:
            if a.func == "count" and a.col is None and a.of_table is None:
                a.of_table = self.main
        self._popular(plan)
        filters, having = self._filters()
        plan.filters = filters + self._flags()
        if count_measure is not None:
            self._count_measure(plan, count_measure)
        self._groups(plan)
        if self.p.compare and plan.aggs and not plan.group:
            multi = [f for f in plan.filters if f.op == "in"]
            if multi:
                plan.group.append(multi[0].col)
                plan.select = [multi[0].col]
        self._shape(plan)
        for cmp_filter in having:
            self._having(plan, cmp_filter)
        for agg, (op, vals) in self.agg_having:
            assert agg.col is not None
            plan.having.append(Filter(agg.col, op, list(vals), agg))
        return plan

    def _focus(self) -> list[str]:
        out: list[str] = []
        p = self.p
        ms: list[Mention | None] = [p.wh_target, *p.tables, *(a.target for a in p.aggs)]
        for m in ms:
            if m is not None and m.tables and is_table(m):
                t = max(m.tables, key=lambda r: r.score).table
                if t not in out:
                    out.append(t)
        for m in p.qualifiers:
            t = max(m.tables, key=lambda r: r.score).table
            if t not in out:
                out.append(t)
        groups = [g for g in p.groups if isinstance(g, Mention)]
        for m in [*p.columns, *(a.target for a in p.aggs), p.wh_target, *groups]:
            if m is not None and m.columns and len({r.table for r in m.columns}) == 1:
                t = m.columns[0].table
                if t not in out:
                    out.append(t)
        for v in p.values:
            tables = {r.table for cands in v.refs for r in cands}
            if len(tables) == 1 and next(iter(tables)) not in out:
                out.append(next(iter(tables)))
        return out

    def _aggs(self) -> tuple[list[Agg], Mention | None]:
        aggs: list[Agg] = []
        count_measure: Mention | None = None
        for spec in self.p.aggs:
            t = spec.target
            if spec.func == "count":
                if t is None:
                    aggs.append(Agg("count"))
                elif (is_table(t) and not spec.distinct) or (is_table(t) and not t.columns):
                    aggs.append(Agg("count", of_table=self.table_of(t)))
                else:
                    c = self._best(t.columns, t) if t.columns else None
                    if c is None:
                        raise Unmappable(f"could not count '{t.text}'", [t.text])
                    meta = self.idx.col(c.table, c.column)
                    if meta.measure and not spec.distinct:
                        count_measure = t
                        continue
                    aggs.append(Agg("count", c, distinct=True))
            else:
                assert t is not None
                c = self.pick(t, "measure")
                if not self.idx.col(c.table, c.column).numeric:
                    raise Unmappable(
                        f"cannot take the {spec.func} of '{t.text}': it is not numeric", [t.text]
                    )
                aggs.append(Agg(spec.func, c))
            if spec.having is not None and aggs:
                self.agg_having.append((aggs[-1], spec.having))
        return aggs, count_measure

    def _main(self, aggs: list[Agg]) -> str:
        p = self.p
        for a in aggs:
            if a.func != "count" and a.col is not None:
                return a.col.table
            if a.of_table:
                return a.of_table
        for a in aggs:
            if a.col is not None:
                if p.tables and is_table(p.tables[0]):
                    return self.table_of(p.tables[0])
                return a.col.table
        if p.wh_target is not None and is_table(p.wh_target):
            return self.table_of(p.wh_target)
        if p.tables:
            return self.table_of(p.tables[0])
        if p.sup is not None and p.sup[1] is not None and is_table(p.sup[1]) and not aggs:
            return self.table_of(p.sup[1])
        for m in [
            p.wh_target,
            *p.columns,
            *(o for o, _ in p.order if isinstance(o, Mention)),
            *(c.col for c in p.cmps),
            p.sup[1] if p.sup else None,
        ]:
            if m is not None and m.refs:
                return self.table_of(m) if not m.columns else self._best(m.columns, m).table
        if self.focus:
            return self.focus[0]
        for v in p.values:
            for cands in v.refs:
                if cands:
                    best = sorted(
                        cands,
                        key=lambda r: (
                            not self.idx.col(r.table, r.column).pk,
                            -len([e for e in self.idx.edges.get(r.table, []) if not e.forward]),
                        ),
                    )[0]
                    return best.table
        raise Unmappable(
            "could not tell which table the question is about; name a table, e.g. "
            + ", ".join(list(self.idx.tables)[:5])
        )

    # -- filters --------------------------------------------------------------------------------
    def _groups(self, plan: Plan) -> None:
        p = self.p
        for g in p.groups:
            if isinstance(g, str):
                tc = self.time_col([plan.table, *[t for t in self.focus if t != plan.table]])
                plan.group.append(
                    Col(tc.table, tc.column, g if not self.idx.col(tc.table, tc.column).year_like else None)
                )
            elif is_table(g) and self.table_of(g) == plan.table and plan.aggs:
                self.note(g.text, f"'per {g.text}' is read as over all {g.text}")  # "average per order item"
            elif is_table(g) and not (g.columns and not self.idx.tables[self.table_of(g)].label):
                plan.group.extend(self.entity_group(self.table_of(g)))
            else:
                plan.group.append(self.pick(g, "any"))
        has_aggs = bool(plan.aggs) or any(a.sup for a in p.aggs)
        if has_aggs and not plan.group:
            dims = [
                m
                for m in [p.wh_target, *p.columns]
                if m is not None
                and not is_table(m)
                and m.columns
                and not numeric_col(self.idx, m)
                and self.categorical(m)
            ]
            for m in dims:
                c = self.pick(m, "dim")
                if c not in plan.group:
                    plan.group.append(c)
                    m.used = True
        if has_aggs and not plan.group and (p.limit or p.sup or any(o == "agg" for o, _ in p.order)):
            named = [self.table_of(m) for m in [p.wh_target, *p.tables] if m is not None and is_table(m)]
            others = [t for t in named if t != plan.table]
            if others:  # "top 3 customers by number of orders"
                plan.group.extend(self.entity_group(others[0]))
        label_only: list[Col] = []
        for key in plan.group:
            tm = self.idx.tables[key.table]
            if (
                key.column in tm.info.primary_key
                and tm.label
                and tm.label != key.column
                and any(x.table == key.table and x.column == tm.label for x in plan.group)
            ):
                continue
            label_only.append(key)
        if plan.group:
            plan.select = label_only + [c for c in plan.select if c not in label_only]
            if any(g.time for g in plan.group) and not p.order:
                plan.order.append(Order(next(g for g in plan.group if g.time)))

    def _shape(self, plan: Plan) -> None:
        from .shapes import apply_shape

        apply_shape(self, plan)
