"""Request limits: a per-minute limit per API key and a daily quota per Data App (reference §5.3).

- Per minute: fixed windows aligned to the wall-clock minute, counted in memory (like Kong's).
- Per day: the Chat2Query quota, per app and UTC day, persisted in the store so restarts don't reset
  it. Every authenticated request counts, `/v2/jobs` polls included (tisqleditor's reading of the
  real quota); refused requests don't.
- Every response carries `X-Ratelimit-Limit-Minute`, `X-Ratelimit-Remaining-Minute` and
  `X-Ratelimit-Reset` (seconds until the minute window resets; on a daily-quota 429, seconds until
  00:00 UTC). With no per-minute limit configured (`per_minute=None`) the headers are left out.

How the daily count reaches the store: a transaction per request cost more than the rest of a job
poll, so far from the limit requests are counted in memory and added to the store in batches: every
`FLUSH_EVERY` requests, `FLUSH_SECONDS` after the first uncounted one (a timer on the running loop),
on a new UTC day, when asked (`used_today`) and at shutdown (`close`, from `Backend.aclose`). A killed
process loses at most that batch. Within `PRECISE_MARGIN` of the quota every request is checked and
counted in one store transaction, so processes sharing a state dir (`serve` next to the app) cannot
admit more than the quota between them; with the service's 100 a day that is every request.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from c2q_tui.local.envelopes import RATE_LIMIT_CODE, GatewayError
from c2q_tui.local.store import Store

log = logging.getLogger("c2q_tui.local.ratelimit")
FLUSH_EVERY = 256
FLUSH_SECONDS = 1.0
PRECISE_MARGIN = 1000
DAY = 86_400

MINUTE_MESSAGE = (
    "API key rate limit exceeded. The limit can be increased up to 1000 requests per minute per API key "
    "in TiDB Cloud console. For an increase in quota beyond 1000 rpm, please contact us: "
    "https://tidb.support.pingcap.com/"
)


def daily_message(quota: int) -> str:
    return f"Chat2Query daily request quota exceeded ({quota} per day); it resets at 00:00 UTC"


@dataclass
class Decision:
    headers: dict[str, str] = field(default_factory=dict)
    error: GatewayError | None = None


class RateLimiter:
    def __init__(
        self,
        store: Store,
        app_id: str,
        *,
        per_minute: int | None,
        daily_quota: int | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.app_id = app_id
        self.per_minute = per_minute
        self.daily_quota = daily_quota
        self.clock = clock
        self._windows: dict[str, tuple[int, int]] = {}  # public key -> (minute, count)
        self._day = -1  # the UTC day (days since the epoch) `_known` and `_pending` are about
        self._day_key = ""
        self._known = 0  # the day's count in the store when last read (all processes)
        self._pending = 0  # admitted here, not yet added to the store
        self._due = math.inf  # clock time by which `_pending` must be in the store
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False

    def _minute_headers(self, now: float, used: int) -> dict[str, str]:
        if self.per_minute is None:
            return {}
        return {
            "X-Ratelimit-Limit-Minute": str(self.per_minute),
            "X-Ratelimit-Remaining-Minute": str(max(self.per_minute - used, 0)),
            "X-Ratelimit-Reset": str(max(math.ceil(60 - now % 60), 1)),
        }

    def peek(self, public_key: str | None) -> dict[str, str]:
        """Headers for a response that is not counted (e.g. a 401 before the key is known)."""
        now = self.clock()
        minute = int(now // 60)
        used = 0
        if public_key is not None:
            start, count = self._windows.get(public_key, (minute, 0))
            used = count if start == minute else 0
        return self._minute_headers(now, used)

    def hit(self, public_key: str) -> Decision:
        """Count one request of this key, or refuse it with a 429."""
        now = self.clock()
        minute = int(now // 60)
        start, count = self._windows.get(public_key, (minute, 0))
        if start != minute:
            count = 0
        if self.per_minute is not None and count >= self.per_minute:
            headers = self._minute_headers(now, count)
            return Decision(headers, GatewayError(429, MINUTE_MESSAGE, code=RATE_LIMIT_CODE, headers=headers))
        day = int(now // DAY)
        if day != self._day:
            self._start_day(day)
        quota = self.daily_quota
        if quota is not None and self._known + self._pending + PRECISE_MARGIN >= quota:
            self.flush()
            admitted, self._known = self.store.quota_take(self.app_id, self._day_key, quota)
            if not admitted:
                return self._over_quota(now, count, quota)
        else:
            self._pending += 1
            if self._pending == 1:
                self._due = now + FLUSH_SECONDS
                self._schedule()
            elif self._pending >= FLUSH_EVERY or now >= self._due:
                self._try_flush()
        self._windows[public_key] = (minute, count + 1)
        return Decision(self._minute_headers(now, count + 1))

    def _over_quota(self, now: float, count: int, quota: int) -> Decision:
        headers = self._minute_headers(now, count)
        headers["X-Ratelimit-Reset"] = str(max(math.ceil((self._day + 1) * DAY - now), 1))  # 00:00 UTC
        error = GatewayError(429, daily_message(quota), code=RATE_LIMIT_CODE, headers=headers)
        return Decision(headers, error)

    def _start_day(self, day: int) -> None:
        self.flush()  # what is pending belongs to the day that just ended
        self._day = day
        self._day_key = dt.datetime.fromtimestamp(day * DAY, dt.UTC).strftime("%Y-%m-%d")
        self._known = self.store.quota_count(self.app_id, self._day_key)

    def _schedule(self) -> None:
        """Flush `FLUSH_SECONDS` from now, so an idle server does not keep its count in memory."""
        if self._timer is not None and not self._timer.cancelled():
            self._timer.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside a loop: nothing would run a timer, count right away
            self._timer = None
            self._try_flush()
            return
        self._timer = loop.call_later(FLUSH_SECONDS, self._flush_on_timer)

    def _flush_on_timer(self) -> None:
        self._timer = None
        self._try_flush()

    def _try_flush(self) -> None:
        """Flush without failing the request at hand: the count stays in memory for the next try."""
        try:
            self.flush()
        except sqlite3.Error:  # e.g. the state file locked by another process for longer than its timeout
            log.warning("could not store the request count; will retry", exc_info=True)
            with contextlib.suppress(RuntimeError):  # in a loop: retry even if no request comes
                self._timer = asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._flush_on_timer)

    def flush(self) -> None:
        """Add the requests counted in memory to the store."""
        if self._pending == 0 or self._closed:
            return
        pending, self._pending, self._due = self._pending, 0, math.inf
        try:
            self._known = self.store.quota_add(self.app_id, self._day_key, pending)
        except BaseException:
            self._pending += pending  # not stored: keep them, and try again a little later
            self._due = self.clock() + FLUSH_SECONDS
            raise

    def used_today(self) -> int:
        """Requests counted today, by every process sharing the store."""
        day = int(self.clock() // DAY)
        if day != self._day:
            self._start_day(day)
        self.flush()
        self._known = self.store.quota_count(self.app_id, self._day_key)
        return self._known

    def close(self) -> None:
        """Store what is still counted in memory; call before closing the store."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.flush()
        self._closed = True
