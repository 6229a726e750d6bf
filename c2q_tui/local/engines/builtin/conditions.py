"""Filters from the parsed question: values, comparisons, dates (absolute and relative to the newest
date in the data), yes/no flags, HAVING counts and "how many <measure>"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .lexicon import fmt_number
from .linking import Mention
from .parsed import AggSpec, CmpSpec, Unmappable, ValueSpec, is_table, numeric_col
from .plan import Agg, Col, Filter, Plan
from .resolve import Resolver


class Conditions(Resolver):
    def _popular(self, plan: Plan) -> None:
        """ "the most popular product": count the rows of a table that references it, per product."""
        p = self.p
        if p.wh_target is None or not is_table(p.wh_target) or p.groups:
            return
        t = self.table_of(p.wh_target)
        children = [e.dst for e in self.idx.edges.get(t, []) if not e.forward]
        said = [self.table_of(m) for m in p.tables if self.table_of(m) in children]
        if not (p.aggs and p.aggs[0].target is None and p.aggs[0].sup) and not (
            said and p.sup is not None and p.sup[1] is None and not p.aggs
        ):
            return
        if not children:
            return
        if not plan.aggs:  # "which stocks did users select most": count the selections per stock
            plan.aggs.append(Agg("count"))
            p.aggs.append(AggSpec("count", None, sup=p.sup[0] if p.sup else "desc"))
            p.sup = None
            children = said

        def links(c: str) -> int:
            return sum(1 for e in self.idx.edges.get(c, []) if e.forward)

        child = max(children, key=lambda c: (links(c) >= 2, self.idx.tables[c].row_count))
        plan.table = self.main = child
        plan.aggs[0].of_table = child
        plan.group = self.entity_group(t)
        self.note(p.wh_target.text, f"popularity is the number of {child} rows per {self.idx.tables[t].noun}")

    def _flags(self) -> list[Filter]:
        """Yes/no columns named as adjectives: "discontinued products", "not discontinued"."""
        out: list[Filter] = []
        for m in list(self.p.columns):
            refs = [r for r in m.columns if self.idx.col(r.table, r.column or "").flag]
            if refs and not m.used:
                col = self._best(refs, m)
                out.append(Filter(col, "=", [0 if m.note == "negated" else 1]))
                m.used = True
                self.p.columns.remove(m)
                if self.p.wh_target is m:
                    self.p.wh_target = None
        return out

    def _filters(self) -> tuple[list[Filter], list[CmpSpec]]:
        out: list[Filter] = []
        having: list[CmpSpec] = []
        for v in self.p.values:
            f = self._value_filter(v)
            same = next(
                (
                    o
                    for o in out
                    if o.col.key() == f.col.key() and o.op in ("=", "in") and f.op in ("=", "in")
                ),
                None,
            )
            if same is not None:  # "NASDAQ vs NYSE", "Energy ... and Utilities": one IN list
                same.values += [x for x in f.values if x not in same.values]
                same.op = "in"
                continue
            out.append(f)
        for c in self.p.cmps:
            if c.count_of is not None:
                having.append(c)
                continue
            out.extend(self._cmp_filter(c))
        return out, having

    def _value_filter(self, v: ValueSpec) -> Filter:
        hint_cols = {(r.table, r.column) for r in v.hint.columns} if v.hint else set()
        per_col: dict[tuple[str, str], list[Any]] = {}
        for cands in v.refs:
            for r in cands:
                per_col.setdefault((r.table, r.column), [])
        if not per_col:  # a quoted string with a hinted column
            assert v.hint is not None
            c = self._best(v.hint.columns, v.hint)
            vals: list[Any] = [m.text for m in v.mentions]
            return Filter(
                c, ("notin" if v.negate else "in") if len(vals) > 1 else ("!=" if v.negate else "="), vals
            )

        def score(key: tuple[str, str]) -> float:
            t, c = key
            meta = self.idx.col(t, c)
            covered = sum(1 for cands in v.refs if any((r.table, r.column) == key for r in cands))
            exact = sum(1 for cands in v.refs if any((r.table, r.column) == key and r.exact for r in cands))
            s = 10.0 * covered + 0.5 * exact + (8 if key in hint_cols else 0)
            s += 3 if t == self.main else (2 if t in self.focus else 0)
            s += 1 if meta.pk else 0
            s -= 0.5 * min(self.dist(self.main, t), 6)
            s -= 0.001 * (meta.distinct or 0)
            return s

        key = max(per_col, key=score)
        vals = []
        for cands, m in zip(v.refs, v.mentions, strict=True):
            hits = [r for r in cands if (r.table, r.column) == key]
            exact = [r for r in hits if r.exact]
            for r in exact or hits:
                if r.value not in vals:
                    vals.append(r.value)
            chosen = exact or hits
            if (
                chosen
                and (not chosen[0].exact or chosen[0].via)
                and m.text.lower() != str(chosen[0].value).lower()
            ):
                shown = ", ".join(repr(r.value) for r in chosen)
                self.note(m.text, f"'{m.text}' matched {key[0]}.{key[1]} = {shown}")
        col = Col(*key)
        if len(vals) == 1:
            return Filter(col, "!=" if v.negate else "=", vals)
        return Filter(col, "notin" if v.negate else "in", vals)

    def _cmp_filter(self, c: CmpSpec) -> list[Filter]:
        if c.op in ("year", "month", "day", "last") or c.is_date:
            return self._date_filter(c)
        col = self.pick(c.col, "measure") if c.col is not None else self._guess_measure(c)
        vals = list(c.values)
        if any(isinstance(x, str) for x in vals):
            raise Unmappable(f"cannot compare {col.column} with a date")
        return [Filter(col, c.op, vals)]

    def _guess_measure(self, c: CmpSpec) -> Col:
        mentioned = [
            m
            for m in (*self.p.columns, *(o for o, _ in self.p.order if isinstance(o, Mention)))
            if numeric_col(self.idx, m)
        ]
        if not mentioned and self.p.price_hint:
            return self.size_measure(self.main, "price")
        if len(mentioned) == 1:
            col = self.pick(mentioned[0], "measure")
            self.note(
                str(c.values[0]), f"the number {fmt_number(float(c.values[0]))} is compared with {col.column}"
            )
            return col
        measures = [m for m in self.idx.tables[self.main].columns.values() if m.measure]
        names = ", ".join(m.name for m in measures[:6])
        raise Unmappable(
            f"could not tell which column '{c.op} {fmt_number(float(c.values[0]))}' refers to; "
            f"numeric columns of {self.main}: {names}",
            [str(c.values[0])],
        )

    def _date_filter(self, c: CmpSpec) -> list[Filter]:
        col = (
            self.pick(c.col, "time")
            if c.col is not None
            else self.time_col([self.main, *[t for t in self.focus if t != self.main]])
        )
        meta = self.idx.col(col.table, col.column)
        vals = list(c.values)
        if meta.year_like:
            if c.op in ("year",):
                return [Filter(col, "=", vals)]
            if c.op == "between" or c.op in ("<", "<=", ">", ">=", "="):
                years = [int(str(v)[:4]) if isinstance(v, str) else v for v in vals]
                return [Filter(col, c.op, years)]
            raise Unmappable(f"cannot apply a {c.op} date filter to the year column {col.column}")
        if c.op == "year":
            y = int(vals[0])
            return [Filter(col, ">=", [f"{y}-01-01"]), Filter(col, "<", [f"{y + 1}-01-01"])]
        if c.op == "month":
            year, month = vals
            if year is None:
                year = int(str(meta.max_value)[:4]) if meta.max_value else dt.date.today().year
                if month > int(str(meta.max_value)[5:7] or 12):
                    year -= 1
                self.note("month", f"no year given: {year} is the latest with that month in {col.column}")
            start = dt.date(int(year), int(month), 1)
            end = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
            return [Filter(col, ">=", [start.isoformat()]), Filter(col, "<", [end.isoformat()])]
        if c.op == "day":
            d = dt.date.fromisoformat(vals[0])
            return [
                Filter(col, ">=", [d.isoformat()]),
                Filter(col, "<", [(d + dt.timedelta(days=1)).isoformat()]),
            ]
        if c.op == "last":
            n, unit = int(vals[0]), str(vals[1])
            if not meta.max_value:
                raise Unmappable(f"{col.column} has no dates to count back from")
            newest = dt.date.fromisoformat(str(meta.max_value)[:10])
            start = _minus(newest, n, unit)
            self.note("last", f"the last {n} {unit}(s) counts back from the newest {col.column}, {newest}")
            return [Filter(col, ">", [start.isoformat()])]
        out: list[Filter] = []
        bounds = [_date_bound(v, c.op) for v in vals]
        if c.op == "between":
            return [Filter(col, ">=", [bounds[0][0]]), Filter(col, "<", [bounds[1][1]])]
        lo, hi = bounds[0]
        if c.op in (">",):
            out.append(Filter(col, ">=", [hi]))
        elif c.op == ">=":
            out.append(Filter(col, ">=", [lo]))
        elif c.op in ("<",):
            out.append(Filter(col, "<", [lo]))
        elif c.op == "<=":
            out.append(Filter(col, "<", [hi]))
        else:
            out += [Filter(col, ">=", [lo]), Filter(col, "<", [hi])]
        return out

    def _having(self, plan: Plan, c: CmpSpec) -> None:
        assert c.count_of is not None
        t = self.table_of(c.count_of)
        wh = self.p.wh_target
        if not plan.group and wh is not None and not is_table(wh) and wh.columns and self.categorical(wh):
            plan.group = [self.pick(wh, "dim")]  # "which sectors have more than 15 companies"
            plan.select = list(plan.group)
            plan.table = t
        if not plan.group:
            plan.group = self.entity_group(self.main)
            plan.select = [
                g for g in plan.group if g.column == self.idx.tables[self.main].label
            ] or plan.group
        agg = Agg("count", of_table=t)
        plan.having.append(Filter(Col(t, self.idx.tables[t].info.columns[0].name), c.op, list(c.values), agg))
        if not plan.aggs:
            plan.aggs.append(agg)

    def _count_measure(self, plan: Plan, m: Mention) -> None:
        col = self.pick(m, "measure")
        label = self.idx.tables[col.table].label
        pk = self.idx.tables[col.table].info.primary_key
        if any(
            f.col.table == col.table and f.col.column in (label, *pk) and f.op in ("=",) for f in plan.filters
        ):
            plan.select.append(col)  # "how many employees does Apple have": a look-up
            return
        plan.aggs.append(Agg("sum", col))
        if plan.table != col.table and not plan.aggs[:-1]:
            plan.table = col.table
            self.main = col.table
        self.note(m.text, f"'how many {m.text}' is the sum of {col.table}.{col.column}")

    # -- grouping and shapes --------------------------------------------------------------------


def _minus(d: dt.date, n: int, unit: str) -> dt.date:
    if unit == "day":
        return d - dt.timedelta(days=n)
    if unit == "week":
        return d - dt.timedelta(weeks=n)
    months = n * (12 if unit == "year" else 3 if unit == "quarter" else 1)
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    day = min(d.day, 28)
    return dt.date(y, m + 1, day) if d.day <= 28 else dt.date(y, m + 1, 1) + dt.timedelta(days=d.day - 1)


def _date_bound(v: Any, op: str) -> tuple[str, str]:
    """[start, end) of a year number, "YYYY-MM" or ISO day."""
    if isinstance(v, (int, float)):
        y = int(v)
        return f"{y}-01-01", f"{y + 1}-01-01"
    s = str(v)
    if len(s) == 7:
        y, m = int(s[:4]), int(s[5:7])
        end = dt.date(y + (m == 12), m % 12 + 1, 1)
        return f"{s}-01", end.isoformat()
    d = dt.date.fromisoformat(s[:10])
    return d.isoformat(), (d + dt.timedelta(days=1)).isoformat()
