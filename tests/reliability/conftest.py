"""Shared set-up of the reliability tests: a small database with awkward data, an embedded backend
whose data summary is already built (built once per run, copied per test), and a client that reaches
it through the fault-injecting transport with no real waits."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from c2q_tui.api import EMBEDDED_PACE, Chat2QueryClient, RetryPolicy, wait_for_job
from c2q_tui.local.app import backend_of, create_app
from c2q_tui.local.backend import Backend
from c2q_tui.local.settings import KeySpec, LocalSettings
from tests.reliability.faults import FaultyTransport

PUBLIC = "RELIABLE"
PRIVATE = "pr1vate-KEY-never-shown-0123456789"
APP_ID = "chat2query-local"
PREFIX = f"/api/v1beta/app/{APP_ID}/endpoint"
BASE = f"http://c2q-reliability{PREFIX}"
WIDE_COLUMNS = 100
HUGE_CELL = 2 * 1024 * 1024  # bytes in one cell
NON_UTF8 = b"caf\xe9 \xff\xfe bytes"  # latin-1, not UTF-8


def make_shop(path: Path) -> Path:
    """users, orders and companies, plus the awkward cases: a 100-column table, NULL everywhere,
    a 2 MB cell and a cell holding bytes that are not UTF-8."""
    conn = sqlite3.connect(path)
    cols = ", ".join(f"c{i:03d} INTEGER" for i in range(WIDE_COLUMNS))
    conn.executescript(
        f"""
        CREATE TABLE users (user_id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT);
        INSERT INTO users VALUES (1, 'ann', 'US'), (2, 'bob', 'DE'), (3, 'cy', 'US');
        CREATE TABLE orders (order_id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (user_id),
                             amount REAL, created_at TEXT);
        INSERT INTO orders VALUES (1, 1, 10.5, '2024-01-01'), (2, 1, 3.25, '2024-02-01'),
                                  (3, 2, 7.0, '2024-03-01');
        CREATE TABLE companies (company_id INTEGER PRIMARY KEY, name TEXT, sector TEXT);
        INSERT INTO companies VALUES (1, 'Acme', 'Energy'), (2, '中文公司', 'Utilities'),
                                     (3, 'شركة', 'Energy');
        CREATE TABLE wide ({cols});
        CREATE TABLE nulls (id INTEGER, label TEXT, amount REAL, created_at TEXT);
        INSERT INTO nulls VALUES (NULL, NULL, NULL, NULL), (NULL, NULL, NULL, NULL);
        CREATE TABLE blobs (id INTEGER PRIMARY KEY, note TEXT);
        """
    )
    conn.execute(f"INSERT INTO wide VALUES ({', '.join(str(i) for i in range(WIDE_COLUMNS))})")
    conn.execute("INSERT INTO blobs VALUES (1, ?)", ("x" * HUGE_CELL,))
    # stored as TEXT with invalid UTF-8 inside, as a legacy latin-1 application would leave it
    conn.execute("INSERT INTO blobs VALUES (2, CAST(? AS TEXT))", (NON_UTF8,))
    conn.commit()
    conn.close()
    return path


def table_digest(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read as bytes where text: proves the data is unchanged."""
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        conn.text_factory = bytes
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}
    finally:
        conn.close()


def admin_key() -> KeySpec:
    return KeySpec(public_key=PUBLIC, private_key=SecretStr(PRIVATE))


def settings_for(root: Path, **extra: Any) -> LocalSettings:
    return LocalSettings(
        keys=[admin_key()],
        state_dir=root / "state",
        database_urls=[f"sqlite:///{root / 'shop.sqlite3'}"],
        **extra,
    )


def direct_client(app: FastAPI, transport: httpx.AsyncBaseTransport | None = None) -> Chat2QueryClient:
    async def no_sleep(_seconds: float) -> None:
        await asyncio.sleep(0)

    return Chat2QueryClient(
        BASE,
        public_key=PUBLIC,
        private_key=PRIVATE,
        auth="basic",
        transport=transport or httpx.ASGITransport(app=app),
        retry=RetryPolicy(sleep=no_sleep, random=lambda: 0.5),
        pace=EMBEDDED_PACE,
    )


@pytest.fixture(scope="session")
def prepared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop database plus backend state holding a done data summary of it (built once)."""
    root = tmp_path_factory.mktemp("reliability-template")
    make_shop(root / "shop.sqlite3")

    async def build() -> None:
        app = create_app(settings_for(root))
        backend = backend_of(app)
        try:
            async with direct_client(app) as client:
                job = await client.create_data_summary(backend.cluster_id, "shop", description="shop")
                outcome = await wait_for_job(client, job.job_id, deadline=60)
                assert outcome.ok, outcome.reason
        finally:
            await backend.aclose()

    asyncio.run(build())
    return root


@pytest.fixture
def shop_root(prepared_root: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared database and backend state."""
    root = tmp_path / "shop"
    shutil.copytree(prepared_root, root)
    return root


@dataclass
class Env:
    """An embedded backend on the shop copy and a client through a fault-injecting transport."""

    root: Path
    app: FastAPI
    faulty: FaultyTransport
    client: Chat2QueryClient
    closers: list[Any] = field(default_factory=list)

    @property
    def backend(self) -> Backend:
        return backend_of(self.app)

    @property
    def cluster_id(self) -> str:
        return self.backend.cluster_id

    @property
    def db_path(self) -> Path:
        return self.root / "shop.sqlite3"

    def job_count(self) -> int:
        with sqlite3.connect(self.root / "state" / "backend.sqlite3") as conn:
            return int(conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])

    def count(self, table: str) -> int:
        with sqlite3.connect(self.root / "state" / "backend.sqlite3") as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.fixture
async def env(shop_root: Path) -> AsyncIterator[Env]:
    app = create_app(settings_for(shop_root))
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    faulty = FaultyTransport(httpx.ASGITransport(app=app), sleep=fake_sleep)
    client = direct_client(app, faulty)
    environment = Env(root=shop_root, app=app, faulty=faulty, client=client)
    try:
        yield environment
    finally:
        await client.aclose()
        await environment.backend.aclose()


@pytest.fixture
def log_text(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record at DEBUG, for checking that no secret reaches a log."""
    caplog.set_level("DEBUG")
    yield caplog
