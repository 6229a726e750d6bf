"""Request limits: a per-minute limit per API key and a daily quota per Data App (reference §5.3).

- Per minute: fixed windows aligned to the wall-clock minute, counted in memory (like Kong's).
- Per day: the Chat2Query quota, per app and UTC day, persisted in the store so restarts don't reset
  it. Every authenticated request counts, `/v2/jobs` polls included (tisqleditor's reading of the
  real quota); refused requests don't.
- Every response carries `X-Ratelimit-Limit-Minute`, `X-Ratelimit-Remaining-Minute` and
  `X-Ratelimit-Reset` (seconds until the minute window resets; on a daily-quota 429, seconds until
  00:00 UTC). With no per-minute limit configured (`per_minute=None`) the headers are left out.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from c2q_tui.local.envelopes import RATE_LIMIT_CODE, GatewayError
from c2q_tui.local.store import Store

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
        day = dt.datetime.fromtimestamp(now, dt.UTC)
        day_key = day.strftime("%Y-%m-%d")
        if self.daily_quota is not None and self.store.quota_count(self.app_id, day_key) >= self.daily_quota:
            headers = self._minute_headers(now, count)
            midnight = dt.datetime.combine(day.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
            headers["X-Ratelimit-Reset"] = str(max(math.ceil(midnight.timestamp() - now), 1))
            error = GatewayError(429, daily_message(self.daily_quota), code=RATE_LIMIT_CODE, headers=headers)
            return Decision(headers, error)
        self._windows[public_key] = (minute, count + 1)
        self.store.quota_hit(self.app_id, day_key)
        return Decision(self._minute_headers(now, count + 1))

    def used_today(self) -> int:
        day_key = dt.datetime.fromtimestamp(self.clock(), dt.UTC).strftime("%Y-%m-%d")
        return self.store.quota_count(self.app_id, day_key)
