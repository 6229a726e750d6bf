"""Rate limits: headers on every response, the per-minute limit, the daily quota (persisted)."""

from __future__ import annotations

import datetime as dt

import httpx

from tests.local.conftest import ADMIN, Harness, MakeHarness

HEADERS = ("x-ratelimit-limit-minute", "x-ratelimit-remaining-minute", "x-ratelimit-reset")


def assert_headers(r: httpx.Response) -> None:
    for name in HEADERS:
        assert name in r.headers, (r.status_code, r.url, dict(r.headers))
        assert int(r.headers[name]) >= 0


async def test_headers_on_every_response(harness: Harness) -> None:
    h = harness
    responses = [
        await h.client.get("/v3/sessions"),  # 200
        await h.client.get("/v3/sessions/999"),  # 404 Chat2Query
        await h.client.get("/v3/nowhere"),  # 404 Data Service
        await h.client.delete("/v3/sessions"),  # 405
        await h.client.post("/v3/sessions", content=b"not json"),  # 400
        await h.with_auth(None).get("/v3/sessions"),  # 401
        await h.client.get("http://c2q-test/elsewhere"),  # 404 outside the app
    ]
    assert [r.status_code for r in responses] == [200, 404, 404, 405, 400, 401, 404]
    for r in responses:
        assert_headers(r)
    counted = [int(r.headers["x-ratelimit-remaining-minute"]) for r in responses[:5]]
    assert counted == sorted(counted, reverse=True) and counted[0] - counted[-1] == 4
    assert responses[0].headers["x-ratelimit-limit-minute"] == "600"


async def test_per_minute_limit(make_harness: MakeHarness) -> None:
    h = await make_harness(per_minute=3)
    now = 1_800_000_010.0  # 10 s into a minute
    h.backend.limiter.clock = lambda: now
    for remaining in (2, 1, 0):
        r = await h.client.get("/v3/sessions")
        assert r.status_code == 200 and r.headers["x-ratelimit-remaining-minute"] == str(remaining)
        assert r.headers["x-ratelimit-reset"] == "50"
    r = await h.client.get("/v3/sessions")
    assert r.status_code == 429
    assert_headers(r)
    assert r.headers["x-ratelimit-remaining-minute"] == "0" and r.headers["x-ratelimit-limit-minute"] == "3"
    result = r.json()["data"]["result"]
    assert r.json()["type"] == "" and result["code"] == 49900007
    assert result["message"].startswith("API key rate limit exceeded.")
    assert result["start_ms"] == 0 and result["latency"] == "" and result["limit"] == 0
    # another key has its own window; the next minute starts afresh
    now += 60
    assert (await h.client.get("/v3/sessions")).status_code == 200


async def test_daily_quota(make_harness: MakeHarness) -> None:
    h = await make_harness(daily_quota=3)
    noon = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC).timestamp()
    h.backend.limiter.clock = lambda: noon
    for _ in range(3):
        assert (await h.client.get("/v3/sessions")).status_code == 200
    r = await h.client.get("/v2/jobs/0123456789abcdef0123456789abcdef")  # polls count too
    assert r.status_code == 429
    assert_headers(r)
    assert r.headers["x-ratelimit-reset"] == str(12 * 3600)  # until 00:00 UTC
    result = r.json()["data"]["result"]
    assert result["code"] == 49900007
    assert result["message"] == "Chat2Query daily request quota exceeded (3 per day); it resets at 00:00 UTC"
    assert h.backend.limiter.used_today() == 3


async def test_quota_survives_a_restart(make_harness: MakeHarness) -> None:
    first = await make_harness(daily_quota=2)
    assert (await first.client.get("/v3/sessions")).status_code == 200
    await first.backend.aclose()
    second = await make_harness(daily_quota=2)
    assert (await second.client.get("/v3/sessions")).status_code == 200
    assert (await second.client.get("/v3/sessions")).status_code == 429


async def test_tidbcloud_like_preset(make_harness: MakeHarness) -> None:
    h = await make_harness(tidbcloud_like=True)
    assert h.settings.daily_quota == 100 and h.settings.per_minute == 100
    r = await h.client.get("/v3/sessions")
    assert r.headers["x-ratelimit-limit-minute"] == "100"
    other = await make_harness(tidbcloud_like=True, daily_quota=5, auth=httpx.DigestAuth(*ADMIN))
    assert other.settings.daily_quota == 5
