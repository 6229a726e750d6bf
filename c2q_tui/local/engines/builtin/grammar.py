"""Question shapes: walk the linked mentions and record what each one does in the question
(aggregate, group key, ordering, limit, filter, entity, projection). `assemble.py` turns that into a
plan, resolving ambiguous columns against the tables the question is about.
"""

from __future__ import annotations

from .clauses import ClauseParser
from .parsed import CMP_KW, TIME_KW, AggSpec, Parsed, is_table, numeric_col


class Grammar(ClauseParser):
    def parse(self) -> Parsed:
        p = self.p
        negate = False
        k = 0
        while k < len(self.seq):
            m = self.seq[k]
            if m.used:
                k += 1
                continue
            kw = m.kw if m.kind == "kw" else None
            if (m.kind == "kw" and kw in ("ONLY", "ABOUT", "INSTEAD", "ALSO")) or (k == 0 and kw == "AND"):
                p.markers.add(kw or "")
                m.used = True
            elif kw == "COUNT":
                self._count(k)
            elif kw in ("AVG", "SUM"):
                self._agg(k, "avg" if kw == "AVG" else "sum")
            elif kw in ("HIGH", "LOW"):
                self._superlative(k, "desc" if kw == "HIGH" else "asc")
            elif kw in ("OLD", "NEW"):
                p.sup_time = True
                self._superlative(k, "asc" if kw == "OLD" else "desc")
            elif kw in ("OFTEN", "RARE"):
                m.used = True
                _, t = self.nxt(k)
                p.sup = ("desc" if kw == "OFTEN" else "asc", None)
                before = self.prv(k)
                if before is not None and before.kind == "number" and not before.used and before.number:
                    p.limit, before.used = int(before.number), True
                if t is not None and t.kind == "schema":
                    p.aggs.append(AggSpec("count", None, sup=p.sup[0]))
                    p.wh_target = p.wh_target or t
                    t.used = True
            elif kw == "GROUP":
                self._group(k)
            elif kw in ("MORE", "FEWER"):
                _, t = self.nxt(k)
                if t is not None and t.kind == "schema":  # "which exchange has more companies"
                    self._superlative(k, "desc" if kw == "MORE" else "asc")
                m.used = True
            elif kw in TIME_KW and m.text.lower() in (
                "yearly",
                "monthly",
                "annual",
                "annually",
                "daily",
                "weekly",
                "quarterly",
            ):
                p.groups.append(TIME_KW[kw])
                m.used = True
            elif kw == "ORDER":
                self._order(k)
            elif kw in ("ASC", "DESC"):
                p.direction = kw.lower()
                m.used = True
            elif kw in CMP_KW or kw == "BETWEEN":
                self._compare(k, negate)
                negate = False
            elif kw in ("BEFORE", "AFTER"):
                self._before_after(k)
            elif kw == "LAST":
                self._last(k)
            elif kw == "NOT":
                negate = True
                m.used = True
            elif kw == "WHICH" and k > 0 and self.seq[k - 1].kind in ("schema", "value"):
                m.used = True  # "users who picked Apple": a relative pronoun, not a question
            elif kw in ("LIST", "WHICH"):
                p.list_intent = True
                m.used = True
                _j, t = self.nxt(k, ("ALL", "DISTINCT", "LIST"))
                if t is not None and t.kind == "schema" and p.wh_target is None:
                    p.wh_target = t
                if kw == "LIST" and t is not None and t.kind == "number" and t.number is not None:
                    p.limit, t.used = int(t.number), True
            elif kw == "COMPARE":
                p.compare = m.used = True
            elif kw == "SHARE":
                p.share = m.used = True
            elif kw == "TREND":
                p.trend = m.used = True
                p.groups.append("day")
            elif m.kind in ("value", "quoted"):
                self._values(k, negate)
                negate = False
            elif m.kind == "number":
                self._number(k)
            elif m.kind in ("date", "month"):
                self._date_alone(k)
            elif m.kind == "word":
                p.unmapped.append(m.text)
                m.used = True
            elif kw in ("AND", "OR", "WITH", "ALL", "DISTINCT", "AGO", "TODAY") or m.kind == "punct":
                m.used = True
            elif m.kind == "kw" and m.refs:
                m.kind = "schema"  # an ambiguous keyword ("name", "date") used as a column
                continue
            elif m.kind == "schema" and negate:
                m.note, negate = "negated", False
            elif m.kind == "kw":
                m.used = True
            k += 1
        for m in self.seq:
            if m.kind == "schema" and not m.used:
                (p.tables if is_table(m) else p.columns).append(m)
        return p

    # -- shapes ---------------------------------------------------------------------------------
    def _count(self, k: int) -> None:
        self.seq[k].used = True
        j, t = self.nxt(k, ("DISTINCT", "ALL", "AVG"))
        distinct = any(self.seq[i].kw == "DISTINCT" for i in range(k + 1, min(j, len(self.seq))))
        for i in range(k + 1, min(j, len(self.seq))):
            self.seq[i].used = True
        if t is not None and t.kind == "kw" and t.refs and t.kw in ("DAY", "YEAR", "MONTH"):
            t.kind = "schema"
        if t is not None and t.kind == "schema":
            t.used = True
            self.p.aggs.append(AggSpec("count", t, distinct=distinct))
        else:
            self.p.aggs.append(AggSpec("count", None, distinct=distinct))

    def _agg(self, k: int, func: str) -> None:
        self.seq[k].used = True
        j, t = self.nxt(k, ("COUNT", "AVG", "SUM"))
        if t is not None and t.kind == "kw" and t.refs and not t.used:
            t.kind = "schema"
        if t is not None and t.kind == "schema" and not t.used and is_table(t):
            _, t2 = self.nxt(j)
            if t2 is not None and t2.kind == "schema" and not t2.used and numeric_col(self.idx, t2):
                t.used = True  # "average order quantity", "total shipping cost": the table qualifies
                self.p.qualifiers.append(t)
                t = t2
        if t is not None and t.kind == "schema" and not t.used:
            t.used = True
            if is_table(t) and not numeric_col(self.idx, t):
                self.p.aggs.append(AggSpec("count", t))
            else:
                self.p.aggs.append(AggSpec(func, t))
        else:
            self.p.pending_func = func

    def _superlative(self, k: int, direction: str) -> None:
        p = self.p
        m = self.seq[k]
        m.used = True
        if "expensive" in m.text.lower() or "cheap" in m.text.lower():
            p.price_hint = True
        before = self.prv(k)
        j, after = self.nxt(k)
        for num in (before, after):
            if num is not None and num.kind == "number" and not num.used and num.number and num.number < 1000:
                p.limit, p.top_dir, num.used = int(num.number), direction, True
                if after is not None and after.kind == "schema" and numeric_col(self.idx, after):
                    after.used = True
                    p.order.append((after, direction))
                return
        if after is not None and after.kind == "kw" and after.kw in ("AVG", "SUM", "COUNT"):
            self._count(j) if after.kw == "COUNT" else self._agg(j, "avg" if after.kw == "AVG" else "sum")
            p.aggs[-1].sup = direction
            p.sup = (direction, None)
            return
        if after is not None and after.kind == "schema" and not after.used:
            after.used = True
            _, nxt = self.nxt(j)
            if (
                is_table(after)
                and nxt is not None
                and nxt.kind in ("schema", "kw")
                and nxt.refs
                and not nxt.used
            ):
                own = [
                    r
                    for r in nxt.columns
                    if r.table in {x.table for x in after.tables}
                    and (
                        self.idx.col(r.table, r.column or "").temporal
                        or self.idx.col(r.table, r.column or "").numeric
                    )
                ]
                if own:  # "the most recent quote date": the date of the quotes
                    nxt.used, nxt.kind, nxt.refs = True, "schema", own
                    p.qualifiers.append(after)
                    after = nxt
            p.sup = (direction, after)
            return
        if m.text.lower() == "top" and after is not None and after.kind == "kw" and after.kw == "ORDER":
            return  # "top ranked"
        p.sup = (direction, None)

    def _group(self, k: int) -> None:
        p = self.p
        m = self.seq[k]
        m.used = True
        j, t = self.nxt(k)
        if t is not None and t.kind == "kw" and t.kw == "ALL":
            return  # "across all companies", "for all users": not a grouping
        if t is None:
            return
        if (
            t.kw in TIME_KW
            and t.kind in ("kw", "schema")
            and len(t.text.split()) == 1
            and not (t.refs and t.kw == "DAY" and t.text.lower() == "date" and t.kind == "schema")
        ):
            t.used = True
            p.groups.append(TIME_KW[t.kw or ""])
            return
        if t.kind == "kw" and t.kw in ("COUNT", "AVG", "SUM"):
            # "top 5 sectors by number of companies": rank by that aggregate
            self._count(j) if t.kw == "COUNT" else self._agg(j, "avg" if t.kw == "AVG" else "sum")
            p.order.append(("agg", None))
            return
        if t.kind == "kw" and t.refs:
            t.kind = "schema"
        if t.kind != "schema":
            return
        t.used = True
        _, t2 = self.nxt(j)
        if (
            is_table(t)
            and t2 is not None
            and t2.kind == "schema"
            and not t2.used
            and any(
                r.table in {x.table for x in t.tables} and not self.idx.col(r.table, r.column or "").measure
                for r in t2.columns
            )
        ):
            t2.used = True  # "per supplier country": the country of the supplier
            t2.refs = [r for r in t2.columns if r.table in {x.table for x in t.tables}]
            t = t2
        by = m.text.lower() in ("by", "ranked by", "sorted by")
        if by and numeric_col(self.idx, t) and not (t.tables and is_table(t)):
            has_agg = bool(p.aggs)
            if p.limit is not None or p.sup is not None or p.top_dir or not has_agg:
                p.order.append((t, None))
                return
        p.groups.append(t)

    def _order(self, k: int) -> None:
        self.seq[k].used = True
        j, t = self.nxt(k, ("ASC", "DESC", "ALL"))
        for i in range(k + 1, min(j, len(self.seq))):
            if self.seq[i].kw in ("ASC", "DESC"):
                self.p.direction = (self.seq[i].kw or "").lower()
                self.seq[i].used = True
        if t is not None and t.kind == "kw" and t.refs:
            t.kind = "schema"
        if t is not None and t.kind == "schema":
            t.used = True
            self.p.order.append((t, None))
        elif t is not None and t.kind == "kw" and t.kw in ("COUNT", "AVG", "SUM"):
            self._count(j) if t.kw == "COUNT" else self._agg(j, "avg" if t.kw == "AVG" else "sum")
            self.p.order.append(("agg", None))
        elif t is not None and t.kind == "kw" and t.kw in TIME_KW:
            t.used = True
            self.p.order.append(("time", None))
        elif self.p.aggs or t is None or t.kind != "schema":
            self.p.order.append(("agg", None))
