"""Job polls answered by the gateway before the router: the same answers as the route, byte for byte.

Each case sends one raw ASGI request twice, once with the fast path and once through the router
(`Gateway.fast_polls = False`), and compares status, headers and body. Rate-limit headers are compared
too; only `X-Ratelimit-Remaining-Minute` differs, by the one request the first call counted.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest

from c2q_tui.local import chat, datasummaries
from c2q_tui.local.auth import parse_digest
from c2q_tui.local.gateway import Gateway
from tests.local.conftest import ADMIN, PREFIX, Harness, MakeHarness, key

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
SUMMARY_KEY = ("SUMMARY", "s-secret")
REMAINING = b"x-ratelimit-remaining-minute"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def call(app: Any, path: str, authorization: str | None, method: str = "GET") -> Answer:
    """One request the way uvicorn hands it over (no `state` in the scope)."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"application/json")]
    if authorization is not None:
        headers.append((b"authorization", authorization.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], [(bytes(k), bytes(v)) for k, v in start.get("headers", [])], body


class RouterSpy:
    """Wraps the app behind the gateway (the router) to record whether a request reached it."""

    def __init__(self, harness: Harness) -> None:
        stack = harness.app.middleware_stack or harness.app.build_middleware_stack()
        harness.app.middleware_stack = stack
        layer: Any = stack
        while not isinstance(layer, Gateway):
            layer = layer.app
        self.inner = layer.app
        self.calls = 0
        layer.app = self

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await self.inner(scope, receive, send)


def _without_nonce(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    # every 401 carries a fresh nonce: compare the rest of the challenge
    return [(k, re.sub(rb'nonce="[0-9a-f]+"', b'nonce="N"', v)) for k, v in headers]


async def fast_and_routed(
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    authorization: Callable[[], str | None],
) -> tuple[Answer, Answer, RouterSpy]:
    """The answer with the fast path, then through the router; the spy counts router calls of both."""
    spy = RouterSpy(harness)
    fast = await call(harness.app, path, authorization())
    with monkeypatch.context() as m:
        m.setattr(Gateway, "fast_polls", False)
        routed = await call(harness.app, path, authorization())
    return fast, routed, spy


def assert_same(fast: Answer, routed: Answer) -> None:
    assert fast[0] == routed[0]
    assert fast[2] == routed[2]
    fast_headers = [(k, v) for k, v in _without_nonce(fast[1]) if k != REMAINING]
    routed_headers = [(k, v) for k, v in _without_nonce(routed[1]) if k != REMAINING]
    assert fast_headers == routed_headers
    left = [int(v) for answer in (fast, routed) for k, v in answer[1] if k == REMAINING]
    if left:  # counted requests leave one fewer; refused ones (401, 429) leave the same
        assert left[0] - left[1] in (0, 1)


@pytest.fixture
async def two_keys(make_harness: MakeHarness) -> Harness:
    return await make_harness(keys=[key(*ADMIN), key(*SUMMARY_KEY, "summary")])


async def test_a_poll_answers_like_the_route_without_reaching_it(
    two_keys: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = two_keys
    for kind in (chat.KIND_CHAT, datasummaries.KIND):
        job = h.backend.jobs.finished(kind, {"rows": [["ünïcode", 1]], "sql": "SELECT 1"})
        path = f"{PREFIX}/v2/jobs/{job.job_id}"
        fast, routed, spy = await fast_and_routed(h, monkeypatch, path, lambda: basic(*ADMIN))
        assert fast[0] == 200 and spy.calls == 1  # only the routed call reached the router
        assert_same(fast, routed)
        assert [k for k, _ in fast[1]] == [
            b"content-length",
            b"content-type",
            b"x-ratelimit-limit-minute",
            b"x-ratelimit-remaining-minute",
            b"x-ratelimit-reset",
        ]


async def test_a_job_of_another_process_is_read_from_the_store(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    h.backend.store.add_job("f" * 32, chat.KIND_CHAT, "running", result={"partial": True})
    fast, routed, spy = await fast_and_routed(
        h, monkeypatch, f"{PREFIX}/v2/jobs/{'f' * 32}", lambda: basic(*ADMIN)
    )
    assert fast[0] == 200 and spy.calls == 1
    assert_same(fast, routed)


async def test_a_digest_signed_poll(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness
    job = h.backend.jobs.finished(chat.KIND_CHAT, {"sql": "SELECT 1"})
    path = f"{PREFIX}/v2/jobs/{job.job_id}"
    status, headers, _ = await call(h.app, path, None)
    assert status == 401
    challenge = parse_digest(dict(headers)[b"www-authenticate"].decode())
    ha1 = hashlib.md5(f"{ADMIN[0]}:{challenge['realm']}:{ADMIN[1]}".encode()).hexdigest()
    ha2 = hashlib.md5(f"GET:{path}".encode()).hexdigest()
    counter = iter(range(1, 100))

    def signed() -> str:
        nc = f"{next(counter):08x}"
        response = hashlib.md5(f"{ha1}:{challenge['nonce']}:{nc}:c0ffee:auth:{ha2}".encode()).hexdigest()
        return (
            f'Digest username="{ADMIN[0]}", realm="{challenge["realm"]}", nonce="{challenge["nonce"]}", '
            f'uri="{path}", response="{response}", qop=auth, nc={nc}, cnonce="c0ffee", algorithm=MD5'
        )

    fast, routed, spy = await fast_and_routed(h, monkeypatch, path, signed)
    assert fast[0] == 200 and spy.calls == 1
    assert_same(fast, routed)


@pytest.mark.parametrize(
    ("case", "status"),
    [("unknown job", 404), ("summary key, chat job", 403), ("wrong key", 401), ("no key", 401)],
)
async def test_errors_come_from_the_router_or_the_gateway(
    two_keys: Harness, monkeypatch: pytest.MonkeyPatch, case: str, status: int
) -> None:
    h = two_keys
    job = h.backend.jobs.finished(chat.KIND_CHAT, {"sql": "SELECT 1"})
    job_id = "0123456789abcdef0123456789abcdef" if case == "unknown job" else job.job_id
    auth: str | None = {
        "unknown job": basic(*ADMIN),
        "summary key, chat job": basic(*SUMMARY_KEY),
        "wrong key": basic(ADMIN[0], "wrong"),
        "no key": None,
    }[case]
    fast, routed, spy = await fast_and_routed(h, monkeypatch, f"{PREFIX}/v2/jobs/{job_id}", lambda: auth)
    assert fast[0] == status
    assert_same(fast, routed)
    # refused before routing (401) or answered by the route's own error (404, 403) both times
    assert spy.calls == (0 if status == 401 else 2)


async def test_over_the_limit(make_harness: MakeHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    h = await make_harness(per_minute=1)
    h.backend.limiter.clock = lambda: 1_800_000_010.0
    job = h.backend.jobs.finished(chat.KIND_CHAT, {"sql": "SELECT 1"})
    path = f"{PREFIX}/v2/jobs/{job.job_id}"
    assert (await call(h.app, path, basic(*ADMIN)))[0] == 200
    fast, routed, spy = await fast_and_routed(h, monkeypatch, path, lambda: basic(*ADMIN))
    assert fast[0] == 429 and spy.calls == 0
    assert_same(fast, routed)


@pytest.mark.parametrize("suffix", ["", "/", "abc/def", "abc%2Fdef"])
async def test_paths_that_are_not_one_job_id_go_to_the_router(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    h = harness
    path = f"{PREFIX}/v2/jobs/{suffix}"
    fast, routed, spy = await fast_and_routed(h, monkeypatch, path, lambda: basic(*ADMIN))
    assert fast[0] in (404, 405) and spy.calls == 2
    assert_same(fast, routed)


async def test_other_methods_go_to_the_router(harness: Harness) -> None:
    h = harness
    job = h.backend.jobs.finished(chat.KIND_CHAT, {"sql": "SELECT 1"})
    spy = RouterSpy(h)
    status, _, _ = await call(h.app, f"{PREFIX}/v2/jobs/{job.job_id}", basic(*ADMIN), method="DELETE")
    assert status == 405 and spy.calls == 1


async def test_the_openapi_document_still_lists_the_poll_route(harness: Harness) -> None:
    paths = harness.app.openapi()["paths"]
    assert "get" in paths[f"{PREFIX}/v2/jobs/{{job_id}}"]
