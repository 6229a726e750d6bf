"""Explain, optimize and convert the SQL in the viewer, on every kind of profile: embedded (offline, with
the database's plan), TiDB Cloud (offline, no request spent), an OpenAI-compatible model and Chat2DB
(scripted servers over real HTTP), and a picture of the panel. The panel's own behaviour (streaming,
cancelling, errors, keys) is in test_issue9_assist_panel.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from c2q_tui import paths
from c2q_tui.api import DurationPrior, PollPace
from c2q_tui.config import Profile, Resolved
from c2q_tui.connection import Connection
from c2q_tui.tui.app import C2QApp
from c2q_tui.tui.messages import AssistChunkArrived, AssistFailed, AssistFinished
from c2q_tui.tui.screens.dialect_picker import DialectPicker
from c2q_tui.tui.widgets.assist_panel import AssistPanel
from tests.local.chat2db_stub_server import ScriptedChat2DB, answer
from tests.local.openai_stub_server import Reply, ScriptedLLM
from tests.tui.conftest import FROZEN, LocalBackend, Seen, ask, make_app, no_blink, wait_for, wait_ready
from tests.tui.test_snapshots_main import SIZE, FixedLedger, scenario

QUESTION = "top 5 companies by revenue"
KEY = "sk-issue9-0123456789abcdef"
CONVERTED = "SELECT name, revenue FROM companies ORDER BY revenue DESC NULLS LAST LIMIT 5"


class Counting(httpx.AsyncBaseTransport):
    """Counts every request the app sends to the (embedded) service."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        return await self.inner.handle_async_request(request)


def counted(backend: LocalBackend) -> Counting:
    counter = Counting(backend.transport)
    backend.transport = counter  # type: ignore[assignment]
    return counter


def local_app(backend: LocalBackend, profile: Profile) -> C2QApp:
    resolved = Resolved(profile=profile, sources={}, config_path=paths.config_file(), config_exists=False)
    return C2QApp(resolved, connector=backend.connector, live=False)


def cloud_app(backend: LocalBackend) -> C2QApp:
    """A TiDB Cloud profile; the embedded backend plays the service (no local database connection)."""
    profile = Profile(
        name="cloud", kind="tidbcloud", region="us-east-1", app_id="chat2query-x", public_key="PUB",
        private_key="secret", cluster_id="1", database="sp500insight",
    )  # fmt: skip

    def connector(p: Profile, **kw: Any) -> Connection:
        conn = backend.connector(p, **kw)
        conn.local = False
        return conn

    resolved = Resolved(profile=profile, sources={}, config_path=paths.config_file(), config_exists=False)
    return C2QApp(resolved, connector=connector, live=False)


def panel(app: C2QApp) -> AssistPanel:
    return app.main.assist


async def finished(pilot: Pilot[Any]) -> AssistPanel:
    app = pilot.app
    assert isinstance(app, C2QApp)
    await wait_for(pilot, lambda: panel(app).display and not panel(app).running)
    await pilot.pause()
    return panel(app)


async def convert_to(pilot: Pilot[Any], name: str, key: str = "alt+t") -> AssistPanel:
    app = pilot.app
    assert isinstance(app, C2QApp)
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, DialectPicker))
    options = app.screen.query_one(OptionList)
    options.highlighted = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == name
    )
    await pilot.press("enter")
    return await finished(pilot)


# -- embedded profile: offline, with the database's plan ----------------------------------------------


