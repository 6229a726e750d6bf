"""Both envelopes and every status map to one typed error whose str() is one line without secrets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from c2q_tui.api import (
    ApiError,
    AuthError,
    BadResponse,
    Chat2QueryClient,
    Chat2QueryError,
    NetworkError,
    NotFound,
    NotReady,
    RateLimited,
)
from tests.api.conftest import PRIVATE_KEY, PUBLIC_KEY, Server, ok

JOB = "/v2/jobs/abc"


def ds(code: int, message: str) -> dict[str, Any]:
    """A Data Service envelope as the gateway sends it."""
    return {
        "type": "",
        "data": {
            "columns": [],
            "rows": [],
            "result": {
                "latency": "",
                "row_affect": 0,
                "code": code,
                "row_count": 0,
                "end_ms": 0,
                "limit": 0,
                "message": message,
                "start_ms": 0,
            },
        },
    }


RATE_MSG = (
    "API key rate limit exceeded. The limit can be increased up to 1000 requests per minute per API key in "
    "TiDB Cloud console. For an increase in quota beyond 1000 rpm, please contact us: https://tidb.support.pingcap.com/"
)


async def _fails(client: Chat2QueryClient, server: Server, response: httpx.Response) -> Chat2QueryError:
    server.on("GET", JOB, response)
    with pytest.raises(Chat2QueryError) as caught:
        await client.get_job("abc")
    err = caught.value
    text = str(err)
    assert "\n" not in text and text.strip() == text and text
    assert PRIVATE_KEY not in text and PUBLIC_KEY not in text
    return err


async def test_401_data_service_envelope(client: Chat2QueryClient, server: Server) -> None:
    err = await _fails(client, server, httpx.Response(401, json=ds(401, "auth failed")))
    assert isinstance(err, AuthError) and not err.expired and err.status == 401
    assert "authentication failed" in str(err)


async def test_expired_key(client: Chat2QueryClient, server: Server) -> None:
    err = await _fails(client, server, httpx.Response(401, json=ds(49900002, "API Key is no longer valid")))
    assert isinstance(err, AuthError) and err.expired and err.code == 49900002
    assert "API key is no longer valid" in str(err)


async def test_401_without_a_body(client: Chat2QueryClient, server: Server) -> None:
    assert isinstance(await _fails(client, server, httpx.Response(401)), AuthError)


async def test_429_with_reset_headers(
    client: Chat2QueryClient, server: Server, retry_sleeps: list[float]
) -> None:
    headers = {
        "x-ratelimit-reset": "8",
        "x-ratelimit-remaining-minute": "0",
        "x-ratelimit-limit-minute": "10",
    }
    err = await _fails(client, server, httpx.Response(429, json=ds(49900007, RATE_MSG), headers=headers))
    assert isinstance(err, RateLimited)
    assert (err.reset_after, err.limit, err.remaining, err.code) == (8.0, 10, 0, 49900007)
    assert "resets in 8 s" in str(err)
    assert len(server.sent) == 1 and retry_sleeps == []  # never retried
    assert client.last_rate_limit is not None and client.last_rate_limit.minute_exhausted


async def test_429_without_headers_or_body(client: Chat2QueryClient, server: Server) -> None:
    err = await _fails(client, server, httpx.Response(429, text="Too Many Requests"))
    assert isinstance(err, RateLimited) and err.reset_after is None
    assert len(server.sent) == 1


async def test_rate_limit_code_inside_a_200_data_service_envelope(
    client: Chat2QueryClient, server: Server
) -> None:
    err = await _fails(client, server, httpx.Response(200, json=ds(49900007, RATE_MSG)))
    assert isinstance(err, RateLimited) and err.status == 200 and err.code == 49900007


async def test_rate_limit_code_in_a_chat2query_envelope(client: Chat2QueryClient, server: Server) -> None:
    err = await _fails(
        client, server, httpx.Response(429, json={"code": 49900007, "msg": "quota", "result": {}})
    )
    assert isinstance(err, RateLimited)


async def test_not_ready(client: Chat2QueryClient, server: Server) -> None:
    body = {"code": 400, "msg": "Data summary is not ready, please wait for a while and retry", "result": {}}
    server.on("POST", "/v3/chat2data", httpx.Response(400, json=body))
    with pytest.raises(NotReady, match="Data summary is not ready") as caught:
        await client.chat2data("q", cluster_id="1", database="d")
    assert caught.value.code == 400


async def test_not_ready_in_a_200(client: Chat2QueryClient, server: Server) -> None:
    body = {"code": 400, "msg": "Data summary is not ready, please wait for a while and retry", "result": {}}
    assert isinstance(await _fails(client, server, httpx.Response(200, json=body)), NotReady)


async def test_404(client: Chat2QueryClient, server: Server) -> None:
    err = await _fails(client, server, httpx.Response(404, json=ds(404, "endpoint not found")))
    assert isinstance(err, NotFound) and "endpoint not found" in str(err)


async def test_404_html_page(client: Chat2QueryClient, server: Server) -> None:
    err = await _fails(client, server, httpx.Response(404, html="<html>Not Found</html>"))
    assert isinstance(err, NotFound) and "check the base URL" in str(err)


async def test_405(client: Chat2QueryClient, server: Server) -> None:
    err = await _fails(client, server, httpx.Response(405, json=ds(405, "method not allowed")))
    assert type(err) is ApiError and (err.status, err.code) == (405, 405)
    assert str(err) == "request rejected (HTTP 405): method not allowed"


async def test_500_after_retries(client: Chat2QueryClient, server: Server, retry_sleeps: list[float]) -> None:
    msg = "internal error! rpc error: code = DeadlineExceeded\n desc = context deadline exceeded"
    err = await _fails(client, server, httpx.Response(500, json=ds(500, msg)))
    assert type(err) is ApiError and err.status == 500 and "DeadlineExceeded desc" in str(err)
    assert len(server.sent) == 3 and len(retry_sleeps) == 2


async def test_200_with_error_code(client: Chat2QueryClient, server: Server) -> None:
    body = {"code": 400, "msg": "param check failed! question is required", "result": None}
    err = await _fails(client, server, httpx.Response(200, json=body))
    assert type(err) is ApiError and (err.status, err.code) == (200, 400)
    assert str(err) == "server error (HTTP 200, code 400): param check failed! question is required"
    assert err.msg == "param check failed! question is required" and err.request == "GET /v2/jobs/abc"


async def test_v1_error_inside_the_envelope(client: Chat2QueryClient, server: Server) -> None:
    server.on("POST", "/v1/chat2data", ds(500, "internal error! defaultPermissionHelper: rpc error"))
    with pytest.raises(ApiError, match="internal error"):
        await client.chat2data_v1("1", "d", "count")


@pytest.mark.parametrize(
    ("response", "says"),
    [
        (
            httpx.Response(502, html="<html><body>502 Bad Gateway</body></html>"),
            "server returned HTML instead of JSON (HTTP 502)",
        ),
        (httpx.Response(200, content=b""), "server returned an empty body (HTTP 200)"),
        (
            httpx.Response(200, content=b'{"code": 200, "msg": "", "result": {"job_id": "ab'),
            "server returned truncated JSON",
        ),
        (
            httpx.Response(200, content=b'{"code": 200, "msg": "", "result": {"job_id": 1,'),
            "server returned truncated JSON",
        ),
        (httpx.Response(200, content=b"status: ok"), "server returned invalid JSON"),
        (httpx.Response(200, content=b"\xff\xfe\x00"), "not UTF-8"),
        (httpx.Response(200, json={"hello": "world"}), "not a Chat2Query or Data Service envelope"),
        (httpx.Response(200, json=[1, 2]), "not a Chat2Query or Data Service envelope"),
        (
            httpx.Response(200, json=ok({"job_id": "abc"})),
            "unexpected Job in the answer to GET /v2/jobs/abc: status",
        ),
        (httpx.Response(200, json=ok({"job_id": "abc", "status": "done", "ended_at": "soon"})), "ended_at"),
    ],
)
async def test_malformed_bodies(
    client: Chat2QueryClient, server: Server, response: httpx.Response, says: str
) -> None:
    err = await _fails(client, server, response)
    assert isinstance(err, BadResponse)
    assert says in str(err)
    assert err.body or response.content == b""


async def test_bad_response_keeps_at_most_64_kb_of_body(client: Chat2QueryClient, server: Server) -> None:
    err = await _fails(client, server, httpx.Response(200, html="<html>" + "x" * 100_000))
    assert isinstance(err, BadResponse) and len(err.body) == 64 * 1024 and err.body_truncated
    assert len(str(err)) < 100


async def test_v1_path_answering_with_the_wrong_envelope(client: Chat2QueryClient, server: Server) -> None:
    server.on("POST", "/v1/chat2data", ok({"job_id": "x"}))
    with pytest.raises(BadResponse, match="chat2query envelope, expected data service"):
        await client.chat2data_v1("1", "d", "count")


@pytest.mark.parametrize(
    ("exc", "says"),
    [
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            "could not connect to eu-central-1.data.tidbcloud.com: connection refused",
        ),
        (httpx.ConnectError("[Errno -2] Name or service not known"), "host name not found"),
        (
            httpx.ConnectTimeout("timed out"),
            "timed out connecting to eu-central-1.data.tidbcloud.com after 30 s",
        ),
        (
            httpx.ReadTimeout("timed out"),
            "timed out after 30 s waiting for eu-central-1.data.tidbcloud.com to answer GET /v2/jobs/abc",
        ),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), "connection reset"),
        (
            httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
            "connection to",
        ),
    ],
)
async def test_connection_errors(client: Chat2QueryClient, server: Server, exc: Exception, says: str) -> None:
    server.on("GET", JOB, exc)
    with pytest.raises(NetworkError) as caught:
        await client.get_job("abc")
    assert says in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.maybe_sent is not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
