"""Sessions over HTTP: create, list, get with messages, rename, reset, chat2data with history."""

from __future__ import annotations

import re

from tests.local.conftest import HEX32, Harness, ScriptedEngine


async def test_session_lifecycle(harness: Harness, scripted: ScriptedEngine) -> None:
    h = harness
    await h.summary()
    r = await h.client.post(
        "/v3/sessions", json={"cluster_id": h.cluster_id, "database": "shop", "name": "first"}
    )
    assert r.status_code == 200
    created = r.json()["result"]
    session_id = created["session_id"]
    assert isinstance(session_id, int)
    assert created["messages"] == []
    meta = created["meta"]
    assert meta["name"] == "first" and meta["org_id"] == "1"
    assert isinstance(meta["created_at"], int) and isinstance(meta["updated_at"], int)
    assert set(meta) == {"created_at", "creator", "name", "org_id", "updated_at"}

    scripted.on("count the users", "SELECT COUNT(*) AS user_count FROM users", state={"turn": 1})
    r = await h.client.post(
        f"/v3/sessions/{session_id}/chat2data",
        json={
            "question": "count the users",
            "feedback_answer_id": "",
            "feedback_task_id": "",
            "sql_generate_mode": "direct",
        },
    )
    assert r.status_code == 200
    assert set(r.json()["result"]) == {"job_id", "session_id"}
    assert r.json()["result"]["session_id"] == session_id
    assert re.match(HEX32, r.json()["result"]["job_id"])
    job = await h.poll(r.json()["result"]["job_id"])
    assert job["result"]["data"]["rows"] == [["3"]]

    # a follow-up sees the earlier turn, with the engine's state
    scripted.on("only in the US", "SELECT COUNT(*) AS user_count FROM users WHERE country = 'US'")
    job = await h.ask("only in the US", session_id=session_id)
    assert job["result"]["data"]["rows"] == [["2"]]
    history = scripted.contexts[-1].history
    assert [t.question for t in history] == ["count the users"]
    assert history[0].sql == "SELECT COUNT(*) AS user_count FROM users"
    assert history[0].columns == ("user_count",) and history[0].row_count == 1
    assert history[0].state == {"turn": 1}

    got = (await h.client.get(f"/v3/sessions/{session_id}")).json()["result"]
    roles = [m["role"] for m in got["messages"]]
    assert roles == ["user", "assistant", "user", "assistant"]
    assert got["messages"][0]["content"] == "count the users"
    assert got["messages"][1]["sql"] == "SELECT COUNT(*) AS user_count FROM users"
    assert got["messages"][1]["status"] == "done" and got["messages"][1]["row_count"] == 1
    assert got["messages"][3]["job_id"] == job["job_id"] and got["messages"][3]["columns"] == ["user_count"]

    listed = (await h.client.get("/v3/sessions")).json()["result"]["sessions"]
    assert listed[0]["session_id"] == session_id and "messages" not in listed[0]
    assert listed[0]["meta"]["name"] == "first"

    r = await h.client.put(f"/v3/sessions/{session_id}", json={"name": "renamed"})
    assert r.status_code == 200 and r.json()["result"]["meta"]["name"] == "renamed"

    r = await h.client.put(f"/v3/sessions/{session_id}/reset")
    assert r.status_code == 200 and r.json()["result"]["messages"] == []
    await h.ask("count the users", session_id=session_id)
    assert scripted.contexts[-1].history == []


async def test_v3_chat2data_opens_a_session_named_after_the_question(
    harness: Harness, scripted: ScriptedEngine
) -> None:
    h = harness
    await h.summary()
    scripted.on("how many orders", "SELECT COUNT(*) AS n FROM orders")
    r = await h.client.post(
        "/v3/chat2data", json={"cluster_id": h.cluster_id, "database": "shop", "question": "how many orders"}
    )
    result = r.json()["result"]
    assert set(result) == {"cluster_id", "database", "job_id", "session_id"}
    assert result["cluster_id"] == h.cluster_id and result["database"] == "shop"
    await h.poll(result["job_id"])
    assert scripted.modes[-1] == "direct"  # the default mode
    session = (await h.client.get(f"/v3/sessions/{result['session_id']}")).json()["result"]
    assert session["meta"]["name"] == "how many orders"
    assert len(session["messages"]) == 2


async def test_failed_turn_is_kept_but_not_history(harness: Harness, scripted: ScriptedEngine) -> None:
    h = harness
    await h.summary()
    job = await h.ask("what is the meaning of life")
    assert job["status"] == "failed"
    assert job["reason"] == "could not map 'what is the meaning of life' to the schema"
    assert job["result"] is None and isinstance(job["ended_at"], int)


async def test_session_errors(harness: Harness) -> None:
    h = harness
    r = await h.client.get("/v3/sessions/424242")
    assert r.status_code == 404 and r.json() == {"code": 404, "msg": "session 424242 not found", "result": {}}
    r = await h.client.put("/v3/sessions/424242", json={"name": "x"})
    assert r.status_code == 404
    r = await h.client.post("/v3/sessions/424242/chat2data", json={"question": "q"})
    assert r.status_code == 404
    r = await h.client.post("/v3/sessions", json={"cluster_id": h.cluster_id, "database": "shop"})
    session_id = r.json()["result"]["session_id"]
    r = await h.client.put(f"/v3/sessions/{session_id}", json={"name": ""})
    assert r.status_code == 400 and r.json()["msg"].startswith("param check failed! name:")
