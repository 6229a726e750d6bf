"""The daily request count kept in memory and stored in batches: nothing lost at shutdown, nothing
counted twice, exact near the quota (also between two backends sharing a state dir)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from c2q_tui.local import ratelimit
from c2q_tui.local.ratelimit import RateLimiter
from c2q_tui.local.store import Store
from tests.local.conftest import ADMIN, MakeHarness

APP = "chat2query-local"
BASIC = httpx.BasicAuth(*ADMIN)  # no challenge round trips: every request is counted


def stored(store: Store, when: float | None = None) -> int:
    """What the store holds for the day of `when` (default today), without flushing anything."""
    day = dt.datetime.fromtimestamp(when if when is not None else dt.datetime.now(dt.UTC).timestamp(), dt.UTC)
    return store.quota_count(APP, day.strftime("%Y-%m-%d"))


async def test_the_count_survives_a_restart(
    make_harness: MakeHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "FLUSH_SECONDS", 3600.0)  # only the shutdown stores the count
    first = await make_harness(auth=BASIC)  # no daily quota: every request is counted in a batch
    for _ in range(7):
        assert (await first.client.get("/v3/sessions")).status_code == 200
    assert stored(first.backend.store) == 0  # still in memory
    await first.backend.aclose()  # stores what is still in memory
    second = await make_harness(auth=BASIC)
    assert second.backend.limiter.used_today() == 7
    assert (await second.client.get("/v3/sessions")).status_code == 200
    assert second.backend.limiter.used_today() == 8


async def test_concurrent_requests_are_each_counted_once(make_harness: MakeHarness) -> None:
    h = await make_harness(auth=BASIC)
    answers = await asyncio.gather(*(h.client.get("/v2/jobs/" + "0" * 32) for _ in range(60)))
    assert {r.status_code for r in answers} == {404}  # unknown job, but a counted request
    await h.backend.aclose()
    again = await make_harness(auth=BASIC)
    assert again.backend.limiter.used_today() == 60


async def test_concurrent_requests_never_pass_the_quota(make_harness: MakeHarness) -> None:
    h = await make_harness(auth=BASIC, daily_quota=25)
    answers = await asyncio.gather(*(h.client.get("/v3/sessions") for _ in range(40)))
    assert sorted(r.status_code for r in answers) == [200] * 25 + [429] * 15
    assert h.backend.limiter.used_today() == 25


async def test_two_backends_sharing_a_state_dir_admit_the_quota_between_them(
    make_harness: MakeHarness,
) -> None:
    a = await make_harness(auth=BASIC, tidbcloud_like=True)  # 100 a day, 100 a minute
    b = await make_harness(auth=BASIC, daily_quota=100)
    statuses = []
    for i in range(130):
        statuses.append((await (a if i % 2 else b).client.get("/v3/sessions")).status_code)
    assert statuses.count(200) == 100 and statuses.count(429) == 30
    assert a.backend.limiter.used_today() == b.backend.limiter.used_today() == 100


async def test_a_large_quota_is_counted_in_batches_and_still_enforced(
    make_harness: MakeHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "PRECISE_MARGIN", 5)
    monkeypatch.setattr(ratelimit, "FLUSH_EVERY", 3)
    h = await make_harness(auth=BASIC, daily_quota=12)
    store = h.backend.store
    answers = [(await h.client.get("/v3/sessions")).status_code for _ in range(15)]
    assert answers == [200] * 12 + [429] * 3
    assert stored(store) == 12  # within the margin every request went to the store at once


async def test_an_idle_server_stores_its_count_on_a_timer(
    make_harness: MakeHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "FLUSH_SECONDS", 0.0)  # the timer fires on the next loop turn
    h = await make_harness(auth=BASIC)
    assert (await h.client.get("/v3/sessions")).status_code == 200
    for _ in range(5):
        await asyncio.sleep(0)
    assert stored(h.backend.store) == 1


def test_a_count_that_cannot_be_stored_is_kept_for_the_next_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "state.sqlite3")
    limiter = RateLimiter(store, APP, per_minute=None, daily_quota=None)
    assert limiter.hit("K").error is None  # outside a loop: counted straight away
    real_add = store.quota_add
    calls: list[int] = []

    def locked(app_id: str, day: str, n: int) -> int:
        calls.append(n)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "quota_add", locked)
    assert limiter.hit("K").error is None  # the request is answered all the same
    assert calls == [1] and stored(store) == 1
    monkeypatch.setattr(store, "quota_add", real_add)
    limiter.close()
    assert stored(store) == 2
    store.close()


def test_a_new_utc_day_starts_from_zero_and_the_old_day_keeps_its_count(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    before_midnight = dt.datetime(2025, 6, 1, 23, 59, 59, tzinfo=dt.UTC).timestamp()
    now = [before_midnight]
    limiter = RateLimiter(store, APP, per_minute=None, daily_quota=None, clock=lambda: now[0])
    counted: list[Any] = [limiter.hit("K") for _ in range(3)]
    now[0] += 2
    counted += [limiter.hit("K") for _ in range(2)]
    assert all(d.error is None for d in counted)
    assert limiter.used_today() == 2
    assert stored(store, before_midnight) == 3
    limiter.close()
    store.close()


async def test_a_failed_flush_is_retried_on_a_timer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "FLUSH_SECONDS", 0.0)  # timers fire on the next loop turns
    store = Store(tmp_path / "state.sqlite3")
    limiter = RateLimiter(store, APP, per_minute=None, daily_quota=None)
    real_add = store.quota_add
    failures = [sqlite3.OperationalError("database is locked")] * 2

    def flaky(app_id: str, day: str, n: int) -> int:
        if failures:
            raise failures.pop()
        return real_add(app_id, day, n)

    monkeypatch.setattr(store, "quota_add", flaky)
    assert limiter.hit("K").error is None
    for _ in range(10):  # no request comes: only the retry timer can store the count
        await asyncio.sleep(0)
    assert not failures and stored(store) == 1
    limiter.close()
    store.close()
