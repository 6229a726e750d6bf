"""The poll plan: learned from history, and good enough for the benchmark target in simulation."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from statistics import fmean, median

import pytest

from c2q_tui.api import DurationModel
from c2q_tui.api.polling import observe_duration
from c2q_tui.api.schedule import MIN_INTERVAL, Observation, plan_for, poll_offsets, prior_for


def test_prior_plan_for_chat2data() -> None:
    model, plan = plan_for("chat2data", [])
    assert model.median == pytest.approx(6.0) and model.samples == 0
    assert 6.5 < plan.first < 7.5
    times = poll_offsets(plan, 120)
    waits = [b - a for a, b in itertools.pairwise(times)]
    assert min(waits) >= MIN_INTERVAL and max(waits) <= prior_for("chat2data").max_interval
    assert waits == sorted(waits)  # backs off, never speeds up


def test_never_faster_than_a_second_for_short_jobs() -> None:
    _, plan = plan_for("chat2data", [0.2] * 40)
    times = poll_offsets(plan, 30)
    assert times[0] >= 1.0
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))


def test_fit_blends_prior_and_resists_outliers() -> None:
    prior = prior_for("chat2data")
    assert DurationModel.fit([12.0] * 30, prior).median == pytest.approx(
        12 ** (30 / 32) * 6 ** (2 / 32), rel=1e-6
    )
    with_outlier = DurationModel.fit([6.0, 5.5, 6.5, 6.2, 5.8, 6.1, 5.9, 6.0, 600.0], prior)
    assert with_outlier.median < 8 and with_outlier.sigma < 0.8


def test_fit_recovers_the_distribution_from_intervals_alone() -> None:
    rng = random.Random(4)
    model, plan = plan_for("chat2data", [])
    times = poll_offsets(plan, 1000)
    history: list[Observation] = []
    for _ in range(400):
        d = math.exp(math.log(10.0) + 0.5 * rng.gauss(0, 1))
        k = bisect.bisect_left(times, d)
        history.append(observe_duration(model, times[k - 1] if k else 0.0, times[k], None))
    assert all(o.censored for o in history)
    fitted = DurationModel.fit(history, prior_for("chat2data"))
    assert fitted.median == pytest.approx(10.0, rel=0.08) and fitted.sigma == pytest.approx(0.5, abs=0.08)


def test_observe_duration_uses_ended_at_within_the_interval() -> None:
    model = DurationModel.fit([], prior_for("chat2data"))
    assert observe_duration(model, 5.0, 7.0, 6.2) == Observation(6.2)
    assert observe_duration(model, 5.0, 7.0, 7.6) == Observation(7.0)  # a little clock skew: clamped
    far = observe_duration(model, 5.0, 7.0, 30.0)  # nonsense: only the interval is kept
    assert far.censored and (far.low, far.high) == (5.0, 7.0) and 5.0 <= far.seconds <= 7.0


def _simulate(seeds: int, with_ended_at: bool) -> tuple[float, float]:
    """Requests per question (submit included) and the median of detection delay / duration, over
    lognormal durations (median 6 s, sigma 0.6), after learning from 10 jobs as wait_for_job does."""
    requests: list[int] = []
    ratios: list[float] = []
    for seed in range(seeds):
        rng = random.Random(seed)
        history: list[Observation] = []
        for n in range(50):
            duration = math.exp(math.log(6.0) + 0.6 * rng.gauss(0, 1))
            model, plan = plan_for("chat2data", history[:50])
            times = poll_offsets(plan, duration)
            k = bisect.bisect_left(times, duration)
            ended = math.floor(duration) + 0.5 if with_ended_at else None  # whole seconds, as corrected
            history.insert(0, observe_duration(model, times[k - 1] if k else 0.0, times[k], ended))
            if n >= 10:
                requests.append(k + 2)
                ratios.append((times[k] - duration) / duration)
    return fmean(requests), median(ratios)


def test_meets_the_benchmark_target_after_learning_from_ten_jobs() -> None:
    per_question, delay_ratio = _simulate(150, with_ended_at=True)
    assert per_question <= 3.0
    assert delay_ratio <= 0.25


def test_learning_from_intervals_alone_stays_near_the_target() -> None:
    # fewer jobs (EM on intervals is slower), so the bounds allow for sampling noise:
    # 200 seeds give 2.98 requests and 0.23 as with ended_at
    per_question, delay_ratio = _simulate(40, with_ended_at=False)
    assert per_question <= 3.05
    assert delay_ratio <= 0.26
