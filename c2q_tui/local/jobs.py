"""Asynchronous jobs: `init -> running -> done | failed`, polled at `GET /v2/jobs/{job_id}`.

A job is an asyncio task in the server's event loop, started lazily by the request that submits it
(no startup hook: `httpx.ASGITransport` runs no lifespan events). Blocking work (engines, databases)
runs in worker threads from inside the task. Every transition and every partial result is written to
the store, so other processes sharing the state dir and later restarts see it; polls are answered from
memory with the envelope bytes cached until the job changes, which keeps thousands of polls cheap.

Job view (reference §4.1): `{ended_at, job_id, reason, result, status}`; `ended_at` is null until the
job ends, then unix seconds; `reason` is "" unless failed; `result` is null while `init`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from c2q_tui.local.envelopes import ApiError, dumps
from c2q_tui.local.store import Store

log = logging.getLogger("c2q_tui.local.jobs")

TERMINAL = frozenset({"done", "failed"})
MAX_FINISHED_IN_MEMORY = 5000

Latency = Callable[[], float]


class JobFailed(Exception):
    """Ends a job as `failed`; the message is the job's `reason`."""


def failure_reason(e: BaseException) -> str:
    """A failed job's `reason`: the engine's own words, else a one-line internal error."""
    from c2q_tui.local.engines.base import EngineError

    if isinstance(e, ApiError):
        return e.msg
    if isinstance(e, EngineError | JobFailed):
        return str(e).strip() or type(e).__name__
    return f"internal error: {type(e).__name__}: {e}".strip()


def parse_latency(spec: str) -> Latency:
    """`fixed:SECONDS` or `lognormal:MEDIAN,SIGMA[,SEED]` -> a function giving one duration per job."""
    kind, _, args = spec.partition(":")
    try:
        values = [float(a) for a in args.split(",") if a.strip()]
    except ValueError:
        raise ValueError(f"job_latency {spec!r}: the parameters must be numbers") from None
    if kind == "fixed" and len(values) == 1 and values[0] >= 0:
        seconds = values[0]
        return lambda: seconds
    if kind == "lognormal" and len(values) in (2, 3) and values[0] > 0 and values[1] >= 0:
        median, sigma = values[0], values[1]
        rng = random.Random(int(values[2]) if len(values) == 3 else None)
        return lambda: median * math.exp(sigma * rng.gauss(0.0, 1.0))
    raise ValueError(f"job_latency {spec!r}: use 'fixed:SECONDS' or 'lognormal:MEDIAN,SIGMA[,SEED]'")


@dataclass
class Job:
    job_id: str
    kind: str
    status: str = "init"
    reason: str = ""
    result: Any = None
    ended_at: int | None = None
    _body: bytes | None = field(default=None, repr=False)

    def view(self) -> dict[str, Any]:
        return {
            "ended_at": self.ended_at,
            "job_id": self.job_id,
            "reason": self.reason,
            "result": self.result,
            "status": self.status,
        }

    def envelope(self) -> bytes:
        """The whole `GET /v2/jobs` body, encoded once per change."""
        if self._body is None:
            self._body = dumps({"code": 200, "msg": "", "result": self.view()})
        return self._body

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL


class JobHandle:
    """What a running job's work sees: publish partial results, spend its simulated latency."""

    def __init__(self, manager: JobManager, job: Job, budget: float) -> None:
        self._manager = manager
        self.job = job
        self._budget = budget
        self._spent = 0.0

    def partial(self, result: Any) -> None:
        self._manager.update(self.job, result=result)

    async def pace(self, fraction: float) -> None:
        """Sleep this fraction of the simulated latency (spreads it over partial results)."""
        seconds = min(self._budget * fraction, self._budget - self._spent)
        if seconds > 0:
            self._spent += seconds
            await asyncio.sleep(seconds)

    async def finish_pacing(self) -> None:
        await self.pace(1.0)


Work = Callable[[JobHandle], Awaitable[Any]]


class JobManager:
    def __init__(self, store: Store, *, latency: Latency | None = None, time_scale: float = 1.0) -> None:
        self.store = store
        self.latency = latency
        self.time_scale = time_scale
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def _budget(self) -> float:
        return max(self.latency(), 0.0) * self.time_scale if self.latency else 0.0

    def submit(self, kind: str, work: Work) -> Job:
        """Create a job and start its work in the running event loop."""
        job = Job(job_id=uuid.uuid4().hex, kind=kind)
        self.store.add_job(job.job_id, kind, job.status)
        self._remember(job)
        task = asyncio.get_running_loop().create_task(self._run(job, work), name=f"job-{job.job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    def finished(self, kind: str, result: Any) -> Job:
        """A job that is done at birth (e.g. a reused data summary)."""
        now = int(time.time())
        job = Job(job_id=uuid.uuid4().hex, kind=kind, status="done", result=result, ended_at=now)
        self.store.add_job(job.job_id, kind, job.status, result=result, ended_at=now)
        self._remember(job)
        return job

    def get(self, job_id: str) -> Job | None:
        job = self._jobs.get(job_id)
        if job is not None:
            return job
        row = self.store.job(job_id)
        if row is None:
            return None
        ended = row["ended_at"]
        job = Job(
            job_id=row["id"],
            kind=row["kind"],
            status=row["status"],
            reason=row["reason"],
            result=row["result"],
            ended_at=None if ended is None else int(ended),
        )
        if job.ended:  # a running job of another process must be re-read on each poll
            self._remember(job)
        return job

    def _remember(self, job: Job) -> None:
        self._jobs[job.job_id] = job
        if len(self._jobs) > MAX_FINISHED_IN_MEMORY:
            for old_id in [j for j, old in self._jobs.items() if old.ended][: len(self._jobs) // 10]:
                del self._jobs[old_id]

    def update(self, job: Job, **values: Any) -> None:
        for name, value in values.items():
            setattr(job, name, value)
        job._body = None
        self.store.update_job(job.job_id, **values)

    async def _run(self, job: Job, work: Work) -> None:
        handle = JobHandle(self, job, self._budget())
        self.update(job, status="running")
        try:
            result = await work(handle)
            await handle.finish_pacing()
        except asyncio.CancelledError:
            raise
        except Exception as e:
            reason = failure_reason(e)
            if reason.startswith("internal error"):  # our bug, not the user's question
                log.exception("job %s (%s) crashed", job.job_id, job.kind)
            self.update(job, status="failed", reason=reason, ended_at=int(time.time()))
        else:
            self.update(job, status="done", result=result, ended_at=int(time.time()))

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def aclose(self) -> None:
        """Cancel the jobs still running; a later start marks them failed."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
