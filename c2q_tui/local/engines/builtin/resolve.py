"""Resolving mentions against the schema: the column a word means given the tables in focus, the
size measure, the date column, the key and label of an entity. Choices become assumptions."""

from __future__ import annotations

from collections import deque
from typing import Any

from .index import ColMeta, Index, SchemaRef
from .lexicon import singular
from .linking import Mention
from .parsed import Parsed, Unmappable
from .plan import Agg, Col
from .vocab import SIZE_MEASURES


class Resolver:
    def __init__(self, idx: Index, p: Parsed, question: str) -> None:
        self.idx = idx
        self.p = p
        self.q = question.lower()
        self.notes: list[tuple[str, str]] = list(p.notes)
        self.focus: list[str] = []
        self.main: str = ""
        self._dist: dict[str, dict[str, int]] = {}
        self.agg_having: list[tuple[Agg, tuple[str, list[Any]]]] = []

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
        best = max(refs, key=lambda r: r.score + (1 if r.table in self.focus else 0))
        return best.table

    def pick(self, m: Mention, want: str = "any") -> Col:
        def ok(c: ColMeta) -> bool:
            return {
                "any": True,
                "measure": c.numeric,
                "dim": not c.measure,
                "time": c.temporal or c.year_like,
                "order": c.numeric or c.temporal or c.year_like,
            }[want]

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
        derived = self.idx.col(best.table, best.column or "").derived if best.column else None
        if derived is not None:
            qty, price, disc = derived
            formula = f"{qty} × {price}" + (f" × (1 − {disc})" if disc else "")
            self.note(best.column or "", f"{best.column} of {best.table} is computed as {formula}")
        if m is not None and best.via == "size":
            self.note(m.text, f"'{m.text}' is measured by {best.table}.{best.column}")
        elif m is not None and m.note.startswith("fuzzy"):
            self.note(m.text, f"read '{m.text}' as {best.table}.{best.column} (closest name)")
        elif m is not None and m.note == "description":
            self.note(m.text, f"matched '{m.text}' to {best.table}.{best.column} from its description")
        elif (
            m is not None
            and best.via in ("synonym", "partial")
            and m.text.lower().replace(" ", "_") != best.column
        ):
            col = self.idx.col(best.table, best.column or "")
            if m.text.lower() not in col.phrase and singular(m.text.lower()) not in col.phrase:
                self.note(m.text, f"'{m.text}' is taken to mean {best.table}.{best.column}")
        return Col(best.table, best.column or "")

    def categorical(self, m: Mention) -> bool:
        c = self._best(m.columns, None) if m.columns else None
        if c is None:
            return False
        meta = self.idx.col(c.table, c.column)
        return not meta.temporal and not meta.measure

    def size_measure(self, table: str, word: str) -> Col:
        tm = self.idx.tables[table]
        measures = [c for c in tm.columns.values() if c.measure]
        for want in (("price", "cost") if self.p.price_hint else ()) + SIZE_MEASURES:
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
            said = [
                c
                for c in cols
                if any(
                    w in words or w + "ed" in words or w[:-1] + "ed" in words
                    for w in c.words
                    if w not in ("date", "at", "on")
                )
            ]
            pick = (said or cols)[0]
            if len(cols) > 1 and not said:
                self.note("date", f"dates are taken from {t}.{pick.name}")
            return Col(t, pick.name)
        for t in tables:
            years = [c for c in self.idx.tables[t].columns.values() if c.year_like]
            if years:
                self.note("date", f"dates are taken from the year column {t}.{years[0].name}")
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
