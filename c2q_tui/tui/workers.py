"""The app's workers: every request, wait, database call and history read runs here, off the UI.

Workers never touch widgets or app state; they post the past-tense messages of `messages.py` and the
handlers in `app.py` decide what changes. Groups: `connect`, `summary`, `chat2data` (a question: submit
then poll), `job-poll` (resumed after a restart), `refine`, `run-sql`, `suggest`, `sessions`,
`history`, `quota`. Every failure becomes a message; `exit_on_error=False` keeps a bug in one worker
from closing the app (the state-change handler still reports it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App

from c2q_tui.configfile import ConfigError
from c2q_tui.tui import flows
from c2q_tui.tui.lazy import lazy_module
from c2q_tui.tui.messages import (
    AnswerFailed,
    AnswerReady,
    Connected,
    ConnectFailed,
    ConnectProgressed,
    HistoryLoaded,
    JobProgressed,
    JobStarted,
    QuotaUpdated,
    RefineFailed,
    RefineReady,
    SessionLoaded,
    SessionRenamed,
    SessionReset,
    SqlRan,
    SqlRunFailed,
    SuggestionsFailed,
    SuggestionsReady,
    SummaryFailed,
    SummaryProgressed,
    SummaryReady,
)

if TYPE_CHECKING:
    from c2q_tui import api
    from c2q_tui.config import Profile
    from c2q_tui.connection import Connection
    from c2q_tui.history import History
else:  # the API client (httpx, pydantic models) loads when a worker first needs it, after the first frame
    api = lazy_module("c2q_tui.api")

Connector = Callable[..., "Connection"]


def _job_kind(mode: str) -> str:
    return api.KIND_BREAKDOWN if mode == "auto_breakdown" else api.KIND_CHAT2DATA


def _result(job: api.Job | None) -> dict[str, Any] | None:
    return job.result if job is not None and isinstance(job.result, dict) else None


class WorkerMixin(App[int]):
    """Worker methods of C2QApp (kept apart so the app module holds only the handlers)."""

    history: History
    connector: Connector
    sql_runner: flows.SqlRunner

    # -- start-up --------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def connect_worker(self, profile: Profile, generation: int) -> None:
        """Opening a local profile builds the sample database and the backend: seconds, blocking."""
        try:
            conn = self.connector(
                profile, on_progress=lambda text: self.post_message(ConnectProgressed(text))
            )
        except ConfigError as e:
            self.post_message(ConnectFailed(f"Configuration error: {e}", generation))
        except Exception as e:
            self.post_message(ConnectFailed(f"Could not open profile {profile.name!r}: {e}", generation))
        else:
            self.post_message(Connected(conn, generation))

    @work(exclusive=True, group="summary", exit_on_error=False)
    async def summary_worker(self, conn: Connection, generation: int) -> None:
        try:
            job_id = await flows.summary_job(conn)
            if job_id is not None:

                async def progress(p: api.JobProgress) -> None:
                    self.post_message(SummaryProgressed(conn.database, p.status, p.elapsed))

                outcome = await api.wait_for_job(
                    conn.client,
                    job_id,
                    kind=api.KIND_DATA_SUMMARY,
                    deadline=flows.SUMMARY_TIMEOUT,
                    on_progress=progress,
                )
                if outcome.job.failed:
                    reason = outcome.job.reason or "no reason given"
                    self.post_message(SummaryFailed(conn.database, reason, "job_failed", generation))
                    return
            self.post_message(SummaryReady(conn.database, generation))
        except Exception as e:
            kind, text = flows.describe_error(e, database=conn.database)
            self.post_message(SummaryFailed(conn.database, text, kind, generation))

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_history_worker(self, key: str, profile: Profile) -> None:
        """The profile's sessions on the database it opens (a profile's `--database-url` may point
        elsewhere than last time), and their turns still waiting for an answer."""
        database = flows.expected_database(profile)
        sessions = [
            s for s in self.history.sessions(key, include_drafts=True) if s.database in (None, database)
        ]
        ids = {s.session_id for s in sessions}
        open_turns = [t for t in self.history.open_turns(key) if t.session_id is None or t.session_id in ids]
        self.post_message(HistoryLoaded(sessions, open_turns))

    @work(thread=True, group="history", exit_on_error=False)
    def load_session_worker(self, key: str, session_id: int) -> None:
        turns = self.history.turns(key, session_id)
        refinements = self.history.refinements([t.turn_id for t in turns])
        self.post_message(SessionLoaded(session_id, turns, refinements))

    @work(thread=True, exclusive=True, group="quota", exit_on_error=False)
    def quota_worker(self, conn: Connection) -> None:
        ledger = conn.client.ledger
        if ledger is None:
            return
        status = ledger.status(conn.client.app_key, daily_limit=conn.profile.daily_quota)
        self.post_message(QuotaUpdated(status, unlimited=conn.local))

    @work(thread=True, group="warm-up", exit_on_error=False)
    def warm_up_worker(self) -> None:
        """Pay the first-use imports (Arrow compute for the grid, sqlglot and the SQL lexer for the
        viewer: ~150 ms) in the background instead of on the first answer."""
        import contextlib
        import importlib

        for module in ("pyarrow.compute", "sqlglot", "pygments.lexers.sql"):
            with contextlib.suppress(ImportError):
                importlib.import_module(module)

    # -- asking ----------------------------------------------------------------------------------

    @work(group="chat2data", exit_on_error=False)
    async def ask_worker(
        self,
        conn: Connection,
        turn_id: int,
        question: str,
        session_id: int | None,
        mode: str,
        cancel: asyncio.Event,
    ) -> None:
        spent = 0
        try:
            with conn.client.count_requests() as counter:
                try:
                    submitted = await flows.submit_question(
                        conn, self.history, turn_id, question, session_id=session_id, mode=mode
                    )
                finally:
                    spent = counter.count
            self.post_message(JobStarted(turn_id, submitted.job_id, submitted.session_id, spent))
            await self._poll(conn, turn_id, submitted.job_id, mode, cancel, spent, 0.0)
        except Exception as e:
            kind, text = flows.describe_error(e, database=conn.database)
            if isinstance(e, api.NotFound) and session_id is not None and session_id >= 0:
                kind, text = (
                    "not_found",
                    (f"Session {session_id} no longer exists on the server. Start a new session (ctrl+n)."),
                )
            self.post_message(AnswerFailed(turn_id, text, kind, spent + flows.spent(e)))

    @work(group="job-poll", exit_on_error=False)
    async def resume_worker(
        self,
        conn: Connection,
        turn_id: int,
        job_id: str,
        mode: str,
        created_at: float,
        spent: int,
        cancel: asyncio.Event,
    ) -> None:
        """Poll a job that was still running when the app last closed."""
        try:
            await self._poll(conn, turn_id, job_id, mode, cancel, spent, max(0.0, time.time() - created_at))
        except Exception as e:
            kind, text = flows.describe_error(e, database=conn.database)
            self.post_message(AnswerFailed(turn_id, text, kind, spent + flows.spent(e)))

    async def _poll(
        self,
        conn: Connection,
        turn_id: int,
        job_id: str,
        mode: str,
        cancel: asyncio.Event,
        spent: int,
        already: float,
    ) -> None:
        kind = _job_kind(mode)

        async def progress(p: api.JobProgress) -> None:
            self.post_message(
                JobProgressed(
                    turn_id, p.status, _result(p.job), spent + p.requests_spent, p.elapsed, p.next_poll_in
                )
            )

        outcome = await api.wait_for_job(
            conn.client,
            job_id,
            kind=kind,
            deadline=flows.ANSWER_TIMEOUT,
            on_progress=progress,
            cancel=cancel,
            already_elapsed=already,
        )
        total = spent + outcome.requests_spent
        if outcome.job.failed:
            reason = outcome.job.reason or "the job failed without a reason"
            self.post_message(AnswerFailed(turn_id, reason, "job_failed", total, outcome.elapsed))
        else:
            self.post_message(AnswerReady(turn_id, _result(outcome.job), total, outcome.elapsed))

    # -- refine, run, suggest ----------------------------------------------------------------------

    @work(exclusive=True, group="refine", exit_on_error=False)
    async def refine_worker(
        self, conn: Connection, refine_id: int, turn_id: int, sql: str, feedback: str
    ) -> None:
        try:
            job = await conn.client.refine_sql(conn.cluster_id, conn.database, sql, feedback)
            await asyncio.to_thread(self.history.set_refinement_job, refine_id, job.job_id)
            outcome = await api.wait_for_job(
                conn.client,
                job.job_id,
                kind=api.KIND_REFINE,
                deadline=flows.ANSWER_TIMEOUT,
            )
            if outcome.job.failed:
                reason = outcome.job.reason or "the refinement failed without a reason"
                self.post_message(RefineFailed(refine_id, turn_id, reason, "job_failed"))
                return
            result = outcome.result
            if not isinstance(result, api.RefineResult):
                raise api.BadResponse(f"the refinement answered {type(result).__name__}, not rewritten SQL")
            self.post_message(RefineReady(refine_id, turn_id, sql, result.rewritten_sql, result.solution))
        except Exception as e:
            kind, text = flows.describe_error(e, database=conn.database)
            self.post_message(RefineFailed(refine_id, turn_id, text, kind))

    @work(thread=True, exclusive=True, group="run-sql", exit_on_error=False)
    def run_sql_worker(self, url: str, sql: str) -> None:
        from c2q_tui.local.database import SqlError

        try:
            res = self.sql_runner.run(url, sql)
        except SqlError as e:
            self.post_message(SqlRunFailed(sql, str(e)))
        except ImportError as e:
            name = getattr(e, "name", None) or str(e)
            self.post_message(
                SqlRunFailed(
                    sql, f"the database driver {name!r} is not installed (e.g. pip install 'c2q-tui[mysql]')"
                )
            )
        except Exception as e:
            self.post_message(SqlRunFailed(sql, f"{type(e).__name__}: {e}"))
        else:
            self.post_message(SqlRan(sql, res.columns, res.rows, res.truncated, res.elapsed))

    @work(exclusive=True, group="suggest", exit_on_error=False)
    async def suggest_worker(self, conn: Connection) -> None:
        try:
            with conn.client.count_requests() as counter:
                job = await conn.client.suggest_questions(conn.cluster_id, conn.database)
                if job.questions is not None or job.job_id is None:
                    questions = list(job.questions or [])
                else:
                    outcome = await api.wait_for_job(
                        conn.client,
                        job.job_id,
                        kind=api.KIND_SUGGEST,
                        deadline=flows.ANSWER_TIMEOUT,
                    )
                    if outcome.job.failed:
                        self.post_message(
                            SuggestionsFailed(outcome.job.reason or "no reason given", "job_failed")
                        )
                        return
                    result = outcome.result
                    questions = [str(q) for q in result] if isinstance(result, list) else []
            self.post_message(SuggestionsReady(questions, counter.count))
        except Exception as e:
            kind, text = flows.describe_error(e, database=conn.database)
            self.post_message(SuggestionsFailed(text, kind))

    # -- sessions --------------------------------------------------------------------------------

    @work(group="sessions", exit_on_error=False)
    async def rename_worker(self, conn: Connection, session_id: int, name: str) -> None:
        try:
            await conn.client.rename_session(session_id, name)
        except Exception as e:
            self.post_message(SessionRenamed(session_id, name, error=flows.describe_error(e)[1]))
        else:
            self.post_message(SessionRenamed(session_id, name))

    @work(group="sessions", exit_on_error=False)
    async def reset_worker(self, conn: Connection, session_id: int) -> None:
        try:
            await conn.client.reset_session(session_id)
        except Exception as e:
            kind, text = flows.describe_error(e)
            self.post_message(SessionReset(session_id, error=text, kind=kind))
        else:
            self.post_message(SessionReset(session_id))
