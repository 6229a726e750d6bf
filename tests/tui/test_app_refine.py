"""Refine (diff against the old SQL, run read-only in a worker), and suggested questions."""

from __future__ import annotations

from typing import Any

import pytest

from c2q_tui.history import History
from c2q_tui.tui.messages import (
    QuestionSubmitted,
    RefineReady,
    RefineSubmitted,
    SqlRan,
    SqlRunFailed,
    SqlRunRequested,
    SuggestionChosen,
    SuggestionsReady,
)
from tests.tui.conftest import Seen, ask, make_app, wait_for, wait_ready


async def test_refine_shows_a_diff_and_runs_it_read_only(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        turn_id = await ask(pilot, "top 5 companies by revenue")
        assert app.main.grid.row_count == 5
        await pilot.press("ctrl+r")
        panel = app.main.refine
        assert panel.display and app.focused is panel.feedback
        await pilot.press(*"limit 3", "enter")
        await wait_for(pilot, lambda: seen.of(RefineReady))
        ready = seen.of(RefineReady)[0]
        assert seen.names().index("RefineSubmitted") < seen.names().index("RefineReady")
        assert seen.of(RefineSubmitted)[0].feedback == "limit 3"
        assert "3" in ready.new_sql and ready.new_sql != ready.old_sql
        assert app.main.sql.mode == "diff"
        assert ready.explanation
        # stored, with the feedback and both statements
        [r] = History().refinements([turn_id])
        assert (r.status, r.feedback, r.new_sql) == ("done", "limit 3", ready.new_sql)
        # run it: a read-only query in a worker, rows into the grid
        await pilot.press("f9")
        await wait_for(pilot, lambda: seen.of(SqlRan))
        ran = seen.of(SqlRan)[0]
        assert seen.of(SqlRunRequested)[0].sql == ready.new_sql
        assert len(ran.rows) == 3
        await wait_for(pilot, lambda: app.main.grid.row_count == 3)
        assert "3 rows" in str(panel.query_one(".status").render())


async def test_refined_sql_that_writes_is_refused(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await ask(pilot, "how many companies are there")
        app.post_message(SqlRunRequested("DELETE FROM companies"))
        await wait_for(pilot, lambda: seen.of(SqlRunFailed))
        assert (
            "not allowed" in seen.of(SqlRunFailed)[0].error.lower()
            or "read" in seen.of(SqlRunFailed)[0].error
        )
        assert "-error" in app.main.refine.query_one(".status").classes


async def test_without_a_database_connection_the_sql_can_only_be_copied(
    home: Any, backend_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = backend_factory()

    def cloud_like(profile: Any, **kw: Any) -> Any:
        conn = backend.connector(profile, **kw)
        conn.local = False  # as a TiDB Cloud profile without database_url
        return conn

    seen = Seen()
    app = make_app(connector=cloud_like)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await ask(pilot, "top 5 companies by revenue")
        await pilot.press("ctrl+r", *"limit 2", "enter")
        await wait_for(pilot, lambda: seen.of(RefineReady))
        panel = app.main.refine
        assert not panel.query_one("#refine-run").display
        assert "copy" in str(panel.query_one(".status").render()).lower()
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        await pilot.click("#refine-copy")
        assert copied == [seen.of(RefineReady)[0].new_sql]
        await pilot.press("f9")
        assert not seen.of(SqlRunRequested)


async def test_suggestions_list_and_choosing_one_asks_it(home: Any) -> None:
    seen = Seen()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: seen.of(SuggestionsReady))
        questions = seen.of(SuggestionsReady)[0].questions
        assert len(questions) >= 3
        panel = app.main.suggestions
        assert panel.display and panel.options.option_count == len(questions)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: seen.of(QuestionSubmitted))
        assert seen.of(SuggestionChosen)[0].question == questions[1]
        assert seen.of(QuestionSubmitted)[0].text == questions[1]
        assert not panel.display
        turn = max(app.state.turns.values(), key=lambda t: t.turn_id)
        await wait_for(pilot, lambda: not turn.open)
        assert turn.status == "done", turn.reason
