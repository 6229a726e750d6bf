"""The backend as the app runs it: `build_local_app` on the sp500insight sample with the builtin engine,
through raw httpx and through the project's own API client."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from c2q_tui.local.app import build_local_app
from c2q_tui.local.backend import Backend
from c2q_tui.local.settings import LocalSettings
from tests.local.databases import mariadb_url, on_both


@pytest.fixture
async def sample_app(db_kind: str) -> Any:
    """The app on the sample: the SQLite file it builds, or (`on_both`) the copy `.ci/mariadb.sh`
    loaded into MariaDB, which the builtin engine then answers in the MySQL dialect."""
    progress: list[str] = []
    url = mariadb_url("sp500insight") if db_kind == "mariadb" else None
    app, settings = build_local_app(LocalSettings.for_profile(database_url=url), on_progress=progress.append)
    assert settings.database_names() == ["sp500insight"]
    yield app, settings
    backend: Backend = app.state.backend
    await backend.aclose()


async def _poll(client: httpx.AsyncClient, job_id: str) -> Any:
    deadline = time.monotonic() + 60
    while True:
        job = (await client.get(f"/v2/jobs/{job_id}")).json()["result"]
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)


@on_both
async def test_sample_with_the_builtin_engine(sample_app: Any) -> None:
    app, settings = sample_app
    key = settings.keys[0]
    base = f"http://c2q-local/api/v1beta/app/{settings.app_id}/endpoint"
    auth = httpx.DigestAuth(key.public_key, key.private_key.get_secret_value())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base, auth=auth) as client:
        target = {"cluster_id": settings.cluster_id, "database": "sp500insight"}
        r = await client.post("/v3/dataSummaries", json={**target, "description": "sample", "reuse": True})
        summary = await _poll(client, r.json()["result"]["job_id"])
        assert summary["status"] == "done" and "companies" in summary["result"]["tables"]

        session = (await client.post("/v3/sessions", json={**target, "name": "s"})).json()["result"]
        sid = session["session_id"]
        r = await client.post(f"/v3/sessions/{sid}/chat2data", json={"question": "count the users"})
        job = await _poll(client, r.json()["result"]["job_id"])
        assert job["status"] == "done", job
        assert job["result"]["data"]["rows"] == [["200"]]

        r = await client.post(
            f"/v3/sessions/{sid}/chat2data",
            json={
                "question": "how many companies are there and list the indexes",
                "sql_generate_mode": "auto_breakdown",
            },
        )
        job = await _poll(client, r.json()["result"]["job_id"])
        assert job["status"] == "done", job
        if job["result"]["type"] == "breakdown":
            assert [s["task_id"] for s in job["result"]["sub_tasks"]][:2] == ["0-0", "0-1"]

        r = await client.post("/v3/suggestQuestions", json=target)
        job = await _poll(client, r.json()["result"]["job_id"])
        assert job["status"] == "done" and job["result"] and all(isinstance(q, str) for q in job["result"])


async def test_sample_through_the_api_client(sample_app: Any) -> None:
    api = pytest.importorskip("c2q_tui.api")
    app, settings = sample_app
    key = settings.keys[0]
    client = api.Chat2QueryClient(
        f"http://c2q-local/api/v1beta/app/{settings.app_id}/endpoint",
        public_key=key.public_key,
        private_key=key.private_key,
        auth="digest",
        transport=httpx.ASGITransport(app=app),
    )
    async with client:
        created = await client.create_data_summary(settings.cluster_id, "sp500insight", reuse=True)
        deadline = time.monotonic() + 60
        while not (job := await client.get_job(created.job_id)).finished:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        summary = await client.get_data_summary(created.data_summary_id)
        assert summary.ready and "users" in summary.tables
        asked = await client.chat2data(
            "count the users", cluster_id=settings.cluster_id, database="sp500insight"
        )
        while not (job := await client.get_job(asked.job_id)).finished:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        assert job.result["data"]["rows"] == [["200"]]
        sessions = await client.list_sessions()
        assert asked.session_id in [s.session_id for s in sessions]
        v1 = await client.chat2data_v1(settings.cluster_id, "sp500insight", "count the users")
        assert v1.data.rows == [{v1.data.columns[0].col: "200"}]
