"""Column statistics for data summaries, gathered with a few portable queries per table.

Per table: a row count, one aggregate pass (non-null count, distinct count, min/max for numbers and
dates), and one batch on a single connection for sample rows and frequent values. On tables larger than
`SAMPLE_ROWS`, distinct counts and frequent values come from the first `SAMPLE_ROWS` rows, so the cost
stays bounded while min/max and null counts stay exact. Only ANSI aggregates, `LIMIT` and quoted
identifiers are used, which SQLite, MySQL/TiDB, PostgreSQL and DuckDB all accept.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from c2q_tui.local.database import Database, QueryTimeout, SqlError
from c2q_tui.local.schema import ColumnInfo, TableInfo

SAMPLE_ROWS = 200_000
FREQUENT_MAX_DISTINCT = 100  # above this a text column is not "categorical"
TOP_VALUES = 5
SAMPLE_SCAN_ROWS = 20
SAMPLE_VALUES = 3
MAX_TEXT = 80

Kind = Literal["numeric", "temporal", "text", "boolean", "binary", "other"]

# Types without equality or ordering in some databases (Postgres json/point), or too big to group.
_OPAQUE = (
    "JSON",
    "XML",
    "GEOMETRY",
    "GEOGRAPHY",
    "POINT",
    "POLYGON",
    "LINE",
    "ARRAY",
    "[]",
    "MAP",
    "STRUCT",
    "UNION",
    "HSTORE",
    "TSVECTOR",
)
_BINARY = ("BLOB", "BYTEA", "BINARY", "IMAGE")
_TEXT = ("CHAR", "TEXT", "STRING", "CLOB", "ENUM", "SET", "UUID", "NAME")


def column_kind(col: ColumnInfo) -> Kind:
    t = col.type.upper()
    if any(k in t for k in _OPAQUE):
        return "other"
    if any(k in t for k in _BINARY):
        return "binary"
    if "BOOL" in t:
        return "boolean"
    if "DATE" in t or "TIME" in t or "INTERVAL" in t:
        return "temporal"
    if col.is_numeric:
        return "numeric"
    if col.is_temporal:  # by name: SQLite keeps ISO dates in TEXT columns
        return "temporal"
    return "text"  # text types, SQLite's untyped columns, enums and other named types


@dataclass
class ColumnProfile:
    info: ColumnInfo
    kind: Kind
    non_null: int | None = None
    distinct: int | None = None
    min: Any = None
    max: Any = None
    frequent: list[tuple[Any, int]] = field(default_factory=list)
    samples: list[Any] = field(default_factory=list)

    @property
    def categorical(self) -> bool:
        """Few values that repeat: worth listing with their counts."""
        return (
            self.kind in ("text", "boolean")
            and self.distinct is not None
            and self.non_null is not None
            and 1 <= self.distinct <= FREQUENT_MAX_DISTINCT
            and self.distinct * 2 <= self.non_null
        )


@dataclass
class TableProfile:
    info: TableInfo
    row_count: int | None
    columns: list[ColumnProfile]
    sampled: bool = False  # distinct counts and frequent values come from the first SAMPLE_ROWS rows
    error: str | None = None  # why some statistics are missing


def json_value(value: Any, *, max_len: int = MAX_TEXT) -> Any:
    """A JSON-safe, short rendering of a database value."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return str(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dt.timedelta | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = "base64:" + base64.b64encode(raw[:48]).decode("ascii")
        return _shorten(text, max_len)
    return _shorten(str(value), max_len)


def _shorten(text: str, max_len: int) -> str:
    return text if len(text) <= max_len else text[: max_len - 1] + "…"


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _one(db: Database, sql: str) -> list[tuple[Any, ...]]:
    # query_many runs the text as is: no bind-parameter parsing of ':' inside quoted identifiers
    return db.query_many([sql])[0]


