"""A fault-injecting `httpx.AsyncBaseTransport`: wraps a real transport and breaks chosen requests.

    faulty = FaultyTransport(httpx.ASGITransport(app=app))
    faulty.inject(Fault.drop_after(), method="POST", path=r"/v3/chat2data$")
    client = Chat2QueryClient(base_url, ..., transport=faulty)

Each injected fault hits the next matching request once (or `times` times), then requests pass
through again. Every request is recorded as a `Delivery`, saying whether it reached the wrapped
transport (the server) and what the client got back, so tests can count what the server really saw.

Fault kinds, and what they mean for the server:
- `connect_error`: the connection could not be opened; the server never saw the request.
- `drop_after` / `read_timeout`: the server handled the request, then the connection broke (or the
  answer took longer than the client waits) before the client got the response.
- `status(code)`: a gateway answers 500/502/503 itself (`forward=False`, the server never saw it) or
  after the server handled the request (`forward=True`, the answer was lost at the gateway).
- `truncated`, `non_json`, `empty`: the server handled the request; the body the client gets is cut
  short, HTML, or empty.
- `rate_limited(reset)`: the gateway refuses with 429 and the documented Data Service envelope, with
  `X-Ratelimit-Reset` when `reset` is given and no rate-limit header at all otherwise.
- `delay(seconds)`: the answer comes late but whole (sleeps with the injectable `sleep`).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx

FaultKind = Literal[
    "connect_error",
    "drop_after",
    "read_timeout",
    "status",
    "truncated",
    "non_json",
    "empty",
    "rate_limited",
    "delay",
]

HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def rate_limit_body(message: str = "API key rate limit exceeded.") -> bytes:
    """The documented 429 body (reference section 5.3): the Data Service envelope, code 49900007."""
    result = {
        "latency": "",
        "row_affect": 0,
        "code": 49900007,
        "row_count": 0,
        "end_ms": 0,
        "limit": 0,
        "message": message,
        "start_ms": 0,
    }
    return json.dumps({"type": "", "data": {"columns": [], "rows": [], "result": result}}).encode()


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    status_code: int = 500
    forward: bool = False
    seconds: float = 0.0
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.kind == "status":
            return f"status_{self.status_code}{'_after' if self.forward else ''}"
        if self.kind == "rate_limited":
            return "429_with_reset" if self.headers else "429_without_reset"
        return self.kind

    # -- constructors --------------------------------------------------------------------------

    @classmethod
    def connect_error(cls) -> Fault:
        return cls("connect_error")

    @classmethod
    def drop_after(cls) -> Fault:
        return cls("drop_after", forward=True)

    @classmethod
    def read_timeout(cls) -> Fault:
        return cls("read_timeout", forward=True)

    @classmethod
    def status(cls, code: int, *, forward: bool = False, body: bytes | None = None) -> Fault:
        default = (
            HTML_502
            if code == 502
            else json.dumps({"code": code, "msg": f"internal error! injected {code}", "result": {}}).encode()
        )
        return cls("status", status_code=code, forward=forward, body=default if body is None else body)

    @classmethod
    def truncated(cls) -> Fault:
        return cls("truncated", forward=True)

    @classmethod
    def non_json(cls, status_code: int = 200) -> Fault:
        return cls("non_json", status_code=status_code, forward=True, body=HTML_502)

    @classmethod
    def empty(cls) -> Fault:
        return cls("empty", forward=True)

    @classmethod
    def rate_limited(cls, reset: float | None = None) -> Fault:
        headers: dict[str, str] = {}
        if reset is not None:
            headers = {
                "X-Ratelimit-Reset": f"{reset:g}",
                "X-Ratelimit-Remaining-Minute": "0",
                "X-Ratelimit-Limit-Minute": "100",
            }
        return cls("rate_limited", status_code=429, body=rate_limit_body(), headers=headers)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        return cls("delay", forward=True, seconds=seconds)


@dataclass
class Delivery:
    """One request the client sent through the transport."""

    method: str
    path: str
    fault: Fault | None
    forwarded: bool  # the wrapped transport (the server) handled it
    status: int | None  # what the client got; None when it got an exception


@dataclass
class _Rule:
    fault: Fault
    method: str | None
    path: re.Pattern[str] | None
    times: int

    def matches(self, request: httpx.Request) -> bool:
        if self.method is not None and request.method != self.method:
            return False
        return self.path is None or self.path.search(request.url.path) is not None


class FaultyTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.sleep = sleep
        self.rules: list[_Rule] = []
        self.deliveries: list[Delivery] = []

    def inject(
        self, fault: Fault, *, method: str | None = None, path: str | None = None, times: int = 1
    ) -> None:
        """Break the next `times` requests matching `method` and the `path` regex (searched)."""
        self.rules.append(_Rule(fault, method, re.compile(path) if path else None, times))

    def clear(self) -> None:
        self.rules.clear()

    @property
    def pending(self) -> int:
        """Faults injected but not yet used."""
        return sum(r.times for r in self.rules)

    def seen(self, method: str, path: str) -> int:
        """How many requests matching `method` and the `path` regex reached the server."""
        pattern = re.compile(path)
        return sum(
            1 for d in self.deliveries if d.forwarded and d.method == method and pattern.search(d.path)
        )

    def _take(self, request: httpx.Request) -> Fault | None:
        for rule in self.rules:
            if rule.times > 0 and rule.matches(request):
                rule.times -= 1
                if rule.times == 0:
                    self.rules.remove(rule)
                return rule.fault
        return None

    async def _forward(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._take(request)
        delivery = Delivery(request.method, request.url.path, fault, forwarded=False, status=None)
        self.deliveries.append(delivery)
        if fault is None:
            response = await self._forward(request)
            delivery.forwarded, delivery.status = True, response.status_code
            return response
        kind = fault.kind
        if kind == "connect_error":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if kind in ("status", "rate_limited") and not fault.forward:
            delivery.status = fault.status_code
            return self._reply(fault.status_code, fault.body, fault.headers, request)
        if kind == "delay":
            await self.sleep(fault.seconds)
        response = await self._forward(request)
        delivery.forwarded = True
        if kind == "drop_after":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if kind == "read_timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if kind == "delay":
            delivery.status = response.status_code
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length",)}
        status, body = response.status_code, response.content
        if kind == "status":
            status, body = fault.status_code, fault.body
        elif kind == "truncated":
            body = body[: max(1, len(body) // 2)]
        elif kind == "non_json":
            status, body = fault.status_code, fault.body
            headers["content-type"] = "text/html"
        elif kind == "empty":
            body = b""
        delivery.status = status
        return self._reply(status, body, headers, request)

    @staticmethod
    def _reply(
        status: int, body: bytes, headers: Mapping[str, str], request: httpx.Request
    ) -> httpx.Response:
        merged = {"content-type": "application/json", **headers}
        return httpx.Response(status, content=body, headers=merged, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


ALL_FAULTS: tuple[Fault, ...] = (
    Fault.connect_error(),
    Fault.drop_after(),
    Fault.read_timeout(),
    Fault.status(500),
    Fault.status(502),
    Fault.status(503),
    Fault.status(502, forward=True),
    Fault.truncated(),
    Fault.non_json(),
    Fault.empty(),
    Fault.rate_limited(reset=7),
    Fault.rate_limited(),
    Fault.delay(0.01),
)
