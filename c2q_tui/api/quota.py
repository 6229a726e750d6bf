"""The daily request ledger per Data App, rate-limit headers, and the job-duration history.

A Chat2Query Data App gets 100 requests per UTC day for everything, job polls included, and the
service sends no per-day header, so the client counts for itself. The ledger lives in SQLite (WAL
and a busy timeout) so the TUI and `c2q-tui ask` can run at once: every count is one atomic upsert.
Tables are prefixed `quota_` and share the app's history file by default.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from c2q_tui import paths
from c2q_tui.api.schedule import Observation
from c2q_tui.sqlitefile import SharedConnection

DEFAULT_DAILY_LIMIT = 100
DEFAULT_WARN_AT = 0.8
_KEEP_DURATIONS = 500
_EPOCH_CUTOFF = 1e9  # an X-Ratelimit-Reset above this is a timestamp, not a number of seconds

_SCHEMA = """
CREATE TABLE IF NOT EXISTS quota_requests (
    app TEXT NOT NULL,
    day TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    server_remaining_day INTEGER,
    count_at_report INTEGER,
    limit_minute INTEGER,
    remaining_minute INTEGER,
    reset_after REAL,
    reported_at REAL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (app, day)
);
CREATE TABLE IF NOT EXISTS quota_job_durations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL,
    kind TEXT NOT NULL,
    seconds REAL NOT NULL,
    low REAL,
    high REAL,
    recorded_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS quota_job_durations_by_kind ON quota_job_durations (app, kind, id);
"""


def _int(value: str | None) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def _float(value: str | None) -> float | None:
    """A finite number, or None: a header of "nan", "inf" or "1e400" must not crash or poison waits."""
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


@dataclass(frozen=True)
class RateLimitInfo:
    """The `X-Ratelimit-*` headers of one response (Kong's names, matched case-insensitively)."""

    limit_minute: int | None = None
    remaining_minute: int | None = None
    reset_after: float | None = None
    limit_day: int | None = None
    remaining_day: int | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], now: float | None = None) -> RateLimitInfo:
        h = {k.lower(): v for k, v in headers.items()}
        reset = _float(h.get("x-ratelimit-reset"))
        if reset is None:
            reset = _float(h.get("retry-after"))
        if reset is not None and reset > _EPOCH_CUTOFF:
            reset = max(0.0, reset - (time.time() if now is None else now))
        return cls(
            limit_minute=_int(h.get("x-ratelimit-limit-minute")),
            remaining_minute=_int(h.get("x-ratelimit-remaining-minute")),
            reset_after=reset,
            limit_day=_int(h.get("x-ratelimit-limit-day")),
            remaining_day=_int(h.get("x-ratelimit-remaining-day")),
        )

    @property
    def empty(self) -> bool:
        return all(v is None for v in vars(self).values())

    @property
    def minute_exhausted(self) -> bool:
        return self.remaining_minute == 0


QuotaLevel = Literal["ok", "warn", "exhausted"]


@dataclass(frozen=True)
class QuotaStatus:
    app: str
    day: str
    used: int
    limit: int
    remaining: int
    level: QuotaLevel

    def __str__(self) -> str:
        return f"{self.used}/{self.limit} today"

    @property
    def message(self) -> str | None:
        """A one-line warning, or None while comfortably under the limit."""
        if self.level == "exhausted":
            return f"daily quota used up: {self.used}/{self.limit} requests today (UTC); resets at 00:00 UTC"
        if self.level == "warn":
            return f"{self.remaining} of {self.limit} daily requests left (UTC day)"
        return None


