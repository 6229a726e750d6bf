"""Clause parsers shared by the grammar: comparisons, dates, values and numbers."""

from __future__ import annotations

from typing import Any

from .index import Index
from .linking import Mention
from .parsed import _DATE_PREP, CMP_KW, TIME_KW, CmpSpec, Parsed, Unmappable, ValueSpec, is_table


class ClauseParser:
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
    def _col_near(self, k: int, j: int, want: str = "measure") -> Mention | None:
        """The column a comparison is about: just before the comparator or just after the number."""
        before = self.prv(k)
        if before is not None and before.kind == "kw" and before.kw in ("WITH",):
            before = self.prv(k - 1)
        _, after = self.nxt(j)
        for cand in (
            (after, before)
            if want == "measure" and after is not None and after.kind == "schema" and not is_table(after)
            else (before, after)
        ):
            if (
                cand is None
                or cand.used
                or cand.kind not in ("schema", "kw")
                or not cand.columns
                or is_table(cand)
            ):
                continue
            metas = [self.idx.col(r.table, r.column or "") for r in cand.columns]
            if want == "time" and any(c.temporal or c.year_like for c in metas):
                return cand
            if want == "measure" and any(c.measure or c.year_like for c in metas):
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
            if a is not None and a.kind == "value" and m.text.lower().endswith("than"):
                raise Unmappable(
                    f"comparing with another row ('{m.text} {a.text}') is not supported; give a number",
                    [a.text],
                )
            m.used = m.kind == "kw" and m.kw not in ("GT", "LT")  # "over time", "under" as words
            return
        m.used = True
        values: list[Any] = [self._num_or_date(a)]
        a.used = True
        if op == "between":
            j2, andm = self.nxt(j)
            j3, b = self.nxt(j2)
            if (
                andm is None
                or andm.kw not in ("AND", "BEFORE")
                or b is None
                or b.kind not in ("number", "date")
            ):
                raise Unmappable(f"could not read the range starting at '{a.text}'")
            andm.used = b.used = True
            values.append(self._num_or_date(b))
            if (
                a.kind == b.kind == "number"
                and a.token
                and b.token
                and b.token.mult > 1
                and a.token.mult == 1
            ):
                values[0] = values[0] * b.token.mult  # "between 50 and 100 billion"
                a.token.has_unit = True
            j = j3
        _, nxt = self.nxt(j)
        if (
            nxt is not None
            and nxt.kind == "kw"
            and nxt.kw in ("GE", "LE")
            and nxt.text.lower() in ("or more", "or less", "or fewer")
        ):
            op = ">=" if nxt.kw == "GE" else "<="
            nxt.used = True
        years = all(
            isinstance(v, int | float) and 1900 <= v <= 2100 and float(v).is_integer() for v in values
        )
        col = self._col_near(k, j, "time" if a.kind in ("date", "month") else "measure")
        unit = a.token is not None and a.token.has_unit
        is_date = any(isinstance(v, str) for v in values) or (years and not unit and col is None)
        if negate:
            op = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "=": "!="}.get(op, op)
        count_of = None
        _, after = self.nxt(j)
        if col is None and after is not None and is_table(after):
            count_of, after.used = after, True
        prev = self.prv(k)
        if col is None and prev is not None and prev.used and self.p.aggs and self.p.aggs[-1].target is prev:
            self.p.aggs[-1].having = (op, values)  # "categories with an average price over 100"
            return
        if col is None and (
            "cheap" in m.text.lower() or "expensive" in m.text.lower() or "pric" in m.text.lower()
        ):
            self.p.price_hint = True
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
        col = self._col_near(k, j, "time")
        if col is not None:
            col.used = True
        op = (
            "<"
            if m.kw == "BEFORE"
            else (">=" if m.text.lower() in ("since", "starting", "as of", "starting from") else ">")
        )
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
        unit = {"YEAR": "year", "MONTH": "month", "DAY": "day", "WEEK": "week", "QUARTER": "quarter"}[
            a.kw or ""
        ]
        self.p.cmps.append(CmpSpec("last", [n, unit], None, None, True))

    def _values(self, k: int, negate: bool) -> None:
        p = self.p
        m0 = self.seq[k]
        _, nx = self.nxt(k)
        if (
            m0.columns
            and nx is not None
            and (
                nx.kw in ("LAST", "BEFORE", "AFTER", "BETWEEN")
                or nx.kind in ("date", "month")
                or (nx.kind == "number" and nx.number and 1900 <= nx.number <= 2100)
            )
            and any(self.idx.col(r.table, r.column or "").temporal for r in m0.columns)
        ):
            m0.kind, m0.values = "schema", []  # "shipments delivered in the last 30 days": a date column
            m0.refs = [r for r in m0.refs if r.column is None or self.idx.col(r.table, r.column).temporal]
            return
        group: list[Mention] = []
        j = k
        while j < len(self.seq):
            m = self.seq[j]
            if m.kind in ("value", "quoted") and not m.used:
                group.append(m)
                m.used = True
                j2, sep = self.nxt(j)
                if sep is not None and (sep.kw in ("AND", "OR", "COMPARE") or sep.text == ","):
                    j3, nx = self.nxt(j2)
                    if (
                        nx is not None
                        and nx.kind in ("value", "quoted")
                        and not nx.used
                        and _shares(group, nx)
                    ):
                        sep.used = True
                        p.compare = p.compare or sep.kw == "COMPARE"
                        j = j3
                        continue
                if (
                    sep is not None
                    and sep.kind in ("value", "quoted")
                    and not sep.used
                    and _shares(group, sep)
                ):
                    j = j2
                    continue
            break
        hint = None
        cand_cols = {(r.table, r.column) for g in group for r in g.values}
        for near in (self.prv(k), self.nxt(j)[1]):
            if (
                near is not None
                and near.kind in ("schema", "kw")
                and not near.used
                and any((r.table, r.column) in cand_cols for r in near.columns)
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
        _, after = self.nxt(k)
        if (
            after is not None
            and after.kind == "kw"
            and after.kw in ("HIGH", "LOW", "OLD", "NEW", "OFTEN", "RARE")
        ):
            return  # "the 3 smallest": the superlative takes it as its limit
        dated = any(c.temporal or c.year_like for c in self.idx.all_columns())
        if (
            year
            and dated
            and (
                before in _DATE_PREP
                or before in ("the", "year")
                or self._year_col_before(k)
                or after is None
                or after.kind not in ("schema",)
            )
        ):
            col = self._year_col_before(k)
            if col is not None:
                col.used = True
            m.used = True
            p.cmps.append(CmpSpec("year", [int(v)], col, None, True, True))
            return
        if (
            p.limit is None
            and v < 1000
            and float(v).is_integer()
            and after is not None
            and (after.kind == "schema" or (after.kind == "kw" and after.kw in ("HIGH", "LOW")))
        ):
            p.limit, m.used = int(v), True
            return
        raise Unmappable(f"could not place the number '{m.text}' in the question", [m.text])

    def _year_col_before(self, k: int) -> Mention | None:
        for back in (1, 2):
            b = self.seq[k - back] if k - back >= 0 else None
            if (
                b is not None
                and b.kind in ("schema",)
                and not b.used
                and any(
                    self.idx.col(r.table, r.column or "").year_like
                    or self.idx.col(r.table, r.column or "").temporal
                    for r in b.columns
                )
            ):
                return b
        return None

    def _date_alone(self, k: int) -> None:
        m = self.seq[k]
        m.used = True
        col = self._year_col_before(k)
        if col is not None:
            col.used = True
        if m.kind == "date":
            self.p.cmps.append(CmpSpec("day", [m.text], col, None, True))
            return
        _j, y = self.nxt(k)
        month = int(m.number or 1)
        if y is not None and y.kind == "number" and y.number and 1900 <= y.number <= 2100:
            y.used = True
            self.p.cmps.append(CmpSpec("month", [int(y.number), month], col, None, True))
        else:
            self.p.cmps.append(CmpSpec("month", [None, month], col, None, True))


def _shares(group: list[Mention], m: Mention) -> bool:
    """Values listed together ("Energy and Utilities") must fit one column; else they are two filters."""
    if m.kind == "quoted" or any(g.kind == "quoted" for g in group):
        return True
    cols = {(r.table, r.column) for r in m.values}
    return all(any((r.table, r.column) in cols for r in g.values) for g in group)
