"""wait_for_job against a scripted job on a fake clock: no real sleeping anywhere."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from c2q_tui.api import (
    BreakdownResult,
    Chat2QueryClient,
    DataRetrievalResult,
    JobCancelled,
    JobFailed,
    JobProgress,
    JobTimeout,
    QuotaLedger,
    RateLimited,
    wait_for_job,
)
from tests.api.conftest import FakeClock, Server, ok

JOB_ID = "20f7577088154d7889964f1a5b12cb26"
PATH = f"/v2/jobs/{JOB_ID}"

DIRECT = {
    "type": "data_retrieval",
    "task_id": "0",
    "status": "done",
    "clarified_task": "Count the users",
    "sql": "SELECT COUNT(*) FROM users",
    "data": {"columns": [{"col": "n"}], "rows": [["1"]]},
}


@dataclass
class ScriptedJob:
    """A job that runs for `duration` seconds of the fake clock from `clock.t` at creation."""

    clock: FakeClock
    duration: float
    result: Any = field(default_factory=lambda: DIRECT)
    fail_reason: str | None = None
    partial: Callable[[float], Any] | None = None
    ended_at: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    start: float = 0.0
    polled_at: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.start = self.clock.now()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.polled_at.append(self.clock.now())
        elapsed = self.clock.now() - self.start
        if elapsed < self.duration:
            result = self.partial(elapsed) if self.partial else None
            job = {"job_id": JOB_ID, "status": "running" if elapsed > 0.5 else "init", "ended_at": None,
                   "reason": "", "result": result}  # fmt: skip
        else:
            failed = self.fail_reason is not None
            job = {
                "job_id": JOB_ID,
                "status": "failed" if failed else "done",
                "ended_at": int(self.start + self.duration) if self.ended_at else 0,
                "reason": self.fail_reason or "",
                "result": None if failed else self.result,
            }
        return httpx.Response(200, json=ok(job), headers=self.headers)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def gaps(times: list[float], start: float) -> list[float]:
    points = [start, *times]
    return [b - a for a, b in itertools.pairwise(points)]


async def test_done_with_few_requests_and_never_faster_than_a_second(
    client: Chat2QueryClient, server: Server, clock: FakeClock, ledger: QuotaLedger
) -> None:
    job = ScriptedJob(clock, duration=30.0)
    server.on("GET", PATH, job)
    outcome = await wait_for_job(client, JOB_ID, clock=clock)
    assert outcome.ok and isinstance(outcome.result, DataRetrievalResult)
    assert outcome.requests_spent == outcome.polls == len(job.polled_at) == len(server.sent)
    assert min(gaps(job.polled_at, job.start)) >= 1.0
    assert outcome.polls <= 9  # geometric: a 30 s job (5x the prior median) still takes few polls
    assert 30.0 <= outcome.elapsed <= 30.0 * 1.5
    # the duration learned comes from ended_at (+0.5 s for whole seconds), not the detection time
    assert ledger.durations(client.app_key, "chat2data") == [pytest.approx(30.5)]
    assert ledger.used_today(client.app_key) == outcome.polls


async def test_first_poll_is_planned_from_history(
    client: Chat2QueryClient, server: Server, clock: FakeClock
) -> None:
    server.on("GET", PATH, ScriptedJob(clock, duration=1.0))
    await wait_for_job(client, JOB_ID, clock=clock, history=[])
    prior_first = clock.sleeps[0]
    assert 6.0 < prior_first < 8.0  # the 0.61 quantile of the prior (median 6 s)

    clock.sleeps.clear()
    server.routes.clear()
    server.on("GET", PATH, ScriptedJob(clock, duration=1.0))
    await wait_for_job(
        client, JOB_ID, clock=clock, history=[20.0, 22.0, 18.0, 21.0, 19.0, 20.5, 19.5, 20.0, 23.0, 17.0]
    )
    assert clock.sleeps[0] > 15.0


async def test_learns_from_the_ledger(
    client: Chat2QueryClient, server: Server, clock: FakeClock, ledger: QuotaLedger
) -> None:
    for seconds in (2.0, 2.2, 1.8, 2.1, 1.9, 2.0, 2.05, 1.95, 2.0, 2.1):
        ledger.record_job_duration(client.app_key, "refine_sql", seconds)
    server.on("GET", PATH, ScriptedJob(clock, duration=2.0))
    outcome = await wait_for_job(client, JOB_ID, clock=clock, kind="refine_sql")
    assert clock.sleeps[0] < 3.5 and outcome.polls <= 2


async def test_kind_defaults_to_the_submitting_call(
    client: Chat2QueryClient, server: Server, clock: FakeClock, ledger: QuotaLedger
) -> None:
    server.on("POST", "/v3/refineSql", ok({"job_id": JOB_ID, "session_id": 1}))
    job = await client.refine_sql("1", "db", "SELECT 1", "limit 1")
    server.on(
        "GET",
        PATH,
        ScriptedJob(clock, duration=4.0, result={"rewritten_sql": "SELECT 1 LIMIT 1", "solution": ""}),
    )
    outcome = await wait_for_job(client, job.job_id, clock=clock)
    assert outcome.kind == "refine_sql" and outcome.result.rewritten_sql == "SELECT 1 LIMIT 1"  # type: ignore[union-attr]
    assert ledger.durations(client.app_key, "refine_sql")


async def test_failed_job_is_an_outcome_with_its_reason(
    client: Chat2QueryClient, server: Server, clock: FakeClock
) -> None:
    server.on(
        "GET",
        PATH,
        ScriptedJob(clock, duration=3.0, fail_reason="could not map 'revenue growth' to a column"),
    )
    outcome = await wait_for_job(client, JOB_ID, clock=clock)
    assert not outcome.ok and outcome.status == "failed" and outcome.result is None
    assert outcome.reason == "could not map 'revenue growth' to a column"
    with pytest.raises(JobFailed, match="could not map") as caught:
        outcome.raise_for_failure()
    assert caught.value.job_id == JOB_ID and caught.value.requests_spent == outcome.requests_spent


async def test_deadline(client: Chat2QueryClient, server: Server, clock: FakeClock) -> None:
    job = ScriptedJob(clock, duration=1000.0)
    server.on("GET", PATH, job)
    with pytest.raises(JobTimeout) as caught:
        await wait_for_job(client, JOB_ID, clock=clock, deadline=30.0)
    err = caught.value
    assert err.job_id == JOB_ID and err.requests_spent == len(job.polled_at) and err.requests_spent > 0
    assert 29.0 <= job.polled_at[-1] - job.start <= 30.0  # a last look at (or just before) the deadline
    assert err.elapsed == pytest.approx(30.0)
    assert "still running at the 30 s deadline" in str(err)


async def test_deadline_shorter_than_a_second_does_not_poll(
    client: Chat2QueryClient, server: Server, clock: FakeClock
) -> None:
    job = ScriptedJob(clock, duration=10.0)
    server.on("GET", PATH, job)
    with pytest.raises(JobTimeout):
        await wait_for_job(client, JOB_ID, clock=clock, deadline=0.5)
    assert job.polled_at == []


async def test_cancel_with_an_event_from_progress(
    client: Chat2QueryClient, server: Server, clock: FakeClock
) -> None:
    server.on("GET", PATH, ScriptedJob(clock, duration=1000.0))
    stop = asyncio.Event()

    def progress(p: JobProgress) -> None:
        if p.polls == 2:
            stop.set()

    with pytest.raises(JobCancelled) as caught:
        await wait_for_job(client, JOB_ID, clock=clock, cancel=stop, on_progress=progress)
    assert caught.value.requests_spent == 2 and caught.value.job_id == JOB_ID


async def test_cancel_with_a_callable(client: Chat2QueryClient, server: Server, clock: FakeClock) -> None:
    job = ScriptedJob(clock, duration=1000.0)
    server.on("GET", PATH, job)
    with pytest.raises(JobCancelled):
        await wait_for_job(client, JOB_ID, clock=clock, cancel=lambda: clock.now() - job.start > 40)
    assert all(t - job.start <= 40.5 for t in job.polled_at)


async def test_cancel_event_wakes_a_sleeping_wait(client: Chat2QueryClient, server: Server) -> None:
    class StuckClock(FakeClock):
        async def sleep(self, seconds: float) -> None:
            await asyncio.Event().wait()  # never returns by itself

    stuck = StuckClock()
    server.on("GET", PATH, ScriptedJob(stuck, duration=10.0))
    stop = asyncio.Event()
    waiting = asyncio.create_task(wait_for_job(client, JOB_ID, clock=stuck, cancel=stop))
    await asyncio.sleep(0.01)
    stop.set()
    with pytest.raises(JobCancelled) as caught:
        await asyncio.wait_for(waiting, 1.0)
    assert caught.value.requests_spent == 0 and server.sent == []


async def test_breakdown_partial_results_are_reported(
    client: Chat2QueryClient, server: Server, clock: FakeClock
) -> None:
    sub0 = {**DIRECT, "task_id": "0-0"}
    sub1 = {**DIRECT, "task_id": "0-1", "sql": "SELECT 2"}
    root = {
        "type": "breakdown",
        "task_id": "0",
        "status": "running",
        "clarified_task": "Compare",
        "sub_tasks": [],
    }

    def partial(elapsed: float) -> Any:
        if elapsed < 12:
            return root
        if elapsed < 20:
            return {**root, "sub_tasks": [sub0]}
        return {**root, "sub_tasks": [sub0, {**sub1, "status": "running"}]}

    server.on(
        "GET",
        PATH,
        ScriptedJob(
            clock,
            duration=40.0,
            partial=partial,
            result={**root, "status": "done", "sub_tasks": [sub0, sub1]},
        ),
    )
    reports: list[JobProgress] = []

    async def progress(p: JobProgress) -> None:
        reports.append(p)

    outcome = await wait_for_job(
        client, JOB_ID, clock=clock, kind="chat2data_breakdown", on_progress=progress
    )
    assert reports[0].job is None and reports[0].polls == 0 and reports[0].next_poll_in
    polled = reports[1:]
    assert [p.polls for p in polled] == list(range(1, outcome.polls + 1))
    assert [p.requests_spent for p in polled] == list(range(1, outcome.polls + 1))
    assert all(isinstance(p.partial, BreakdownResult) for p in polled)
    seen = [len(p.partial.done_sub_tasks()) for p in polled if isinstance(p.partial, BreakdownResult)]
    assert seen == sorted(seen) and seen[-1] == 2 and 1 in seen
    changed = [p for p in polled if p.changed]
    assert 2 <= len(changed) < len(polled)  # unchanged snapshots are reported as such
    assert polled[-1].status == "done" and polled[-1].next_poll_in is None
    assert all(p.elapsed >= 0 for p in polled)


async def test_minute_limit_headers_stretch_the_next_wait(
    client: Chat2QueryClient, server: Server, clock: FakeClock
) -> None:
    headers = {
        "X-Ratelimit-Remaining-Minute": "0",
        "X-Ratelimit-Reset": "45",
        "X-Ratelimit-Limit-Minute": "10",
    }
    job = ScriptedJob(clock, duration=10.0, headers=headers)
    server.on("GET", PATH, job)
    await wait_for_job(client, JOB_ID, clock=clock)
    assert len(job.polled_at) == 2 and job.polled_at[1] - job.polled_at[0] >= 45


async def test_a_429_while_polling_waits_for_the_reset_once(
    client: Chat2QueryClient, server: Server, clock: FakeClock
) -> None:
    job = ScriptedJob(clock, duration=5.0)
    limited = httpx.Response(
        429, json={"code": 49900007, "msg": "rate limit", "result": {}}, headers={"X-Ratelimit-Reset": "20"}
    )
    server.on("GET", PATH, limited, job)
    outcome = await wait_for_job(client, JOB_ID, clock=clock)
    assert outcome.ok and outcome.requests_spent == 2 and outcome.polls == 1
    assert clock.sleeps[1] >= 20

    server.routes.clear()
    server.on("GET", PATH, limited)
    with pytest.raises(RateLimited):
        await wait_for_job(client, JOB_ID, clock=clock)


async def test_resuming_an_old_job_polls_at_once(
    client: Chat2QueryClient, server: Server, clock: FakeClock
) -> None:
    server.on("GET", PATH, ScriptedJob(clock, duration=0.0, ended_at=False))
    outcome = await wait_for_job(client, JOB_ID, clock=clock, already_elapsed=300.0)
    assert clock.sleeps == [] and outcome.polls == 1 and outcome.elapsed == pytest.approx(300.0)


async def test_a_429_that_resets_hours_away_is_raised_not_slept_through(
    client: Chat2QueryClient, server: Server, clock: FakeClock
) -> None:
    daily = httpx.Response(
        429,
        json={"code": 49900007, "msg": "daily quota", "result": {}},
        headers={"X-Ratelimit-Reset": "36000"},
    )
    server.on("GET", PATH, daily)
    with pytest.raises(RateLimited) as e:
        await wait_for_job(client, JOB_ID, clock=clock)
    assert e.value.reset_after == 36000
    assert all(s < 65 for s in clock.sleeps)
