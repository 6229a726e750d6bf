"""`wait_for_job`: poll `GET /v2/jobs/{id}` until the job is done or failed, spending few requests.

The schedule comes from `schedule.py` (learned from earlier jobs of the same kind). Partial results
(breakdown sub-tasks arrive while the job is `running`) are reported through `on_progress`.
Cancelling raises `JobCancelled`; a deadline raises `JobTimeout`. Both carry the job id and the
requests spent, and leave the job running on the server, so the caller can resume it later with
`already_elapsed`. A job that ends `failed` is an outcome, not an exception: see
`JobOutcome.raise_for_failure()`.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from c2q_tui.api.client import Chat2QueryClient
from c2q_tui.api.errors import BadResponse, JobCancelled, JobFailed, JobTimeout, RateLimited
from c2q_tui.api.models_jobs import KIND_CHAT2DATA, Job, JobPayload, parse_job_result
from c2q_tui.api.schedule import DurationModel, Observation, PollPlan, plan_for

log = logging.getLogger(__name__)


class Clock(Protocol):
    """UNIX seconds and a way to wait; tests pass a fake one so nothing really sleeps."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        # wall time (not monotonic) so it compares with the server's `ended_at`
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


@runtime_checkable
class EventLike(Protocol):
    """asyncio.Event, anyio.Event, threading-free anything with these two methods."""

    def is_set(self) -> bool: ...

    async def wait(self) -> object: ...


CancelSignal = EventLike | Callable[[], bool]


class DurationStore(Protocol):
    """Where job durations are learned from and recorded (QuotaLedger is one)."""

    def observations(self, app: str, kind: str, limit: int = 50) -> list[Observation]: ...

    def record_job_duration(
        self, app: str, kind: str, seconds: float, *, low: float | None = None, high: float | None = None
    ) -> None: ...


@dataclass(frozen=True)
class JobProgress:
    """One report. `job` is None only for the first report, made before the first poll."""

    job_id: str
    kind: str
    status: str
    job: Job | None
    partial: JobPayload
    changed: bool
    requests_spent: int
    polls: int
    elapsed: float
    next_poll_in: float | None


@dataclass(frozen=True)
class JobOutcome:
    """A job that ended, done or failed.

    `requests_spent` counts the requests `wait_for_job` sent (polls and their retries), not the
    submit; `client.job_ref(job_id).requests` has the submit's count.
    """

    job: Job
    kind: str
    result: JobPayload
    requests_spent: int
    polls: int
    elapsed: float
    duration: float

    @property
    def status(self) -> str:
        return self.job.status

    @property
    def ok(self) -> bool:
        return self.job.status == "done"

    @property
    def reason(self) -> str:
        return self.job.reason

    def raise_for_failure(self) -> JobOutcome:
        if self.job.failed:
            reason = self.job.reason or "unknown reason"
            raise JobFailed(
                f"job {self.job.job_id} failed: {reason}",
                job_id=self.job.job_id,
                requests_spent=self.requests_spent,
                elapsed=self.elapsed,
                reason=self.job.reason,
            )
        return self


ProgressCallback = Callable[[JobProgress], Awaitable[None] | None]

MAX_RATE_LIMIT_WAIT = 65.0
"""A per-minute limit resets within a minute; longer resets are raised, not slept through."""


def _is_cancelled(cancel: CancelSignal | None) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, EventLike):
        return cancel.is_set()
    return bool(cancel())


