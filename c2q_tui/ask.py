"""`c2q-tui ask` and `c2q-tui sessions`: the headless way to use a profile, from scripts or a shell.

The answer goes to stdout, diagnostics to stderr. Every failure is one line naming what failed (the
job, a SQL error, authentication, quota, the network, a bad response); no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO

from c2q_tui import api
from c2q_tui.config import resolve
from c2q_tui.connection import Connection, open_connection
from c2q_tui.formats import answer_view, render, terminal_safe, text_table
from c2q_tui.history import History

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 4000
SUMMARY_TIMEOUT = 600.0
# Failures of the wait, not of the job: giving up at --timeout, ctrl+c, the network or the quota
# failing a poll, an unreadable poll answer. The job still runs on the server, so its turn is left
# "running" for the app to resume, as a killed app's is. A job that is gone (NotFound) or that
# failed is recorded as failed.
STILL_RUNNING: tuple[type[BaseException], ...] = (
    api.JobTimeout,
    api.JobCancelled,
    api.NetworkError,
    api.RateLimited,
    api.BadResponse,
    KeyboardInterrupt,
    asyncio.CancelledError,
)
RESUME_HINT = "the job keeps running on the server; the app (c2q-tui) shows its answer when it starts"


def _left_running(e: BaseException) -> bool:
    return RESUME_HINT in getattr(e, "__notes__", ())


class AskFailed(Exception):
    """A failure the user is told about in one line; `code` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class StatusLine:
    """A progress line on stderr, only when stderr is a terminal."""

    _FRAMES = itertools.cycle("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._shown = False

    def show(self, text: str) -> None:
        if self.live:
            self.stream.write(f"\r\x1b[2K{next(self._FRAMES)} {text}")
            self.stream.flush()
            self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._shown = False


_ERROR_LABELS: tuple[tuple[type[Exception], str], ...] = (
    (api.AuthError, "authentication failed"),
    (api.RateLimited, "rate limited"),
    (api.NotReady, "the data summary is not ready yet"),
    (api.NotFound, "not found"),
    (api.NetworkError, "network error"),
    (api.BadResponse, "bad response from the server"),
    (api.JobTimeout, "timed out"),
)


def _describe_error(e: BaseException) -> str:
    """One line for any failure of the client, without secrets or tracebacks."""
    for kind, label in _ERROR_LABELS:
        if isinstance(e, kind):
            return f"{label}: {e}"
    return str(e) or type(e).__name__


@dataclass
class Asked:
    job: dict[str, Any]
    session_id: int | None
    requests_spent: int


async def ensure_summary(conn: Connection, status: StatusLine) -> None:
    """The embedded backend needs a data summary before it answers; make one (free) if missing."""
    created = await conn.client.create_data_summary(conn.cluster_id, conn.database, reuse=True)

    async def progress(p: api.JobProgress) -> None:
        status.show(f"building the data summary of {conn.database} · {p.elapsed:.0f} s")

    outcome = await api.wait_for_job(
        conn.client, created.job_id, kind="data_summary", deadline=SUMMARY_TIMEOUT, on_progress=progress
    )
    if outcome.job.status != "done":
        reason = outcome.job.reason or "no reason given"
        raise AskFailed(f"the data summary of {conn.database} failed: {reason}")


async def ask_question(
    conn: Connection,
    history: History,
    question: str,
    *,
    session_id: int | None,
    explicit_session: bool,
    mode: api.SqlGenerateMode,
    timeout: float,
    status: StatusLine,
) -> Asked:
    client = conn.client
    key = conn.history_key
    turn = history.add_turn(key, session_id, question, mode)
    spent = 0
    job_id: str | None = None  # once set, the job exists on the server and history knows it
    try:
        created: api.Chat2DataJob | None = None
        if session_id is not None:
            try:
                created = await client.session_chat2data(session_id, question, sql_generate_mode=mode)
            except api.NotFound:
                if explicit_session:
                    raise AskFailed(f"session {session_id} does not exist on {conn.profile.name}") from None
                print(f"c2q-tui: session {session_id} is gone; starting a new one", file=sys.stderr)
                history.forget_session(key, session_id)
                session_id = None
        if created is None:
            created = await client.chat2data(
                question, cluster_id=conn.cluster_id, database=conn.database, sql_generate_mode=mode
            )
        ref = client.job_ref(created.job_id)
        spent += ref.requests if ref else 1
        session_id = int(created.session_id) if created.session_id is not None else session_id
        history.set_turn_job(
            turn, created.job_id, session_id, database=conn.database, session_name=question[:80]
        )
        job_id = created.job_id
        started = time.monotonic()

        async def progress(p: api.JobProgress) -> None:
            elapsed = time.monotonic() - started
            status.show(f"{p.status} · {elapsed:.1f} s · {spent + p.requests_spent} requests")

        outcome = await api.wait_for_job(
            client, created.job_id, kind="chat2data", deadline=timeout, on_progress=progress
        )
        spent += outcome.requests_spent
        job = outcome.job.model_dump(mode="json")
        history.finish_turn(
            turn,
            status=outcome.job.status,
            result=job.get("result"),
            reason=outcome.job.reason or "",
            requests_spent=spent,
        )
        return Asked(job=job, session_id=session_id, requests_spent=spent)
    except BaseException as e:
        if job_id is not None and not conn.local and isinstance(e, STILL_RUNNING):
            # Only this client stopped waiting; the job runs on at the server. The turn stays
            # "running" with its job id, so the app polls it on its next start and the answer is not
            # lost. (An embedded backend's job lives in this process and ends with it: failed.)
            log.info("stopped waiting for job %s (%s); its turn stays running", job_id, type(e).__name__)
            e.add_note(RESUME_HINT)  # for the one line the user reads
            raise
        reason = str(e) if isinstance(e, AskFailed | api.Chat2QueryError) else type(e).__name__
        history.finish_turn(turn, status="failed", reason=reason, requests_spent=spent)
        raise


async def _ask(args: argparse.Namespace, question: str) -> int:
    resolved = resolve(args.profile, database_url=args.database_url)
    status = StatusLine()
    history = History()
    conn = open_connection(resolved.profile, on_progress=lambda msg: status.show(msg))
    async with conn:
        try:
            if conn.local:
                await ensure_summary(conn, status)
            session_id = args.session
            if session_id is None and not args.new_session:
                session_id = history.last_session(conn.history_key, conn.database)
            asked = await ask_question(
                conn,
                history,
                question,
                session_id=session_id,
                explicit_session=args.session is not None,
                mode=args.mode,
                timeout=args.timeout,
                status=status,
            )
        except (AskFailed, api.Chat2QueryError) as e:
            status.clear()
            log.info("ask failed: %s", _describe_error(e))
            if isinstance(e, api.BadResponse) and e.body:
                log.debug("raw body of the bad response:\n%s", e.body)
            message = _describe_error(e)
            if _left_running(e):
                message = f"{message}; {RESUME_HINT}"
            raise AskFailed(message) from None
        except (KeyboardInterrupt, asyncio.CancelledError) as e:
            if _left_running(e):
                status.clear()
                print(f"c2q-tui: {RESUME_HINT}", file=sys.stderr)
            raise
        finally:
            status.clear()
    view = answer_view(question, asked.job, session_id=asked.session_id, requests_spent=asked.requests_spent)
    if view.status == "failed":
        if args.format == "json":
            print(render(view, "json"))
        raise AskFailed(f"the job failed: {view.reason or 'no reason given'}")
    if args.sql_only:
        sqls = [t.sql for t in view.tasks() if t.sql]
        if not sqls:
            raise AskFailed("the answer has no SQL")
        print("\n\n".join(sqls))
    else:
        print(render(view, args.format))
    errors = [t.sql_error for t in view.tasks() if t.sql_error]
    if errors and not args.sql_only:
        raise AskFailed(f"SQL error: {errors[0]}")
    return 0


def run_ask(args: argparse.Namespace) -> int:
    question = args.question
    if not question or not question.strip():
        print("c2q-tui ask: error: the question is empty", file=sys.stderr)
        return 2
    if len(question) > MAX_QUESTION_CHARS:
        print(
            f"c2q-tui ask: error: the question is {len(question)} characters long; "
            f"the limit is {MAX_QUESTION_CHARS}",
            file=sys.stderr,
        )
        return 2
    try:
        return asyncio.run(_ask(args, question.strip()))
    except AskFailed as e:
        print(f"c2q-tui: {terminal_safe(str(e))}", file=sys.stderr)
        return e.code


def run_sessions(args: argparse.Namespace) -> int:
    resolved = resolve(args.profile, database_url=args.database_url)
    history = History()
    if args.remote:
        return asyncio.run(_remote_sessions(resolved.profile))
    rows = history.sessions(resolved.profile.name)
    if not rows:
        print(f"no sessions yet for profile {resolved.profile.name!r}", file=sys.stderr)
        return 0
    table = [
        [
            s.session_id,
            s.name,
            s.database or "",
            s.turn_count,
            time.strftime("%Y-%m-%d %H:%M", time.localtime(s.updated_at)),
        ]
        for s in rows
    ]
    print(text_table(["session_id", "name", "database", "turns", "last activity"], table))
    return 0


async def _remote_sessions(profile: Any) -> int:
    try:
        async with open_connection(profile) as conn:
            sessions = await conn.client.list_sessions()
    except api.Chat2QueryError as e:
        print(f"c2q-tui: {_describe_error(e)}", file=sys.stderr)
        return 1
    table = [
        [s.session_id, s.meta.name if s.meta else "", time.strftime("%Y-%m-%d %H:%M", time.localtime(
            s.meta.updated_at)) if s.meta and s.meta.updated_at else ""]
        for s in sessions
    ]
    print(text_table(["session_id", "name", "last activity"], table))
    return 0