class QuotaLedger:
    """Counts requests per Data App (key: the client's base URL) per UTC day.

    `clock` returns UNIX seconds and decides the UTC day; tests inject it.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        daily_limit: int = DEFAULT_DAILY_LIMIT,
        warn_at: float = DEFAULT_WARN_AT,
    ) -> None:
        self.path = path or paths.history_db()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit: transactions are explicit, so a count is one short write lock
        self._file = SharedConnection(self.path, pragmas=("PRAGMA synchronous=NORMAL",), autocommit=True)
        self.clock = clock
        self.daily_limit = daily_limit
        self.warn_at = warn_at
        with self._db() as db:
            db.executescript(_SCHEMA)
            have = {row[1] for row in db.execute("PRAGMA table_info(quota_job_durations)")}
            for column in ("low", "high"):
                if column not in have:  # a file written before intervals were kept
                    db.execute(f"ALTER TABLE quota_job_durations ADD COLUMN {column} REAL")

    def __repr__(self) -> str:
        return f"QuotaLedger(path={str(self.path)!r})"

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._file.use()

    def close(self) -> None:
        self._file.close()

    def day(self, at: float | None = None) -> str:
        return datetime.fromtimestamp(self.clock() if at is None else at, UTC).date().isoformat()

    # -- requests ------------------------------------------------------------------------------

    def record_request(self, app: str, headers: Mapping[str, str] | None = None) -> int:
        """Count one request sent to `app` today; read `X-Ratelimit-*` headers when present.

        Returns the count for today after this request.
        """
        now = self.clock()
        day = self.day(now)
        info = RateLimitInfo.from_headers(headers or {}, now)
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(
                    "INSERT INTO quota_requests (app, day, count, updated_at) VALUES (?, ?, 1, ?) "
                    "ON CONFLICT (app, day) DO UPDATE SET count = count + 1, "
                    "updated_at = excluded.updated_at",
                    (app, day, now),
                )
                if not info.empty:
                    db.execute(
                        "UPDATE quota_requests SET limit_minute = ?, remaining_minute = ?, reset_after = ?, "
                        "reported_at = ?, server_remaining_day = COALESCE(?, server_remaining_day), "
                        "count_at_report = CASE WHEN ? IS NULL THEN count_at_report ELSE count END "
                        "WHERE app = ? AND day = ?",
                        (
                            info.limit_minute,
                            info.remaining_minute,
                            info.reset_after,
                            now,
                            info.remaining_day,
                            info.remaining_day,
                            app,
                            day,
                        ),
                    )
                row = db.execute(
                    "SELECT count FROM quota_requests WHERE app = ? AND day = ?", (app, day)
                ).fetchone()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return int(row[0])

    def used_today(self, app: str) -> int:
        with self._db() as db:
            row = db.execute(
                "SELECT count FROM quota_requests WHERE app = ? AND day = ?", (app, self.day())
            ).fetchone()
        return int(row[0]) if row else 0

    def remaining(self, app: str, daily_limit: int | None = None) -> int:
        """Requests left today. A per-day figure from the server, when it ever sends one, wins
        (it also counts other clients); our own count since that report is taken off it."""
        limit = self.daily_limit if daily_limit is None else daily_limit
        with self._db() as db:
            row = db.execute(
                "SELECT count, server_remaining_day, count_at_report FROM quota_requests "
                "WHERE app = ? AND day = ?",
                (app, self.day()),
            ).fetchone()
        if not row:
            return limit
        count, server_left, at_report = row
        if server_left is not None and at_report is not None:
            return max(0, int(server_left) - (int(count) - int(at_report)))
        return max(0, limit - int(count))

    def status(self, app: str, daily_limit: int | None = None, warn_at: float | None = None) -> QuotaStatus:
        limit = self.daily_limit if daily_limit is None else daily_limit
        threshold = self.warn_at if warn_at is None else warn_at
        left = self.remaining(app, limit)
        used = max(self.used_today(app), limit - left)
        level: QuotaLevel = "exhausted" if left <= 0 else "warn" if used >= threshold * limit else "ok"
        return QuotaStatus(app=app, day=self.day(), used=used, limit=limit, remaining=left, level=level)

    def should_warn(self, app: str, daily_limit: int | None = None, warn_at: float | None = None) -> bool:
        """True once `warn_at` (a fraction, default 0.8) of the daily limit is used."""
        return self.status(app, daily_limit, warn_at).level != "ok"

    def last_rate_limit(self, app: str) -> RateLimitInfo | None:
        """The per-minute figures of today's last response that carried rate-limit headers."""
        with self._db() as db:
            row = db.execute(
                "SELECT limit_minute, remaining_minute, reset_after, server_remaining_day, reported_at "
                "FROM quota_requests WHERE app = ? AND day = ?",
                (app, self.day()),
            ).fetchone()
        if not row or row[4] is None:
            return None
        return RateLimitInfo(
            limit_minute=row[0], remaining_minute=row[1], reset_after=row[2], remaining_day=row[3]
        )

    # -- job durations -------------------------------------------------------------------------

    def record_job_duration(
        self, app: str, kind: str, seconds: float, *, low: float | None = None, high: float | None = None
    ) -> None:
        """Keep how long a job took; `low`/`high` when it is only known to have ended in (low, high]."""
        if not seconds > 0:
            return
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO quota_job_durations (app, kind, seconds, low, high, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (app, kind, float(seconds), low, high, self.clock()),
            )
            db.execute(
                "DELETE FROM quota_job_durations WHERE app = ? AND kind = ? AND id <= "
                "(SELECT id FROM quota_job_durations WHERE app = ? AND kind = ? ORDER BY id DESC "
                "LIMIT 1 OFFSET ?)",
                (app, kind, app, kind, _KEEP_DURATIONS),
            )
            db.execute("COMMIT")

    def observations(self, app: str, kind: str, limit: int = 50) -> list[Observation]:
        """The most recent job durations of this kind, newest first, with their intervals."""
        with self._db() as db:
            rows = db.execute(
                "SELECT seconds, low, high FROM quota_job_durations WHERE app = ? AND kind = ? "
                "ORDER BY id DESC LIMIT ?",
                (app, kind, limit),
            ).fetchall()
        return [Observation(float(r[0]), r[1], r[2]) for r in rows]

    def durations(self, app: str, kind: str, limit: int = 50) -> list[float]:
        """The most recent job durations (seconds) of this kind, newest first."""
        return [o.seconds for o in self.observations(app, kind, limit)]
