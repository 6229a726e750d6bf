"""When and how long to wait before sending a request again.

GET, PUT and DELETE are idempotent here and retry on connection errors and 5xx. A POST may create
a job, so it is sent again only when the first attempt provably never reached the server (the
connection could not be opened). Nothing retries into a 429.
"""

from __future__ import annotations

import asyncio
import random as _random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

# The connection was never established, so the request cannot have reached the server.
UNSENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# Worth another try for an idempotent request; excludes e.g. UnsupportedProtocol and ProxyError.
TRANSIENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.NetworkError,
    httpx.TimeoutException,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """At most `attempts` sends; waits grow from `base_delay` by 2x up to `max_delay`, with jitter.

    `sleep` and `random` are injectable so tests run without real waits.
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 4.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    random: Callable[[], float] = field(default=_random.random, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based).

        "Equal jitter": half the exponential step is fixed, half random, so concurrent clients
        spread out without ever retrying immediately. A server's Retry-After is honoured up to
        `max_delay`.
        """
        step = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        wait = step / 2 + self.random() * step / 2
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_delay))
        return wait

    def may_retry_error(self, method: str, exc: httpx.TransportError, attempt: int) -> bool:
        if attempt >= self.attempts:
            return False
        if isinstance(exc, UNSENT_ERRORS):
            return True
        return method.upper() in IDEMPOTENT_METHODS and isinstance(exc, TRANSIENT_ERRORS)

    def may_retry_status(self, method: str, status: int, attempt: int) -> bool:
        return attempt < self.attempts and status >= 500 and method.upper() in IDEMPOTENT_METHODS


NO_RETRY = RetryPolicy(attempts=1)
