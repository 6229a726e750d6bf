"""Parsed question to plan: pick the main table, resolve ambiguous columns and values against the
tables in focus, and apply the shape (aggregate, group, top-N, list). Every choice the question did
not spell out is recorded as an assumption.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from typing import Any

from .grammar import AggSpec, CmpSpec, Parsed, Unmappable, ValueSpec, is_table, numeric_col
from .index import ColMeta, Index, SchemaRef
from .lexicon import fmt_number, singular
from .linking import Mention, closest
from .plan import Agg, Col, Filter, Order, Plan
from .vocab import SIZE_MEASURES


class Assembler:
    def __init__(self, idx: Index, p: Parsed, question: str) -> None:
        self.idx = idx
        self.p = p
        self.q = question.lower()
        self.notes: list[tuple[str, str]] = list(p.notes)
        self.focus: list[str] = []
        self.main: str = ""
        self._dist: dict[str, dict[str, int]] = {}

    # -- helpers --------------------------------------------------------------------------------
    def note(self, concept: str, explanation: str) -> None:
        if (concept, explanation) not in self.notes:
            self.notes.append((concept, explanation))

    def dist(self, a: str, b: str) -> int:
        if a not in self._dist:
            d = {a: 0}
            queue = deque([a])
            while queue:
                t = queue.popleft()
                for e in self.idx.edges.get(t, []):
                    if e.dst not in d:
                        d[e.dst] = d[t] + 1
                        queue.append(e.dst)
            self._dist[a] = d
        return self._dist[a].get(b, 99)

    def table_of(self, m: Mention) -> str:
        refs = m.tables or m.refs
        best = max(refs, key=lambda r: (r.score + (1 if r.table in self.focus else 0)))
        return best.table

    def pick(self, m: Mention, want: str = "any") -> Col:
        def ok(c: ColMeta) -> bool:
            return {"any": True, "measure": c.numeric, "dim": not c.measure, "time": c.temporal or c.year_like}[want]

        cands = [r for r in m.columns if ok(self.idx.col(r.table, r.column or ""))]
        if not cands:
            if want == "measure" and m.tables:
                t = self.table_of(m)
                return self.size_measure(t, m.text)
            kinds = {"measure": "numeric", "dim": "", "time": "date"}.get(want, "")
            raise Unmappable(f"'{m.text}' is not a {kinds} column".replace("  ", " "), [m.text])
        return self._best(cands, m)

    def _best(self, cands: list[SchemaRef], m: Mention | None) -> Col:
        def score(r: SchemaRef) -> float:
            s = r.score + (2.5 if r.table in self.focus else 0)
            if self.main:
                s -= 0.3 * min(self.dist(self.main, r.table), 5) + (0 if r.table == self.main else 0.2)
            return s

        ranked = sorted(cands, key=score, reverse=True)
        best = ranked[0]
        if m is not None and m.note.startswith("fuzzy"):
            self.note(m.text, f"read '{m.text}' as {best.table}.{best.column} (closest name)")
        elif m is not None and m.note == "description":
            self.note(m.text, f"matched '{m.text}' to {best.table}.{best.column} from its description")
        elif m is not None and best.via in ("synonym", "partial") and m.text.lower().replace(" ", "_") != best.column:
            col = self.idx.col(best.table, best.column or "")
            if m.text.lower() not in col.phrase and singular(m.text.lower()) not in col.phrase:
                self.note(m.text, f"'{m.text}' is taken to mean {best.table}.{best.column}")
        return Col(best.table, best.column or "")

    def size_measure(self, table: str, word: str) -> Col:
        tm = self.idx.tables[table]
        measures = [c for c in tm.columns.values() if c.measure]
        for want in SIZE_MEASURES:
            for c in measures:
                if c.phrase == want or want in c.phrase.split() or c.phrase.endswith(want):
                    self.note(word or "size", f"'{word or 'size'}' is measured by {table}.{c.name}")
                    return Col(table, c.name)
        if measures:
            self.note(word or "size", f"'{word or 'size'}' is measured by {table}.{measures[0].name}")
            return Col(table, measures[0].name)
        raise Unmappable(f"'{table}' has no numeric column to rank by", [word])

    def time_col(self, tables: list[str]) -> Col:
        words = set(self.q.replace("?", " ").split())
        for t in tables:
            cols = [c for c in self.idx.tables[t].columns.values() if c.temporal]
            if not cols:
                continue
            said = [c for c in cols if any(w in words or w + "ed" in words or w[:-1] + "ed" in words
                                           for w in c.words if w not in ("date", "at", "on"))]
            pick = (said or cols)[0]
            if len(cols) > 1 and not said:
                self.note("date", f"dates are taken from {t}.{pick.name}")
            return Col(t, pick.name)
        for t in tables:
            years = [c for c in self.idx.tables[t].columns.values() if c.year_like]
            if years:
                return Col(t, years[0].name)
        near = sorted(self.idx.tables, key=lambda t: self.dist(tables[0], t) if tables else 0)
        for t in near:
            cols = [c for c in self.idx.tables[t].columns.values() if c.temporal]
            if cols and self.dist(tables[0], t) < 99:
                self.note("date", f"dates are taken from {t}.{cols[0].name}")
                return Col(t, cols[0].name)
        raise Unmappable("the question mentions a date but no table has a date column")

    def entity_group(self, table: str) -> list[Col]:
        tm = self.idx.tables[table]
        cols = [Col(table, k) for k in tm.info.primary_key]
        if tm.label and tm.label not in tm.info.primary_key:
            cols.append(Col(table, tm.label))
        return cols

    def shown(self, table: str) -> list[Col]:
        tm = self.idx.tables[table]
        out: list[Col] = []
        pk = tm.info.primary_key
        if len(pk) == 1 and not (tm.label and tm.label != pk[0] and self.idx.col(table, pk[0]).numeric):
            out.append(Col(table, pk[0]))
        if tm.label and all(c.column != tm.label for c in out):
            out.append(Col(table, tm.label))
        if not out:
            out = [Col(table, c) for c in list(tm.columns)[:4]]
        return out

    # -- main -----------------------------------------------------------------------------------
    def build(self) -> Plan:
        p = self.p
        if p.unmapped:
            words = p.unmapped
            tables, cols = closest(self.idx, [w.lower() for w in words])
            raise Unmappable(
                f"could not map {', '.join(repr(w) for w in words)} to the data; closest tables: "
                f"{', '.join(tables)}; closest columns: {', '.join(cols)}", words)
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
        filters, having = self._filters()
        plan.filters = filters
        if count_measure is not None:
            self._count_measure(plan, count_measure)
        self._groups(plan)
        self._shape(plan)
        for cmp_filter in having:
            self._having(plan, cmp_filter)
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
        for m in [*p.columns, *(a.target for a in p.aggs), p.wh_target]:
            if m is not None and m.columns and len({r.table for r in m.columns}) == 1:
                t = m.columns[0].table
                if t not in out:
                    out.append(t)
        return out

    def _aggs(self) -> tuple[list[Agg], Mention | None]:
        aggs: list[Agg] = []
        count_measure: Mention | None = None
        for spec in self.p.aggs:
            t = spec.target
            if spec.func == "count":
                if t is None:
                    aggs.append(Agg("count"))
                elif is_table(t) and not spec.distinct or is_table(t) and not t.columns:
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
                    raise Unmappable(f"cannot take the {spec.func} of '{t.text}': it is not numeric", [t.text])
                aggs.append(Agg(spec.func, c))
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
        for m in [p.wh_target, *p.columns, *(o for o, _ in p.order if isinstance(o, Mention)),
                  *(c.col for c in p.cmps), p.sup[1] if p.sup else None]:
            if m is not None and m.refs:
                return self.table_of(m) if not m.columns else self._best(m.columns, m).table
        if self.focus:
            return self.focus[0]
        for v in p.values:
            for cands in v.refs:
                if cands:
                    best = sorted(cands, key=lambda r: (not self.idx.col(r.table, r.column).pk, -len(
                        [e for e in self.idx.edges.get(r.table, []) if not e.forward])))[0]
                    return best.table
        raise Unmappable("could not tell which table the question is about; name a table, e.g. "
                         + ", ".join(list(self.idx.tables)[:5]))

    # -- filters --------------------------------------------------------------------------------
    def _filters(self) -> tuple[list[Filter], list[CmpSpec]]:
        out: list[Filter] = []
        having: list[CmpSpec] = []
        for v in self.p.values:
            out.append(self._value_filter(v))
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
            return Filter(c, ("notin" if v.negate else "in") if len(vals) > 1 else ("!=" if v.negate else "="), vals)

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
            if chosen and (not chosen[0].exact or chosen[0].via) and m.text.lower() != str(chosen[0].value).lower():
                shown = ", ".join(repr(r.value) for r in chosen)
                self.note(m.text, f"'{m.text}' matched {key[0]}.{key[1]} = {shown}")
        col = Col(*key)
        if len(vals) == 1:
            return Filter(col, "!=" if v.negate else "=", vals)
        return Filter(col, "notin" if v.negate else "in", vals)

    def _cmp_filter(self, c: CmpSpec) -> list[Filter]:
        if c.op in ("year", "month", "day", "last") or c.is_date:
            return self._date_filter(c)
        if c.col is not None:
            col = self.pick(c.col, "measure")
        else:
            col = self._guess_measure(c)
        vals = list(c.values)
        if any(isinstance(x, str) for x in vals):
            raise Unmappable(f"cannot compare {col.column} with a date")
        return [Filter(col, c.op, vals)]

    def _guess_measure(self, c: CmpSpec) -> Col:
        mentioned = [m for m in (*self.p.columns, *(o for o, _ in self.p.order if isinstance(o, Mention)))
                     if numeric_col(self.idx, m)]
        if len(mentioned) == 1:
            col = self.pick(mentioned[0], "measure")
            self.note(str(c.values[0]), f"the number {fmt_number(float(c.values[0]))} is compared with {col.column}")
            return col
        measures = [m for m in self.idx.tables[self.main].columns.values() if m.measure]
        names = ", ".join(m.name for m in measures[:6])
        raise Unmappable(
            f"could not tell which column '{c.op} {fmt_number(float(c.values[0]))}' refers to; "
            f"numeric columns of {self.main}: {names}", [str(c.values[0])])

    def _date_filter(self, c: CmpSpec) -> list[Filter]:
        col = self.pick(c.col, "time") if c.col is not None else self.time_col(
            [self.main, *[t for t in self.focus if t != self.main]])
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
            return [Filter(col, ">=", [d.isoformat()]), Filter(col, "<", [(d + dt.timedelta(days=1)).isoformat()])]
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
        if not plan.group:
            plan.group = self.entity_group(self.main)
            plan.select = [g for g in plan.group if g.column == self.idx.tables[self.main].label] or plan.group
        agg = Agg("count", of_table=t)
        plan.having.append(Filter(Col(t, self.idx.tables[t].info.columns[0].name), c.op, list(c.values), agg))
        if not plan.aggs:
            plan.aggs.append(agg)

    def _count_measure(self, plan: Plan, m: Mention) -> None:
        col = self.pick(m, "measure")
        label = self.idx.tables[col.table].label
        pk = self.idx.tables[col.table].info.primary_key
        if any(f.col.table == col.table and f.col.column in (label, *pk) and f.op in ("=",) for f in plan.filters):
            plan.select.append(col)  # "how many employees does Apple have": a look-up
            return
        plan.aggs.append(Agg("sum", col))
        if plan.table != col.table and not plan.aggs[:-1]:
            plan.table = col.table
            self.main = col.table
        self.note(m.text, f"'how many {m.text}' is the sum of {col.table}.{col.column}")

    # -- grouping and shapes --------------------------------------------------------------------
    def _groups(self, plan: Plan) -> None:
        p = self.p
        for g in p.groups:
            if isinstance(g, str):
                tc = self.time_col([plan.table, *[t for t in self.focus if t != plan.table]])
                plan.group.append(Col(tc.table, tc.column, g if not self.idx.col(tc.table, tc.column).year_like
                                      else None))
            elif is_table(g) and not (g.columns and not self.idx.tables[self.table_of(g)].label):
                plan.group.extend(self.entity_group(self.table_of(g)))
            else:
                plan.group.append(self.pick(g, "any"))
        has_aggs = bool(plan.aggs) or any(a.sup for a in p.aggs)
        if has_aggs and not plan.group:
            dims = [m for m in [p.wh_target, *p.columns] if m is not None and not is_table(m) and m.columns
                    and not numeric_col(self.idx, m)]
            for m in dims:
                c = self.pick(m, "dim")
                if c not in plan.group:
                    plan.group.append(c)
                    m.used = True
            if p.wh_target is not None and is_table(p.wh_target) and plan.aggs and self.table_of(
                    p.wh_target) != plan.table:
                plan.group.extend(self.entity_group(self.table_of(p.wh_target)))
        label_only: list[Col] = []
        for g in plan.group:
            tm = self.idx.tables[g.table]
            if g.column in tm.info.primary_key and tm.label and tm.label != g.column and any(
                    x.table == g.table and x.column == tm.label for x in plan.group):
                continue
            label_only.append(g)
        if plan.group:
            plan.select = label_only + [c for c in plan.select if c not in label_only]
            if any(g.time for g in plan.group) and not p.order:
                plan.order.append(Order(next(g for g in plan.group if g.time)))

    def _shape(self, plan: Plan) -> None:
        from .shapes import apply_shape

        apply_shape(self, plan)


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
    if isinstance(v, int) or isinstance(v, float):
        y = int(v)
        return f"{y}-01-01", f"{y + 1}-01-01"
    s = str(v)
    if len(s) == 7:
        y, m = int(s[:4]), int(s[5:7])
        end = dt.date(y + (m == 12), m % 12 + 1, 1)
        return f"{s}-01", end.isoformat()
    d = dt.date.fromisoformat(s[:10])
    return d.isoformat(), (d + dt.timedelta(days=1)).isoformat()
