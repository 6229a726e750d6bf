"""Jobs that take a while: cancel, switching sessions and asking elsewhere meanwhile, and restarts
(history shown without requests, running jobs resumed)."""

from __future__ import annotations

import threading
from typing import Any

from c2q_tui.history import History
from c2q_tui.tui.messages import (
    AnswerFailed,
    AnswerReady,
    HistoryLoaded,
    JobProgressed,
    JobStarted,
    QuestionSubmitted,
    SessionSelected,
)
from tests.tui.conftest import Seen, ask, make_app, wait_for, wait_ready


async def test_cancel_stops_polling_the_focused_answer(home: Any, backend_factory: Any) -> None:
    backend = backend_factory(job_latency="fixed:30")
    seen = Seen()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        turn_id = await ask(pilot, "how many companies are there", wait=False)
        await wait_for(pilot, lambda: any(m.status == "running" for m in seen.of(JobProgressed)))
        card = app.main.chat.card(turn_id)
        assert card is not None and "running" in str(card.query_one(".status").render())
        card.focus()
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: seen.of(AnswerFailed))
        failed = seen.of(AnswerFailed)[0]
        assert failed.kind == "cancelled"
        assert seen.chain(turn_id)[:2] == ["JobStarted", "JobProgressed"]
        assert seen.chain(turn_id)[-1] == "AnswerFailed"
        turn = app.state.turns[turn_id]
        assert turn.status == "cancelled"
        assert "cancelled" in str(card.query_one(".status").render())
        polls = len(seen.of(JobProgressed))
        await pilot.pause(0.3)
        assert len(seen.of(JobProgressed)) == polls  # no more polls
        assert History().turn(turn_id).status == "cancelled"  # type: ignore[union-attr]


async def test_switch_sessions_and_ask_elsewhere_while_a_job_runs(home: Any, backend_factory: Any) -> None:
    backend = backend_factory(job_latency="fixed:1.5")
    seen = Seen()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        slow = await ask(pilot, "how many companies are there", wait=False)
        await wait_for(pilot, lambda: app.state.turns[slow].status == "running")
        first_session = app.state.turns[slow].session_id
        await pilot.press("ctrl+n")  # another session, while the first job runs
        other = await ask(pilot, "average revenue per sector", wait=False)
        assert app.state.turns[slow].open  # still running
        assert app.main.sidebar.entries and any(e.running for e in app.main.sidebar.entries)
        await wait_for(pilot, lambda: not app.state.turns[other].open and not app.state.turns[slow].open)
        assert app.state.turns[slow].status == app.state.turns[other].status == "done"
        assert app.state.turns[other].session_id != first_session
        # the answer that arrived in the other session did not replace what is shown here
        assert app.state.current == app.state.turns[other].session_id
        assert app.main.chat.card(slow) is None
        app.post_message(SessionSelected(first_session))
        await wait_for(pilot, lambda: app.main.chat.card(slow) is not None)
        assert {m.turn_id for m in seen.of(AnswerReady)} == {slow, other}


async def test_restart_shows_history_without_any_request(home: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        first = await ask(pilot, "how many companies are there")
        await pilot.press("ctrl+n")
        second = await ask(pilot, "top 5 companies by revenue")

    never = threading.Event()

    def offline(profile: Any, **kw: Any) -> Any:
        never.wait(10)  # the connection never comes: whatever is shown, came from history
        raise RuntimeError("offline")

    seen = Seen()
    again = make_app(connector=offline)
    try:
        async with again.run_test(size=(120, 40), message_hook=seen) as pilot:

            def shown() -> bool:
                card = again.main.chat.card(second)
                status = card.query(".status") if card is not None else None  # empty until composed
                return bool(status) and "done" in str(status.first().render())

            await wait_for(pilot, lambda: seen.of(HistoryLoaded) and shown())
            assert again.conn is None
            assert [e.title for e in again.main.sidebar.entries] == [
                "top 5 companies by revenue",
                "how many companies are there",
            ]
            card = again.main.chat.card(second)
            assert card is not None
            card.focus()
            await wait_for(pilot, lambda: again.main.grid.row_count == 5)
            assert "limit 5" in again.main.sql.current_sql.lower()
            again.post_message(SessionSelected(app.state.turns[first].session_id))
            await wait_for(pilot, lambda: again.main.chat.card(first) is not None)
            never.set()  # let the connect thread end before the app closes
    finally:
        never.set()


async def test_restart_resumes_a_running_job(home: Any, backend_factory: Any) -> None:
    # the backend outlives the app, as TiDB Cloud does
    backend = backend_factory(job_latency="fixed:1.5")
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        turn_id = await ask(pilot, "how many companies are there", wait=False)
        await wait_for(pilot, lambda: app.state.turns[turn_id].status == "running")
    row = History().turn(turn_id)
    assert row is not None and row.status == "running" and row.job_id  # quit mid-job: nothing lost

    seen = Seen()
    again = make_app(connector=backend.connector)
    async with again.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_for(pilot, lambda: seen.of(AnswerReady))
        assert seen.chain(turn_id) == ["JobProgressed", "AnswerReady"]
        assert not seen.of(QuestionSubmitted) and not seen.of(JobStarted)  # polled, not asked again
        assert again.state.turns[turn_id].status == "done"
        assert History().turn(turn_id).status == "done"  # type: ignore[union-attr]


async def test_a_question_never_sent_is_not_resent_after_a_restart(home: Any) -> None:
    history = History()
    history.upsert_session("sample", -1, database="sp500insight", name="lost")
    turn_id = history.add_turn("sample", -1, "how many companies are there", "direct")  # no job id
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await wait_for(pilot, lambda: turn_id in app.state.turns)
        turn = app.state.turns[turn_id]
        assert (turn.status, turn.error_kind) == ("failed", "interrupted")
        assert not seen.of(JobStarted)
        assert History().turn(turn_id).error_kind == "interrupted"  # type: ignore[union-attr]
        await pilot.press("f5")  # regenerate asks it again
        await wait_for(pilot, lambda: seen.of(AnswerReady))
