"""The embedded backend on a real MySQL-compatible server (MariaDB, the dialect family of TiDB).

`.ci/mariadb.sh` installs and starts MariaDB on 127.0.0.1 and loads the sp500insight sample; run it as
`eval "$(bash .ci/mariadb.sh)"` to set C2Q_TEST_MYSQL_URL. Without it these tests skip, saying why.

What they prove on the SQLAlchemy + PyMySQL path: introspection (tables, keys, foreign keys), guarded
execution (one statement; writes refused for read-only keys by the SQL guard *and* by a READ ONLY
transaction on the server), the statement timeout, Unicode and NULLs round-tripping, and the whole
backend answering questions over HTTP (client, jobs, data summary, roles), with the data unchanged.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from c2q_tui.api import EMBEDDED_PACE, Chat2QueryClient, wait_for_job
from c2q_tui.local.app import create_app
from c2q_tui.local.database import Database, QueryTimeout, SqlError, WriteNotAllowed
from c2q_tui.local.engines import create_engine as create_nl_engine
from c2q_tui.local.engines.base import Answer, Breakdown, EngineContext, Mode, Refinement
from c2q_tui.local.settings import KeySpec, LocalSettings

URL = os.environ.get("C2Q_TEST_MYSQL_URL", "")
WHY = os.environ.get("C2Q_TEST_MYSQL_SKIP") or (
    'C2Q_TEST_MYSQL_URL is not set; start MariaDB with: eval "$(bash .ci/mariadb.sh)"'
)
pytestmark = pytest.mark.skipif(not URL, reason=WHY)

PREFIX = "/api/v1beta/app/chat2query-local/endpoint"
WRITE_QUESTION = "wipe the users table"


def _scratch_url() -> str:
    return make_url(URL).set(database="c2q_scratch").render_as_string(hide_password=False)


@pytest.fixture
def db() -> Iterator[Database]:
    database = Database(URL, timeout=5)
    try:
        yield database
    finally:
        database.dispose()


def _counts() -> dict[str, int]:
    engine = create_engine(URL)
    try:
        with engine.connect() as conn:
            tables = [r[0] for r in conn.execute(text("SHOW TABLES"))]
            return {t: int(conn.execute(text(f"SELECT COUNT(*) FROM `{t}`")).scalar_one()) for t in tables}
    finally:
        engine.dispose()


def test_introspection_on_the_mysql_dialect(db: Database) -> None:
    schema = db.schema()
    assert db.dialect == "mysql" and schema.database == "sp500insight"
    names = set(schema.table_names)
    assert {"companies", "users", "indexes", "index_compositions", "stock_quote_histories"} <= names
    tables = {t.name: t for t in schema.tables}
    assert tables["companies"].primary_key == ("stock_symbol",)
    assert set(tables["index_compositions"].primary_key) == {"index_symbol", "stock_symbol"}
    refs = {fk.ref_table for fk in tables["index_compositions"].foreign_keys}
    assert refs == {"indexes", "companies"}
    assert db.quote("order") == "`order`"


def test_reads_run_and_writes_are_refused_twice_over(db: Database) -> None:
    before = _counts()
    result = db.execute("SELECT COUNT(*) AS n FROM companies")
    assert result.columns == ["n"] and result.rows == [(before["companies"],)]
    for sql in (
        "DELETE FROM users",
        "'; DROP TABLE companies; --",
        "SELECT 1; DROP TABLE companies",
        "UPDATE users SET username = 'x'",
        "CREATE TABLE evil (id INT)",
    ):
        with pytest.raises(SqlError):
            db.execute(sql)
    with pytest.raises(WriteNotAllowed):
        db.execute("DELETE FROM users")
    # below the guard, the server itself refuses writes on the read-only connection
    with db._connection(read_only=True, timeout=5) as conn, pytest.raises(DBAPIError, match=r"(?i)read.only"):
        conn.exec_driver_sql("UPDATE users SET username = username")
    assert _counts() == before


def test_the_statement_timeout_stops_a_slow_query() -> None:
    slow = Database(URL, timeout=0.5)
    try:
        with pytest.raises(QueryTimeout):
            slow.execute("SELECT SLEEP(3) AS s FROM companies LIMIT 1")
        assert slow.execute("SELECT 1 AS one").rows == [(1,)]  # the connection is usable again
    finally:
        slow.dispose()


def test_unicode_nulls_wide_rows_and_huge_cells_round_trip() -> None:
    url = _scratch_url()
    engine = create_engine(url)
    cols = ", ".join(f"c{i:03d} INT NULL" for i in range(100))
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS odd"))
            conn.execute(
                text(f"CREATE TABLE odd (id INT PRIMARY KEY, label TEXT NULL, big LONGTEXT NULL, {cols})")
            )
            conn.execute(
                text("INSERT INTO odd (id, label, big) VALUES (1, :a, NULL), (2, :b, :big), (3, NULL, NULL)"),
                {"a": "中文 شركة 🙂", "b": "'; DROP TABLE odd; --", "big": "y" * (1024 * 1024)},
            )
        db = Database(url)
        try:
            result = db.execute("SELECT * FROM odd ORDER BY id")
            assert len(result.columns) == 103
            assert result.rows[0][1] == "中文 شركة 🙂" and result.rows[1][1] == "'; DROP TABLE odd; --"
            assert len(result.rows[1][2]) == 1024 * 1024
            assert all(v is None for v in result.rows[2][1:])
        finally:
            db.dispose()
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS odd"))
        engine.dispose()


class WritingEngine:
    """The built-in engine, except for one question it answers with a DELETE (to test the roles)."""

    name = "writing"

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def answer(self, question: str, ctx: EngineContext, mode: Mode) -> Answer | Breakdown:
        if question == WRITE_QUESTION:
            return Answer(sql="DELETE FROM users", clarified_task="Delete every user")
        result: Answer | Breakdown = self.inner.answer(question, ctx, mode)
        return result

    def refine(self, sql: str, feedback: str, ctx: EngineContext) -> Refinement:
        refined: Refinement = self.inner.refine(sql, feedback, ctx)
        return refined

    def suggest(self, ctx: EngineContext, limit: int = 5) -> list[str]:
        suggested: list[str] = self.inner.suggest(ctx, limit)
        return suggested


@pytest.fixture
async def backend(tmp_path: Path) -> AsyncIterator[tuple[Any, dict[str, Chat2QueryClient]]]:
    settings = LocalSettings(
        database_urls=[URL],
        state_dir=tmp_path / "state",
        keys=[
            KeySpec(public_key="ADMIN", private_key=SecretStr("admin-secret")),
            KeySpec(public_key="READER", private_key=SecretStr("reader-secret"), role="readonly"),
        ],
    )
    app = create_app(settings, engine=WritingEngine(create_nl_engine("builtin", settings)))
    clients = {
        role: Chat2QueryClient(
            f"http://c2q-mysql{PREFIX}",
            public_key=public,
            private_key=private,
            transport=httpx.ASGITransport(app=app),
            pace=EMBEDDED_PACE,
        )
        for role, public, private in (
            ("admin", "ADMIN", "admin-secret"),
            ("readonly", "READER", "reader-secret"),
        )
    }
    try:
        yield app, clients
    finally:
        for client in clients.values():
            await client.aclose()
        await app.state.backend.aclose()


async def test_the_backend_answers_over_mysql_and_enforces_read_only(
    backend: tuple[Any, dict[str, Chat2QueryClient]],
) -> None:
    app, clients = backend
    cluster = app.state.backend.cluster_id
    admin, reader = clients["admin"], clients["readonly"]
    before = _counts()
    summary = await admin.create_data_summary(cluster, "sp500insight", description="sample on MariaDB")
    assert (await wait_for_job(admin, summary.job_id, deadline=120)).ok

    asked = await reader.chat2data(
        "how many companies are there", cluster_id=cluster, database="sp500insight"
    )
    outcome = await wait_for_job(reader, asked.job_id, deadline=60)
    assert outcome.ok, outcome.reason
    result = outcome.job.result
    assert result["sql_error"] is None, result["sql_error"]
    assert result["data"]["rows"] == [[str(before["companies"])]]

    for question in ("'; DROP TABLE companies; --", "how many companies are there'; DROP TABLE users; --"):
        job = await reader.chat2data(question, cluster_id=cluster, database="sp500insight")
        done = await wait_for_job(reader, job.job_id, deadline=60)
        assert done.status in ("done", "failed")

    # a DELETE from the engine under a read-only key: the job is done with sql_error, nothing deleted
    job = await reader.chat2data(WRITE_QUESTION, cluster_id=cluster, database="sp500insight")
    done = await wait_for_job(reader, job.job_id, deadline=60)
    assert done.ok and done.job.result["sql"] == "DELETE FROM users"
    assert "not allowed" in done.job.result["sql_error"]
    assert _counts() == before


def test_ask_on_mysql_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from c2q_tui.cli import main

    code = main(["--database-url", URL, "ask", "how many companies are there", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    answer = json.loads(out)
    assert answer["status"] == "done" and answer["rows"] == [[str(_counts()["companies"])]]
    assert make_url(URL).password not in out + err