class _Profiler:
    def __init__(self, db: Database, table: TableInfo) -> None:
        self.db = db
        self.table = table
        self.q = db.quote
        self.source = self.q(table.name)

    def run(self) -> TableProfile:
        cols = [ColumnProfile(info=c, kind=column_kind(c)) for c in self.table.columns]
        try:
            rows = int(_one(self.db, f"SELECT COUNT(*) FROM {self.source}")[0][0])
        except SqlError as e:
            return TableProfile(self.table, None, cols, error=_first_line(e))
        prof = TableProfile(self.table, rows, cols, sampled=rows > SAMPLE_ROWS)
        if rows == 0 or not cols:
            for c in cols:
                c.non_null, c.distinct = 0, 0
            return prof
        try:
            self._aggregate(prof)
            self._values(prof)
        except QueryTimeout as e:  # keep the cost bounded: what we have is enough for a summary
            prof.error = _first_line(e)
        return prof

    def _sample_source(self, prof: TableProfile, names: list[str]) -> str:
        if not prof.sampled:
            return self.source
        cols = ", ".join(self.q(n) for n in names)
        return f"(SELECT {cols} FROM {self.source} LIMIT {SAMPLE_ROWS}) s"

    def _exprs(self, c: ColumnProfile, *, distinct: bool) -> list[str]:
        col = self.q(c.info.name)
        out = [f"COUNT({col})"]
        if distinct and c.kind != "other":
            out.append(f"COUNT(DISTINCT {col})")
        if c.kind in ("numeric", "temporal"):
            out += [f"MIN({col})", f"MAX({col})"]
        return out

    def _store(self, c: ColumnProfile, values: list[Any], *, distinct: bool) -> None:
        it = iter(values)
        c.non_null = int(next(it))
        if distinct and c.kind != "other":
            c.distinct = int(next(it))
        if c.kind in ("numeric", "temporal"):
            c.min, c.max = json_value(next(it)), json_value(next(it))

    def _aggregate(self, prof: TableProfile) -> None:
        exact = not prof.sampled
        exprs = [e for c in prof.columns for e in self._exprs(c, distinct=exact)]
        try:
            values = list(_one(self.db, f"SELECT {', '.join(exprs)} FROM {self.source}")[0])
            for c in prof.columns:
                n = len(self._exprs(c, distinct=exact))
                self._store(c, values[:n], distinct=exact)
                values = values[n:]
        except QueryTimeout:
            raise
        except SqlError:
            # one exotic column type should not cost the whole table its statistics
            for c in prof.columns:
                self._aggregate_column(c, distinct=exact)
        if prof.sampled:
            self._sampled_distinct(prof)

    def _aggregate_column(self, c: ColumnProfile, *, distinct: bool) -> None:
        for with_distinct in (distinct, False):
            exprs = self._exprs(c, distinct=with_distinct)
            try:
                values = list(_one(self.db, f"SELECT {', '.join(exprs)} FROM {self.source}")[0])
            except QueryTimeout:
                raise
            except SqlError:
                continue
            self._store(c, values, distinct=with_distinct)
            return

    def _sampled_distinct(self, prof: TableProfile) -> None:
        cols = [c for c in prof.columns if c.kind != "other"]
        if not cols:
            return
        exprs = ", ".join(f"COUNT(DISTINCT {self.q(c.info.name)})" for c in cols)
        source = self._sample_source(prof, [c.info.name for c in cols])
        try:
            values = _one(self.db, f"SELECT {exprs} FROM {source}")[0]
        except QueryTimeout:
            raise
        except SqlError:
            return
        for c, v in zip(cols, values, strict=True):
            c.distinct = int(v)

    def _values(self, prof: TableProfile) -> None:
        """Sample rows and frequent values in one batch on one connection."""
        order = ", ".join(self.q(n) for n in self.table.primary_key)
        shown = [c for c in prof.columns if c.kind != "other"]
        statements: list[str] = []
        if shown:
            cols = ", ".join(self.q(c.info.name) for c in shown)
            statements.append(
                f"SELECT {cols} FROM {self.source}"
                + (f" ORDER BY {order}" if order else "")
                + f" LIMIT {SAMPLE_SCAN_ROWS}"
            )
        categorical = [c for c in prof.columns if c.categorical]
        for c in categorical:
            col = self.q(c.info.name)
            statements.append(
                f"SELECT {col}, COUNT(*) FROM {self._sample_source(prof, [c.info.name])}"
                f" WHERE {col} IS NOT NULL GROUP BY {col} ORDER BY COUNT(*) DESC, {col} LIMIT {TOP_VALUES}"
            )
        if not statements:
            return
        try:
            results = self.db.query_many(statements)
        except QueryTimeout:
            raise
        except SqlError:
            results = []
            for sql in statements:
                try:
                    results.append(_one(self.db, sql))
                except QueryTimeout:
                    raise
                except SqlError:
                    results.append([])
        if shown:
            sample_rows = results.pop(0)
            for i, c in enumerate(shown):
                seen: list[Any] = []
                for row in sample_rows:
                    v = json_value(row[i], max_len=48)
                    if v is not None and v not in seen:
                        seen.append(v)
                c.samples = seen[:SAMPLE_VALUES]
        for c, rows in zip(categorical, results, strict=True):
            c.frequent = [(json_value(v), int(n)) for v, n in rows]


def profile_table(db: Database, table: TableInfo) -> TableProfile:
    return _Profiler(db, table).run()
