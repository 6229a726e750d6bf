"""Every kind of failure ends as a clear card or notification, never a crash."""

from __future__ import annotations

import sqlite3
from typing import Any

from c2q_tui import paths
from c2q_tui.tui.messages import AnswerFailed, AnswerReady, SummaryFailed
from tests.tui.conftest import Seen, ask, make_app, wait_for, wait_ready


def footnote(app: Any, turn_id: int) -> str:
    card = app.main.chat.card(turn_id)
    assert card is not None
    return str(card.query_one(".footnote").render())


async def test_wrong_key_gives_an_auth_card(home: Any, backend_factory: Any) -> None:
    backend = backend_factory(private_key="not-the-key")
    seen = Seen()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_for(pilot, lambda: seen.of(SummaryFailed))
        assert seen.of(SummaryFailed)[0].kind == "auth"
        await wait_ready(pilot)
        turn_id = await ask(pilot, "how many companies are there")
        [failed] = seen.of(AnswerFailed)
        assert failed.kind == "auth"
        assert seen.chain(turn_id) == ["AnswerFailed"]
        text = footnote(app, turn_id)
        assert "Authentication failed" in text and "key" in text
        assert "-error" in app.main.chat.card(turn_id).classes  # type: ignore[union-attr]


async def test_rate_limit_card_gives_the_reset_time(home: Any, backend_factory: Any) -> None:
    backend = backend_factory(per_minute=2)
    seen = Seen()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)  # the summary check was this minute's first request
        assert app.conn is not None
        await app.conn.client.list_sessions()  # the second
        turn_id = await ask(pilot, "how many companies are there")
        [failed] = seen.of(AnswerFailed)
        assert failed.kind == "rate_limited" and failed.turn_id == turn_id
        text = footnote(app, turn_id)
        assert "Rate limited (HTTP 429)" in text and "try again in" in text


async def test_summary_not_ready_card(home: Any, backend_factory: Any, tmp_path: Any) -> None:
    fresh = tmp_path / "shop.sqlite3"
    with sqlite3.connect(fresh) as db:
        db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
        db.execute("INSERT INTO orders (total) VALUES (9.5)")
    backend = backend_factory(database_url=f"sqlite:///{fresh}")

    def cloud_like(profile: Any, **kw: Any) -> Any:
        conn = backend.connector(profile, **kw)
        conn.local = False  # a TiDB Cloud profile: the app does not build summaries itself
        return conn

    seen = Seen()
    app = make_app(connector=cloud_like)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        turn_id = await ask(pilot, "how many orders are there")
        [failed] = seen.of(AnswerFailed)
        assert failed.kind == "not_ready"
        assert "not ready" in footnote(app, turn_id)


async def test_failed_job_shows_its_reason(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        turn_id = await ask(pilot, "how many unicorns are there")
        assert seen.chain(turn_id) == ["JobStarted", "JobProgressed", "AnswerFailed"]
        failed = seen.of(AnswerFailed)[0]
        assert failed.kind == "job_failed" and "unicorns" in failed.reason
        turn = app.state.turns[turn_id]
        assert turn.status == "failed" and turn.reason == failed.reason
        assert failed.reason in footnote(app, turn_id)


async def test_sql_error_is_shown_with_the_sql(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await ask(pilot, "how many users are there")  # the backend now knows the schema
        with sqlite3.connect(paths.sample_db()) as db:
            db.execute("ALTER TABLE users RENAME TO users_gone")
        turn_id = await ask(pilot, "how many users are there")
        assert isinstance(seen[-1], AnswerReady) or seen.of(AnswerReady)
        task = app.state.turns[turn_id].view().main
        assert task.sql_error and "users" in task.sql_error
        assert "SQL error" in footnote(app, turn_id)
        assert app.state.selected == (turn_id, -1)
        assert app.main.sql.mode == "error"
        assert "failed" in app.main.grid.status_text.lower() or app.main.grid.row_count == 0


async def test_network_down_gives_a_network_card_and_recovers(home: Any, backend_factory: Any) -> None:
    backend = backend_factory()
    seen = Seen()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        backend.transport.down = True
        turn_id = await ask(pilot, "how many companies are there")
        [failed] = seen.of(AnswerFailed)
        assert failed.kind == "network"
        assert "Network error" in footnote(app, turn_id) and "refused" in footnote(app, turn_id)
        backend.transport.down = False
        again = await ask(pilot, "how many companies are there")
        assert app.state.turns[again].status == "done"


async def test_network_down_while_polling(home: Any, backend_factory: Any) -> None:
    backend = backend_factory(job_latency="fixed:30")
    seen = Seen()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        turn_id = await ask(pilot, "how many companies are there", wait=False)
        await wait_for(pilot, lambda: app.state.turns[turn_id].status == "running")
        backend.transport.down = True
        await wait_for(pilot, lambda: not app.state.turns[turn_id].open)
        assert seen.of(AnswerFailed)[0].kind == "network"
