"""Retries: idempotent calls retry on 5xx and connection errors; a POST only when it was never sent."""

from __future__ import annotations

import httpx
import pytest

from c2q_tui.api import Chat2QueryClient, NetworkError, QuotaLedger, RateLimited, RetryPolicy
from tests.api.conftest import Server, ok

JOB = ok({"job_id": "abc", "status": "done", "result": None})
SUBMITTED = ok({"job_id": "f" * 32, "session_id": 1})


async def test_get_retried_on_503_then_succeeds(
    client: Chat2QueryClient, server: Server, retry_sleeps: list[float], ledger: QuotaLedger
) -> None:
    server.on("GET", "/v2/jobs/abc", httpx.Response(503, text="busy"), httpx.Response(200, json=JOB))
    job = await client.get_job("abc")
    assert job.status == "done"
    assert len(server.sent) == 2 and retry_sleeps == [0.375]  # step 0.5 s, half fixed + half jitter (0.5)
    assert ledger.used_today(client.app_key) == 2  # every send is counted, retries too


async def test_get_retried_on_connection_reset(client: Chat2QueryClient, server: Server) -> None:
    server.on("GET", "/v2/jobs/abc", httpx.ReadError("reset"), httpx.Response(200, json=JOB))
    assert (await client.get_job("abc")).status == "done"


async def test_put_is_idempotent_and_retried(client: Chat2QueryClient, server: Server) -> None:
    server.on(
        "PUT", "/v3/sessions/1", httpx.Response(502, text="bad gateway"), httpx.Response(200, json=ok({}))
    )
    await client.rename_session(1, "n")
    assert [s.method for s in server.sent] == ["PUT", "PUT"]


async def test_get_gives_up_after_the_attempts(
    client: Chat2QueryClient, server: Server, retry_sleeps: list[float]
) -> None:
    server.on("GET", "/v2/jobs/abc", httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(NetworkError, match="connection refused"):
        await client.get_job("abc")
    assert len(server.sent) == 3 and retry_sleeps == [0.375, 0.75]


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadError("reset"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("closed"),
        httpx.WriteError("x"),
    ],
)
async def test_post_not_retried_when_it_may_have_reached_the_server(
    client: Chat2QueryClient, server: Server, exc: Exception, ledger: QuotaLedger
) -> None:
    server.on("POST", "/v3/chat2data", exc, httpx.Response(200, json=SUBMITTED))
    with pytest.raises(NetworkError) as caught:
        await client.chat2data("q", cluster_id="1", database="d")
    assert caught.value.maybe_sent
    assert len(server.sent) == 1
    assert ledger.used_today(client.app_key) == 1  # it may have reached the server: counted


async def test_post_not_retried_on_5xx(client: Chat2QueryClient, server: Server) -> None:
    server.on("POST", "/v3/chat2data", httpx.Response(503, text="x"), httpx.Response(200, json=SUBMITTED))
    with pytest.raises(Exception, match="HTTP 503"):
        await client.chat2data("q", cluster_id="1", database="d")
    assert len(server.sent) == 1


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow connect")])
async def test_post_retried_when_the_connection_failed(
    client: Chat2QueryClient, server: Server, exc: Exception, ledger: QuotaLedger
) -> None:
    server.on("POST", "/v3/chat2data", exc, httpx.Response(200, json=SUBMITTED))
    job = await client.chat2data("q", cluster_id="1", database="d")
    assert job.job_id == "f" * 32 and len(server.sent) == 2
    assert ledger.used_today(client.app_key) == 1  # the failed connect never reached the server
    ref = client.job_ref(job.job_id)
    assert ref is not None and ref.requests == 1


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_429_is_never_retried(
    client: Chat2QueryClient, server: Server, retry_sleeps: list[float], method: str
) -> None:
    limited = httpx.Response(
        429, json={"code": 429, "msg": "quota", "result": {}}, headers={"Retry-After": "1"}
    )
    server.on("GET", "/v2/jobs/abc", limited, httpx.Response(200, json=JOB))
    server.on("POST", "/v3/chat2data", limited, httpx.Response(200, json=SUBMITTED))
    with pytest.raises(RateLimited):
        if method == "GET":
            await client.get_job("abc")
        else:
            await client.chat2data("q", cluster_id="1", database="d")
    assert len(server.sent) == 1 and retry_sleeps == []


def test_backoff_is_bounded_and_jittered() -> None:
    policy = RetryPolicy(attempts=10, base_delay=0.5, max_delay=4.0, random=lambda: 1.0)
    assert [policy.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    low = RetryPolicy(random=lambda: 0.0)
    assert (
        low.delay(1) == 0.25 and low.delay(1, retry_after=3.0) == 3.0 and low.delay(1, retry_after=60) == 4.0
    )
