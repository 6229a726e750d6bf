"""The deprecated synchronous v1 chat2data, at /v1/chat2data and at /chat2data."""

from __future__ import annotations

import pytest

from tests.local.conftest import Harness, ScriptedEngine


@pytest.mark.parametrize("path", ["/v1/chat2data", "/chat2data"])
async def test_v1_answers_in_the_data_service_envelope(
    harness: Harness, scripted: ScriptedEngine, path: str
) -> None:
    h = harness
    scripted.on("count the users", "SELECT COUNT(*) AS user_count, MAX(name) AS last FROM users")
    r = await h.client.post(
        path,
        json={
            "cluster_id": h.cluster_id,
            "database": "shop",
            "tables": ["users"],
            "instruction": "count the users",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["type"] == "chat2data_endpoint"
    assert body["data"]["columns"] == [
        {"col": "user_count", "data_type": "BIGINT", "nullable": False},
        {"col": "last", "data_type": "VARCHAR", "nullable": False},
    ]
    assert body["data"]["rows"] == [{"user_count": "3", "last": "cy"}]
    result = body["data"]["result"]
    assert result["code"] == 200 and result["message"] == "Query OK!"
    assert result["row_count"] == 1 and result["row_affect"] == 0 and result["limit"] == 1000
    assert result["sql"] == "SELECT COUNT(*) AS user_count, MAX(name) AS last FROM users"
    assert result["end_ms"] >= result["start_ms"] > 0
    assert result["latency"].endswith("s") and result["ai_latency"].endswith("s")
    # `tables` narrows what the engine sees; no data summary is needed
    assert scripted.contexts[-1].schema.table_names == ["users"]


async def test_v1_errors(harness: Harness, scripted: ScriptedEngine) -> None:
    h = harness
    base = {"cluster_id": h.cluster_id, "database": "shop"}
    r = await h.client.post("/v1/chat2data", json={**base, "instruction": "unknowable"})
    assert r.status_code == 400 and r.json()["data"]["result"]["code"] == 400
    assert "could not map" in r.json()["data"]["result"]["message"]

    scripted.on("broken", "SELECT nope FROM users")
    r = await h.client.post("/v1/chat2data", json={**base, "question": "broken"})  # `question` accepted too
    assert r.status_code == 200
    result = r.json()["data"]["result"]
    assert (
        result["code"] == 1105 and "nope" in result["message"] and result["sql"] == "SELECT nope FROM users"
    )

    r = await h.client.post("/v1/chat2data", json={**base, "tables": ["flights"], "instruction": "q"})
    assert r.status_code == 400 and r.json()["type"] == "chat2data_endpoint"
    assert r.json()["data"]["result"]["message"].startswith("param check failed! unknown tables: flights")

    r = await h.client.post("/v1/chat2data", json=base)
    assert r.status_code == 400
    assert r.json()["data"]["result"]["message"] == "param check failed! instruction: Field required"
