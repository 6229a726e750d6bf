"""Fixtures for driving the real app against the embedded backend.

The sample database and its data summary are built once per test session into a shared folder and
copied into each test's own C2Q_HOME (~0.1 s instead of ~2 s per test). Connectors build the same
connection the app would, with backend settings a test needs (simulated job latency, rate limits, a
wrong key, a transport that fails like a network that is down).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from c2q_tui import paths
from c2q_tui.api import EMBEDDED_PACE, Chat2QueryClient, PollPace, QuotaLedger, RetryPolicy, wait_for_job
from c2q_tui.config import Profile, resolve
from c2q_tui.connection import LOCAL_HOST, Connection, open_connection
from c2q_tui.tui.app import C2QApp

FROZEN = 1_735_732_800.0  # 2025-01-01 12:00 UTC: what a frozen clock shows


@pytest.fixture(scope="session")
def prepared_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the sample database and a done data summary of it."""
    home = tmp_path_factory.mktemp("c2q-prepared")
    old = os.environ.get("C2Q_HOME")
    os.environ["C2Q_HOME"] = str(home)
    try:

        async def build() -> None:
            conn = open_connection(Profile())
            try:
                job = await conn.client.create_data_summary(conn.cluster_id, conn.database, reuse=True)
                outcome = await wait_for_job(conn.client, job.job_id, kind="data_summary", history=[0.2] * 5)
                assert outcome.job.status == "done", outcome.job.reason
            finally:
                await conn.aclose()

        asyncio.run(build())
    finally:
        if old is None:
            os.environ.pop("C2Q_HOME", None)
        else:
            os.environ["C2Q_HOME"] = old
    data = home / "data"
    (data / "history.sqlite3").unlink(missing_ok=True)  # the request ledger starts empty in each test
    for extra in data.glob("history.sqlite3-*"):
        extra.unlink()
    return data


@pytest.fixture
def home(c2q_home: Path, prepared_data: Path) -> Path:
    shutil.copytree(prepared_data, c2q_home / "data", dirs_exist_ok=True)
    return c2q_home


class Seen(list[Message]):
    """Messages the app handled, each once (a bubbling message is seen at every node it passes)."""

    def __init__(self) -> None:
        super().__init__()
        self._ids: set[int] = set()

    def __call__(self, message: Message) -> None:
        if id(message) not in self._ids:
            self._ids.add(id(message))
            self.append(message)

    def names(self, module: str = "c2q_tui.tui.messages") -> list[str]:
        return [type(m).__name__ for m in self if type(m).__module__ == module]

    def of(self, kind: type[Any]) -> list[Any]:
        return [m for m in self if isinstance(m, kind)]

    def chain(self, turn_id: int) -> list[str]:
        """The question chain of one turn, repeats of JobProgressed collapsed."""
        out: list[str] = []
        for m in self:
            name = type(m).__name__
            if getattr(m, "turn_id", None) == turn_id and (not out or out[-1] != name):
                out.append(name)
        return out


class FaultTransport(httpx.AsyncBaseTransport):
    """The embedded backend behind a switch: while `down`, requests fail with `error(request)`
    (by default a refused connection, as when the network or the server is down)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.error: Callable[[httpx.Request], Exception] = lambda r: httpx.ConnectError(
            "[Errno 111] Connection refused", request=r
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise self.error(request)
        return await self.inner.handle_async_request(request)


class LocalBackend:
    """One embedded backend shared by app instances (a server that outlives the app, as TiDB Cloud
    does), with settings a test needs; `connector` is what `C2QApp(connector=...)` takes."""

    def __init__(self, *, private_key: str | None = None, **settings: Any) -> None:
        from c2q_tui.local.app import build_local_app
        from c2q_tui.local.settings import LocalSettings

        self.app, self.settings = build_local_app(LocalSettings.for_profile(**settings))
        self.private_key = private_key
        self.transport = FaultTransport(httpx.ASGITransport(app=self.app))
        self.clients: list[Chat2QueryClient] = []
        self.pace: PollPace = EMBEDDED_PACE
        self.ledger: Callable[[], QuotaLedger] = QuotaLedger

    def connector(self, profile: Profile, *, on_progress: Callable[[str], None] | None = None) -> Connection:
        key = self.settings.keys[0]
        client = Chat2QueryClient(
            f"{LOCAL_HOST}/api/v1beta/app/{self.settings.app_id}/endpoint",
            public_key=key.public_key,
            private_key=self.private_key or key.private_key,
            auth="digest",
            transport=self.transport,
            ledger=self.ledger(),
            pace=self.pace,
            retry=RetryPolicy(base_delay=0.01, max_delay=0.02),  # retries still happen, quickly
        )
        self.clients.append(client)
        names = self.settings.database_names()
        # backend=None: the test owns the backend, closing an app does not stop it
        return Connection(
            profile=profile,
            client=client,
            cluster_id=self.settings.cluster_id,
            database=names[0],
            local=True,
            databases=names,
        )

    async def aclose(self) -> None:
        await self.app.state.backend.aclose()


@pytest.fixture
def backend_factory(home: Path) -> Iterator[Callable[..., LocalBackend]]:
    made: list[LocalBackend] = []

    def make(**settings: Any) -> LocalBackend:
        b = LocalBackend(**settings)
        made.append(b)
        return b

    yield make
    for b in made:
        # jobs still sleeping in a simulated latency belong to the test's loop, already closed
        b.app.state.backend.store.close()


def make_app(*, live: bool = False, clock: Callable[[], float] | None = None, **kwargs: Any) -> C2QApp:
    """The app on the default profile (embedded backend, sample database), ready for tests."""
    return C2QApp(resolve(), live=live, clock=clock or time.time, **kwargs)


@pytest.fixture
def app_factory(home: Path) -> Callable[..., C2QApp]:
    return make_app


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 40.0) -> None:
    """Let the app run until `predicate()` is true (polling; no fixed sleeps). The timeout is only
    a backstop for a hung test: it is generous because CI machines can be very busy."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(predicate, '__name__', predicate)}")
        await pilot.pause(0.05)


async def wait_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, C2QApp)
    await wait_for(pilot, lambda: app.ready and app.state.current is not None)
    await pilot.pause()


async def ask(pilot: Pilot[Any], text: str, *, wait: bool = True) -> int:
    """Type a question, press enter, and (by default) wait for its answer; returns the turn id."""
    app = pilot.app
    assert isinstance(app, C2QApp)
    before = set(app.state.turns)
    composer = app.main.chat.composer
    composer.focus()
    composer.load_text(text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: set(app.state.turns) - before)
    turn_id = max(set(app.state.turns) - before)
    if wait:
        await wait_for(pilot, lambda: not app.state.turns[turn_id].open)
    await pilot.pause()
    return turn_id


def no_blink(app: C2QApp) -> None:
    for w in app.query(Input):
        w.cursor_blink = False
    for t in app.query(TextArea):
        t.cursor_blink = False


__all__ = [
    "FROZEN",
    "FaultTransport",
    "LocalBackend",
    "Seen",
    "ask",
    "make_app",
    "no_blink",
    "paths",
    "wait_for",
    "wait_ready",
]
