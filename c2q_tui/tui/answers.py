"""Answer handlers of the app: selecting an answer (SQL viewer and grid), refining its SQL, running
SQL read-only, and suggested questions."""

from __future__ import annotations

from textual import on

from c2q_tui.tui import flows
from c2q_tui.tui.messages import (
    AnswerSelected,
    RefineFailed,
    RefineReady,
    RefineSubmitted,
    SqlRan,
    SqlRunFailed,
    SqlRunRequested,
    SuggestionChosen,
    SuggestionsFailed,
    SuggestionsReady,
)
from c2q_tui.tui.sessions import SessionsMixin
from c2q_tui.tui.state import Refinement, Turn, truncated
from c2q_tui.tui.widgets.sql_viewer import SqlViewer


class AnswersMixin(SessionsMixin):
    refining: tuple[int, int] | None = None  # (turn id, task index) the refine panel works on

    # -- selection -----------------------------------------------------------------------------------

    @on(AnswerSelected)
    def _answer_selected(self, message: AnswerSelected) -> None:
        if self.state.selected != (message.turn_id, message.task_index):
            self.select_answer(message.turn_id, message.task_index)

    def select_answer(self, turn_id: int, task_index: int) -> None:
        """Show the answer's SQL (highlighted, pretty-printed) and its rows."""
        turn = self.state.turns.get(turn_id)
        if turn is None:
            return
        self.state.selected = (turn_id, task_index)
        self.main.chat.mark_selected(self.state.selected)
        if self.refining is not None and self.refining != (turn_id, task_index):
            self.main.refine.display = False
            self.refining = None
        picked = turn.sql_task(task_index)
        sql, grid, chart = self.main.sql, self.main.grid, self.main.chart
        self.shown_result = None
        if picked is None:
            sql.clear()
            message = "Waiting for the answer…" if turn.open else f"No rows: {turn.reason or 'no answer'}"
            grid.clear(message)
            chart.clear(message)
            return
        index, task = picked
        if index != task_index:  # a breakdown's root shows its first sub-task: mark that one
            self.state.selected = (turn_id, index)
            self.main.chat.mark_selected(self.state.selected)
        if task.sql_error:
            sql.show_error(task.sql or "", task.sql_error, dialect=self.dialect)
            grid.clear(f"The SQL failed: {task.sql_error}")
            chart.clear(f"The SQL failed: {task.sql_error}")
        elif task.sql:
            sql.show_sql(task.sql, dialect=self.dialect)
            grid.show(task.columns, task.rows, truncated=truncated(task), title=task.clarified_task)
            chart.show(task.columns, task.rows, task.chart_options)
            self.shown_result = (task.columns, task.rows, task.clarified_task or turn.question)
        else:
            sql.clear()
            message = "This answer has no SQL." if not turn.open else "Waiting for the answer…"
            grid.clear(message)
            chart.clear(message)

    @property
    def dialect(self) -> str:
        return flows.sql_dialect(self.conn) if self.conn is not None else "mysql"

    def _answer_with_sql(self) -> tuple[Turn, int] | None:
        turn = self.state.focus_turn()
        if turn is None:
            return None
        index = (
            self.state.selected[1] if self.state.selected and self.state.selected[0] == turn.turn_id else -1
        )
        picked = turn.sql_task(index)
        if picked is None or not picked[1].sql:
            return None
        return turn, picked[0]

    # -- refine ------------------------------------------------------------------------------------

    def action_refine_sql(self) -> None:
        found = self._answer_with_sql()
        if found is None:
            self.notify("Select an answer that has SQL first.")
            return
        turn, index = found
        if self.state.selected != (turn.turn_id, index):
            self.select_answer(turn.turn_id, index)
        task = turn.sql_task(index)
        assert task is not None
        self.refining = (turn.turn_id, index)
        last = self._last_refinement(turn, task[1].task_id)
        if last is not None and last.new_sql:
            self.main.sql.show_diff(last.old_sql, last.new_sql, last.explanation, dialect=self.dialect)
        can_run = self.conn is not None and flows.sql_url(self.conn) is not None
        self.main.refine.open(
            task[1].clarified_task or turn.question,
            can_run=can_run,
            previous=(last.new_sql, last.explanation) if last and last.new_sql else None,
        )

    @staticmethod
    def _last_refinement(turn: Turn, task_id: str) -> Refinement | None:
        done = [r for r in turn.refinements if r.task_id == task_id and r.status == "done"]
        return done[-1] if done else None

    @on(RefineSubmitted)
    def _refine_submitted(self, message: RefineSubmitted) -> None:
        if self.refining is None or self.conn is None:
            self.main.refine.show_error("Not connected." if self.conn is None else "Select an answer first.")
            return
        turn = self.state.turns.get(self.refining[0])
        picked = turn.sql_task(self.refining[1]) if turn else None
        if turn is None or picked is None or not picked[1].sql:
            return
        task = picked[1]
        last = self._last_refinement(turn, task.task_id)
        base = last.new_sql if last and last.new_sql else task.sql or ""  # refinements build on each other
        refine_id = self.history.add_refinement(turn.turn_id, task.task_id, message.feedback, base)
        turn.refinements.append(Refinement(refine_id, turn.turn_id, task.task_id, message.feedback, base))
        self.main.refine.set_busy(True, f"Rewriting the SQL: “{message.feedback}”…")
        self.refine_worker(self.conn, refine_id, turn.turn_id, base, message.feedback)

    def _refinement(self, turn_id: int, refine_id: int) -> Refinement | None:
        turn = self.state.turns.get(turn_id)
        return next((r for r in turn.refinements if r.refine_id == refine_id), None) if turn else None

    @on(RefineReady)
    def _refine_ready(self, message: RefineReady) -> None:
        self.history.finish_refinement(
            message.refine_id, status="done", new_sql=message.new_sql, explanation=message.explanation
        )
        r = self._refinement(message.turn_id, message.refine_id)
        if r is not None:
            r.status, r.new_sql, r.explanation = "done", message.new_sql, message.explanation
        self.refresh_quota()
        if self.refining is None or self.refining[0] != message.turn_id:
            return
        self.main.sql.show_diff(message.old_sql, message.new_sql, message.explanation, dialect=self.dialect)
        self.main.refine.show_result(message.new_sql)

    @on(RefineFailed)
    def _refine_failed(self, message: RefineFailed) -> None:
        self.history.finish_refinement(message.refine_id, status="failed", reason=message.reason)
        r = self._refinement(message.turn_id, message.refine_id)
        if r is not None:
            r.status, r.reason = "failed", message.reason
        self.main.refine.show_error(f"Could not refine: {message.reason}")
        self.notify(message.reason, title="Refine failed", severity="error")
        self.refresh_quota()

    @on(SqlViewer.Edited)
    def _sql_edited(self, message: SqlViewer.Edited) -> None:
        """SQL edited in $EDITOR: shown as a diff against what was shown, ready to run or copy."""
        old = self.main.sql.current_sql
        self.main.sql.show_diff(old, message.sql, "Edited in your editor.", dialect=self.dialect)
        can_run = self.conn is not None and flows.sql_url(self.conn) is not None
        self.main.refine.open("your edit of the SQL", can_run=can_run)
        self.main.refine.show_result(message.sql)

    # -- run SQL -----------------------------------------------------------------------------------

    def action_run_sql(self) -> None:
        panel = self.main.refine
        if panel.display and panel.new_sql:
            if not panel.run():
                self.notify("This profile has no database connection to run SQL; copy it instead.")
            return
        found = self._answer_with_sql()
        if found is None:
            self.notify("Select an answer with SQL, or refine one, to run it.")
            return
        task = found[0].sql_task(found[1])
        if task is not None and task[1].sql:
            self.post_message(SqlRunRequested(task[1].sql))

    @on(SqlRunRequested)
    async def _sql_run_requested(self, message: SqlRunRequested) -> None:
        url = flows.sql_url(self.conn) if self.conn is not None else None
        if url is None:
            self.notify(
                "This profile has no database connection (database_url) to run SQL with.", severity="warning"
            )
            return
        self.main.refine.set_busy(True, "Running read-only…")
        self.shown_result = None
        self.main.chart.clear("Running the SQL read-only…")
        await self.main.grid.clear("Running the SQL read-only…")
        self.run_sql_worker(url, message.sql)

    @on(SqlRan)
    async def _sql_ran(self, message: SqlRan) -> None:
        n = len(message.rows)
        await self.main.grid.show(
            message.columns, message.rows, truncated=message.truncated, title="Refined SQL"
        )
        self.main.chart.show(message.columns, message.rows, None)
        self.shown_result = (message.columns, message.rows, "refined-sql")
        self.main.refine.set_busy(
            False,
            f"Ran read-only: {n:,}{'+' if message.truncated else ''} "
            f"row{'s' if n != 1 else ''} in {message.elapsed:.2f} s.",
        )

    @on(SqlRunFailed)
    async def _sql_run_failed(self, message: SqlRunFailed) -> None:
        self.main.refine.show_error(f"SQL error: {message.error}")
        await self.main.grid.clear(f"The SQL failed: {message.error}")
        self.main.chart.clear(f"The SQL failed: {message.error}")
        self.notify(message.error, title="SQL error", severity="error")

    # -- suggestions -------------------------------------------------------------------------------

    def action_suggest_questions(self) -> None:
        if self.conn is None or not self.ready:
            self.notify("Not connected yet.")
            return
        self.main.suggestions.show_loading(self.conn.database)
        self.suggest_worker(self.conn)

    @on(SuggestionsReady)
    def _suggestions_ready(self, message: SuggestionsReady) -> None:
        self.main.suggestions.show_questions(message.questions)
        self.refresh_quota()

    @on(SuggestionsFailed)
    def _suggestions_failed(self, message: SuggestionsFailed) -> None:
        self.main.suggestions.show_error(f"No suggestions: {message.reason}")
        self.refresh_quota()

    @on(SuggestionChosen)
    def _suggestion_chosen(self, message: SuggestionChosen) -> None:
        self.main.chat.submit(message.question)
        self.main.chat.composer.focus()