async def test_embedded_profile_explains_optimizes_and_converts_offline(backend_factory: Any) -> None:
    backend = backend_factory()
    counter = counted(backend)
    seen = Seen()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await ask(pilot, QUESTION)
        await app.workers.wait_for_complete()
        before = counter.count

        app.main.chat.composer.focus()
        await pilot.press("alt+x")  # from the question box too: the key is not typed into it
        p = await finished(pilot)
        assert app.main.chat.composer.text == ""
        assert p.border_title == "Explain SQL" and p.border_subtitle == "offline (sqlglot)"
        assert p.text.startswith("This query reads from companies") and "at most 5 rows" in p.text
        assert p.status_text == "Done offline (sqlglot): no API request spent."
        assert p.sql is None and not p.query_one("#assist-use").display

        await pilot.press("alt+o")
        p = await finished(pilot)
        assert p.border_title == "Optimize SQL"
        assert "Plan (SQLite EXPLAIN QUERY PLAN)" in p.text  # the sample database's own plan

        p = await convert_to(pilot, "postgres")
        assert p.border_title == "Convert to PostgreSQL"
        assert p.sql is not None and p.sql.startswith("SELECT") and "LIMIT 5" in p.sql
        assert p.query_one("#assist-use").display and p.query_one("#assist-body").scroll_y == 0
        assert app.assist_target == "postgres"

        # "use": the converted SQL goes to the viewer as a diff, ready to run or copy
        p.query_one("#assist-body").focus()
        await pilot.press("u")
        await pilot.pause()
        assert app.main.sql.mode == "diff" and app.main.sql.current_sql == p.sql
        assert app.main.refine.display and app.main.refine.new_sql == p.sql

        assert counter.count == before  # not one request to the service
        assert [type(m).__name__ for m in seen.of(AssistFailed)] == []
        assert len(seen.of(AssistFinished)) == 3


async def test_viewer_keys_and_copy(backend_factory: Any) -> None:
    backend = backend_factory()
    app = make_app(connector=backend.connector)
    copied: list[str] = []
    app.copy_text = lambda text, what=None: copied.append(text)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await ask(pilot, QUESTION)
        app.main.sql.focus()
        await pilot.press("x")
        p = await finished(pilot)
        assert p.border_title == "Explain SQL" and p.has_focus_within
        await pilot.press("c")  # no SQL in an explanation: the whole answer is copied
        assert copied == [p.shown_text]
        app.main.sql.focus()
        p = await convert_to(pilot, "duckdb", key="t")
        await pilot.press("c")
        assert copied[-1] == p.sql
        await pilot.press("escape")  # a finished answer: escape closes the panel
        assert not p.display and app.main.sql.has_focus


async def test_no_sql_in_the_viewer_is_a_clear_notice(backend_factory: Any) -> None:
    backend = backend_factory()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await pilot.press("alt+x")
        await pilot.press("alt+t")
        await pilot.pause()
        assert not panel(app).display and not isinstance(app.screen, DialectPicker)
        notes = [n.message for n in app._notifications]
        assert notes.count("There is no SQL in the SQL viewer: select an answer that has SQL first.") == 2


# -- TiDB Cloud: offline, and no request spent --------------------------------------------------------


async def test_tidbcloud_profile_spends_no_request(backend_factory: Any) -> None:
    backend = backend_factory()
    counter = counted(backend)
    app = cloud_app(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.ready and app.state.current is not None)
        await ask(pilot, QUESTION)
        await app.workers.wait_for_complete()
        conn = app.conn
        assert conn is not None and not conn.local and conn.client.ledger is not None
        requests, used = counter.count, conn.client.ledger.used_today(conn.client.app_key)
        assert requests > 0 and used > 0

        await pilot.press("alt+x")
        p = await finished(pilot)
        assert p.text.startswith("This query reads from companies")
        assert "no API request spent" in p.status_text
        await pilot.press("alt+o")
        p = await finished(pilot)
        assert p.error == "" and "Plan (" not in p.text  # no database connection: no plan
        p = await convert_to(pilot, "sqlite")
        assert p.border_title == "Convert to SQLite" and p.sql is not None

        assert counter.count == requests
        assert conn.client.ledger.used_today(conn.client.app_key) == used


# -- an OpenAI-compatible model --------------------------------------------------------------------------


