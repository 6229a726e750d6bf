"""One served database, reached through SQLAlchemy: introspection and guarded execution.

SQL from an engine or a user runs here: one statement, classified by `sqlguard`, with a timeout and a
row limit, on a read-only connection unless the caller's role allows writes. Calls are blocking; the
backend runs them in worker threads.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from c2q_tui.local import sqlguard
from c2q_tui.local.schema import ColumnInfo, ForeignKey, SchemaInfo, TableInfo

ROW_LIMIT = 1000  # what the real service returns at most
DEFAULT_TIMEOUT = 30.0

_SQLGLOT_DIALECTS = {
    "sqlite": "sqlite",
    "mysql": "mysql",
    "mariadb": "mysql",
    "postgresql": "postgres",
    "duckdb": "duckdb",
}


class SqlError(Exception):
    """A statement failed; the message is what the job reports as `sql_error`."""


class QueryTimeout(SqlError):
    pass


class WriteNotAllowed(SqlError):
    pass


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = False  # more rows existed than the limit
    rows_affected: int = 0
    elapsed: float = 0.0
    statement: str = "SELECT"


# SQL run as written: without this, SQLAlchemy hands the driver an empty parameter list and PyMySQL
# (format paramstyle) then reads every `%` as a placeholder, so LIKE 'a%' or DATE_FORMAT(d, '%Y-%m')
# failed on MySQL/TiDB with a ValueError instead of running.
_AS_WRITTEN: dict[str, Any] = {"no_parameters": True}


def database_name(url: str) -> str:
    """The name a database is served under: a SQLite/DuckDB file's stem, else the URL's database."""
    u = make_url(url)
    if u.get_backend_name() in ("sqlite", "duckdb"):
        db = u.database or ""
        return Path(db).stem if db and db != ":memory:" else "main"
    return u.database or u.get_backend_name()


def redact_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


class Database:
    def __init__(self, url: str, *, name: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        u = make_url(url)
        self.backend = u.get_backend_name()
        fallback = "mysql" if "mysql" in self.backend else self.backend
        self.dialect = _SQLGLOT_DIALECTS.get(self.backend, fallback)
        self.name = name or database_name(url)
        self.timeout = timeout
        self._schema: SchemaInfo | None = None
        self._lock = threading.Lock()
        self._rw = self._make_engine(read_only=False)
        self._ro = self._make_engine(read_only=True) if self.backend == "sqlite" else self._rw

    def __repr__(self) -> str:
        return f"Database({redact_url(self.url)!r}, name={self.name!r})"

    def _make_engine(self, *, read_only: bool) -> Engine:
        u = make_url(self.url)
        if self.backend == "sqlite":
            path = u.database or ":memory:"
            if path != ":memory:" and not Path(path).exists():
                raise FileNotFoundError(f"SQLite database not found: {path}")
            mode = "ro" if read_only else "rw"
            target = f"file:{Path(path).resolve()}?mode={mode}" if path != ":memory:" else ":memory:"

            def connect() -> sqlite3.Connection:
                conn = sqlite3.connect(target, uri=target != ":memory:", check_same_thread=False)
                # bytes that are not UTF-8 must not crash a query: show them with replacement chars
                conn.text_factory = lambda b: b.decode("utf-8", errors="replace")
                return conn

            return create_engine("sqlite://", creator=connect, poolclass=NullPool)
        return create_engine(self.url, pool_pre_ping=True)

    def dispose(self) -> None:
        self._rw.dispose()
        if self._ro is not self._rw:
            self._ro.dispose()

    # -- introspection -------------------------------------------------------------------------

    def schema(self, *, refresh: bool = False) -> SchemaInfo:
        with self._lock:
            if self._schema is None or refresh:
                self._schema = self._introspect()
            return self._schema

    def _introspect(self) -> SchemaInfo:
        if self.backend == "duckdb":
            return self._introspect_duckdb()
        insp = inspect(self._ro)
        tables: list[TableInfo] = []
        for tname in sorted(insp.get_table_names()):
            pk = tuple(insp.get_pk_constraint(tname).get("constrained_columns") or ())
            cols = tuple(
                ColumnInfo(
                    name=c["name"],
                    type=str(c["type"]) if c.get("type") is not None else "",
                    nullable=bool(c.get("nullable", True)),
                    primary_key=c["name"] in pk,
                    default=None if c.get("default") is None else str(c.get("default")),
                )
                for c in insp.get_columns(tname)
            )
            fks = tuple(
                ForeignKey(
                    columns=tuple(fk["constrained_columns"]),
                    ref_table=fk["referred_table"],
                    ref_columns=tuple(fk["referred_columns"]),
                )
                for fk in insp.get_foreign_keys(tname)
                if fk.get("referred_table")
            )
            tables.append(TableInfo(name=tname, columns=cols, primary_key=pk, foreign_keys=fks))
        return SchemaInfo(database=self.name, dialect=self.dialect, tables=tuple(tables))

    def _introspect_duckdb(self) -> SchemaInfo:
        # SQLAlchemy's Postgres-style reflection asks DuckDB for REGCLASS and pg_collation, which it
        # lacks; its own catalog functions say everything we need.
        cols_rows, cons_rows = self.query_many(
            [
                "SELECT table_name, column_name, data_type, is_nullable, column_default "
                "FROM information_schema.columns WHERE table_schema = current_schema() "
                "ORDER BY table_name, ordinal_position",
                "SELECT table_name, constraint_type, constraint_column_names, referenced_table, "
                "referenced_column_names FROM duckdb_constraints() WHERE schema_name = current_schema()",
            ]
        )
        pks: dict[str, tuple[str, ...]] = {}
        fks: dict[str, list[ForeignKey]] = {}
        for table, kind, columns, ref_table, ref_columns in cons_rows:
            if kind == "PRIMARY KEY":
                pks[table] = tuple(columns)
            elif kind == "FOREIGN KEY" and ref_table:
                fks.setdefault(table, []).append(ForeignKey(tuple(columns), ref_table, tuple(ref_columns)))
        by_table: dict[str, list[ColumnInfo]] = {}
        for table, name, dtype, nullable, default in cols_rows:
            by_table.setdefault(table, []).append(
                ColumnInfo(
                    name=name,
                    type=str(dtype),
                    nullable=nullable == "YES",
                    primary_key=name in pks.get(table, ()),
                    default=None if default is None else str(default),
                )
            )
        tables = tuple(
            TableInfo(
                name=t,
                columns=tuple(cols),
                primary_key=pks.get(t, ()),
                foreign_keys=tuple(fks.get(t, ())),
            )
            for t, cols in sorted(by_table.items())
        )
        return SchemaInfo(database=self.name, dialect=self.dialect, tables=tables)

    def quote(self, identifier: str) -> str:
        return str(self._rw.dialect.identifier_preparer.quote(identifier))

    # -- execution -----------------------------------------------------------------------------

    def execute(
        self,
        sql: str,
        *,
        allow_write: bool = False,
        limit: int = ROW_LIMIT,
        timeout: float | None = None,
    ) -> QueryResult:
        """Run one untrusted statement. Raises SqlError (incl. WriteNotAllowed, QueryTimeout)."""
        try:
            stmt = sqlguard.check(sql, self.dialect, allow_write=allow_write)
        except sqlguard.SqlGuardError as e:
            cls = WriteNotAllowed if "not allowed" in str(e) else SqlError
            raise cls(str(e)) from None
        read_only = stmt.kind == "read"
        started = time.perf_counter()
        with self._connection(read_only=read_only, timeout=timeout or self.timeout) as conn:
            try:
                result = conn.exec_driver_sql(stmt.sql, execution_options=_AS_WRITTEN)
                if result.returns_rows:
                    columns = list(result.keys())
                    fetched = result.fetchmany(limit + 1)
                    rows = [tuple(r) for r in fetched[:limit]]
                    truncated = len(fetched) > limit
                    affected = 0
                else:
                    columns, rows, truncated = [], [], False
                    affected = max(result.rowcount or 0, 0)
                if read_only:
                    conn.rollback()
                else:
                    conn.commit()
            except DBAPIError as e:
                conn.rollback()
                raise self._sql_error(e) from None
        return QueryResult(
            columns=columns,
            rows=rows,
            truncated=truncated,
            rows_affected=affected,
            elapsed=time.perf_counter() - started,
            statement=stmt.statement,
        )

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run trusted read-only SQL written by the backend itself (profiling, value indexes)."""
        with self._connection(read_only=True, timeout=self.timeout) as conn:
            try:
                rows = [tuple(r) for r in conn.execute(text(sql), params or {}).fetchall()]
            except DBAPIError as e:
                raise self._sql_error(e) from None
            finally:
                conn.rollback()
        return rows

    def query_many(self, statements: Sequence[str]) -> list[list[tuple[Any, ...]]]:
        """Several trusted reads on one connection (cheaper than a connection per statement)."""
        out: list[list[tuple[Any, ...]]] = []
        with self._connection(read_only=True, timeout=self.timeout) as conn:
            try:
                for sql in statements:
                    out.append([tuple(r) for r in conn.exec_driver_sql(sql, execution_options=_AS_WRITTEN)])
            except DBAPIError as e:
                raise self._sql_error(e) from None
            finally:
                conn.rollback()
        return out

    @contextmanager
    def _connection(self, *, read_only: bool, timeout: float) -> Iterator[Connection]:
        engine = self._ro if read_only else self._rw
        try:
            conn = engine.connect()
        except SQLAlchemyError as e:
            raise SqlError(f"cannot connect to the database: {_first_line(e)}") from None
        timer: threading.Timer | None = None
        try:
            self._start_statement(conn, read_only=read_only, timeout=timeout)
            driver = conn.connection.driver_connection
            interrupt = getattr(driver, "interrupt", None)
            if callable(interrupt):
                # SQLite and DuckDB have no statement timeout; interrupting from a timer is the
                # documented way to stop a running statement from another thread.
                timer = threading.Timer(timeout, interrupt)
                timer.daemon = True
                timer.start()
            yield conn
        finally:
            if timer is not None:
                timer.cancel()
            conn.close()

    def _start_statement(self, conn: Connection, *, read_only: bool, timeout: float) -> None:
        ms = int(timeout * 1000)
        if self.backend == "postgresql":
            conn.exec_driver_sql(f"SET statement_timeout = {ms}")
            if read_only:
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        elif self.backend in ("mysql", "mariadb"):
            settings = (
                f"SET SESSION max_execution_time = {ms}",
                f"SET SESSION max_statement_time = {timeout:g}",
            )
            for setting in settings:
                try:
                    conn.exec_driver_sql(setting)
                except DBAPIError:
                    conn.rollback()  # MySQL/TiDB know the first, MariaDB the second
            if read_only:
                conn.exec_driver_sql("START TRANSACTION READ ONLY")

    @staticmethod
    def _sql_error(e: DBAPIError) -> SqlError:
        msg = _first_line(e.orig) if e.orig is not None else _first_line(e)
        if "interrupt" in msg.lower() or "timeout" in msg.lower() or "max_execution_time" in msg.lower():
            return QueryTimeout(f"statement timed out: {msg}")
        if "readonly" in msg.lower() or "read-only" in msg.lower() or "read only" in msg.lower():
            return WriteNotAllowed(msg)
        return SqlError(msg)


def _first_line(e: BaseException) -> str:
    text_ = str(e).strip()
    return text_.splitlines()[0] if text_ else type(e).__name__
