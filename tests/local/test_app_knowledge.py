"""Knowledge bases and their data over HTTP, and their way into the engine's context."""

from __future__ import annotations

from typing import Any

from c2q_tui.local.engines.base import KnowledgeItem
from tests.local.conftest import Harness, ScriptedEngine

FEW_SHOT: dict[str, Any] = {
    "type": "few-shot",
    "meta_data": {},
    "raw_data": {"question": "How many users?", "answer": "SELECT COUNT(*) FROM users;"},
}
TERMS: dict[str, Any] = {
    "type": "term-sheet",
    "meta_data": {},
    "raw_data": {"term": ["buyer"], "description": "A user who ordered"},
}
RULE: dict[str, Any] = {
    "type": "instruction",
    "meta_data": {"by": "test"},
    "raw_data": {"instruction": "Always order by name"},
}


async def test_knowledge_crud_and_engine_context(harness: Harness, scripted: ScriptedEngine) -> None:
    h = harness
    r = await h.client.post(
        "/v3/knowledgeBases", json={"cluster_id": h.cluster_id, "database": "shop", "description": "shop kb"}
    )
    assert r.status_code == 200
    created = r.json()["result"]
    assert created == {
        "default": True,
        "description": "shop kb",
        "knowledge_base_id": created["knowledge_base_id"],
    }
    kb = created["knowledge_base_id"]
    assert isinstance(kb, int)

    second = (
        await h.client.post("/v3/knowledgeBases", json={"cluster_id": h.cluster_id, "database": "shop"})
    ).json()
    assert second["result"]["default"] is False

    ids = []
    for item in (FEW_SHOT, TERMS, RULE):
        r = await h.client.post(f"/v3/knowledgeBases/{kb}/data", json=item)
        assert r.status_code == 200, r.text
        assert set(r.json()["result"]) == {"knowledge_data_id"}
        ids.append(r.json()["result"]["knowledge_data_id"])
    assert all(isinstance(i, int) for i in ids)

    listed = (await h.client.get(f"/v3/knowledgeBases/{kb}/data")).json()["result"]["knowledge_data"]
    assert [d["knowledge_data_id"] for d in listed] == ids
    assert listed[1]["raw_data"] == TERMS["raw_data"] and listed[2]["meta_data"] == {"by": "test"}

    r = await h.client.put(
        f"/v3/knowledgeBases/{kb}/data/{ids[2]}",
        json={"type": "instruction", "raw_data": {"instruction": "Round money to cents"}},
    )
    assert r.status_code == 200 and r.json()["result"]["raw_data"] == {"instruction": "Round money to cents"}
    r = await h.client.delete(f"/v3/knowledgeBases/{kb}/data/{ids[0]}")
    assert r.status_code == 200 and r.json()["result"] == {"knowledge_data_id": ids[0]}
    assert (await h.client.delete(f"/v3/knowledgeBases/{kb}/data/{ids[0]}")).status_code == 404

    r = await h.client.put(f"/v3/knowledgeBases/{kb}", json={"description": "renamed"})
    assert r.json()["result"]["description"] == "renamed" and r.json()["result"]["knowledge_base_id"] == kb
    got = (await h.client.get(f"/v3/knowledgeBases/{kb}")).json()["result"]
    assert got["database"] == "shop" and got["default"] is True
    bases = (await h.client.get("/v3/knowledgeBases")).json()["result"]["knowledge_bases"]
    assert [b["knowledge_base_id"] for b in bases] == [kb, second["result"]["knowledge_base_id"]]

    await h.summary()
    scripted.on("count the users", "SELECT COUNT(*) FROM users")
    await h.ask("count the users")
    assert scripted.contexts[-1].knowledge == [
        KnowledgeItem(kind="term-sheet", raw_data=TERMS["raw_data"]),
        KnowledgeItem(kind="instruction", raw_data={"instruction": "Round money to cents"}),
    ]


async def test_knowledge_validation(harness: Harness) -> None:
    h = harness
    kb = (
        await h.client.post("/v3/knowledgeBases", json={"cluster_id": h.cluster_id, "database": "shop"})
    ).json()
    kb_id = kb["result"]["knowledge_base_id"]
    long_rule = {"type": "instruction", "raw_data": {"instruction": "x" * 513}}
    r = await h.client.post(f"/v3/knowledgeBases/{kb_id}/data", json=long_rule)
    assert r.status_code == 400
    assert (
        r.json()["msg"] == "param check failed! raw_data.instruction is limited to 512 characters (got 513)"
    )
    ok_rule = {"type": "instruction", "raw_data": {"instruction": "x" * 512}}
    assert (await h.client.post(f"/v3/knowledgeBases/{kb_id}/data", json=ok_rule)).status_code == 200
    for bad in (
        {"type": "poem", "raw_data": {}},
        {"type": "few-shot", "raw_data": {"question": "q"}},
        {"type": "term-sheet", "raw_data": {"term": [], "description": "d"}},
        {"type": "few-shot"},
        {"type": "few-shot", "raw_data": "text"},
    ):
        r = await h.client.post(f"/v3/knowledgeBases/{kb_id}/data", json=bad)
        assert r.status_code == 400 and r.json()["msg"].startswith("param check failed!"), bad
    assert (await h.client.get("/v3/knowledgeBases/777")).status_code == 404
    assert (await h.client.post("/v3/knowledgeBases/777/data", json=FEW_SHOT)).status_code == 404
