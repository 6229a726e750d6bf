"""The database's own query plan, read into one shape for every backend, plus the tables' indexes.

`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on MySQL / TiDB / PostgreSQL / DuckDB: none of them runs the
query (no ANALYZE), and only statements `sqlguard` classifies as reads are explained, on the database's
read-only connection. Each parser is a pure function of the rows, so every format is testable without
that server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from c2q_tui.local import sqlguard
from c2q_tui.local.database import Database, SqlError

AccessKind = Literal["scan", "index"]


@dataclass(frozen=True)
class Access:
    """How one table (or alias, as the plan names it) is read."""

    table: str
    kind: AccessKind  # "scan": every row is read; "index": rows are found through an index
    index: str | None = None
    rows: int | None = None  # the planner's estimate, when it gives one
    detail: str = ""


@dataclass
class Plan:
    title: str  # e.g. "SQLite EXPLAIN QUERY PLAN"
    lines: list[str] = field(default_factory=list)
    accesses: list[Access] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sorts, temporary tables, correlated subqueries


def explain_prefix(backend: str) -> str:
    return "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "


def database_plan(db: Database, sql: str) -> Plan:
    """The plan of one read statement. Raises SqlError (with the database's message) or
    SqlGuardError when the statement is not a single read."""
    c = sqlguard.check(sql, db.dialect, allow_write=False)
    if c.kind != "read":
        raise sqlguard.SqlGuardError(f"{c.statement} is not a query; only SELECT statements are explained")
    rows = db.query_many([explain_prefix(db.backend) + c.sql])[0]
    if db.backend == "sqlite":
        return parse_sqlite_plan(rows)
    if db.backend == "postgresql":
        return parse_postgres_plan(rows)
    if db.backend == "duckdb":
        return parse_duckdb_plan(rows)
    return parse_mysql_plan(rows)


# -- SQLite ------------------------------------------------------------------------------------

_SQLITE_ACCESS = re.compile(
    r"^(SCAN|SEARCH) (?:TABLE )?(\S+)(?: AS (\S+))?"
    r"(?: USING (?:(?:COVERING |AUTOMATIC (?:PARTIAL )?COVERING )?INDEX (\S+)"
    r"|INTEGER PRIMARY KEY|PRIMARY KEY))?"
    r"(?: \((.*)\))?"
)


def parse_sqlite_plan(rows: list[tuple[Any, ...]]) -> Plan:
    plan = Plan("SQLite EXPLAIN QUERY PLAN")
    depth: dict[Any, int] = {}
    for row in rows:
        node, parent, detail = row[0], row[1], str(row[-1])
        depth[node] = depth.get(parent, -1) + 1
        plan.lines.append("  " * depth[node] + detail)
        m = _SQLITE_ACCESS.match(detail)
        if m:
            verb, table, alias, index, cond = m.groups()
            rowid = "PRIMARY KEY" in detail and index is None
            if verb == "SEARCH" or index or rowid:
                found = index or "the primary key"
                kind: AccessKind = "index" if verb == "SEARCH" else "scan"
                plan.accesses.append(Access(alias or table, kind, found, detail=cond or ""))
            else:
                plan.accesses.append(Access(alias or table, "scan", detail=detail))
        elif detail.startswith("USE TEMP B-TREE FOR"):
            what = detail.removeprefix("USE TEMP B-TREE FOR ").strip()
            plan.notes.append(f"SQLite sorts for {what} with a temporary B-tree")
        elif "CORRELATED" in detail:
            plan.notes.append(f"a correlated subquery runs once per outer row ({detail.lower()})")
        if "AUTOMATIC" in detail and "INDEX" in detail:
            plan.notes.append(f"SQLite builds a temporary index for this query every time it runs: {detail}")
    return plan


# -- MySQL / TiDB ------------------------------------------------------------------------------

_TIDB_TABLE = re.compile(r"table:(\S+?)(?:,|$)")
_TIDB_INDEX = re.compile(r"index:(\S+?)\(")


def parse_mysql_plan(rows: list[tuple[Any, ...]]) -> Plan:
    if rows and len(rows[0]) == 5:  # TiDB: id, estRows, task, access object, operator info
        return _parse_tidb_plan(rows)
    plan = Plan("MySQL EXPLAIN")
    for row in rows:
        # MySQL 5.7+: id, select_type, table, partitions, type, possible_keys, key, key_len, ref, rows,
        # filtered, Extra; MySQL 5.6 and MariaDB have no partitions / filtered columns
        if len(row) not in (10, 12):
            plan.lines.append(" | ".join(str(c) for c in row))
            continue
        wide = len(row) == 12
        table, access, key = row[2], str(row[4 if wide else 3]), row[6 if wide else 5]
        est, extra = _int(row[9 if wide else 8]), str(row[-1] or "")
        plan.lines.append(f"{table}: type={access} key={key} rows={est}" + (f" ({extra})" if extra else ""))
        if table and access.upper() in ("ALL", "INDEX"):  # INDEX: a full scan of an index
            plan.accesses.append(Access(str(table), "scan", str(key) if key else None, est, access))
        elif table and key:
            plan.accesses.append(Access(str(table), "index", str(key), est, access))
        if "filesort" in extra.lower():
            plan.notes.append(f"sorting the rows of {table} needs a filesort")
        if "temporary" in extra.lower():
            plan.notes.append(f"{table} needs a temporary table")
    return plan


def _parse_tidb_plan(rows: list[tuple[Any, ...]]) -> Plan:
    plan = Plan("TiDB EXPLAIN")
    for op, est, _task, obj, info in rows:
        plan.lines.append(f"{op}  estRows={est}  {obj}  {info}".rstrip())
        table = _TIDB_TABLE.search(str(obj or ""))
        if not table:
            continue
        index = _TIDB_INDEX.search(str(obj or ""))
        if "TableFullScan" in str(op):
            plan.accesses.append(Access(table.group(1), "scan", rows=_int(est), detail=str(info or "")))
        elif index or "Range" in str(op) or "Point" in str(op):
            name = index.group(1) if index else "the primary key"
            plan.accesses.append(Access(table.group(1), "index", name, _int(est), str(info or "")))
    return plan


# -- PostgreSQL --------------------------------------------------------------------------------

_PG_NODE = re.compile(
    r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)(?: using (\S+))? on (\S+)(?: (\w+))?"
    r".*?rows=(\d+)"
)


def parse_postgres_plan(rows: list[tuple[Any, ...]]) -> Plan:
    plan = Plan("PostgreSQL EXPLAIN")
    for (line,) in (r[:1] for r in rows):
        text = str(line)
        plan.lines.append(text)
        m = _PG_NODE.search(text)
        if m:
            node, index, table, alias, est = m.groups()
            kind: AccessKind = "scan" if node == "Seq Scan" else "index"
            plan.accesses.append(Access(alias or table, kind, index, int(est), node))
        elif re.search(r"\bSort\b", text) and "Sort Key" not in text:
            plan.notes.append("the result needs a sort")
        elif "SubPlan" in text:
            plan.notes.append("a subquery runs once per outer row (SubPlan)")
    return plan


# -- DuckDB ------------------------------------------------------------------------------------

_DUCK_TABLE = re.compile(r"Table:\s*(\S+)")
_DUCK_ROWS = re.compile(r"~\s*([\d,]+)\s*rows?")


def parse_duckdb_plan(rows: list[tuple[Any, ...]]) -> Plan:
    plan = Plan("DuckDB EXPLAIN")
    text = "\n".join(str(r[-1]) for r in rows)
    plan.lines = [line for line in text.splitlines() if line.strip()]
    # each operator is a box; a scan box names its table (and, in newer versions, the row estimate)
    for box in re.split(r"[╭┌]", text)[1:]:
        if re.search(r"SEQ_SCAN|Seq Scan|TABLE_SCAN", box):
            table = _DUCK_TABLE.search(box)
            est = _DUCK_ROWS.search(box)
            name = table.group(1).split(".")[-1] if table else "a table"
            filters = "Filters:" in box
            plan.accesses.append(
                Access(
                    name,
                    "scan",
                    rows=_int(est.group(1)) if est else None,
                    detail="filters" if filters else "",
                )
            )
    return plan


# -- indexes -----------------------------------------------------------------------------------


def table_indexes(db: Database, table: str) -> list[tuple[str, tuple[str, ...]]]:
    """(index name, columns in order) for a table; [] when the database won't say."""
    q = db.quote(table)
    lit = "'" + table.replace("'", "''") + "'"
    try:
        if db.backend == "sqlite":
            out = []
            for row in db.query_many([f"PRAGMA index_list({q})"])[0]:
                name = str(row[1])
                info = db.query_many([f"PRAGMA index_info({db.quote(name)})"])[0]
                out.append((name, tuple(str(r[2]) for r in sorted(info))))
            return out
        if db.backend in ("mysql", "mariadb"):
            by_name: dict[str, list[tuple[int, str]]] = {}
            for row in db.query_many([f"SHOW INDEX FROM {q}"])[0]:
                by_name.setdefault(str(row[2]), []).append((int(row[3]), str(row[4])))
            return [(n, tuple(c for _, c in sorted(cols))) for n, cols in by_name.items()]
        if db.backend == "postgresql":
            rows = db.query_many([f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename = {lit}"])[0]
            return [(str(n), _paren_columns(str(d))) for n, d in rows]
        if db.backend == "duckdb":
            rows = db.query_many(
                [f"SELECT index_name, expressions FROM duckdb_indexes() WHERE table_name = {lit}"]
            )[0]
            return [(str(n), _paren_columns(str(e))) for n, e in rows]
    except SqlError:
        return []
    return []


def table_rows(db: Database, table: str) -> int | None:
    """Exact row count on SQLite and DuckDB (cheap there); None elsewhere (use the plan's estimate)."""
    if db.backend not in ("sqlite", "duckdb"):
        return None
    try:
        return _int(db.query_many([f"SELECT COUNT(*) FROM {db.quote(table)}"])[0][0][0])
    except (SqlError, IndexError):
        return None


def _paren_columns(text: str) -> tuple[str, ...]:
    m = re.search(r"[\[(]([^)\]]*)[)\]]", text)
    return tuple(c.strip().strip('"`').split(" ")[0] for c in m.group(1).split(",")) if m else ()


def _int(value: Any) -> int | None:
    try:
        return int(float(str(value).replace(",", "")))
    except (TypeError, ValueError):
        return None
