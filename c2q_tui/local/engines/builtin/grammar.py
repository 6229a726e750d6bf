"""Question shapes: walk the linked mentions and record what each one does in the question
(aggregate, group key, ordering, limit, filter, entity, projection). `assemble.py` turns that into a
plan, resolving ambiguous columns against the tables the question is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .index import Index, SchemaRef, ValueRef
from .linking import Mention

TIME_KW = {"YEAR": "year", "MONTH": "month", "DAY": "day", "WEEK": "week", "QUARTER": "month"}
CMP_KW = {"GT": ">", "GE": ">=", "LT": "<", "LE": "<=", "EQ": "="}
_DATE_PREP = {"in", "during", "of", "for", "on", "from", "since", "throughout", "within"}


class Unmappable(Exception):
    def __init__(self, message: str, words: list[str] | None = None) -> None:
        super().__init__(message)
        self.words = words or []


@dataclass
class AggSpec:
    func: str
    target: Mention | None  # schema mention, or None for "how many" without a noun
    distinct: bool = False
    sup: str | None = None  # "desc"/"asc": the question wants the group with the highest/lowest one


@dataclass
class CmpSpec:
    op: str
    values: list[Any]
    col: Mention | None  # the column compared; None when the question doesn't say
    count_of: Mention | None = None  # "with more than 5 selections": HAVING COUNT
    is_date: bool = False  # values are ISO dates or year numbers meant as dates
    years: bool = False


@dataclass
class ValueSpec:
    refs: list[list[ValueRef]]  # one candidate list per mentioned value
    hint: Mention | None
    negate: bool = False
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Parsed:
    aggs: list[AggSpec] = field(default_factory=list)
    groups: list[Mention | str] = field(default_factory=list)  # schema mention or time unit
    order: list[tuple[Mention | str, str | None]] = field(default_factory=list)  # (measure, dir)
    limit: int | None = None
    top_dir: str | None = None  # "desc"/"asc" from "top"/"bottom"/"largest"
    sup: tuple[str, Mention | None] | None = None  # superlative without a number: (dir, target)
    values: list[ValueSpec] = field(default_factory=list)
    cmps: list[CmpSpec] = field(default_factory=list)
    tables: list[Mention] = field(default_factory=list)  # entity candidates, in order
    columns: list[Mention] = field(default_factory=list)  # projections / dimensions
    wh_target: Mention | None = None
    list_intent: bool = False
    share: bool = False
    trend: bool = False
    markers: set[str] = field(default_factory=set)  # ONLY ABOUT INSTEAD ALSO AND(leading)
    direction: str | None = None  # explicit ASC/DESC anywhere
    unmapped: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (concept, explanation)
    pending_func: str | None = None  # "the average instead": aggregate without its own target


def numeric_col(idx: Index, m: Mention | None) -> SchemaRef | None:
    if m is None or m.kind != "schema":
        return None
    cols = [r for r in m.columns if idx.col(r.table, r.column or "").measure]
    return max(cols, key=lambda r: r.score) if cols else None


def is_table(m: Mention | None) -> bool:
    return m is not None and m.kind == "schema" and bool(m.tables) and (
        not m.columns or max(r.score for r in m.tables) >= max(r.score for r in m.columns)
    )


class Grammar:
    def __init__(self, idx: Index, mentions: list[Mention]) -> None:
        self.idx = idx
        self.raw = mentions
        self.seq = [m for m in mentions if m.kind not in ("filler", "punct") or m.text in (",",)]
        self.p = Parsed()

    # -- navigation -----------------------------------------------------------------------------
    def nxt(self, k: int, skip: tuple[str, ...] = ()) -> tuple[int, Mention | None]:
        j = k + 1
        while j < len(self.seq) and (self.seq[j].kw in skip or self.seq[j].text == ","):
            j += 1
        return (j, self.seq[j]) if j < len(self.seq) else (j, None)

    def prv(self, k: int) -> Mention | None:
        return self.seq[k - 1] if k > 0 else None

    def raw_before(self, m: Mention) -> str:
        i = self.raw.index(m)
        return self.raw[i - 1].text.lower() if i > 0 else ""

    # -- main walk ------------------------------------------------------------------------------
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
            if m.kind == "kw" and kw in ("ONLY", "ABOUT", "INSTEAD", "ALSO") or (k == 0 and kw == "AND"):
                p.markers.add(kw or "")
                m.used = True
            elif kw == "COUNT":
                self._count(k)
            elif kw in ("AVG", "SUM"):
                self._agg(k, "avg" if kw == "AVG" else "sum")
            elif kw in ("HIGH", "LOW"):
                self._superlative(k, "desc" if kw == "HIGH" else "asc")
            elif kw in ("OFTEN", "RARE"):
                m.used = True
                _, t = self.nxt(k)
                p.sup = ("desc" if kw == "OFTEN" else "asc", None)
                if t is not None and t.kind == "schema":
                    p.aggs.append(AggSpec("count", None, sup=p.sup[0]))
                    p.wh_target = p.wh_target or t
                    t.used = True
            elif kw == "GROUP":
                self._group(k)
            elif kw in TIME_KW and m.text.lower() in ("yearly", "monthly", "annual", "annually", "daily",
                                                        "weekly", "quarterly"):
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
            elif kw in ("LIST", "WHICH"):
                p.list_intent = True
                m.used = True
                j, t = self.nxt(k, ("ALL", "DISTINCT", "LIST"))
                if t is not None and t.kind == "schema" and p.wh_target is None:
                    p.wh_target = t
                if kw == "LIST" and t is not None and t.kind == "number" and t.number is not None:
                    p.limit, t.used = int(t.number), True
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
            p.sup = (direction, after)
            return
        if m.text.lower() == "top" and after is not None and after.kind == "kw" and after.kw == "ORDER":
            return  # "top ranked"
        p.sup = (direction, None)

    def _group(self, k: int) -> None:
        p = self.p
        m = self.seq[k]
        m.used = True
        j, t = self.nxt(k, ("ALL",))
        if t is None:
            return
        if t.kind == "kw" and t.kw in TIME_KW and not (t.refs and t.kw == "DAY" and t.text.lower() == "date"):
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

    def _col_near(self, k: int, j: int) -> Mention | None:
        """The column a comparison is about: just before the comparator or just after the number."""
        before = self.prv(k)
        if before is not None and before.kind == "kw" and before.kw in ("WITH",):
            before = self.prv(k - 1)
        _, after = self.nxt(j)
        for cand in (before, after):
            if cand is not None and cand.kind in ("schema", "kw") and cand.refs and cand.columns:
                if any(self.idx.col(r.table, r.column or "").numeric or self.idx.col(
                        r.table, r.column or "").temporal or self.idx.col(r.table, r.column or "").year_like
                       for r in cand.columns):
                    return cand
        return None

    def _compare(self, k: int, negate: bool) -> None:
        p = self.p
        m = self.seq[k]
        op = "between" if m.kw == "BETWEEN" else CMP_KW[m.kw or "EQ"]
        j, a = self.nxt(k)
        if a is None or a.kind not in ("number", "date", "month"):
            if m.kw == "BETWEEN" and a is not None:
                return  # "from" used as a preposition
            m.used = m.kind == "kw" and m.kw not in ("GT", "LT")  # "over time", "under" as words
            return
        m.used = True
        values: list[Any] = [self._num_or_date(a)]
        a.used = True
        if op == "between":
            j2, andm = self.nxt(j)
            j3, b = self.nxt(j2)
            if andm is None or andm.kw not in ("AND", "BEFORE") or b is None or b.kind not in ("number", "date"):
                raise Unmappable(f"could not read the range starting at '{a.text}'")
            andm.used = b.used = True
            values.append(self._num_or_date(b))
            j = j3
        _, nxt = self.nxt(j)
        if nxt is not None and nxt.kind == "kw" and nxt.kw in ("GE", "LE") and nxt.text.lower() in (
                "or more", "or less", "or fewer"):
            op = ">=" if nxt.kw == "GE" else "<="
            nxt.used = True
        years = all(isinstance(v, int | float) and 1900 <= v <= 2100 and float(v).is_integer() for v in values)
        col = self._col_near(k, j)
        unit = a.token is not None and a.token.has_unit
        is_date = any(isinstance(v, str) for v in values) or (years and not unit and col is None)
        if negate:
            op = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "=": "!="}.get(op, op)
        count_of = None
        _, after = self.nxt(j)
        if col is None and after is not None and is_table(after):
            count_of, after.used = after, True
        if col is not None:
            col.used = True
        p.cmps.append(CmpSpec(op, values, col, count_of, is_date, years))

    def _num_or_date(self, m: Mention) -> Any:
        if m.kind == "date":
            return m.text
        if m.kind == "month":
            return f"M{int(m.number or 0):02d}"
        v = m.number or 0.0
        return int(v) if float(v).is_integer() else v

    def _before_after(self, k: int) -> None:
        m = self.seq[k]
        j, a = self.nxt(k)
        if a is None or a.kind not in ("number", "date", "month"):
            m.used = True
            return
        m.used = a.used = True
        value = self._num_or_date(a)
        if a.kind == "month":
            _, y = self.nxt(j)
            if y is not None and y.kind == "number":
                y.used = True
                value = f"{int(y.number or 0)}-{value[1:]}"
        col = self._col_near(k, j)
        if col is not None:
            col.used = True
        op = "<" if m.kw == "BEFORE" else (">=" if m.text.lower() in ("since", "starting", "as of",
                                                                     "starting from") else ">")
        self.p.cmps.append(CmpSpec(op, [value], col, None, True, isinstance(value, int)))

    def _last(self, k: int) -> None:
        m = self.seq[k]
        j, a = self.nxt(k)
        n = 1
        if a is not None and a.kind == "number":
            n, a.used = int(a.number or 1), True
            j, a = self.nxt(j)
        if a is None or a.kind != "kw" or a.kw not in TIME_KW:
            if a is not None and a.kind == "kw" and a.kw == "DAY":
                pass
            m.kind, m.kw = "kw", "LOW"  # "the latest ..." behaves like a superlative on dates
            self.p.notes.append(("last", "read 'last' as most recent"))
            m.used = True
            return
        m.used = a.used = True
        unit = {"YEAR": "year", "MONTH": "month", "DAY": "day", "WEEK": "week", "QUARTER": "quarter"}[a.kw or ""]
        self.p.cmps.append(CmpSpec("last", [n, unit], None, None, True))

    def _values(self, k: int, negate: bool) -> None:
        p = self.p
        group: list[Mention] = []
        j = k
        while j < len(self.seq):
            m = self.seq[j]
            if m.kind in ("value", "quoted") and not m.used:
                group.append(m)
                m.used = True
                j2, sep = self.nxt(j)
                if sep is not None and (sep.kw in ("AND", "OR") or sep.text == ","):
                    j3, nx = self.nxt(j2)
                    if nx is not None and nx.kind in ("value", "quoted") and not nx.used:
                        sep.used = True
                        j = j3
                        continue
                if sep is not None and sep.kind in ("value", "quoted") and not sep.used:
                    j = j2
                    continue
            break
        hint = None
        cand_cols = {(r.table, r.column) for g in group for r in g.values}
        for near in (self.prv(k), self.nxt(j)[1]):
            if near is not None and near.kind in ("schema", "kw") and not near.used and any(
                (r.table, r.column) in cand_cols for r in near.columns
            ):
                hint = near
                near.used = True
                break
        if hint is None and group and group[0].kind == "quoted":
            before = self.prv(k)
            if before is not None and before.kind == "schema" and before.columns and not before.used:
                hint, before.used = before, True
        p.values.append(ValueSpec([g.values for g in group], hint, negate, group))

    def _number(self, k: int) -> None:
        p = self.p
        m = self.seq[k]
        v = m.number or 0.0
        before = self.raw_before(m)
        year = float(v).is_integer() and 1900 <= v <= 2100 and not (m.token and m.token.has_unit)
        if year and (before in _DATE_PREP or before in ("the", "year") or self._year_col_before(k)):
            col = self._year_col_before(k)
            if col is not None:
                col.used = True
            m.used = True
            p.cmps.append(CmpSpec("year", [int(v)], col, None, True, True))
            return
        _, after = self.nxt(k)
        if p.limit is None and v < 1000 and float(v).is_integer() and after is not None and (
            after.kind == "schema" or after.kind == "kw" and after.kw in ("HIGH", "LOW")
        ):
            p.limit, m.used = int(v), True
            return
        raise Unmappable(f"could not place the number '{m.text}' in the question", [m.text])

    def _year_col_before(self, k: int) -> Mention | None:
        for back in (1, 2):
            b = self.seq[k - back] if k - back >= 0 else None
            if b is not None and b.kind in ("schema",) and any(
                self.idx.col(r.table, r.column or "").year_like or self.idx.col(r.table, r.column or "").temporal
                for r in b.columns
            ):
                return b
        return None

    def _date_alone(self, k: int) -> None:
        m = self.seq[k]
        m.used = True
        if m.kind == "date":
            self.p.cmps.append(CmpSpec("day", [m.text], None, None, True))
            return
        j, y = self.nxt(k)
        month = int(m.number or 1)
        if y is not None and y.kind == "number" and y.number and 1900 <= y.number <= 2100:
            y.used = True
            self.p.cmps.append(CmpSpec("month", [int(y.number), month], None, None, True))
        else:
            self.p.cmps.append(CmpSpec("month", [None, month], None, None, True))
