"""Sessions: new, switch, rename, reset, delete, filter, and the running indicator."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from c2q_tui.history import History
from c2q_tui.tui.messages import SessionRenamed, SessionReset, SessionSelected
from c2q_tui.tui.screens.dialogs import Confirm, TextPrompt
from tests.tui.conftest import Seen, ask, make_app, wait_for, wait_ready


def titles(app: Any) -> list[str]:
    return [e.title for e in app.main.sidebar.entries]


async def test_new_session_starts_a_new_conversation(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        first = await ask(pilot, "how many companies are there")
        await pilot.press("ctrl+n")
        assert app.state.current is not None and app.state.current < 0  # a draft until asked
        assert app.main.chat.card(first) is None  # the chat shows the new, empty session
        second = await ask(pilot, "average revenue per sector")
        s1, s2 = app.state.turns[first].session_id, app.state.turns[second].session_id
        assert s1 > 0 and s2 > 0 and s1 != s2
        assert titles(app) == ["average revenue per sector", "how many companies are there"]
        # switching back shows the first session's answer
        app.main.sidebar.options.highlighted = 1
        app.main.sidebar.options.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.state.current == s1 and app.main.chat.card(first) is not None)
        assert seen.of(SessionSelected)[-1].session_id == s1
        assert {s.session_id for s in History().sessions("sample")} == {s1, s2}


async def test_rename_reaches_history_and_the_server(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        turn = await ask(pilot, "how many companies are there")
        sid = app.state.turns[turn].session_id
        await pilot.press("f6")
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "Company counts"
        await pilot.press("enter")
        await wait_for(pilot, lambda: seen.of(SessionRenamed))
        assert seen.of(SessionRenamed)[0].error == ""
        assert titles(app) == ["Company counts"]
        assert History().sessions("sample")[0].name == "Company counts"
        assert app.conn is not None
        remote = await app.conn.client.get_session(sid)
        assert remote.meta is not None and remote.meta.name == "Company counts"


async def test_reset_forgets_the_context_and_shows_a_divider(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await ask(pilot, "top 5 companies by revenue")
        await pilot.press("f7")
        await wait_for(pilot, lambda: seen.of(SessionReset))
        assert seen.of(SessionReset)[0].error == ""
        assert app.main.chat.query(".reset-divider")
        sid = app.state.current
        assert History().sessions("sample")[0].reset_at is not None
        # after a reset a follow-up no longer modifies the earlier query
        later = await ask(pilot, "only in the Energy sector")
        assert app.state.turns[later].session_id == sid
        assert "limit 5" not in (app.state.turns[later].view().main.sql or "").lower()


async def test_delete_removes_the_session_locally(home: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await ask(pilot, "how many companies are there")
        await pilot.press("ctrl+n")
        await ask(pilot, "average revenue per sector")
        doomed = app.state.current
        await pilot.press("f8")
        assert isinstance(app.screen, Confirm)
        await pilot.click("#confirm-yes")
        await wait_for(pilot, lambda: doomed not in app.state.sessions)
        assert titles(app) == ["how many companies are there"]
        assert app.state.current != doomed
        assert [s.session_id for s in History().sessions("sample")] == [app.state.current]
        assert History().turns("sample", doomed) == []


async def test_filter_narrows_the_list(home: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await ask(pilot, "how many companies are there")
        await pilot.press("ctrl+n")
        await ask(pilot, "average revenue per sector")
        await pilot.press("ctrl+f")
        assert app.focused is app.main.sidebar.filter_input
        await pilot.press(*"revenue")
        options = app.main.sidebar.options
        assert options.option_count == 1
        assert "revenue" in str(options.get_option_at_index(0).prompt)
        app.main.sidebar.filter_input.value = ""
        await pilot.pause()
        assert options.option_count == 2


async def test_a_running_session_is_marked(home: Any, backend_factory: Any) -> None:
    backend = backend_factory(job_latency="fixed:30")
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        turn = await ask(pilot, "how many companies are there", wait=False)
        await wait_for(pilot, lambda: app.state.turns[turn].status == "running")
        entry = app.main.sidebar.entries[0]
        assert entry.running
        assert "⟳" in str(app.main.sidebar.options.get_option_at_index(0).prompt)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: not app.state.turns[turn].open)
        assert not app.main.sidebar.entries[0].running


async def test_only_sessions_on_the_opened_database_are_listed(home: Any, tmp_path: Any) -> None:
    import sqlite3

    from c2q_tui.config import resolve
    from c2q_tui.tui.app import C2QApp

    History().upsert_session("sample", 9, database="sp500insight", name="about the sample")
    shop = tmp_path / "shop.sqlite3"
    with sqlite3.connect(shop) as db:
        db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
    app = C2QApp(resolve(database_url=f"sqlite:///{shop}"), live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.ready, timeout=30)
        assert app.conn is not None and app.conn.database == "shop"
        assert [(e.title, e.database) for e in app.main.sidebar.entries] == [("New session", "shop")]
