"""Fixtures for the embedded backend's HTTP tests: a tiny database, a scripted engine, and a harness
that runs the app through `httpx.ASGITransport` with Digest auth, closing everything afterwards."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from c2q_tui.local.app import backend_of, create_app
from c2q_tui.local.backend import Backend
from c2q_tui.local.engines.base import (
    Answer,
    Breakdown,
    EngineContext,
    EngineError,
    Mode,
    Refinement,
)
from c2q_tui.local.settings import KeySpec, LocalSettings
from tests.local.databases import mariadb_database

ADMIN = ("ADMINKEY", "admin-secret")
PREFIX = "/api/v1beta/app/chat2query-local/endpoint"
BASE = f"http://c2q-test{PREFIX}"
HEX32 = r"^[0-9a-f]{32}$"


def make_shop(path: Path) -> str:
    """users(3) and orders(3): small enough to reason about every answer."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE users (user_id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT);
        INSERT INTO users VALUES (1, 'ann', 'US'), (2, 'bob', 'DE'), (3, 'cy', 'US');
        CREATE TABLE orders (order_id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (user_id),
                             amount REAL, created_at TEXT);
        INSERT INTO orders VALUES (1, 1, 10.5, '2024-01-01'), (2, 1, 3.25, '2024-02-01'),
                                  (3, 2, 7.0, '2024-03-01');
        """
    )
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


MARIADB_SHOP = (
    "CREATE TABLE users (user_id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, country VARCHAR(8))",
    "INSERT INTO users VALUES (1, 'ann', 'US'), (2, 'bob', 'DE'), (3, 'cy', 'US')",
    "CREATE TABLE orders (order_id INT PRIMARY KEY, user_id INT, amount DOUBLE, created_at VARCHAR(10), "
    "FOREIGN KEY (user_id) REFERENCES users (user_id))",
    "INSERT INTO orders VALUES (1, 1, 10.5, '2024-01-01'), (2, 1, 3.25, '2024-02-01'), "
    "(3, 2, 7.0, '2024-03-01')",
)


@pytest.fixture
def db_kind() -> str:
    """The database the test runs on; `databases.on_both` parametrizes it to MariaDB as well."""
    return "sqlite"


@pytest.fixture
def shop_url(tmp_path: Path, db_kind: str) -> Iterator[str]:
    """The shop (users, orders) as a SQLite file, or in the MariaDB server's `shop` database."""
    if db_kind == "mariadb":
        with mariadb_database(MARIADB_SHOP) as url:
            yield url
    else:
        yield make_shop(tmp_path / "shop.sqlite3")


class ScriptedEngine:
    """Answers from a script keyed by question; records what it was given. Tests only."""

    name = "scripted"

    def __init__(self) -> None:
        self.script: dict[str, Answer | Breakdown | Exception] = {}
        self.contexts: list[EngineContext] = []
        self.modes: list[Mode] = []

    def on(self, question: str, sql: str, **kw: Any) -> None:
        self.script[question] = Answer(sql=sql, clarified_task=kw.pop("task", question.capitalize()), **kw)

    def answer(self, question: str, ctx: EngineContext, mode: Mode) -> Answer | Breakdown:
        self.contexts.append(ctx)
        self.modes.append(mode)
        item = self.script.get(question)
        if item is None:
            raise EngineError(f"could not map {question!r} to the schema")
        if isinstance(item, Exception):
            raise item
        return item

    def refine(self, sql: str, feedback: str, ctx: EngineContext) -> Refinement:
        return Refinement(rewritten_sql=sql.replace("LIMIT 20", "LIMIT 10"), solution=f"Applied: {feedback}")

    def suggest(self, ctx: EngineContext, limit: int = 5) -> list[str]:
        return [f"how many rows are in {t}" for t in ctx.schema.table_names][:limit]


@dataclass
class Harness:
    app: FastAPI
    client: httpx.AsyncClient
    engine: Any
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def backend(self) -> Backend:
        return backend_of(self.app)

    @property
    def settings(self) -> LocalSettings:
        settings: LocalSettings = self.app.state.settings
        return settings

    @property
    def cluster_id(self) -> str:
        return self.settings.cluster_id

    def with_auth(self, auth: httpx.Auth | None) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE, auth=auth)
        self.closers.append(client.aclose)
        return client

    async def poll(
        self, job_id: str, *, timeout: float = 15.0, client: httpx.AsyncClient | None = None
    ) -> Any:
        """The job view once it ends (bounded in time)."""
        deadline = time.monotonic() + timeout
        while True:
            r = await (client or self.client).get(f"/v2/jobs/{job_id}")
            assert r.status_code == 200, r.text
            job = r.json()["result"]
            if job["status"] in ("done", "failed"):
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['status']} after {timeout} s"
            await asyncio.sleep(0.01)

    async def summary(self, database: str = "shop") -> int:
        """Create a data summary of `database` and wait until it is done; its id."""
        r = await self.client.post(
            "/v3/dataSummaries",
            json={"cluster_id": self.cluster_id, "database": database, "description": "d"},
        )
        assert r.status_code == 200, r.text
        job = await self.poll(r.json()["result"]["job_id"])
        assert job["status"] == "done", job
        summary_id: int = r.json()["result"]["data_summary_id"]
        return summary_id

    async def ask(self, question: str, *, session_id: int | None = None, mode: str = "direct") -> Any:
        """Ask (in a session or a new one) and return the ended job view."""
        if session_id is None:
            body = {
                "cluster_id": self.cluster_id,
                "database": "shop",
                "question": question,
                "sql_generate_mode": mode,
            }
            r = await self.client.post("/v3/chat2data", json=body)
        else:
            body = {"question": question, "sql_generate_mode": mode}
            r = await self.client.post(f"/v3/sessions/{session_id}/chat2data", json=body)
        assert r.status_code == 200, r.text
        return await self.poll(r.json()["result"]["job_id"])


MakeHarness = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_harness(tmp_path: Path, shop_url: str) -> AsyncIterator[MakeHarness]:
    made: list[Harness] = []

    async def make(
        *,
        engine: Any = None,
        keys: list[KeySpec] | None = None,
        auth: httpx.Auth | None = None,
        state_dir: Path | None = None,
        **settings: Any,
    ) -> Harness:
        settings.setdefault("database_urls", [shop_url])
        config = LocalSettings(
            keys=keys or [KeySpec(public_key=ADMIN[0], private_key=SecretStr(ADMIN[1]))],
            state_dir=state_dir or tmp_path / "state",
            **settings,
        )
        app = create_app(config, engine=engine)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE, auth=auth or httpx.DigestAuth(*ADMIN)
        )
        harness = Harness(app=app, client=client, engine=engine)
        made.append(harness)
        return harness

    yield make
    for h in made:
        for close in h.closers:
            await close()
        await h.client.aclose()
        await h.backend.aclose()


@pytest.fixture
def scripted() -> ScriptedEngine:
    return ScriptedEngine()


@pytest.fixture
async def harness(make_harness: MakeHarness, scripted: ScriptedEngine) -> Harness:
    """An admin client on the shop database with the scripted engine."""
    return await make_harness(engine=scripted)


def key(public: str, private: str, role: str = "admin", **kw: Any) -> KeySpec:
    return KeySpec.model_validate(
        {"public_key": public, "private_key": SecretStr(private), "role": role, **kw}
    )
