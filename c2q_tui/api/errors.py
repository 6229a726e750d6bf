"""Typed errors of the Chat2Query client.

Every error's `str()` is one human-readable line without secrets, so the CLI and the TUI can show
it as-is. Server text is flattened to one line and shortened; the raw body of a malformed response
is kept on `BadResponse.body` for a debug log, never in the message.
"""

from __future__ import annotations

MAX_BODY_KEPT = 64 * 1024
_MAX_MSG = 300

EXPIRED_KEY_CODE = 49900002
RATE_LIMIT_CODE = 49900007


def one_line(text: object, limit: int = _MAX_MSG) -> str:
    """Collapse whitespace (server messages may span lines) and cap the length."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class Chat2QueryError(Exception):
    """Base of every error raised by `c2q_tui.api`.

    `status` is the HTTP status (None when no response arrived), `code` the envelope's code when the
    body had one, `msg` the server's message (one line) and `request` e.g. "GET /v2/jobs/abc".
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        msg: str = "",
        request: str | None = None,
    ) -> None:
        self.message = one_line(message, 500)
        self.status = status
        self.code = code
        self.msg = one_line(msg)
        self.request = request
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class AuthError(Chat2QueryError):
    """401: missing, wrong or expired API key (expired keys carry code 49900002)."""

    @property
    def expired(self) -> bool:
        return self.code == EXPIRED_KEY_CODE


class RateLimited(Chat2QueryError):
    """429 or code 49900007 in either envelope. Never retried automatically.

    `reset_after` is seconds until the window resets (`X-Ratelimit-Reset`), `limit` and `remaining`
    the per-minute figures when the server sent them.
    """

    def __init__(
        self,
        message: str,
        *,
        reset_after: float | None = None,
        limit: int | None = None,
        remaining: int | None = None,
        status: int | None = None,
        code: int | None = None,
        msg: str = "",
        request: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, msg=msg, request=request)
        self.reset_after = reset_after
        self.limit = limit
        self.remaining = remaining


class NotReady(Chat2QueryError):
    """The data summary is still being generated ("Data summary is not ready", code 400)."""


class NotFound(Chat2QueryError):
    """404: unknown endpoint or object id."""


class ApiError(Chat2QueryError):
    """Any other error answer; `status`, `code` and `msg` say what the server said."""


class BadResponse(Chat2QueryError):
    """The body was HTML, empty, truncated, not JSON, or JSON of the wrong shape.

    `body` keeps at most 64 KB of the raw body for a debug log; it is never part of `str()`.
    """

    def __init__(
        self,
        message: str,
        *,
        body: str | bytes = "",
        status: int | None = None,
        code: int | None = None,
        msg: str = "",
        request: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, msg=msg, request=request)
        raw = body[:MAX_BODY_KEPT]
        self.body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        self.body_truncated = len(body) > MAX_BODY_KEPT


class NetworkError(Chat2QueryError):
    """No usable response: connection refused or reset, DNS failure, timeout.

    `maybe_sent` is False when the request provably never reached the server (connect failed).
    """

    def __init__(self, message: str, *, maybe_sent: bool, request: str | None = None) -> None:
        super().__init__(message, request=request)
        self.maybe_sent = maybe_sent


class JobError(Chat2QueryError):
    """Base of the errors `wait_for_job` raises about the job itself."""

    def __init__(self, message: str, *, job_id: str, requests_spent: int, elapsed: float) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.requests_spent = requests_spent
        self.elapsed = elapsed


class JobTimeout(JobError):
    """The deadline passed before the job ended. The job may still finish: poll it again later."""


class JobCancelled(JobError):
    """The caller cancelled the wait (the job itself keeps running on the server)."""


class JobFailed(JobError):
    """Raised by `JobOutcome.raise_for_failure()` for a job that ended `failed`."""

    def __init__(
        self, message: str, *, job_id: str, requests_spent: int, elapsed: float, reason: str
    ) -> None:
        super().__init__(message, job_id=job_id, requests_spent=requests_spent, elapsed=elapsed)
        self.reason = reason
