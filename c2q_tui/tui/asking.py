"""The question chain: QuestionSubmitted -> JobStarted -> JobProgressed -> AnswerReady | AnswerFailed,
the history read at start-up (turns to resume), and the cancel / regenerate / breakdown actions.

A question is recorded in history before anything is sent. It waits ("waiting") while the app is not
connected yet, or while an earlier question of the same draft is opening the draft's session; then a
`chat2data` worker submits and polls it. Running jobs found in history resume in `job-poll` workers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual import on

from c2q_tui.tui.answers import AnswersMixin
from c2q_tui.tui.messages import (
    AnswerFailed,
    AnswerReady,
    HistoryLoaded,
    JobProgressed,
    JobStarted,
    QuestionSubmitted,
)
from c2q_tui.tui.state import Turn

NOTIFY_KINDS = {"auth", "rate_limited", "network", "not_ready"}


class AskingMixin(AnswersMixin):
    _pending_resume: list[Turn]
    clock: Callable[[], float]

    # -- history -----------------------------------------------------------------------------------

    @on(HistoryLoaded)
    async def _history_loaded(self, message: HistoryLoaded) -> None:
        self.load_sessions(message.sessions)
        for row in message.open_turns:
            if row.turn_id in self.state.turns:
                continue  # asked in this run, before the history was read
            turn = Turn.from_row(row)
            if turn.job_id is None:
                # never got a job id: whether it reached the server is unknown, so it is not resent
                self._fail(
                    turn,
                    "The app closed before this question was sent. Press f5 to ask it again.",
                    "interrupted",
                    store=True,
                    add=True,
                )
            else:
                self.state.add_turn(turn)
                self._pending_resume.append(turn)
        await self.open_initial_session()
        if self.ready:
            self._resume_open_turns()

    def _resume_open_turns(self) -> None:
        if self.conn is None:
            return
        pending, self._pending_resume = self._pending_resume, []
        for turn in pending:
            if turn.job_id is None or not turn.open:
                continue
            cancel = self.cancels.setdefault(turn.turn_id, asyncio.Event())
            self.resume_worker(
                self.conn, turn.turn_id, turn.job_id, turn.mode, turn.created_at, turn.requests_spent, cancel
            )
        self.refresh_sidebar()

    # -- the question chain ------------------------------------------------------------------------

    @on(QuestionSubmitted)
    def _question_submitted(self, message: QuestionSubmitted) -> None:
        session_id = message.session if message.session is not None else self.state.current
        if session_id is None or session_id not in self.state.sessions:
            session_id = self.new_draft()
        session = self.state.sessions[session_id]
        # recorded before any request, so nothing asked is lost to a crash or a quit
        turn_id = self.history.add_turn(self.key, session_id, message.text, message.mode)
        self.history.upsert_session(self.key, session_id, database=session.database, name=message.text[:80])
        session.name = session.name or message.text[:80]
        session.updated_at = self.clock()
        turn = Turn(turn_id, session_id, message.text, message.mode, "waiting", created_at=self.clock())
        self.state.add_turn(turn)
        if session_id == self.state.current:
            self.main.chat.add_turn(turn)
        self._dispatch(turn)
        self.refresh_sidebar()

    def _dispatch(self, turn: Turn) -> None:
        """Send a waiting question, unless the connection (or its draft's session) is not there yet."""
        if not self.ready or self.conn is None or turn.status != "waiting":
            return
        session_id = turn.session_id
        if session_id < 0 and self.state.drafts_waiting_for(session_id):
            return  # the draft's first question is opening the session; this one follows it
        turn.status = "submitting"
        cancel = self.cancels.setdefault(turn.turn_id, asyncio.Event())
        self.ask_worker(
            self.conn, turn.turn_id, turn.question, session_id if session_id >= 0 else None, turn.mode, cancel
        )
        self.main.chat.refresh_turn(turn)

    def _dispatch_waiting(self) -> None:
        for turn in sorted(self.state.turns.values(), key=lambda t: t.turn_id):
            if turn.status == "waiting":
                self._dispatch(turn)

    @on(JobStarted)
    async def _job_started(self, message: JobStarted) -> None:
        turn = self.state.turns.get(message.turn_id)
        if turn is None:
            # its session was deleted while the question was on its way; recording the job id
            # brought the session back into history: take it out again
            if message.session_id is not None and message.session_id not in self.state.sessions:
                self.history.forget_session(self.key, message.session_id)
            return
        turn.job_id = message.job_id
        turn.status = "running"
        turn.requests_spent = message.requests_spent
        draft = turn.session_id
        if message.session_id is not None and draft < 0:
            self.history.adopt_draft(self.key, draft, message.session_id)
            self.state.adopt_draft(draft, message.session_id)
            if self.main.chat.session_id == draft:
                self.main.chat.session_id = message.session_id
            self._dispatch_waiting()  # later questions of the draft now have a session
        self.main.chat.refresh_turn(turn)
        self.refresh_sidebar()
        self.refresh_quota()

    @on(JobProgressed)
    def _job_progressed(self, message: JobProgressed) -> None:
        turn = self.state.turns.get(message.turn_id)
        if turn is None or not turn.open:
            return
        turn.job_status = message.status
        turn.requests_spent = message.requests_spent
        if message.partial is not None:
            turn.result = message.partial  # breakdown sub-tasks arrive while the job runs
        self.main.chat.refresh_turn(turn)
        self.refresh_quota()

    @on(AnswerReady)
    def _answer_ready(self, message: AnswerReady) -> None:
        turn = self.state.turns.get(message.turn_id)
        if turn is None:
            return
        self.cancels.pop(turn.turn_id, None)
        turn.status = "done"
        turn.result = message.result
        turn.requests_spent = message.requests_spent
        turn.finished_at = self.clock()
        turn.elapsed = max(0.0, turn.finished_at - turn.created_at)
        self.history.finish_turn(
            turn.turn_id, status="done", result=message.result, requests_spent=message.requests_spent
        )
        self.main.chat.refresh_turn(turn)
        self.refresh_sidebar()
        self.refresh_quota()
        latest = self.state.session_turns(turn.session_id)[-1:]
        if turn.session_id == self.state.current and latest and latest[0] is turn:
            self.select_answer(turn.turn_id, -1)
        elif turn.session_id != self.state.current:
            name = (
                self.state.sessions[turn.session_id].title if turn.session_id in self.state.sessions else ""
            )
            self.notify(f"Answered in session “{name}”: {turn.question}", title="Answer ready")

    @on(AnswerFailed)
    def _answer_failed(self, message: AnswerFailed) -> None:
        turn = self.state.turns.get(message.turn_id)
        if turn is None:
            return
        turn.requests_spent = max(turn.requests_spent, message.requests_spent)
        self._fail(turn, message.reason, message.kind)
        if message.kind in NOTIFY_KINDS:
            self.notify(
                message.reason,
                title=message.kind.replace("_", " ").capitalize(),
                severity="error",
                timeout=10,
            )
        self.refresh_quota()

    def _fail(self, turn: Turn, reason: str, kind: str, *, store: bool = True, add: bool = False) -> None:
        self.cancels.pop(turn.turn_id, None)
        turn.status = "cancelled" if kind == "cancelled" else "failed"
        turn.reason = reason
        turn.error_kind = kind
        turn.finished_at = self.clock()
        turn.elapsed = max(0.0, turn.finished_at - turn.created_at)
        if store:
            self.history.finish_turn(
                turn.turn_id,
                status=turn.status,
                result=turn.result,
                reason=reason,
                requests_spent=turn.requests_spent,
                error_kind=kind,
            )
        if add:
            self.state.add_turn(turn)
        self.main.chat.refresh_turn(turn)
        self.refresh_sidebar()

    # -- actions (app-wide) ------------------------------------------------------------------------

    def action_cancel_job(self) -> None:
        selected = self.state.selected_turn()
        turn = selected if selected is not None and selected.open else self.state.latest_open_turn()
        if turn is None:
            self.notify("No answer is running in this session.")
            return
        if turn.status == "waiting":
            self._fail(turn, "Cancelled before it was sent.", "cancelled")
            return
        self.cancels.setdefault(turn.turn_id, asyncio.Event()).set()

    def action_regenerate(self) -> None:
        turn = self.state.focus_turn()
        if turn is None:
            self.notify("Ask a question first.")
            return
        self.post_message(QuestionSubmitted(self.state.current, turn.question, turn.mode))

    def action_toggle_breakdown(self) -> None:
        self.state.mode = "direct" if self.state.mode == "auto_breakdown" else "auto_breakdown"
        self.main.chat.set_mode(self.state.mode)
        self.notify(
            "Questions are now split into sub-tasks (auto_breakdown)."
            if self.state.mode == "auto_breakdown"
            else "Questions are now answered directly.",
            timeout=3,
        )
