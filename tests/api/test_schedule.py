"""The poll plan: learned from history, and good enough for the benchmark target in simulation."""

from __future__ import annotations

import bisect
import math
import random
from statistics import fmean, median

import pytest

from c2q_tui.api import DurationModel, PollPlan
from c2q_tui.api.polling import estimate_duration
from c2q_tui.api.schedule import MIN_INTERVAL, plan_for, poll_offsets, prior_for


def test_prior_plan_for_chat2data() -> None:
    model, plan = plan_for("chat2data", [])
    assert model.median == pytest.approx(6.0) and model.samples == 0
    assert 6.5 < plan.first < 7.5
    times = poll_offsets(plan, 120)
    waits = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(waits) >= MIN_INTERVAL and max(waits) <= prior_for("chat2data").max_interval
    assert waits == sorted(waits)  # backs off, never speeds up


def test_never_faster_than_a_second_for_short_jobs() -> None:
    _, plan = plan_for("chat2data", [0.2] * 40)
    times = poll_offsets(plan, 30)
    assert times[0] >= 1.0
    assert all(b - a >= 1.0 for a, b in zip(times, times[1:], strict=False))


def test_fit_blends_prior_and_resists_outliers() -> None:
    prior = prior_for("chat2data")
    assert DurationModel.fit([12.0] * 30, prior).median == pytest.approx(12 ** (30 / 32) * 6 ** (2 / 32), rel=1e-6)
    with_outlier = DurationModel.fit([6.0, 5.5, 6.5, 6.2, 5.8, 6.1, 5.9, 6.0, 600.0], prior)
    assert with_outlier.median < 8 and with_outlier.sigma < 0.8


def test_estimate_duration_uses_ended_at_within_the_interval() -> None:
    model = DurationModel.fit([], prior_for("chat2data"))
    assert estimate_duration(model, 5.0, 7.0, 6.2) == 6.2
    assert estimate_duration(model, 5.0, 7.0, 7.6) == 7.0  # a little skew: clamped
    imputed = estimate_duration(model, 5.0, 7.0, 30.0, "job-1")  # nonsense: ignored
    assert 5.0 <= imputed <= 7.0
    assert imputed == estimate_duration(model, 5.0, 7.0, None, "job-1")  # deterministic per job


def _simulate(jobs: int, warm: int, seed: int) -> tuple[float, float]:
    """Requests per question (submit included) and the median detection delay / duration, for
    lognormal durations (median 6 s, sigma 0.6), learning from each finished job as wait_for_job does."""
    rng = random.Random(seed)
    history: list[float] = []
    requests: list[int] = []
    ratios: list[float] = []
    for n in range(warm + jobs):
        duration = math.exp(math.log(6.0) + 0.6 * rng.gauss(0, 1))
        model, plan = plan_for("chat2data", history[:50])
        times = poll_offsets(plan, duration)
        k = bisect.bisect_left(times, duration)
        low = times[k - 1] if k else 0.0
        ended = math.floor(duration) + 0.5  # ended_at in whole seconds, corrected as in wait_for_job
        history.insert(0, estimate_duration(model, low, times[k], ended, str(n)))
        if n >= warm:
            requests.append(k + 2)
            ratios.append((times[k] - duration) / duration)
    return fmean(requests), median(ratios)


def test_meets_the_benchmark_target_after_learning_from_ten_jobs() -> None:
    results = [_simulate(jobs=40, warm=10, seed=seed) for seed in range(150)]
    per_question = fmean(r[0] for r in results)
    delay_ratio = median(r[1] for r in results)
    assert per_question <= 3.0
    assert delay_ratio <= 0.25