async def test_openai_profile_asks_the_model_for_each_action(
    backend_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("C2Q_TEST_LLM_KEY", KEY)
    llm = ScriptedLLM(
        "It lists the five companies with the highest revenue.",
        "- Create an index on companies(revenue).",
        f"```sql\n{CONVERTED}\n```\nSame result.",
        Reply(status=500, body={"error": {"message": f"bad key {KEY}"}}),
    )
    backend = backend_factory()
    with llm.serve() as base_url:
        profile = Profile(
            name="llm", engine="openai", llm_base_url=base_url, llm_model="test-model",
            llm_api_key_env="C2Q_TEST_LLM_KEY",
        )  # fmt: skip
        app = local_app(backend, profile)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await ask(pilot, QUESTION)
            await pilot.press("alt+x")
            p = await finished(pilot)
            assert p.border_subtitle == "test-model (OpenAI-compatible)"
            assert p.text == "It lists the five companies with the highest revenue."
            assert p.status_text == "Done."
            await pilot.press("alt+o")
            p = await finished(pilot)
            assert p.text == "- Create an index on companies(revenue)."
            p = await convert_to(pilot, "postgres")
            assert p.sql == CONVERTED
            assert "```" not in p.shown_text and p.shown_text.endswith("Same result.")
            await pilot.press("alt+x")
            p = await finished(pilot)
            assert p.error.startswith("Failed: the language model at http://127.0.0.1:")
            assert "HTTP 500: bad key ***" in p.error and KEY not in p.status_text
    prompts = [r.messages[0]["content"] for r in llm.requests]
    assert [r.headers["authorization"] for r in llm.requests] == [f"Bearer {KEY}"] * 4
    assert "Explain what this SQLite query does" in prompts[0]
    assert "Suggest concrete optimizations for this SQLite query" in prompts[1]
    assert "Plan (SQLite EXPLAIN QUERY PLAN)" in llm.requests[1].messages[1]["content"]  # grounded
    assert "Convert this SQLite query to PostgreSQL" in prompts[2]


# -- Chat2DB, streamed -------------------------------------------------------------------------------------


async def test_chat2db_profile_streams_each_action(
    backend_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("C2Q_TEST_C2DB_KEY", KEY)
    explained = "This query ranks companies by revenue and keeps the top five."
    stub = ScriptedChat2DB(
        answer(explained, pieces=5),
        answer("Add an index on companies(revenue) so the sort can stop after five rows.", pieces=3),
        answer("SELECT TOP 5 name, revenue FROM companies ORDER BY revenue DESC", pieces=4),
        api_key=KEY,
    )
    backend = backend_factory()
    seen = Seen()
    with stub.serve() as base:
        profile = Profile(
            name="c2db", engine="chat2db", chat2db_api_base=base, chat2db_api_key_env="C2Q_TEST_C2DB_KEY"
        )
        app = local_app(backend, profile)
        async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
            await wait_ready(pilot)
            await ask(pilot, QUESTION)
            await pilot.press("alt+x")
            p = await finished(pilot)
            assert p.border_subtitle == "Chat2DB" and p.text == explained
            assert len(seen.of(AssistChunkArrived)) == 5  # one message per chunk, as they arrived
            await pilot.press("alt+o")
            p = await finished(pilot)
            assert p.text.startswith("Add an index on companies(revenue)")
            p = await convert_to(pilot, "tsql")
            assert p.border_title == "Convert to SQL Server"
            assert p.sql == "SELECT TOP 5 name, revenue FROM companies ORDER BY revenue DESC"
    prompts = [c.body for c in stub.calls("prompt_a")]
    assert [b["questionType"] for b in prompts] == ["SQL_EXPLAIN", "SQL_OPTIMIZER", "SQL_2_SQL"]
    assert prompts[2]["destSqlType"] == "SQLSERVER" and prompts[0]["databaseType"] == "SQLITE"
    assert prompts[0]["tableSchemas"] and "CREATE TABLE companies" in prompts[0]["tableSchemas"][0]


async def test_chat2db_without_a_key_says_which_variable(backend_factory: Any) -> None:
    backend = backend_factory()
    profile = Profile(
        name="c2db",
        engine="chat2db",
        chat2db_api_base="http://127.0.0.1:9",
        chat2db_api_key_env="C2Q_TEST_NO_KEY",
    )
    app = local_app(backend, profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await ask(pilot, QUESTION)
        await pilot.press("alt+x")
        p = await finished(pilot)
        assert "set the environment variable C2Q_TEST_NO_KEY" in p.error and p.error.startswith("Failed: ")


# -- a picture of the panel ------------------------------------------------------------------------------


@pytest.fixture
def snap_app(backend_factory: Any) -> C2QApp:
    backend: LocalBackend = backend_factory()
    backend.ledger = FixedLedger
    backend.pace = PollPace(min_interval=0.05, default_prior=DurationPrior(1.0, 0.05, 2.0))
    return make_app(connector=backend.connector, clock=lambda: FROZEN)


def test_explain_panel_snapshot(snap_compare: Any, snap_app: C2QApp) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, C2QApp)
        await ask(pilot, QUESTION)
        await pilot.press("alt+x")
        await finished(pilot)
        no_blink(app)

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=scenario(steps))
