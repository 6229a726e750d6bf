"""The databases the embedded backend's tests run on: SQLite, and the same tables on MariaDB.

Tests about the database (queries, read-only enforcement, introspection, data summaries, jobs running
SQL) take the `db_kind` fixture (SQLite by default) and are marked `@on_both` to run on MariaDB as
well, through SQLAlchemy and PyMySQL, the path a TiDB (MySQL dialect) database takes. The server comes
from `.ci/mariadb.sh` (`eval "$(bash .ci/mariadb.sh)"` sets C2Q_TEST_MYSQL_URL); without it, or when
it does not answer, the MariaDB cases skip and say why. The tests load their tables into its `shop`
database (dropping whatever an earlier test left there), so one server serves every test in turn.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

MYSQL_URL = os.environ.get("C2Q_TEST_MYSQL_URL", "")
NO_MYSQL = os.environ.get("C2Q_TEST_MYSQL_SKIP") or (
    'MariaDB tests skipped: C2Q_TEST_MYSQL_URL is not set; start a server with: eval "$(bash .ci/mariadb.sh)"'
)
KINDS = ("sqlite", "mariadb")
DIALECT = {"sqlite": "sqlite", "mariadb": "mysql"}

on_both = pytest.mark.parametrize("db_kind", KINDS)

# a query that runs until the statement timeout stops it
FOREVER = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c",
    # MariaDB ends a recursive CTE after max_recursive_iterations (1000), quickly and without an error
    "mariadb": "SELECT SLEEP(30) AS s",
}


@functools.cache
def _unreachable() -> str | None:
    """Why the server cannot be used (asked once per run), or None."""
    engine = create_engine(MYSQL_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # any driver error means the same to the tests: no server to run on
        return f"MariaDB tests skipped: the server at C2Q_TEST_MYSQL_URL does not answer ({type(e).__name__})"
    finally:
        engine.dispose()
    return None


def mariadb_url(database: str = "shop") -> str:
    """The server's URL for `database`; skips the test (saying why) when there is no usable server."""
    if not MYSQL_URL:
        pytest.skip(NO_MYSQL)
    why = _unreachable()
    if why:
        pytest.skip(why)
    return make_url(MYSQL_URL).set(database=database).render_as_string(hide_password=False)


@contextlib.contextmanager
def mariadb_database(statements: Iterable[str], database: str = "shop") -> Iterator[str]:
    """`database` on the server, emptied and loaded with `statements` (DDL and inserts): its URL.

    Held under a server-side lock until the test ends, so two test runs sharing one server (two
    checkouts, say) take turns instead of dropping each other's tables."""
    url = mariadb_url(database)
    locker = create_engine(url)
    try:
        with locker.connect() as lock:
            got = lock.execute(text("SELECT GET_LOCK(:name, 300)"), {"name": f"c2q-tests-{database}"})
            if got.scalar_one() != 1:
                pytest.skip(f"MariaDB tests skipped: the {database!r} database stayed busy for 5 minutes")
            try:
                yield _load(url, statements, database)
            finally:
                lock.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": f"c2q-tests-{database}"})
    finally:
        locker.dispose()


def _load(url: str, statements: Iterable[str], database: str) -> str:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET FOREIGN_KEY_CHECKS = 0"))  # drop in any order
            for name, kind in conn.execute(text("SHOW FULL TABLES")).all():
                conn.execute(text(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} `{name}`"))
            conn.execute(text("SET FOREIGN_KEY_CHECKS = 1"))
            for statement in statements:
                conn.execute(text(statement))
    except Exception as e:
        if "denied" in str(e).lower():
            why = f"MariaDB tests skipped: no access to the {database!r} database; rerun .ci/mariadb.sh"
            pytest.skip(why)
        raise
    finally:
        engine.dispose()
    return url


def count_rows(url: str, table: str) -> int:
    """Rows in `table`, read outside the backend (any dialect)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()
