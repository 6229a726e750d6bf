"""Fixtures for the client tests: a scripted server behind httpx.MockTransport and a fake clock."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from c2q_tui.api import Chat2QueryClient, QuotaLedger, RetryPolicy

APP_ID = "chat2query-YqAvnlRj"
BASE = f"https://eu-central-1.data.tidbcloud.com/api/v1beta/app/{APP_ID}/endpoint"
PREFIX = f"/api/v1beta/app/{APP_ID}/endpoint"
PUBLIC_KEY = "PUBKEY01"
PRIVATE_KEY = "s3cr3t-private-key-value"


def ok(result: Any) -> dict[str, Any]:
    return {"code": 200, "msg": "", "result": result}


@dataclass
class Sent:
    method: str
    path: str
    body: Any
    headers: httpx.Headers


Reply = httpx.Response | Callable[[httpx.Request], httpx.Response] | BaseException


@dataclass
class Server:
    """Answers by (method, path) from a queue per route; the last reply of a route repeats."""

    routes: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)

    def on(self, method: str, path: str, *replies: Reply | dict[str, Any], status: int = 200) -> Server:
        queue = self.routes.setdefault((method, path), [])
        for reply in replies:
            queue.append(httpx.Response(status, json=reply) if isinstance(reply, dict) else reply)
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(PREFIX)
        body = json.loads(request.content) if request.content else None
        self.sent.append(Sent(request.method, path, body, request.headers))
        queue = self.routes.get((request.method, path))
        if not queue:
            return httpx.Response(
                404,
                json={
                    "type": "",
                    "data": {
                        "columns": [],
                        "rows": [],
                        "result": {"code": 404, "message": "endpoint not found"},
                    },
                },
            )
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, BaseException):
            raise reply
        return reply(request) if callable(reply) else reply

    @property
    def last(self) -> Sent:
        return self.sent[-1]


@dataclass
class FakeClock:
    """UNIX-like seconds that only move when someone sleeps."""

    t: float = 1_718_785_000.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.t += seconds


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # nothing a test does may touch the user's real data dir
    monkeypatch.setenv("C2Q_HOME", str(tmp_path / "home"))


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def retry_sleeps() -> list[float]:
    return []


@pytest.fixture
def retry(retry_sleeps: list[float]) -> RetryPolicy:
    async def sleep(seconds: float) -> None:
        retry_sleeps.append(seconds)

    return RetryPolicy(sleep=sleep, random=lambda: 0.5)


@pytest.fixture
def ledger(tmp_path: Path) -> QuotaLedger:
    return QuotaLedger(tmp_path / "quota.sqlite3")


@pytest.fixture
async def client(server: Server, retry: RetryPolicy, ledger: QuotaLedger) -> AsyncIterator[Chat2QueryClient]:
    async with Chat2QueryClient(
        BASE,
        public_key=PUBLIC_KEY,
        private_key=PRIVATE_KEY,
        auth="basic",
        transport=httpx.MockTransport(server.handler),
        retry=retry,
        ledger=ledger,
    ) as c:
        yield c
