from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from c2q_tui.local.database import (
    Database,
    QueryTimeout,
    SqlError,
    WriteNotAllowed,
    database_name,
    redact_url,
)
from c2q_tui.local.sqlguard import SqlGuardError, check, classify


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as c:
        c.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE orders (
                id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total REAL
            );
            """
        )
        c.executemany("INSERT INTO customers VALUES (?, ?)", [(i, f"c{i}") for i in range(1, 1501)])
        c.execute("INSERT INTO customers VALUES (9999, CAST(X'FF61' AS TEXT))")
    return Database(f"sqlite:///{path}")


def test_introspection(sqlite_db: Database) -> None:
    schema = sqlite_db.schema()
    assert schema.database == "shop" and schema.dialect == "sqlite"
    orders = schema.table("orders")
    assert orders is not None
    assert orders.primary_key == ("id",)
    assert orders.foreign_keys[0].ref_table == "customers"


def test_row_limit_and_truncation(sqlite_db: Database) -> None:
    r = sqlite_db.execute("SELECT id FROM customers")
    assert len(r.rows) == 1000 and r.truncated
    r = sqlite_db.execute("SELECT id FROM customers WHERE id <= 3 ORDER BY id")
    assert r.rows == [(1,), (2,), (3,)] and not r.truncated


def test_writes_refused_without_write_role_and_data_unchanged(sqlite_db: Database) -> None:
    for sql in ["DELETE FROM customers", "DROP TABLE customers", "SELECT 1; DROP TABLE customers",
                "UPDATE customers SET name = 'x'", "INSERT INTO customers VALUES (1, 'x')"]:
        with pytest.raises(SqlError):
            sqlite_db.execute(sql)
    assert sqlite_db.execute("SELECT COUNT(*) FROM customers").rows == [(1501,)]


def test_write_allowed_with_write_role(sqlite_db: Database) -> None:
    r = sqlite_db.execute("DELETE FROM customers WHERE id = 1", allow_write=True)
    assert r.rows_affected == 1 and r.statement == "DELETE"
    assert sqlite_db.execute("SELECT COUNT(*) FROM customers").rows == [(1500,)]


def test_read_only_connection_stops_writes_the_guard_missed(sqlite_db: Database) -> None:
    # trusted reads go through the read-only connection: even a write slipped in there fails
    with pytest.raises(SqlError):
        sqlite_db.query("DELETE FROM customers")
    assert sqlite_db.execute("SELECT COUNT(*) FROM customers").rows == [(1501,)]


def test_timeout(sqlite_db: Database) -> None:
    forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c"
    with pytest.raises(QueryTimeout, match="timed out"):
        sqlite_db.execute(forever, timeout=0.3)


def test_sql_errors_are_one_line(sqlite_db: Database) -> None:
    with pytest.raises(SqlError) as e:
        sqlite_db.execute("SELECT nope FROM customers")
    assert str(e.value) == "no such column: nope"


def test_non_utf8_text_does_not_crash(sqlite_db: Database) -> None:
    [(name,)] = sqlite_db.execute("SELECT name FROM customers WHERE id = 9999").rows
    assert name.endswith("a") and "\ufffd" in name


def test_names_and_redaction() -> None:
    assert database_name("sqlite:////data/sp500insight.sqlite3") == "sp500insight"
    assert database_name("mysql+pymysql://u:p@h:4000/shop") == "shop"
    assert "secret" not in redact_url("mysql+pymysql://u:secret@h/shop")
    with pytest.raises(FileNotFoundError):
        Database("sqlite:////nonexistent/x.db")


def test_duckdb(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "w.duckdb"
    c = duckdb.connect(str(path))
    c.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, name VARCHAR)")
    c.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id), v DOUBLE)")
    c.execute("INSERT INTO a VALUES (1, 'x'), (2, 'y')")
    c.close()
    db = Database(f"duckdb:///{path}")
    b = db.schema().table("b")
    assert b is not None and b.foreign_keys[0].ref_table == "a" and b.primary_key == ("id",)
    assert db.execute("SELECT name FROM a ORDER BY id").rows == [("x",), ("y",)]
    with pytest.raises(WriteNotAllowed):
        db.execute("DELETE FROM a")
    db.dispose()


def test_guard_classification() -> None:
    assert classify("select 1;", "sqlite").kind == "read"
    assert classify("WITH x AS (SELECT 1) SELECT * FROM x", "sqlite").kind == "read"
    assert classify("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "postgres").statement == "DELETE"
    assert classify("SELECT * INTO t2 FROM t", "postgres").kind == "write"
    assert classify("PRAGMA writable_schema = 1", "sqlite").kind == "write"
    with pytest.raises(SqlGuardError, match="one SQL statement"):
        classify("SELECT 1; SELECT 2", "sqlite")
    with pytest.raises(SqlGuardError, match="empty"):
        classify("  ;  ", "sqlite")
    with pytest.raises(SqlGuardError, match="could not parse"):
        classify("'; DROP TABLE companies; --", "sqlite")
    with pytest.raises(SqlGuardError, match="read-only key"):
        check("DELETE FROM t", "mysql", allow_write=False)