async def _sleep(clock: Clock, seconds: float, cancel: CancelSignal | None) -> None:
    """Sleep, waking early when `cancel` fires (an event at once, a callable within 0.5 s)."""
    if seconds <= 0:
        return
    if cancel is None:
        await clock.sleep(seconds)
    elif isinstance(cancel, EventLike):
        sleeper = asyncio.ensure_future(clock.sleep(seconds))
        waiter = asyncio.ensure_future(cancel.wait())
        try:
            await asyncio.wait({sleeper, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waiter):
                if not task.done():
                    task.cancel()
            await asyncio.gather(sleeper, waiter, return_exceptions=True)
    else:
        end = clock.now() + seconds
        while not cancel() and (left := end - clock.now()) > 0:
            await clock.sleep(min(0.5, left))


async def _report(on_progress: ProgressCallback | None, progress: JobProgress) -> None:
    if on_progress is None:
        return
    outcome = on_progress(progress)
    if inspect.isawaitable(outcome):
        await outcome


def _partial(job: Job, kind: str) -> JobPayload:
    try:
        return parse_job_result(job.result, kind)
    except BadResponse:
        return None  # a half-written partial result is not worth failing the wait for


def observe_duration(
    model: DurationModel, low: float, high: float, ended_after_start: float | None
) -> Observation:
    """What is known of how long a job took, given it ended within (low, high] after submission.

    The server's `ended_at` (made relative to the submit) gives an exact duration when plausible:
    clock skew of up to a second is clamped into the interval, more and it is ignored. Otherwise the
    interval itself is kept (its model median as the point for display); `DurationModel.fit` fits
    intervals properly. Recording the detection time instead would bias every later plan late.
    """
    if ended_after_start is not None and low - 1.0 <= ended_after_start <= high + 1.0:
        return Observation(min(max(ended_after_start, low), high))
    return Observation(model.conditional_quantile(low, high), low=low, high=high)


def _ended_after(job: Job, start: float) -> float | None:
    if not job.ended_at:
        return None
    ended = float(job.ended_at)
    if ended == int(ended):
        ended += 0.5  # whole UNIX seconds are truncated: on average the job ended half a second later
    return ended - start


async def wait_for_job(
    client: Chat2QueryClient,
    job_id: str,
    *,
    kind: str | None = None,
    deadline: float | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelSignal | None = None,
    clock: Clock | None = None,
    ledger: DurationStore | None = None,
    already_elapsed: float = 0.0,
    history: Sequence[float | Observation] | None = None,
) -> JobOutcome:
    """Poll job `job_id` until it is done or failed and return the outcome.

    kind: the duration history to plan from ("chat2data", "chat2data_breakdown", "data_summary",
        ...); defaults to the kind of the call that submitted it on this client, else "chat2data".
    deadline: seconds after submission to give up (JobTimeout); None waits as long as it takes.
    on_progress: called (sync or async) before the first poll and after every poll.
    cancel: an Event (asyncio or anyio) or a callable returning True to stop (JobCancelled).
    ledger: the duration history; defaults to `client.ledger`. `history` overrides what is read.
    already_elapsed: seconds since submission, when resuming a job after a restart.

    Errors of the polls themselves (NetworkError after the client's retries, AuthError, a second
    RateLimited in a row) propagate; the job keeps running and can be waited for again.
    """
    clock = clock or SystemClock()
    ref = client.job_ref(job_id)
    kind = kind or (ref.kind if ref else KIND_CHAT2DATA)
    store: DurationStore | None = ledger if ledger is not None else client.ledger
    if history is None and store is not None:
        try:
            history = await asyncio.to_thread(store.observations, client.app_key, kind)
        except (sqlite3.Error, OSError) as exc:
            log.warning("job-duration history not read, planning from the prior: %s", exc)
    model, plan = plan_for(kind, history or [], client.pace)
    floor = plan.min_interval
    start = clock.now() - already_elapsed
    spent = 0
    polls = 0
    last: Job | None = None
    last_seen = 0.0  # elapsed at the last poll that found the job still going
    rate_limited_once = False
    next_at = start + max(plan.first, floor)
    await _report(
        on_progress,
        JobProgress(
            job_id=job_id,
            kind=kind,
            status="init",
            job=None,
            partial=None,
            changed=False,
            requests_spent=0,
            polls=0,
            elapsed=clock.now() - start,
            next_poll_in=next_at - clock.now(),
        ),
    )

    def stop(exc_type: type[JobTimeout] | type[JobCancelled], why: str) -> JobTimeout | JobCancelled:
        elapsed = clock.now() - start
        return exc_type(
            f"job {job_id} {why} after {elapsed:.0f} s and {spent} requests",
            job_id=job_id,
            requests_spent=spent,
            elapsed=elapsed,
        )

    last_poll_at = start  # the submit counts as the previous request for the 1 s floor
    while True:
        if deadline is not None and next_at > start + deadline:
            final_at = start + deadline
            if final_at - last_poll_at < floor:
                await _sleep(clock, final_at - clock.now(), cancel)
                if _is_cancelled(cancel):
                    raise stop(JobCancelled, "wait cancelled")
                raise stop(
                    JobTimeout, f"still {last.status if last else 'pending'} at the {deadline:g} s deadline"
                )
            next_at = final_at
        await _sleep(clock, next_at - clock.now(), cancel)
        if _is_cancelled(cancel):
            raise stop(JobCancelled, "wait cancelled")

        limited: RateLimited | None = None
        with client.count_requests() as counter:
            try:
                job = await client.get_job(job_id)
            except RateLimited as exc:
                limited = exc
        spent += counter.count
        now = last_poll_at = clock.now()
        elapsed = now - start
        if limited is not None:
            # wait out a per-minute limit once; a second 429 in a row, or a reset further away than a
            # minute (the daily quota resets at midnight), is the user's to decide about
            reset = limited.reset_after
            if rate_limited_once or reset is None or reset > MAX_RATE_LIMIT_WAIT:
                raise limited
            rate_limited_once = True
            next_at = now + max(floor, reset)
            log.info("job %s: rate limited, next poll in %.0f s", job_id, next_at - now)
            continue
        rate_limited_once = False
        polls += 1
        changed = last is None or job.status != last.status or job.result != last.result

        if job.finished:
            seen = observe_duration(model, last_seen, elapsed, _ended_after(job, start))
            if store is not None:
                record = functools.partial(
                    store.record_job_duration,
                    client.app_key,
                    kind,
                    seen.seconds,
                    low=seen.low,
                    high=seen.high,
                )
                try:
                    await asyncio.to_thread(record)
                except (sqlite3.Error, OSError) as exc:
                    log.warning("job duration not recorded: %s", exc)
            result = parse_job_result(job.result, kind)
            await _report(
                on_progress,
                JobProgress(
                    job_id=job_id,
                    kind=kind,
                    status=job.status,
                    job=job,
                    partial=result,
                    changed=changed,
                    requests_spent=spent,
                    polls=polls,
                    elapsed=elapsed,
                    next_poll_in=None,
                ),
            )
            return JobOutcome(job, kind, result, spent, polls, elapsed, seen.seconds)

        last, last_seen = job, elapsed
        wait = plan.wait_after(elapsed)
        limits = client.last_rate_limit
        if limits is not None and limits.minute_exhausted and limits.reset_after is not None:
            wait = max(wait, limits.reset_after)
        next_at = now + max(floor, wait)
        timed_out = deadline is not None and elapsed >= deadline
        await _report(
            on_progress,
            JobProgress(
                job_id=job_id,
                kind=kind,
                status=job.status,
                job=job,
                partial=_partial(job, kind),
                changed=changed,
                requests_spent=spent,
                polls=polls,
                elapsed=elapsed,
                next_poll_in=None if timed_out else next_at - now,
            ),
        )
        if timed_out:
            raise stop(JobTimeout, f"still {job.status} at the {deadline:g} s deadline")
        if _is_cancelled(cancel):
            raise stop(JobCancelled, "wait cancelled")


__all__ = [
    "CancelSignal",
    "Clock",
    "DurationStore",
    "EventLike",
    "JobOutcome",
    "JobProgress",
    "PollPlan",
    "SystemClock",
    "observe_duration",
    "wait_for_job",
]
