from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
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
from tests.local.databases import DIALECT, FOREVER, mariadb_database, on_both

CUSTOMERS = ", ".join(f"({i}, 'c{i}')" for i in range(1, 1501))
MARIADB_SHOP = (
    "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL)",
    "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, total DOUBLE, "
    "FOREIGN KEY (customer_id) REFERENCES customers (id))",
    f"INSERT INTO customers VALUES {CUSTOMERS}",
    "INSERT INTO customers VALUES (9999, 'c9999')",  # utf8mb4 columns refuse the bytes SQLite keeps
)


@pytest.fixture
def db(tmp_path: Path, db_kind: str) -> Iterator[Database]:
    """customers (1,501 rows) and orders, on SQLite or (`on_both`) on MariaDB."""
    with contextlib.ExitStack() as stack:
        if db_kind == "mariadb":
            url = stack.enter_context(mariadb_database(MARIADB_SHOP))
        else:
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
                c.execute(f"INSERT INTO customers VALUES {CUSTOMERS}")
                c.execute("INSERT INTO customers VALUES (9999, CAST(X'FF61' AS TEXT))")
            url = f"sqlite:///{path}"
        database = Database(url)
        stack.callback(database.dispose)
        yield database


@on_both
def test_introspection(db: Database, db_kind: str) -> None:
    schema = db.schema()
    assert schema.database == "shop" and schema.dialect == DIALECT[db_kind]
    orders = schema.table("orders")
    assert orders is not None
    assert orders.primary_key == ("id",)
    assert orders.foreign_keys[0].ref_table == "customers"


@on_both
def test_row_limit_and_truncation(db: Database) -> None:
    r = db.execute("SELECT id FROM customers")
    assert len(r.rows) == 1000 and r.truncated
    r = db.execute("SELECT id FROM customers WHERE id <= 3 ORDER BY id")
    assert r.rows == [(1,), (2,), (3,)] and not r.truncated


@on_both
def test_writes_refused_without_write_role_and_data_unchanged(db: Database) -> None:
    for sql in ["DELETE FROM customers", "DROP TABLE customers", "SELECT 1; DROP TABLE customers",
                "UPDATE customers SET name = 'x'", "INSERT INTO customers VALUES (1, 'x')"]:
        with pytest.raises(SqlError):
            db.execute(sql)
    assert db.execute("SELECT COUNT(*) FROM customers").rows == [(1501,)]


@on_both
def test_write_allowed_with_write_role(db: Database) -> None:
    r = db.execute("DELETE FROM customers WHERE id = 1", allow_write=True)
    assert r.rows_affected == 1 and r.statement == "DELETE"
    assert db.execute("SELECT COUNT(*) FROM customers").rows == [(1500,)]


@on_both
def test_read_only_connection_stops_writes_the_guard_missed(db: Database) -> None:
    # trusted reads go through the read-only connection: even a write slipped in there fails
    with pytest.raises(SqlError):
        db.query("DELETE FROM customers")
    assert db.execute("SELECT COUNT(*) FROM customers").rows == [(1501,)]


@on_both
def test_percent_signs_are_sql_not_driver_placeholders(db: Database) -> None:
    # PyMySQL formats the statement with `%` when handed a (even empty) parameter list: a LIKE
    # pattern or DATE_FORMAT(d, '%Y-%m') must reach the server as written
    like = "SELECT COUNT(*) AS n FROM customers WHERE name LIKE 'c100%'"
    assert db.execute(like).rows == [(11,)]  # c100, c1000 to c1009
    assert db.query_many([like, "SELECT '%s %d %%' AS s"]) == [[(11,)], [("%s %d %%",)]]
    assert db.query(like) == [(11,)]


@on_both
def test_timeout(db: Database, db_kind: str) -> None:
    with pytest.raises(QueryTimeout, match="timed out"):
        db.execute(FOREVER[db_kind], timeout=0.3)
    assert db.execute("SELECT COUNT(*) FROM customers").rows == [(1501,)]  # usable after it


@on_both
def test_sql_errors_are_one_line(db: Database, db_kind: str) -> None:
    with pytest.raises(SqlError) as e:
        db.execute("SELECT nope FROM customers")
    if db_kind == "sqlite":
        assert str(e.value) == "no such column: nope"
    else:
        assert "Unknown column 'nope'" in str(e.value) and "\n" not in str(e.value)


def test_non_utf8_text_does_not_crash(db: Database) -> None:
    [(name,)] = db.execute("SELECT name FROM customers WHERE id = 9999").rows
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
