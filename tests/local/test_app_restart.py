"""A restart on the same state dir keeps everything and fails the jobs it interrupted."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from c2q_tui.local.store import RESTART_REASON
from tests.local.conftest import MakeHarness, ScriptedEngine


async def test_restart_keeps_state_and_fails_interrupted_jobs(
    make_harness: MakeHarness, scripted: ScriptedEngine
) -> None:
    first = await make_harness(engine=scripted)
    summary_id = await first.summary()
    await first.client.put(f"/v3/dataSummaries/{summary_id}/tables/users", json={"description": "People"})
    kb = (
        await first.client.post(
            "/v3/knowledgeBases", json={"cluster_id": first.cluster_id, "database": "shop"}
        )
    ).json()
    kb_id = kb["result"]["knowledge_base_id"]
    await first.client.post(
        f"/v3/knowledgeBases/{kb_id}/data",
        json={"type": "instruction", "raw_data": {"instruction": "be brief"}},
    )
    scripted.on("count the users", "SELECT COUNT(*) AS n FROM users", state={"k": "v"})
    answered = await first.ask("count the users")
    session_id = (await first.client.get("/v3/sessions")).json()["result"]["sessions"][0]["session_id"]
    cluster_id = first.cluster_id

    # a job still running when the backend goes away
    first.backend.jobs.latency = lambda: 60.0
    r = await first.client.post(f"/v3/sessions/{session_id}/chat2data", json={"question": "count the users"})
    interrupted = r.json()["result"]["job_id"]
    assert (await first.client.get(f"/v2/jobs/{interrupted}")).json()["result"]["status"] in (
        "init",
        "running",
    )
    await first.backend.aclose()

    second = await make_harness(engine=scripted)
    assert second.cluster_id == cluster_id  # generated once, kept
    assert second.backend.store.recovered_jobs == 1
    job = (await second.client.get(f"/v2/jobs/{interrupted}")).json()["result"]
    assert job["status"] == "failed" and job["reason"] == RESTART_REASON and isinstance(job["ended_at"], int)
    old = (await second.client.get(f"/v2/jobs/{answered['job_id']}")).json()["result"]
    assert old == answered

    got = (await second.client.get(f"/v3/dataSummaries/{summary_id}")).json()["result"]
    assert got["status"] == "done" and got["tables"]["users"]["description"] == "People"
    data = (await second.client.get(f"/v3/knowledgeBases/{kb_id}/data")).json()["result"]["knowledge_data"]
    assert data[0]["raw_data"] == {"instruction": "be brief"}
    session = (await second.client.get(f"/v3/sessions/{session_id}")).json()["result"]
    statuses = [m["status"] for m in session["messages"] if m["role"] == "assistant"]
    assert statuses == ["done", "failed"]
    assert session["messages"][-1]["content"] == RESTART_REASON

    # the follow-up still sees the answered turn and its engine state
    await second.ask("count the users", session_id=session_id)
    assert [t.state for t in scripted.contexts[-1].history] == [{"k": "v"}]


async def test_generated_key_is_kept_and_the_store_is_private(tmp_path: Path) -> None:
    from c2q_tui.local.app import create_app
    from c2q_tui.local.settings import LocalSettings

    settings = LocalSettings(state_dir=tmp_path / "generated", database_urls=["sqlite:///:memory:"])
    app = create_app(settings)
    prepared = app.state.settings
    assert prepared.generated_key and len(prepared.keys) == 1 and prepared.keys[0].role == "admin"
    assert prepared.keys[0].private_key.get_secret_value() not in repr(prepared)
    assert len(prepared.cluster_id) == 19 and prepared.cluster_id.isdigit()
    await app.state.backend.aclose()
    again = create_app(settings)
    assert (
        again.state.settings.keys == prepared.keys and again.state.settings.cluster_id == prepared.cluster_id
    )
    await again.state.backend.aclose()
    mode = stat.S_IMODE(os.stat(settings.store_path).st_mode)
    assert mode == 0o600
