"""When to poll a job: a lognormal model of job durations and the poll plan built from it.

Every poll costs one request of the 100 a day, so the plan aims for few polls without making the
user wait noticeably past the job's end. A poll at elapsed time t detects every job that ended in
(t/r, t] with a delay of at most (r-1)/r of its duration. The plan therefore:

1. polls first at the 0.61 quantile of the learned duration distribution (jobs that end earlier
   are caught by this one poll, the cheapest possible; its window (t1/1.25, t1] starts below the
   median, which is what keeps the median delay under 25%);
2. then polls every time elapsed grows by 24% up to the 0.97 quantile, so every job ending in that
   range is detected within about 20% of its duration;
3. then backs off by 50% per poll, capped, for the rare long jobs;
4. never polls faster than once a second.

With perfect knowledge no schedule beats about 2.86 requests per job (submit included) at a 25%
median delay on lognormal durations with sigma 0.6: the target of <= 3.0 requests at <= 25% is near
that edge. Simulated (median 6 s, sigma 0.6, learning from 10 earlier jobs the way `wait_for_job`
records them, then 40 more): 2.98 requests per job and a median delay of 23% of the duration, with
whole-second `ended_at` and without it (intervals only). Backing off 1.5x from the start costs
about 2.9 requests but a 33% median delay. `tests/api/test_schedule.py` keeps this simulation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean, median

_NORMAL = NormalDist()

MIN_INTERVAL = 1.0
"""Never poll faster than once a second."""


@dataclass(frozen=True)
class DurationPrior:
    """What to assume about a kind of job before any has been seen."""

    median: float
    sigma: float
    max_interval: float


PRIORS: dict[str, DurationPrior] = {
    # chat2data: the v2 doc sample took 3.9 s, v1's AI step 3.1 s; INF: typical 3-30 s
    "chat2data": DurationPrior(6.0, 0.6, 20.0),
    "chat2data_breakdown": DurationPrior(15.0, 0.6, 30.0),
    "chat2data_v2": DurationPrior(6.0, 0.6, 20.0),
    "refine_sql": DurationPrior(5.0, 0.6, 20.0),
    "suggest_questions": DurationPrior(5.0, 0.7, 20.0),
    # data summaries: "a few minutes" for large databases, near-instant for small ones
    "data_summary": DurationPrior(45.0, 1.0, 60.0),
    "data_summary_update": DurationPrior(10.0, 0.8, 30.0),
}
DEFAULT_PRIOR = DurationPrior(6.0, 0.8, 30.0)


def prior_for(kind: str) -> DurationPrior:
    return PRIORS.get(kind, DEFAULT_PRIOR)


@dataclass(frozen=True)
class PollPace:
    """How fast a client may poll and what it assumes before it has seen any job.

    The real service's quota (100 requests a day, polls included) sets the 1 s floor and the
    priors. The embedded backend running in the same process costs nothing per request and answers
    in milliseconds, so waiting seconds for it would only make the user wait.
    """

    min_interval: float = MIN_INTERVAL
    priors: tuple[tuple[str, DurationPrior], ...] = ()
    default_prior: DurationPrior | None = None

    def prior(self, kind: str) -> DurationPrior:
        for name, prior in self.priors:
            if name == kind:
                return prior
        return self.default_prior or prior_for(kind)


SERVICE_PACE = PollPace()
EMBEDDED_PACE = PollPace(min_interval=0.05, default_prior=DurationPrior(0.3, 1.0, 2.0))


@dataclass(frozen=True)
class Observation:
    """How long a finished job took: `seconds` exactly, or, when `low` and `high` are set, only
    known to lie in (low, high] (the last poll that saw it running, the poll that saw it end)."""

    seconds: float
    low: float | None = None
    high: float | None = None

    @property
    def censored(self) -> bool:
        return self.low is not None and self.high is not None and self.high > self.low


def _truncated_moments(mu: float, sigma: float, a: float, b: float) -> tuple[float, float]:
    """E[X] and E[X^2] of Normal(mu, sigma) restricted to (a, b]; a may be -inf."""
    alpha = (a - mu) / sigma if a > -math.inf else -math.inf
    beta = (b - mu) / sigma
    z = _NORMAL.cdf(beta) - (_NORMAL.cdf(alpha) if alpha > -math.inf else 0.0)
    if z < 1e-12:  # far in a tail: the bound nearest the mean is as good as it gets
        x = min(max(mu, a), b)
        return x, x * x
    pa = _NORMAL.pdf(alpha) if alpha > -math.inf else 0.0
    pb = _NORMAL.pdf(beta)
    apa = alpha * pa if alpha > -math.inf else 0.0
    ratio = (pa - pb) / z
    mean = mu + sigma * ratio
    var = sigma * sigma * max(0.0, 1 + (apa - beta * pb) / z - ratio * ratio)
    return mean, var + mean * mean


@dataclass(frozen=True)
class DurationModel:
    """Lognormal job durations: log(seconds) ~ Normal(mu, sigma)."""

    mu: float
    sigma: float
    samples: int = 0

    @classmethod
    def from_prior(cls, prior: DurationPrior) -> DurationModel:
        return cls(math.log(prior.median), prior.sigma, 0)

    @classmethod
    def fit(
        cls,
        history: Sequence[float | Observation],
        prior: DurationPrior,
        prior_weight: float = 2.0,
        iterations: int = 40,
    ) -> DurationModel:
        """Blend the prior (worth `prior_weight` jobs) with the observed durations.

        Interval observations are fitted by EM on the censored lognormal, so a job seen only as
        "ended between two polls" (no usable `ended_at`) informs the model without a made-up point:
        collapsing intervals to points shrinks the learned spread and drifts the plan. Outliers (a
        job stuck for minutes) are clipped to 4 robust deviations so one does not stretch the plan.
        """
        obs = [h if isinstance(h, Observation) else Observation(float(h)) for h in history]
        obs = [o for o in obs if o.seconds > 0]
        mu0, s0 = math.log(prior.median), prior.sigma
        n = len(obs)
        if n == 0:
            return cls(mu0, s0, 0)
        points = [math.log(o.seconds) for o in obs]
        centre = median(points)
        # the prior's sigma floors the spread: censored points often coincide, making the MAD 0
        spread = max(1.4826 * median(abs(v - centre) for v in points), s0)
        lo_clip, hi_clip = centre - 4 * spread, centre + 4 * spread

        def clip(v: float) -> float:
            return min(max(v, lo_clip), hi_clip)

        exact: list[float] = []
        censored: list[tuple[float, float]] = []
        for o, point in zip(obs, points, strict=True):
            if o.censored and o.low is not None and o.high is not None:
                a = clip(math.log(o.low)) if o.low > 0 else -math.inf
                b = clip(math.log(o.high))
                if b - a > 1e-6:
                    censored.append((a, b))
                    continue
            exact.append(clip(point))

        w = prior_weight
        mu, sigma = fmean(clip(p) for p in points), s0
        e1, e2 = sum(exact), sum(x * x for x in exact)
        for _ in range(iterations if censored else 1):
            s1, s2 = e1, e2
            for a, b in censored:
                m1, m2 = _truncated_moments(mu, sigma, a, b)
                s1 += m1
                s2 += m2
            new_mu = (w * mu0 + s1) / (w + n)
            ss = max(0.0, s2 - 2 * new_mu * s1 + n * new_mu * new_mu)
            new_sigma = min(max(math.sqrt((w * s0 * s0 + ss) / (w + n - 1)), 0.15), 1.5)
            done = abs(new_mu - mu) < 1e-4 and abs(new_sigma - sigma) < 1e-4
            mu, sigma = new_mu, new_sigma
            if done:
                break
        return cls(mu, sigma, n)

    @property
    def median(self) -> float:
        return math.exp(self.mu)

    def quantile(self, q: float) -> float:
        return math.exp(self.mu + self.sigma * _NORMAL.inv_cdf(min(max(q, 1e-6), 1 - 1e-6)))

    def cdf(self, seconds: float) -> float:
        if seconds <= 0:
            return 0.0
        return _NORMAL.cdf((math.log(seconds) - self.mu) / self.sigma)

    def conditional_quantile(self, low: float, high: float, q: float = 0.5) -> float:
        """The q-quantile of the duration of a job known to have ended within (low, high]."""
        lo, hi = self.cdf(low), self.cdf(high)
        if hi - lo < 1e-9:
            return high if low <= 0 else math.sqrt(low * high)
        return min(max(self.quantile(lo + q * (hi - lo)), low), high)


@dataclass(frozen=True)
class PollPlan:
    """Seconds after submission of the first poll, then how each wait grows with elapsed time."""

    first: float
    bulk_until: float
    max_interval: float
    bulk_step: float = 0.24
    tail_step: float = 0.5
    min_interval: float = MIN_INTERVAL

    @classmethod
    def for_model(
        cls,
        model: DurationModel,
        prior: DurationPrior,
        *,
        first_quantile: float = 0.61,
        bulk_step: float = 0.24,
        bulk_quantile: float = 0.97,
        min_interval: float = MIN_INTERVAL,
    ) -> PollPlan:
        return cls(
            first=max(min_interval, model.quantile(first_quantile)),
            bulk_until=model.quantile(bulk_quantile),
            max_interval=max(min_interval, prior.max_interval),
            bulk_step=bulk_step,
            min_interval=min_interval,
        )

    def wait_after(self, elapsed: float) -> float:
        """How long to wait after a poll made `elapsed` seconds after submission."""
        step = self.bulk_step if elapsed < self.bulk_until else self.tail_step
        return min(max(self.min_interval, step * elapsed), max(self.max_interval, self.min_interval))


def poll_offsets(plan: PollPlan, until: float) -> list[float]:
    """The poll times (seconds after submission) the plan gives with instant answers, up to `until`."""
    times = [plan.first]
    while times[-1] < until:
        times.append(times[-1] + plan.wait_after(times[-1]))
    return times


def plan_for(
    kind: str, history: Sequence[float | Observation], pace: PollPace = SERVICE_PACE
) -> tuple[DurationModel, PollPlan]:
    prior = pace.prior(kind)
    model = DurationModel.fit(history, prior)
    return model, PollPlan.for_model(model, prior, min_interval=pace.min_interval)
