"""The HTTP layer under `Chat2QueryClient`: one AsyncClient, auth, retries, accounting.

One `httpx.AsyncClient` and one auth object live as long as the client: httpx's `DigestAuth` keeps
the server's challenge on the instance, so only the first request pays the 401 round trip and later
ones are signed pre-emptively (a new client or auth object per call re-challenges every time).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

import httpx
from pydantic import SecretStr

from c2q_tui.api.envelope import Expect, decode_response
from c2q_tui.api.errors import NetworkError
from c2q_tui.api.quota import QuotaLedger, RateLimitInfo
from c2q_tui.api.retry import RetryPolicy
from c2q_tui.api.schedule import SERVICE_PACE, PollPace

log = logging.getLogger(__name__)

AuthScheme = Literal["digest", "basic"]

DEFAULT_HOST_TEMPLATE = "https://{region}.data.tidbcloud.com/api/v1beta/app/{app_id}/endpoint"
_REGION_RE = re.compile(r"^[a-z0-9-]+$")
_MAX_JOB_REFS = 256


def build_base_url(region: str, app_id: str) -> str:
    """`https://<region>.data.tidbcloud.com/api/v1beta/app/<app-id>/endpoint`."""
    if not _REGION_RE.match(region):
        raise ValueError(f"invalid region {region!r}: expected e.g. us-east-1")
    if not app_id or "/" in app_id:
        raise ValueError(f"invalid Data App id {app_id!r}: expected e.g. chat2query-YqAvnlRj")
    return DEFAULT_HOST_TEMPLATE.format(region=region, app_id=app_id)


@dataclass
class RequestCounter:
    """Counts the requests sent inside a `client.count_requests()` block (retries included)."""

    count: int = 0
    parent: RequestCounter | None = field(default=None, repr=False)

    def add(self) -> None:
        counter: RequestCounter | None = self
        while counter is not None:
            counter.count += 1
            counter = counter.parent


_counter: ContextVar[RequestCounter | None] = ContextVar("c2q_request_counter", default=None)


@dataclass(frozen=True)
class JobRef:
    """What the client remembers about a job it started: its kind and the requests the submit took."""

    job_id: str
    kind: str
    requests: int


class CoreClient:
    def __init__(
        self,
        base_url: str | None = None,
        *,
        region: str | None = None,
        app_id: str | None = None,
        public_key: str,
        private_key: str | SecretStr,
        auth: AuthScheme = "digest",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        ledger: QuotaLedger | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        pace: PollPace = SERVICE_PACE,
    ) -> None:
        if base_url is None:
            if region is None or app_id is None:
                raise ValueError("give base_url, or region and app_id")
            base_url = build_base_url(region, app_id)
        self.base_url = base_url.rstrip("/")
        self.public_key = public_key
        self._private_key = private_key if isinstance(private_key, SecretStr) else SecretStr(private_key)
        if auth not in ("digest", "basic"):
            raise ValueError(f"auth must be 'digest' or 'basic', not {auth!r}")
        self.auth_scheme: AuthScheme = auth
        self.timeout = timeout
        self.pace = pace  # how fast wait_for_job may poll this server
        self.ledger = ledger
        self.retry = retry or RetryPolicy()
        self.last_rate_limit: RateLimitInfo | None = None
        self.requests_sent = 0
        self._jobs: OrderedDict[str, JobRef] = OrderedDict()
        self._primed = auth != "digest"
        self._prime_lock = asyncio.Lock()
        secret = self._private_key.get_secret_value()
        auth_obj: httpx.Auth = (
            httpx.DigestAuth(public_key, secret) if auth == "digest" else httpx.BasicAuth(public_key, secret)
        )
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/",
            auth=auth_obj,
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": "c2q-tui", **(headers or {})},
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, public_key={self.public_key!r}, "
            f"auth={self.auth_scheme!r})"
        )

    @property
    def app_key(self) -> str:
        """The quota ledger's key for this Data App."""
        return self.base_url

    @property
    def host(self) -> str:
        return httpx.URL(self.base_url).host or self.base_url

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    # -- accounting ----------------------------------------------------------------------------

    @contextmanager
    def count_requests(self) -> Iterator[RequestCounter]:
        """Count the requests this task sends in the block (nested blocks count into outer ones)."""
        counter = RequestCounter(parent=_counter.get())
        token = _counter.set(counter)
        try:
            yield counter
        finally:
            _counter.reset(token)

    def job_ref(self, job_id: str) -> JobRef | None:
        return self._jobs.get(job_id)

    def _remember_job(self, job_id: str, kind: str, requests: int) -> None:
        self._jobs[job_id] = JobRef(job_id=job_id, kind=kind, requests=requests)
        while len(self._jobs) > _MAX_JOB_REFS:
            self._jobs.popitem(last=False)

    async def _account(self, headers: httpx.Headers | None) -> None:
        self.requests_sent += 1
        counter = _counter.get()
        if counter is not None:
            counter.add()
        if headers is not None:
            info = RateLimitInfo.from_headers(headers)
            if not info.empty:
                self.last_rate_limit = info
        if self.ledger is not None:
            try:
                # SQLite may wait on another process's lock: keep that off the event loop
                await asyncio.to_thread(self.ledger.record_request, self.app_key, dict(headers or {}))
            except (sqlite3.Error, OSError) as exc:
                log.warning("quota ledger not updated: %s", exc)

    # -- sending -------------------------------------------------------------------------------

    def _network_error(self, exc: httpx.TransportError, label: str, maybe_sent: bool) -> NetworkError:
        host = self.host
        text = " ".join(str(exc).split()).lower()
        if isinstance(exc, httpx.ConnectTimeout):
            message = f"timed out connecting to {host} after {self.timeout:g} s"
        elif isinstance(exc, httpx.PoolTimeout):
            message = f"timed out waiting for a free connection to {host}"
        elif isinstance(exc, httpx.TimeoutException):
            message = f"timed out after {self.timeout:g} s waiting for {host} to answer {label}"
        elif isinstance(exc, httpx.ConnectError):
            if "refused" in text:
                reason = "connection refused"
            elif "name" in text or "address" in text or "resolution" in text:
                reason = "host name not found"
            else:
                reason = text or type(exc).__name__
            message = f"could not connect to {host}: {reason}"
        elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            reason = "connection reset" if "reset" in text else text or type(exc).__name__
            message = f"connection to {host} lost during {label}: {reason}"
        else:
            message = f"request to {host} failed: {text or type(exc).__name__}"
        return NetworkError(message, maybe_sent=maybe_sent, request=label)

    async def _send(self, method: str, path: str, json: Any) -> httpx.Response:
        if self._primed:
            return await self._http.request(method, path, json=json)
        # Until one digest challenge has been answered, requests go one at a time: fired together on
        # a fresh DigestAuth, each would be challenged and the server would issue a nonce apiece.
        async with self._prime_lock:
            response = await self._http.request(method, path, json=json)
            self._primed = True
            return response

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        expect: Expect = "chat2query",
        creates_job: bool = False,
    ) -> Any:
        """Send, retry per `self.retry`, account every send, and decode the envelope.

        `creates_job`: the call starts a job even though its method is idempotent (PUT
        /v2/dataSummaries/{id}); it is then retried only like a POST, so no job is started twice.
        """
        label = f"{method} /{path.lstrip('/')}"
        retry_as = "POST" if creates_job else method
        attempt = 0
        maybe_delivered = False  # an earlier attempt may have reached the server
        while True:
            attempt += 1
            try:
                response = await self._send(method, path.lstrip("/"), json)
            except httpx.TransportError as exc:
                unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
                if not unsent:
                    await self._account(None)
                    maybe_delivered = True
                if self.retry.may_retry_error(retry_as, exc, attempt):
                    delay = self.retry.delay(attempt)
                    log.info("%s failed (%s); retrying in %.1f s", label, type(exc).__name__, delay)
                    await self.retry.sleep(delay)
                    continue
                raise self._network_error(exc, label, maybe_sent=not unsent) from exc
            await self._account(response.headers)
            if self.retry.may_retry_status(retry_as, response.status_code, attempt):
                maybe_delivered = True
                retry_after = RateLimitInfo.from_headers(response.headers).reset_after
                delay = self.retry.delay(attempt, retry_after)
                log.info("%s answered HTTP %d; retrying in %.1f s", label, response.status_code, delay)
                await self.retry.sleep(delay)
                continue
            if method == "DELETE" and maybe_delivered and response.status_code == 404:
                # an earlier attempt deleted it and its answer was lost: what was asked is done
                log.info("%s: already gone after a retry; treated as deleted", label)
                return {}
            return decode_response(response, expect=expect, request=label)
