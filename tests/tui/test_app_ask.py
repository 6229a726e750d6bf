"""Asking: start-up, a question end to end, a follow-up, auto_breakdown, selection, input history."""

from __future__ import annotations

import time
from typing import Any

from c2q_tui.history import History
from c2q_tui.tui.messages import (
    AnswerReady,
    AnswerSelected,
    ConnectProgressed,
    JobProgressed,
    JobStarted,
    QuestionSubmitted,
)
from c2q_tui.tui.widgets.answer_card import AnswerCard, SubTaskLine
from tests.tui.conftest import Seen, ask, make_app, wait_for, wait_ready


async def test_first_start_builds_the_sample_and_summary_after_the_first_frame(c2q_home: Any) -> None:
    """No configuration, nothing built yet: the frame is up before the sample and summary exist."""
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        assert app.conn is None and not app.ready  # the first frame, before any slow work
        assert "connecting" in str(app.main.query_one("#conn-status").render())
        await wait_for(pilot, lambda: app.ready, timeout=60)
        names = seen.names()
        assert "ConnectProgressed" in names  # the sample database build was reported
        assert names.index("Connected") < names.index("SummaryReady")
        assert any("sp500insight" in m.text or "sample" in m.text.lower() for m in seen.of(ConnectProgressed))
        assert app.conn is not None and app.conn.database == "sp500insight"


async def test_ask_shows_the_answer_sql_and_rows(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        turn_id = await ask(pilot, "how many companies are there")
        assert seen.chain(turn_id) == ["JobStarted", "JobProgressed", "AnswerReady"]
        names = seen.names()
        assert names.index("QuestionSubmitted") < names.index("JobStarted")
        submitted = seen.of(QuestionSubmitted)[0]
        assert (submitted.text, submitted.mode) == ("how many companies are there", "direct")
        turn = app.state.turns[turn_id]
        assert turn.status == "done" and turn.requests_spent >= 2
        assert turn.session_id > 0  # the draft became the server's session
        # the newest answer is selected: SQL in the viewer, rows in the grid
        assert app.state.selected == (turn_id, -1)
        assert "COUNT" in app.main.sql.current_sql.upper()
        assert app.main.grid.row_count == 1
        card = app.main.chat.card(turn_id)
        assert card is not None and "done" in str(card.query_one(".status").render())
        # the turn is in history with its job id and result
        [row] = History().turns("sample", turn.session_id)
        assert row.status == "done" and row.job_id == turn.job_id and row.result["sql"]


async def test_ctrl_j_sends_too(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        app.main.chat.composer.load_text("average revenue per sector")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: seen.of(AnswerReady))
        assert seen.of(QuestionSubmitted)[0].text == "average revenue per sector"


async def test_follow_up_stays_in_the_session(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        first = await ask(pilot, "top 5 companies by revenue")
        second = await ask(pilot, "only in the Energy sector")
        t1, t2 = app.state.turns[first], app.state.turns[second]
        assert t1.session_id == t2.session_id > 0
        assert t2.status == "done", t2.reason
        sql = (t2.view().main.sql or "").lower()
        assert "energy" in sql and "limit 5" in sql  # the follow-up modified the previous query
        assert [m.session_id for m in seen.of(JobStarted)] == [t1.session_id, t1.session_id]
        assert len(app.state.sessions) == 1


async def test_breakdown_shows_sub_tasks_as_they_arrive(home: Any, backend_factory: Any) -> None:
    backend = backend_factory(job_latency="fixed:2")  # spread over the sub-tasks, published one by one
    seen = Seen()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+b")
        assert app.state.mode == "auto_breakdown"
        question = "how many companies are there and what is the average revenue per sector"
        turn_id = await ask(pilot, question, wait=False)
        assert seen.of(QuestionSubmitted)[0].mode == "auto_breakdown"

        def partial_shown() -> bool:
            card = app.main.chat.card(turn_id)
            return card is not None and app.state.turns[turn_id].open and bool(card.query(SubTaskLine))

        await wait_for(pilot, partial_shown)  # a sub-task is on screen while the job still runs
        assert any(
            m.status == "running" and (m.partial or {}).get("sub_tasks")
            for m in seen.of(JobProgressed)
            if m.turn_id == turn_id
        )
        await wait_for(pilot, lambda: not app.state.turns[turn_id].open)
        turn = app.state.turns[turn_id]
        assert turn.status == "done", turn.reason
        subs = turn.view().sub_tasks
        assert len(subs) >= 2
        card = app.main.chat.card(turn_id)
        assert card is not None and len(card.query(SubTaskLine)) == len(subs)
        # selecting a sub-task shows its SQL and rows
        card.select_task(1)
        await wait_for(pilot, lambda: app.state.selected == (turn_id, 1))
        await wait_for(pilot, lambda: app.main.grid.row_count == len(subs[1].rows))
        assert "avg" in app.main.sql.current_sql.lower()


async def test_selecting_an_older_answer_shows_its_sql(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        first = await ask(pilot, "how many companies are there")
        await ask(pilot, "average revenue per sector")
        assert app.state.selected is not None and app.state.selected[0] != first
        card = app.main.chat.card(first)
        assert isinstance(card, AnswerCard)
        card.focus()
        await wait_for(pilot, lambda: app.state.selected == (first, -1))
        assert any(m.turn_id == first for m in seen.of(AnswerSelected))
        assert "count" in app.main.sql.current_sql.lower()
        assert app.main.grid.row_count == 1


async def test_up_and_down_walk_the_questions_asked(home: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await ask(pilot, "how many companies are there")
        await ask(pilot, "average revenue per sector")
        composer = app.main.chat.composer
        composer.focus()
        composer.load_text("draft")
        await pilot.press("up")
        assert composer.text == "average revenue per sector"
        await pilot.press("up")
        assert composer.text == "how many companies are there"
        await pilot.press("down", "down")
        assert composer.text == "draft"


async def test_newline_keys_do_not_send(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        composer = app.main.chat.composer
        composer.focus()
        await pilot.press("a", "alt+enter", "b")
        assert composer.text == "a\nb"
        assert not seen.of(QuestionSubmitted)


async def test_question_asked_before_ready_waits_then_goes(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        # ask at once, before the connection is open
        started = time.monotonic()
        turn_id = await ask(pilot, "how many companies are there", wait=False)
        if not app.ready:
            assert app.state.turns[turn_id].status == "waiting"
        await wait_for(pilot, lambda: not app.state.turns[turn_id].open)
        assert app.state.turns[turn_id].status == "done"
        assert time.monotonic() - started < 60
