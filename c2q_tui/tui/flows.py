"""The app's request flows without Textual: submit, poll planning, errors in words, running SQL.

Workers call these and turn the outcome into messages. Mirrors the headless `ask` flow (`ask.py`) where
the two meet: a turn is recorded before the request and gets its job id at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from c2q_tui.tui.lazy import lazy_module

if TYPE_CHECKING:
    from c2q_tui import api
    from c2q_tui.config import Profile
    from c2q_tui.connection import Connection
    from c2q_tui.history import History
else:  # the API client (httpx, pydantic models) loads when a worker first needs it, after the first frame
    api = lazy_module("c2q_tui.api")

SUMMARY_TIMEOUT = 900.0
ANSWER_TIMEOUT = 900.0  # a chat2data job past this is given up (it may still end: regenerate)


def describe_error(e: BaseException, *, database: str = "") -> tuple[str, str]:
    """(kind, one clear line) for any failure of a request or a wait; never a traceback."""
    if isinstance(e, api.AuthError):
        if e.expired:
            return "auth", "The API key is no longer valid (expired). Create a new key pair for the Data App."
        return "auth", (
            "Authentication failed (HTTP 401): the public/private key pair was rejected. "
            "Check the keys of this profile."
        )
    if isinstance(e, api.RateLimited):
        return "rate_limited", rate_limit_text(e)
    if isinstance(e, api.NotReady):
        where = f" of {database}" if database else ""
        return "not_ready", (
            f"The data summary{where} is not ready yet: the service is still exploring the database. "
            "Ask again in a while."
        )
    if isinstance(e, api.NotFound):
        return "not_found", f"Not found: {e}"
    if isinstance(e, api.NetworkError):
        return "network", f"Network error: {e}"
    if isinstance(e, api.BadResponse):
        return "bad_response", f"The server sent an answer that could not be read: {e}"
    if isinstance(e, api.JobCancelled):
        return (
            "cancelled",
            "Cancelled: stopped waiting for this answer (the job may still run on the server).",
        )
    if isinstance(e, api.JobTimeout):
        return (
            "timeout",
            f"Gave up waiting after {e.elapsed:.0f} s; the job may still finish. Regenerate to ask again.",
        )
    if isinstance(e, api.Chat2QueryError):
        return "error", str(e)
    return "error", f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def rate_limit_text(e: api.RateLimited) -> str:
    server = e.msg or str(e)
    if e.reset_after is not None:
        when = time.localtime(time.time() + e.reset_after)
        if e.reset_after < 120:
            wait = f"try again in {e.reset_after:.0f} s, at {time.strftime('%H:%M:%S', when)}"
        else:
            wait = f"try again at {time.strftime('%H:%M', when)} (in {e.reset_after / 3600:.1f} h)"
        return f"Rate limited (HTTP 429): {wait}. {server}".strip()
    return (
        "Rate limited (HTTP 429): the Data App's daily quota (100 requests) is used up; "
        f"it resets at 00:00 UTC. {e.msg or ''}".strip()
    )


def spent(e: BaseException) -> int:
    return e.requests_spent if isinstance(e, api.JobError) else 0


# -- data summary ----------------------------------------------------------------------------------


async def summary_job(conn: Connection) -> str | None:
    """The job building the database's data summary, or None when a done one exists already.

    Listing first costs one request and saves the wait of polling a job that is done at once.
    """
    summaries = await conn.client.list_data_summaries()
    mine = [s for s in summaries if s.database == conn.database]
    if any(s.status == "done" for s in mine):
        return None
    created = await conn.client.create_data_summary(conn.cluster_id, conn.database, reuse=True)
    return created.job_id


# -- questions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    job_id: str
    session_id: int | None
    requests_spent: int


async def submit_question(
    conn: Connection, history: History, turn_id: int, question: str, *, session_id: int | None, mode: str
) -> Submitted:
    """Send a question (in a session, or opening one) and record its job id before returning.

    The job id is written here, in the worker, and not by a message handler, so quitting the app in
    the instant after the answer arrives cannot lose it.
    """
    client = conn.client
    generate: api.SqlGenerateMode = "auto_breakdown" if mode == "auto_breakdown" else "direct"
    if session_id is not None and session_id >= 0:
        created = await client.session_chat2data(session_id, question, sql_generate_mode=generate)
    else:
        created = await client.chat2data(
            question, cluster_id=conn.cluster_id, database=conn.database, sql_generate_mode=generate
        )
    ref = client.job_ref(created.job_id)
    sid = int(created.session_id) if created.session_id is not None else session_id
    server_sid = sid if sid is not None and sid >= 0 else None
    await asyncio.to_thread(
        partial(history.set_turn_job, database=conn.database, session_name=question[:80]),
        turn_id, created.job_id, server_sid,
    )
    return Submitted(created.job_id, server_sid, ref.requests if ref else 1)


def expected_database(profile: Profile) -> str | None:
    """The database a profile will connect to, known before connecting (to pick its sessions)."""
    if profile.kind != "local":
        return profile.database
    from c2q_tui.local.database import database_name
    from c2q_tui.local.settings import sample_url

    return database_name(profile.database_url or sample_url())


# -- running SQL -----------------------------------------------------------------------------------


def sql_url(conn: Connection) -> str | None:
    """Where refined SQL can run directly: the embedded backend's database, or a TiDB Cloud profile's
    `database_url`. None when the app can only show the SQL (the service has no such endpoint)."""
    if conn.local:
        if conn.profile.database_url:
            return conn.profile.database_url
        from c2q_tui.local.settings import sample_url

        return sample_url()
    return conn.profile.database_url or None


def sql_dialect(conn: Connection) -> str:
    """The sqlglot dialect the SQL is written in, for pretty-printing."""
    if not conn.local:
        return "mysql"  # TiDB speaks MySQL
    url = sql_url(conn) or ""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    return {"postgresql": "postgres", "mariadb": "mysql"}.get(scheme, scheme or "sqlite")


class SqlRunner:
    """One read-only `Database` per URL, opened on first use (opening builds an engine: keep it)."""

    def __init__(self) -> None:
        self._dbs: dict[str, Any] = {}
        self._lock = threading.Lock()

    def run(self, url: str, sql: str) -> Any:
        """Blocking: call from a thread worker. Raises `c2q_tui.local.database.SqlError`."""
        return self.database(url).execute(sql)

    def database(self, url: str) -> Any:
        """The `Database` for `url`, shared with explain / optimize plans (blocking: call off the UI)."""
        from c2q_tui.local.database import Database

        with self._lock:
            db = self._dbs.get(url)
            if db is None:
                db = self._dbs[url] = Database(url)
        return db

    def close(self) -> None:
        with self._lock:
            for db in self._dbs.values():
                db.dispose()
            self._dbs.clear()
