"""Per-database index: tables and columns with their roles, the phrases that name them, the text
values in the data, and the foreign-key graph. Built once per database and schema, then cached.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from c2q_tui.local.database import Database
from c2q_tui.local.schema import ColumnInfo, SchemaInfo, TableInfo

from .lexicon import norm_words, singular, words_of
from .vocab import ABBREVIATIONS, AMBIGUOUS, FILLER, KEYWORDS, KIND_SUFFIXES, SIZE_MEASURES, SYNONYMS

MAX_VALUES = 3000  # text columns with more distinct values are not indexed (free text, ids)
MAX_VALUE_LEN = 80
_NAME_COL = re.compile(r"(^|_)(name|title|label|username|full_name|display_name)$", re.I)
_YEAR_COL = re.compile(r"(^|_)(year|yr)(_|$)", re.I)
_CORP_SUFFIX = {
    "inc",
    "inc.",
    "corp",
    "corp.",
    "corporation",
    "co",
    "co.",
    "company",
    "ltd",
    "plc",
    "llc",
    "group",
    "holding",
    "holdings",
    "incorporated",
    "limited",
    "sa",
    "ag",
    "nv",
    "se",
}


@dataclass
class ColMeta:
    table: str
    name: str
    info: ColumnInfo
    words: tuple[str, ...]
    numeric: bool = False
    temporal: bool = False
    year_like: bool = False
    key: bool = False
    pk: bool = False
    distinct: int | None = None
    max_value: Any = None
    min_value: Any = None
    indexed: bool = False  # its text values are in the value index
    derived: tuple[str, str, str | None] | None = None  # (quantity, price, discount): a computed measure

    @property
    def flag(self) -> bool:
        yes_no = (
            self.distinct is not None and self.distinct <= 2 and {self.min_value, self.max_value} <= {0, 1}
        )
        return self.numeric and not self.key and (yes_no or self.name.lower().startswith(("is_", "has_")))

    @property
    def measure(self) -> bool:
        return self.numeric and not self.key and not self.year_like and not self.flag

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


@dataclass
class TableMeta:
    name: str
    info: TableInfo
    words: tuple[str, ...]
    columns: dict[str, ColMeta]
    label: str | None = None
    row_count: int = 0

    @property
    def noun(self) -> str:
        """What one row is called: "company" for companies, "selection" for user_stock_selections."""
        return singular(self.words[-1]) if self.words else self.name

    @property
    def plural(self) -> str:
        return " ".join(words_of(self.name))


@dataclass(frozen=True)
class SchemaRef:
    table: str
    column: str | None  # None for the table itself
    score: float  # 3 exact name, 2 synonym, 1 partial/suffix-stripped, 0.5 description
    via: str = "name"


@dataclass(frozen=True)
class ValueRef:
    table: str
    column: str
    value: Any
    exact: bool = True
    via: str = ""  # e.g. "Texas" when a place name became a code


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    pairs: tuple[tuple[str, str], ...]  # (src column, dst column)
    forward: bool  # src references dst: many-to-one, no fan-out


@dataclass
class Index:
    schema: SchemaInfo
    tables: dict[str, TableMeta]
    phrases: dict[tuple[str, ...], list[SchemaRef]] = field(default_factory=lambda: defaultdict(list))
    values: dict[tuple[str, ...], list[ValueRef]] = field(default_factory=lambda: defaultdict(list))
    prefixes: dict[tuple[str, ...], list[ValueRef]] = field(default_factory=lambda: defaultdict(list))
    edges: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))

    def col(self, table: str, column: str) -> ColMeta:
        return self.tables[table].columns[column]

    def all_columns(self) -> list[ColMeta]:
        return [c for t in self.tables.values() for c in t.columns.values()]

    def add_phrase(self, words: tuple[str, ...], ref: SchemaRef) -> None:
        if not words or (words in KEYWORDS and words not in AMBIGUOUS and ref.score < 3):
            return
        refs = self.phrases[words]
        for i, old in enumerate(refs):
            if (old.table, old.column) == (ref.table, ref.column):
                if ref.score > old.score:
                    refs[i] = ref
                return
        refs.append(ref)


def _lemmas(words: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for w in words:
        out.extend(ABBREVIATIONS.get(w, w).split())
    return tuple(singular(w) for w in out)


def _synonyms(phrase: tuple[str, ...]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    text = " ".join(phrase)
    for group in SYNONYMS:
        normed = [" ".join(singular(w) for w in g.split()) for g in group]
        if text in normed:
            out.extend(tuple(g.split()) for g in normed if g != text)
    return out


def build_index(db: Database, schema: SchemaInfo) -> Index:
    tables: dict[str, TableMeta] = {}
    for t in schema.tables:
        fk_cols = {c for fk in t.foreign_keys for c in fk.columns}
        cols: dict[str, ColMeta] = {}
        for c in t.columns:
            words = _lemmas(words_of(c.name))
            key = (
                (c.primary_key and len(t.primary_key) == 1)
                or c.name in fk_cols
                or words[-1:] == ("id",)
                or c.name.lower() == "id"
            )
            year_like = bool(_YEAR_COL.search(c.name)) and c.is_numeric
            cols[c.name] = ColMeta(
                table=t.name,
                name=c.name,
                info=c,
                words=words,
                numeric=c.is_numeric and not c.is_temporal,
                temporal=c.is_temporal and not year_like,
                year_like=year_like,
                key=key,
                pk=c.primary_key,
            )
        tables[t.name] = TableMeta(t.name, t, _lemmas(words_of(t.name)), cols)
    idx = Index(schema=schema, tables=tables)
    _profile(db, idx)
    for tm in tables.values():
        tm.label = _label_column(tm)
        _derived_revenue(tm)
    _schema_phrases(idx)
    _size_phrases(idx)
    _edges(idx)
    return idx


def _profile(db: Database, idx: Index) -> None:
    stats_sql: list[str] = []
    order: list[tuple[TableMeta, list[ColMeta]]] = []
    for tm in idx.tables.values():
        cols = list(tm.columns.values())
        parts = ["COUNT(*)"]
        for c in cols:
            q = db.quote(c.name)
            parts.append(f"COUNT(DISTINCT {q})")
            parts.append(f"MIN({q})" if c.temporal or c.numeric else "NULL")
            parts.append(f"MAX({q})" if c.temporal or c.numeric else "NULL")
        stats_sql.append(f"SELECT {', '.join(parts)} FROM {db.quote(tm.name)}")
        order.append((tm, cols))
    results = db.query_many(stats_sql)
    value_sql: list[str] = []
    value_cols: list[ColMeta] = []
    for (tm, cols), rows in zip(order, results, strict=True):
        row = rows[0]
        tm.row_count = int(row[0] or 0)
        for i, c in enumerate(cols):
            c.distinct, c.min_value, c.max_value = int(row[1 + 3 * i] or 0), row[2 + 3 * i], row[3 + 3 * i]
            if isinstance(c.max_value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", c.max_value):
                c.temporal, c.numeric = True, False
            if not c.numeric and not c.temporal and (c.distinct or 0) <= MAX_VALUES:
                q = db.quote(c.name)
                value_sql.append(
                    f"SELECT DISTINCT {q} FROM {db.quote(tm.name)} WHERE {q} IS NOT NULL LIMIT {MAX_VALUES}"
                )
                value_cols.append(c)
    for c, rows in zip(value_cols, db.query_many(value_sql), strict=True):
        c.indexed = True
        for (v,) in rows:
            if isinstance(v, str) and 0 < len(v) <= MAX_VALUE_LEN:
                _add_value(idx, c, v)


def _add_value(idx: Index, c: ColMeta, v: str) -> None:
    words = tuple(norm_words(v))
    if not words:
        return
    ref = ValueRef(c.table, c.name, v)
    idx.values[words].append(ref)
    core = list(words[1:] if words[0] == "the" and len(words) > 1 else words)
    while len(core) > 1 and core[-1] in _CORP_SUFFIX:
        core.pop()
    partial = ValueRef(c.table, c.name, v, exact=False)
    if tuple(core) != words:
        idx.values.setdefault(tuple(core), [])
        if all(r.value != v for r in idx.values[tuple(core)]):
            idx.values[tuple(core)].append(partial)
    for n in range(1, len(core)):
        idx.prefixes[tuple(core[:n])].append(partial)
    # "Amazon.com, Inc." is also reached by "Amazon"
    split = [p for w in core for p in re.split(r"[.\-/]", w) if p]
    if split != core and len(split) > 1:
        for n in range(1, len(split)):
            if partial not in idx.prefixes[tuple(split[:n])]:
                idx.prefixes[tuple(split[:n])].append(partial)


def _derived_revenue(tm: TableMeta) -> None:
    """Order lines with a quantity and a unit price but no amount column get a computed "revenue"."""
    measures = [c for c in tm.columns.values() if c.measure]
    if (
        any(w in ("revenue", "sale", "amount", "total") for c in measures for w in c.words)
        or "revenue" in tm.columns
    ):
        return
    qty = next(
        (c for c in measures if "quantity" in c.words or ("unit" in c.words and "price" not in c.words)), None
    )
    price = next((c for c in measures if "price" in c.words), None)
    if qty is None or price is None:
        return
    disc = next(
        (
            c
            for c in measures
            if "discount" in c.words and isinstance(c.max_value, int | float) and 0 <= c.max_value <= 1
        ),
        None,
    )
    info = ColumnInfo(name="revenue", type="REAL")
    tm.columns["revenue"] = ColMeta(
        tm.name,
        "revenue",
        info,
        ("revenue",),
        numeric=True,
        derived=(qty.name, price.name, disc.name if disc else None),
    )


def _label_column(tm: TableMeta) -> str | None:
    cols = list(tm.columns.values())
    named = [c for c in cols if _NAME_COL.search(c.name) and not c.numeric]
    own = [c for c in named if c.words[0] in tm.words or singular(c.words[0]) == tm.noun]
    for group in (own, named):
        if group:
            return max(group, key=lambda c: c.distinct or 0).name
    texts = [c for c in cols if not c.numeric and not c.temporal and not c.key and "email" not in c.name]
    if texts and tm.row_count and (texts[0].distinct or 0) >= 0.9 * tm.row_count:
        return texts[0].name
    return tm.info.primary_key[0] if len(tm.info.primary_key) == 1 else None


def _schema_phrases(idx: Index) -> None:
    for tm in idx.tables.values():
        tw = tm.words
        for phrase in {tw, (*tw[:-1], tm.noun)}:
            idx.add_phrase(phrase, SchemaRef(tm.name, None, 3))
            for syn in _synonyms(phrase):
                idx.add_phrase(syn, SchemaRef(tm.name, None, 2, "synonym"))
        # "user_stock_selections" is also "selections" and "stock selections"
        for i in range(1, len(tw)):
            sub = tw[i:]
            idx.add_phrase(sub, SchemaRef(tm.name, None, 2.5 if len(sub) > 1 else 2, "partial"))
            for syn in _synonyms(sub):
                idx.add_phrase(syn, SchemaRef(tm.name, None, 1.5, "synonym"))
        for c in tm.columns.values():
            cw = c.words
            idx.add_phrase(cw, SchemaRef(tm.name, c.name, 3))
            for syn in _synonyms(cw):
                idx.add_phrase(syn, SchemaRef(tm.name, c.name, 2, "synonym"))
            stripped = cw
            while len(stripped) > 1 and stripped[-1] in (*KIND_SUFFIXES, "on", "at", "date", "time", "ts"):
                stripped = stripped[:-1]
            if stripped[-1:] and stripped[-1] in FILLER and len(stripped) == 1:
                stripped = cw
            if len(stripped) > 1 and stripped[0] in (tm.noun, *tw) and stripped[1:] != ("id",):
                stripped = stripped[1:]  # "company_name" in companies, "order_date" in orders
            if stripped != cw:
                # "selected_at" -> "selected" is weaker than a table named by the same verb
                weak = c.temporal and cw[-1] in ("on", "at", "date", "time", "ts")
                idx.add_phrase(stripped, SchemaRef(tm.name, c.name, 1.3 if weak else 1.8, "partial"))
                for syn in _synonyms(stripped):
                    idx.add_phrase(syn, SchemaRef(tm.name, c.name, 1.4, "synonym"))
            if (c.name == tm.label and "name" in cw) or "title" in cw:
                idx.add_phrase((cw[-1],), SchemaRef(tm.name, c.name, 1.5, "partial"))
            if (
                len(cw) > 1
                and cw[0] not in ("is", "has")
                and not c.key
                and cw[-1] not in FILLER
                and len(cw[-1]) >= 3
                and cw[-1] not in KIND_SUFFIXES
            ):
                idx.add_phrase(cw[-1:], SchemaRef(tm.name, c.name, 1.0, "partial"))
                for syn in _synonyms(cw[-1:]):
                    idx.add_phrase(syn, SchemaRef(tm.name, c.name, 0.9, "synonym"))


def _size_phrases(idx: Index) -> None:
    """ "size", "big": each table's preferred size measure, reported as an assumption when used."""
    for tm in idx.tables.values():
        measures = [c for c in tm.columns.values() if c.measure and c.derived is None]
        best = next(
            (c for want in SIZE_MEASURES for c in measures if c.phrase == want or want in c.phrase.split()),
            None,
        )
        if best is None:
            continue
        for word in ("size", "big", "large", "small", "sized"):
            idx.add_phrase((word,), SchemaRef(tm.name, best.name, 1.2, "size"))


def _edges(idx: Index) -> None:
    for tm in idx.tables.values():
        for fk in tm.info.foreign_keys:
            if fk.ref_table not in idx.tables:
                continue
            pairs = tuple(zip(fk.columns, fk.ref_columns, strict=True))
            idx.edges[tm.name].append(Edge(tm.name, fk.ref_table, pairs, True))
            back = tuple((b, a) for a, b in pairs)
            idx.edges[fk.ref_table].append(Edge(fk.ref_table, tm.name, back, False))
    if any(idx.edges.values()):
        return
    # no declared foreign keys: infer `<x>_id` columns that match another table's single primary key
    pks = {tm.info.primary_key[0]: tm.name for tm in idx.tables.values() if len(tm.info.primary_key) == 1}
    for tm in idx.tables.values():
        for c in tm.columns.values():
            ref = pks.get(c.name)
            if (ref and ref != tm.name and not c.pk) or (
                ref and ref != tm.name and len(tm.info.primary_key) > 1
            ):
                idx.edges[tm.name].append(Edge(tm.name, ref, ((c.name, c.name),), True))
                idx.edges[ref].append(Edge(ref, tm.name, ((c.name, c.name),), False))
