"""Quota efficiency of polling: requests per answered question and detection delay, against fixed polling.

    .venv/bin/python bench/polling.py [--quick] [--runs 5] [--json PATH]

What runs: the real client (`Chat2QueryClient`, Digest auth, `SERVICE_PACE`: the real service's 1 s
floor and priors) and the real `wait_for_job`, learning from its own history in a `QuotaLedger` in a
temp dir, against the embedded backend in process (`create_app` through `httpx.ASGITransport`, the
builtin engine on the sample database). Time is a fake clock (`polling.Clock`): sleeping advances it,
nothing really waits. Job durations are drawn with the backend's own latency generator,
`parse_latency("lognormal:6,0.6,SEED")`, one seed per run. A thin transport between client and
backend makes the clock matter: after a submit it lets the real job finish (in real time, which
the fake clock does not see), then answers that job's polls with `running` until the fake clock
passes submit time + drawn duration, and from then on with the backend's real terminal answer,
`ended_at` set to the drawn end in whole UNIX seconds (as the real service gives it).

In each run the same 50 questions with the same 50 durations go through three pollers, interleaved:
the client, a fixed 1 s loop and a fixed 5 s loop (the baselines), each with a fresh client and ledger.
Requests per question = the submit + every poll (what the client's request counter records).
Detection delay = (time of the poll that saw the job end - the job's end) / the job's duration.

The curve: the client with its two schedule knobs swept around their defaults (the quantile of the
learned distribution at which it polls first, 0.61, and `bulk_step`, how the wait grows with elapsed
time, 0.24), on the first seeds, next to fixed-interval polling over the same draws and to the best
geometric schedule that knows the distribution exactly (computed over a quantile grid). Curve points
are pooled over all their questions (a run's own median delay is too noisy for a curve).
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import json
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist, fmean
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from _common import ROOT, Report, Row, Stopwatch, check_runs, median, parser, report
from pydantic import SecretStr

from c2q_tui.api import (
    EMBEDDED_PACE,
    SERVICE_PACE,
    Chat2QueryClient,
    QuotaLedger,
    wait_for_job,
)
from c2q_tui.api import polling as polling_mod
from c2q_tui.api import schedule as schedule_mod
from c2q_tui.local.app import create_app
from c2q_tui.local.jobs import parse_latency
from c2q_tui.local.sample import build_sample
from c2q_tui.local.settings import KeySpec, LocalSettings
from tests.engine import questions_sp500

MEDIAN_S, SIGMA = 6.0, 0.6
QUESTIONS_PER_RUN = 50
TARGET_REQUESTS = 3.0
TARGET_DELAY = 0.25
EPOCH = 1_800_000_000.0  # the fake clock's start: a realistic UNIX time, so ended_at truncation is real
DB = "sp500insight"
PUB, PRIV = "BENCHKEY", "bench-private-key"
JOB_PATH = "/v2/jobs/"


class FakeClock:
    """`polling.Clock`: UNIX seconds that only move when someone sleeps."""

    def __init__(self, start: float = EPOCH) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass
class TimedJob:
    submitted: float
    duration: float
    seen_at: float | None = None

    @property
    def end(self) -> float:
        return self.submitted + self.duration


@dataclass
class Timeline:
    """The fake clock and the durations the next submits get."""

    clock: FakeClock
    durations: list[float] = field(default_factory=list)
    jobs: dict[str, TimedJob] = field(default_factory=dict)


class TimedTransport(httpx.AsyncBaseTransport):
    """Between the client and the backend's ASGI app: job status follows the fake clock."""

    def __init__(self, app: Any, timeline: Timeline) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.backend = app.state.backend
        self.timeline = timeline

    @staticmethod
    def _rewrite(
        response: httpx.Response, envelope: dict[str, Any], request: httpx.Request
    ) -> httpx.Response:
        headers = [(k, v) for k, v in response.headers.raw if k.lower() != b"content-length"]
        return httpx.Response(
            response.status_code, headers=headers, content=json.dumps(envelope).encode(), request=request
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        response = await self.inner.handle_async_request(request)
        if response.status_code != 200:
            return response
        clock = self.timeline.clock
        if request.method == "POST" and path.endswith("/v3/chat2data"):
            body = await response.aread()
            job_id = json.loads(body)["result"]["job_id"]
            self.timeline.jobs[job_id] = TimedJob(clock.now(), self.timeline.durations.pop(0))
            # let the real job (engine + SQL) finish in real time: the fake clock does not move
            deadline = time.monotonic() + 30
            while not self.backend.jobs.get(job_id).ended:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"job {job_id} did not finish in 30 s of real time")
                await asyncio.sleep(0.001)
            return httpx.Response(200, headers=response.headers.raw, content=body, request=request)
        if request.method == "GET" and JOB_PATH in path:
            job_id = path.rsplit("/", 1)[-1]
            timed = self.timeline.jobs.get(job_id)
            if timed is None:
                return response
            body = await response.aread()
            envelope = json.loads(body)
            view = envelope["result"]
            now = clock.now()
            if now < timed.end:
                view.update(status="running", ended_at=None, reason="", result=None)
            else:
                view["ended_at"] = int(timed.end)
                if timed.seen_at is None:
                    timed.seen_at = now
            return self._rewrite(response, envelope, request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


# ---------------------------------------------------------------- pollers


@dataclass
class Outcome:
    requests: list[int]
    delays: list[float]  # (seen - end) / duration

    @property
    def mean_requests(self) -> float:
        return fmean(self.requests)

    @property
    def median_delay(self) -> float:
        return median(self.delays)


Poller = Callable[[Chat2QueryClient, str, FakeClock], Awaitable[int]]


async def poll_client(client: Chat2QueryClient, job_id: str, clock: FakeClock) -> int:
    outcome = await wait_for_job(client, job_id, clock=clock, deadline=3600)
    return outcome.requests_spent


def poll_fixed(interval: float) -> Poller:
    async def poll(client: Chat2QueryClient, job_id: str, clock: FakeClock) -> int:
        spent = 0
        while True:
            await clock.sleep(interval)
            with client.count_requests() as counter:
                job = await client.get_job(job_id)
            spent += counter.count
            if job.finished:
                return spent

    return poll


class Bench:
    def __init__(self, workdir: Path, app: Any, cluster_id: str, questions: list[str]) -> None:
        self.workdir = workdir
        self.app = app
        self.cluster_id = cluster_id
        self.questions = questions
        self.n_ledgers = 0

    async def series(
        self, poller: Poller, durations: list[float], *, n: int = QUESTIONS_PER_RUN
    ) -> Outcome:
        """`n` questions in a row through a fresh client and ledger (the client learns as it goes)."""
        clock = FakeClock()
        timeline = Timeline(clock, list(durations[:n]))
        self.n_ledgers += 1
        ledger = QuotaLedger(self.workdir / f"ledger-{self.n_ledgers}.sqlite3", clock=clock.now)
        client = Chat2QueryClient(
            f"http://c2q-bench/api/v1beta/app/{self.app.state.settings.app_id}/endpoint",
            public_key=PUB,
            private_key=PRIV,
            transport=TimedTransport(self.app, timeline),
            ledger=ledger,
            pace=SERVICE_PACE,
        )
        requests: list[int] = []
        delays: list[float] = []
        async with client:
            for i in range(n):
                question = self.questions[i % len(self.questions)]
                job = await client.chat2data(question, cluster_id=self.cluster_id, database=DB)
                ref = client.job_ref(job.job_id)
                submit = ref.requests if ref else 1
                polls = await poller(client, job.job_id, clock)
                timed = timeline.jobs[job.job_id]
                assert timed.seen_at is not None, "the poller returned before the job ended"
                requests.append(submit + polls)
                delays.append((timed.seen_at - timed.end) / timed.duration)
                await clock.sleep(1.0)  # the user reads the answer before asking again
        return Outcome(requests, delays)


def draws(seed: int, n: int = QUESTIONS_PER_RUN, median_s: float = MEDIAN_S) -> list[float]:
    latency = parse_latency(f"lognormal:{median_s:g},{SIGMA:g},{seed}")
    return [latency() for _ in range(n)]


Setting = tuple[float, float]  # the client's schedule knobs: (first-poll quantile, bulk step)
DEFAULT_SETTING: Setting = (0.61, schedule_mod.PollPlan.bulk_step)
# the sweep: each knob around its default, the other at its default
SETTINGS: list[Setting] = [(0.50, 0.24), (0.55, 0.24), (0.61, 0.24), (0.67, 0.24), (0.73, 0.24),
                           (0.61, 0.12), (0.61, 0.18), (0.61, 0.32), (0.61, 0.45)]
QUICK_SETTINGS: list[Setting] = [(0.50, 0.24), (0.61, 0.24), (0.73, 0.24), (0.61, 0.12), (0.61, 0.45)]


@functools.cache
def _plan_with(setting: Setting) -> Callable[..., Any]:
    first_quantile, bulk_step = setting

    def plan_for(kind: str, history: Any, pace: Any = SERVICE_PACE) -> Any:
        prior = pace.prior(kind)
        model = schedule_mod.DurationModel.fit(history, prior)
        plan = schedule_mod.PollPlan.for_model(
            model, prior, min_interval=pace.min_interval, first_quantile=first_quantile, bulk_step=bulk_step
        )
        return model, plan

    return plan_for


async def with_setting(setting: Setting, run: Callable[[], Awaitable[Outcome]]) -> Outcome:
    # wait_for_job looks `plan_for` up in its module at every call: swap it there for the sweep
    original = polling_mod.__dict__["plan_for"]
    setattr(polling_mod, "plan_for", _plan_with(setting))  # noqa: B010
    try:
        return await run()
    finally:
        setattr(polling_mod, "plan_for", original)  # noqa: B010


# ---------------------------------------------------------------- analytic references


def quantile_grid(n: int, median_s: float = MEDIAN_S, sigma: float = SIGMA) -> list[float]:
    nd = NormalDist()
    return [median_s * math.exp(sigma * nd.inv_cdf((i + 0.5) / n)) for i in range(n)]


def schedule_cost(times: list[float], durations: list[float]) -> tuple[float, float]:
    """Mean requests (submit + polls) and median delay share of a poll schedule over durations."""
    reqs, delays = [], []
    for d in durations:
        k = bisect.bisect_left(times, d)
        reqs.append(k + 2)
        delays.append((times[k] - d) / d)
    return fmean(reqs), median(delays)


def fixed_cost(interval: float, durations: list[float]) -> tuple[float, float]:
    times = [interval * (k + 1) for k in range(int(max(durations) / interval) + 2)]
    return schedule_cost(times, durations)


def oracle_frontier(budgets: list[float], n: int = 1000) -> dict[float, tuple[float, float, float, float]]:
    """Best geometric schedule (first poll t1, then t *= r, waits >= 1 s) knowing the distribution:
    for each delay budget, (requests, delay, t1, r) with the fewest requests at median delay <= budget."""
    grid = quantile_grid(n)
    top = max(grid) * 2
    best: dict[float, tuple[float, float, float, float]] = {}
    t1 = 2.0
    while t1 <= 10.0:
        r = 1.04
        while r <= 1.8:
            times = [t1]
            while times[-1] < top:
                times.append(times[-1] + max(1.0, times[-1] * (r - 1)))
            req, delay = schedule_cost(times, grid)
            for b in budgets:
                if delay <= b and (b not in best or req < best[b][0]):
                    best[b] = (req, delay, t1, r)
            r += 0.02
        t1 += 0.1
    return best


# ---------------------------------------------------------------- main


def setup(workdir: Path) -> tuple[Any, str]:
    db = build_sample(workdir / "sp500insight.sqlite3")
    settings = LocalSettings(
        database_urls=[f"sqlite:///{db}"],
        keys=[KeySpec(public_key=PUB, private_key=SecretStr(PRIV))],
        state_dir=workdir / "state",
        per_minute=None,
    )
    app = create_app(settings)
    return app, app.state.settings.cluster_id


async def prepare_summary(app: Any, cluster_id: str) -> None:
    async with Chat2QueryClient(
        f"http://c2q-bench/api/v1beta/app/{app.state.settings.app_id}/endpoint",
        public_key=PUB,
        private_key=PRIV,
        transport=httpx.ASGITransport(app=app),
        pace=EMBEDDED_PACE,
    ) as client:
        job = await client.create_data_summary(cluster_id, DB, description="bench", reuse=True)
        outcome = await wait_for_job(client, job.job_id, deadline=120)
        assert outcome.ok, outcome.reason


def fmt_pair(o: tuple[float, float]) -> str:
    return f"{o[0]:.2f} req, {o[1] * 100:.1f}%"


async def amain(runs: int, quick: bool) -> Report:
    watch = Stopwatch()
    # on tmpfs when there is one: the ledger commits a transaction per request, and the fsyncs of a
    # busy disk would only make the run slower (the fake clock does not see real time)
    shm = Path("/dev/shm")
    tmp = tempfile.mkdtemp(prefix="c2q-bench-polling-", dir=shm if shm.is_dir() else None)
    try:
        workdir = Path(tmp)
        app, cluster_id = setup(workdir)
        await prepare_summary(app, cluster_id)
        questions = [q["q"] for q in questions_sp500.QUESTIONS]
        bench = Bench(workdir, app, cluster_id, questions)
        seeds = list(range(1, runs + 1))
        client_o: list[Outcome] = []
        fixed1: list[Outcome] = []
        fixed5: list[Outcome] = []
        for seed in seeds:  # interleaved: each run's draws go through all three pollers
            d = draws(seed)
            client_o.append(await bench.series(poll_client, d))
            fixed1.append(await bench.series(poll_fixed(1.0), d))
            fixed5.append(await bench.series(poll_fixed(5.0), d))

        # learning: a true median of 12 s, twice what the prior assumes
        shifted = [await bench.series(poll_client, draws(seed, median_s=12.0)) for seed in seeds]

        settings = QUICK_SETTINGS if quick else SETTINGS
        curve: dict[Setting, list[Outcome]] = {}
        curve_seeds = seeds[: max(5, len(seeds) * 3 // 10)]
        for setting in settings:
            if setting == DEFAULT_SETTING:
                curve[setting] = client_o[: len(curve_seeds)]
                continue
            curve[setting] = []
            for seed in curve_seeds:
                series = functools.partial(bench.series, poll_client, draws(seed))
                curve[setting].append(await with_setting(setting, series))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    curve_draws = [x for s in curve_seeds for x in draws(s)]
    budgets = [0.15, 0.20, 0.25, 0.30, 0.35]
    oracle = oracle_frontier(budgets)

    def req(os_: list[Outcome]) -> list[float]:
        return [o.mean_requests for o in os_]

    def dly(os_: list[Outcome]) -> list[float]:
        return [o.median_delay * 100 for o in os_]

    rows = [
        Row("client: requests per question", "req", req(client_o), f"<= {TARGET_REQUESTS:.1f}",
            median(req(client_o)) <= TARGET_REQUESTS, "fixed 5 s", req(fixed5), digits=2),
        Row("client: median detection delay", "% of job", dly(client_o), f"<= {TARGET_DELAY * 100:.0f}%",
            median(dly(client_o)) <= TARGET_DELAY * 100, "fixed 5 s", dly(fixed5), digits=1),
        Row("baseline fixed 1 s: requests", "req", req(fixed1), "(about 8.7)", None, digits=2),
        Row("baseline fixed 1 s: delay", "% of job", dly(fixed1), "(about 7%)", None, digits=1),
        Row("baseline fixed 5 s: requests", "req", req(fixed5), "(about 2.9)", None, digits=2),
        Row("baseline fixed 5 s: delay", "% of job", dly(fixed5), "(about 37%)", None, digits=1),
        Row("client vs fixed 1 s: requests", "req", req(client_o), "", None, "fixed 1 s", req(fixed1),
            digits=2),
        Row("client, jobs median 12 s (prior 6 s): requests", "req", req(shifted), "(learning)", None,
            digits=2),
        Row("client, jobs median 12 s (prior 6 s): delay", "% of job", dly(shifted), "(learning)", None,
            digits=1),
    ]
    after10 = [fmean(o.requests[10:]) for o in client_o]
    after10_delay = [median(o.delays[10:]) * 100 for o in client_o]
    rows.append(Row("client, questions 11-50: requests", "req", after10, "(after learning)", None, digits=2))
    rows.append(Row("client, questions 11-50: delay", "% of job", after10_delay, "(after learning)", None))

    def pooled(os_: list[Outcome]) -> str:
        requests = fmean(x for o in os_ for x in o.requests)
        return fmt_pair((requests, median([x for o in os_ for x in o.delays])))

    notes = [
        f"{QUESTIONS_PER_RUN} questions per run; durations lognormal(median {MEDIAN_S:g} s, "
        f"sigma {SIGMA:g}), "
        f"seeds {seeds[0]}..{seeds[-1]}; min/median/max are over the {runs} runs (mean requests and median "
        f"delay within a run); the curve uses the first {len(curve_seeds)} seeds.",
        f"pooled over all runs: client {pooled(client_o)}; fixed 1 s {pooled(fixed1)}; "
        f"fixed 5 s {pooled(fixed5)}.",
    ]
    curve_lines = [
        "curve: requests per question vs median delay, pooled over the "
        f"{len(curve_seeds) * QUESTIONS_PER_RUN} questions of seeds 1..{len(curve_seeds)} (the same draws "
        "for the client and fixed polling; the oracle is over the exact distribution); "
        "client knobs: q = first-poll quantile, step = bulk step:"
    ]
    for setting in settings:
        mark = "  <- default" if setting == DEFAULT_SETTING else ""
        name = f"client q {setting[0]:.2f}, step {setting[1]:.2f}"
        curve_lines.append(f"  {name}: {pooled(curve[setting])}{mark}")
    for interval in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0):
        r_, d_ = fixed_cost(interval, curve_draws)
        curve_lines.append(f"  fixed {interval:g} s (computed over the same draws): {fmt_pair((r_, d_))}")
    for b in budgets:
        if b in oracle:
            r_, d_, t1, ratio = oracle[b]
            curve_lines.append(
                f"  oracle geometric, delay <= {b * 100:.0f}%: {r_:.2f} req ({d_ * 100:.1f}%, "
                f"first poll {t1:.1f} s, x{ratio:.2f})"
            )
    notes += curve_lines
    extra = {
        "curve": {
            "client": {
                f"q={s[0]:.2f},step={s[1]:.2f}": {"requests": req(curve[s]), "delay_pct": dly(curve[s])}
                for s in settings
            },
            "fixed": {f"{i:g}": fixed_cost(i, curve_draws) for i in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)},
            "oracle": {f"{b:.2f}": oracle.get(b) for b in budgets},
        },
        "per_question": {
            "client_requests": [o.requests for o in client_o],
            "client_delays": [o.delays for o in client_o],
        },
    }
    return Report("polling", "1. Quota efficiency of polling (fake clock, embedded backend)", rows, runs,
                  quick, notes, extra, watch.seconds())


def main() -> None:
    ap = parser(__doc__, runs=0)
    args = ap.parse_args()
    # a run's median delay swings 19-40% with its 50 draws: 5 runs leave the verdict to chance
    runs = check_runs(args.runs or (10 if args.quick else 20))
    rep = asyncio.run(amain(runs, args.quick))
    report(rep, args.json)


if __name__ == "__main__":
    _ = ROOT
    main()
