"""Data summaries over HTTP: v3 create/reuse/get/list/edit, v2 create/get/list/update (profiling a
real database: on SQLite and on MariaDB)."""

from __future__ import annotations

import re

from tests.local.conftest import HEX32, Harness, MakeHarness, ScriptedEngine
from tests.local.databases import on_both


@on_both
async def test_create_poll_get_and_list(harness: Harness) -> None:
    h = harness
    r = await h.client.post(
        "/v3/dataSummaries",
        json={"cluster_id": h.cluster_id, "database": "shop", "description": "Shop data", "reuse": False},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == 200 and body["msg"] == ""
    summary_id = body["result"]["data_summary_id"]
    assert isinstance(summary_id, int) and not isinstance(summary_id, bool)
    assert re.match(HEX32, body["result"]["job_id"])

    job = await h.poll(body["result"]["job_id"])
    assert job["status"] == "done" and job["reason"] == "" and isinstance(job["ended_at"], int)
    result = job["result"]
    assert result["data_summary_id"] == summary_id and result["status"] == "done"
    assert result["cluster_id"] == h.cluster_id and result["database"] == "shop"
    assert result["description"]["user"] == "Shop data" and result["description"]["system"]
    assert set(result["tables"]) == {"users", "orders"}
    assert result["tables"]["users"]["columns"]["name"]["name"] == "name"
    assert isinstance(result["relationships"]["orders"], list)  # array form
    assert result["default"] is True

    got = (await h.client.get(f"/v3/dataSummaries/{summary_id}")).json()["result"]
    assert got["tables"] == result["tables"] and got["status"] == "done"

    listed = (await h.client.get("/v3/dataSummaries")).json()["result"]["data_summaries"]
    assert [s["data_summary_id"] for s in listed] == [summary_id]
    assert "tables" not in listed[0] and listed[0]["status"] == "done"


async def test_reuse_returns_the_done_summary_as_a_done_job(harness: Harness) -> None:
    h = harness
    first = await h.summary()
    r = await h.client.post(
        "/v3/dataSummaries", json={"cluster_id": h.cluster_id, "database": "shop", "reuse": True}
    )
    result = r.json()["result"]
    assert result["data_summary_id"] == first
    job = (await h.client.get(f"/v2/jobs/{result['job_id']}")).json()["result"]
    assert job["status"] == "done" and job["result"]["data_summary_id"] == first
    r = await h.client.post("/v3/dataSummaries", json={"cluster_id": h.cluster_id, "database": "shop"})
    assert r.json()["result"]["data_summary_id"] != first  # reuse false: a new one


async def test_summary_not_done_answers_with_its_status(
    make_harness: MakeHarness, scripted: ScriptedEngine
) -> None:
    h = await make_harness(engine=scripted, job_latency="fixed:30")
    r = await h.client.post("/v3/dataSummaries", json={"cluster_id": h.cluster_id, "database": "shop"})
    summary_id = r.json()["result"]["data_summary_id"]
    got = await h.client.get(f"/v3/dataSummaries/{summary_id}")
    assert got.status_code == 200
    assert got.json()["result"]["status"] in ("inited", "running")
    assert got.json()["result"]["tables"] == {}
    job = (await h.client.get(f"/v2/jobs/{r.json()['result']['job_id']}")).json()["result"]
    assert job["status"] in ("init", "running") and job["ended_at"] is None


async def test_edits_reach_the_summary_and_the_engine(harness: Harness, scripted: ScriptedEngine) -> None:
    h = harness
    summary_id = await h.summary()
    r = await h.client.put(f"/v3/dataSummaries/{summary_id}/tables/users", json={"description": "Shoppers"})
    assert r.status_code == 200 and r.json()["result"] == {"description": "Shoppers"}
    r = await h.client.put(
        f"/v3/dataSummaries/{summary_id}/tables/users/columns", json={"country": "ISO country code"}
    )
    assert r.json()["result"] == {"country": "ISO country code"}
    r = await h.client.put(
        f"/v3/dataSummaries/{summary_id}", json={"summary": "A tiny shop", "keywords": ["shop"]}
    )
    assert r.json()["result"]["summary"] == "A tiny shop"
    got = (await h.client.get(f"/v3/dataSummaries/{summary_id}")).json()["result"]
    assert got["tables"]["users"]["description"] == "Shoppers"
    assert got["tables"]["users"]["columns"]["country"]["description"] == "ISO country code"
    assert got["keywords"] == ["shop"]

    scripted.on("count the users", "SELECT COUNT(*) AS n FROM users")
    job = await h.ask("count the users")
    assert job["status"] == "done"
    assert scripted.contexts[-1].summary is not None
    assert scripted.contexts[-1].summary["tables"]["users"]["description"] == "Shoppers"


async def test_edit_errors(harness: Harness) -> None:
    h = harness
    summary_id = await h.summary()
    r = await h.client.put(f"/v3/dataSummaries/{summary_id}/tables/nope", json={"description": "x"})
    assert r.status_code == 404 and r.json()["code"] == 404
    r = await h.client.put(f"/v3/dataSummaries/{summary_id}/tables/users/columns", json={"nope": "x"})
    assert r.status_code == 400 and r.json()["msg"].startswith("param check failed!")
    r = await h.client.put(f"/v3/dataSummaries/{summary_id}/tables/users/columns", json={"name": 3})
    assert r.status_code == 400
    r = await h.client.put("/v3/dataSummaries/9999/tables/users", json={"description": "x"})
    assert r.status_code == 404 and r.json() == {
        "code": 404,
        "msg": "data summary 9999 not found",
        "result": {},
    }


@on_both
async def test_v2_summaries(harness: Harness) -> None:
    h = harness
    r = await h.client.post("/v2/dataSummaries", json={"cluster_id": int(h.cluster_id), "database": "shop"})
    assert r.status_code == 200, r.text
    summary_id = r.json()["result"]["data_summary_id"]
    job = await h.poll(r.json()["result"]["job_id"])
    assert job["status"] == "done" and job["result"]["db_name"] == "shop" and "db_schema" in job["result"]

    got = (await h.client.get(f"/v2/dataSummaries/{summary_id}")).json()["result"]
    assert got["id"] == summary_id and got["name"] == "data-context" and got["type"] == "data"
    assert got["data"]["cluster_id"] == int(h.cluster_id)
    assert set(got["data"]["db_schema"]) == {"users", "orders"}
    listed = (await h.client.get("/v2/dataSummaries")).json()["result"]["data_summaries"]
    assert [s["id"] for s in listed] == [summary_id]

    r = await h.client.put(
        f"/v2/dataSummaries/{summary_id}",
        json={"tables": {"users": {"description": "People", "columns": {"name": "Their name"}}}},
    )
    assert r.status_code == 200 and set(r.json()["result"]) == {"job_id"}
    job = await h.poll(r.json()["result"]["job_id"])
    assert job["status"] == "done" and job["result"] is None
    got = (await h.client.get(f"/v3/dataSummaries/{summary_id}")).json()["result"]
    assert got["tables"]["users"]["description"] == "People"
    assert got["tables"]["users"]["columns"]["name"]["description"] == "Their name"


async def test_database_uri_is_accepted(harness: Harness) -> None:
    r = await harness.client.post("/v3/dataSummaries", json={"database_uri": "mysql://u:p@host:4000/shop"})
    assert r.status_code == 200, r.text
