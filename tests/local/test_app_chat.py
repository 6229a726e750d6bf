"""chat2data jobs: payload shape, breakdown partials, SQL errors and timeouts, not-ready, v2, refine,
suggest, and the job lifecycle. The jobs that run SQL run on SQLite and on MariaDB (`on_both`)."""

from __future__ import annotations

import asyncio
import time

from c2q_tui.local.engines.base import Answer, Assumption, Breakdown
from tests.local.conftest import Harness, MakeHarness, ScriptedEngine
from tests.local.databases import FOREVER, on_both

ANSWER_KEYS = {
    "assumptions",
    "chart_options",
    "clarified_task",
    "data",
    "description",
    "sql",
    "sql_error",
    "status",
    "task_id",
    "type",
}


@on_both
async def test_direct_answer_payload(harness: Harness, scripted: ScriptedEngine) -> None:
    h = harness
    await h.summary()
    scripted.on(
        "total amount per user",
        "SELECT u.name, SUM(o.amount) AS total, NULL AS empty FROM users u "
        "LEFT JOIN orders o ON o.user_id = u.user_id GROUP BY u.name ORDER BY u.name",
        task="Total order amount per user.",
        assumptions=[Assumption("amount", "the order value in dollars")],
        description="Sums orders.",
    )
    job = await h.ask("total amount per user")
    assert job["status"] == "done" and job["reason"] == ""
    p = job["result"]
    assert set(p) == ANSWER_KEYS
    assert p["type"] == "data_retrieval" and p["task_id"] == "0" and p["status"] == "done"
    assert p["clarified_task"] == "Total order amount per user."
    assert p["assumptions"] == [{"concept": "amount", "explanation": "the order value in dollars"}]
    assert p["description"] == "Sums orders." and p["sql_error"] is None
    assert p["data"]["columns"] == [{"col": "name"}, {"col": "total"}, {"col": "empty"}]
    assert p["data"]["rows"] == [["ann", "13.75", None], ["bob", "7.0", None], ["cy", None, None]]
    assert p["chart_options"]["chart_name"] == "BarChart"
    assert p["chart_options"]["title"] == "Total order amount per user."


@on_both
async def test_builtin_engine_counts_the_users(make_harness: MakeHarness) -> None:
    h = await make_harness()  # the product's default engine
    await h.summary()
    job = await h.ask("count the users")
    assert job["status"] == "done", job
    assert job["result"]["data"]["rows"] == [["3"]]
    assert "users" in job["result"]["sql"].lower()


@on_both
async def test_breakdown_publishes_sub_tasks_one_by_one(
    make_harness: MakeHarness, scripted: ScriptedEngine
) -> None:
    h = await make_harness(engine=scripted, job_latency="fixed:1", time_scale=0.6)
    await h.summary()
    subs = [
        Answer(sql="SELECT COUNT(*) AS n FROM users", clarified_task="Count users."),
        Answer(sql="SELECT COUNT(*) AS n FROM orders", clarified_task="Count orders."),
        Answer(sql="SELECT name FROM users ORDER BY name", clarified_task="List users."),
    ]
    scripted.script["users and orders"] = Breakdown(clarified_task="Users and orders.", sub_tasks=subs)
    r = await h.client.post(
        "/v3/chat2data",
        json={
            "cluster_id": h.cluster_id,
            "database": "shop",
            "question": "users and orders",
            "sql_generate_mode": "auto_breakdown",
        },
    )
    job_id = r.json()["result"]["job_id"]
    seen: list[int] = []
    deadline = time.monotonic() + 10
    while True:
        job = (await h.client.get(f"/v2/jobs/{job_id}")).json()["result"]
        if job["status"] == "running" and job["result"] is not None:
            assert job["result"]["type"] == "breakdown" and job["result"]["status"] == "running"
            seen.append(len(job["result"]["sub_tasks"]))
        if job["status"] == "done":
            break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    assert scripted.modes[-1] == "auto_breakdown"
    assert seen == sorted(seen) and set(seen) & {1, 2}, seen  # partial results grew while running
    root = job["result"]
    assert root["type"] == "breakdown" and root["task_id"] == "0" and root["status"] == "done"
    assert [s["task_id"] for s in root["sub_tasks"]] == ["0-0", "0-1", "0-2"]
    assert all(set(s) == ANSWER_KEYS and s["type"] == "data_retrieval" for s in root["sub_tasks"])
    assert root["sub_tasks"][1]["data"]["rows"] == [["3"]]
    assert root["sub_tasks"][2]["data"]["rows"] == [["ann"], ["bob"], ["cy"]]


@on_both
async def test_sql_error_ends_the_job_done(harness: Harness, scripted: ScriptedEngine) -> None:
    h = harness
    await h.summary()
    scripted.on("broken", "SELECT nope FROM users")
    job = await h.ask("broken")
    assert job["status"] == "done"
    assert "nope" in job["result"]["sql_error"]
    assert job["result"]["data"] == {"columns": [], "rows": []}
    assert job["result"]["chart_options"] is None


@on_both
async def test_statement_timeout(make_harness: MakeHarness, scripted: ScriptedEngine, db_kind: str) -> None:
    h = await make_harness(engine=scripted, statement_timeout=0.2)
    await h.summary()
    scripted.on("forever", FOREVER[db_kind])
    started = time.monotonic()
    job = await h.ask("forever")
    assert time.monotonic() - started < 5
    assert job["status"] == "done"
    assert "timed out" in job["result"]["sql_error"]


async def test_summary_not_ready(make_harness: MakeHarness, scripted: ScriptedEngine) -> None:
    h = await make_harness(engine=scripted, job_latency="fixed:30")
    body = {"cluster_id": h.cluster_id, "database": "shop", "question": "count the users"}
    # no summary at all: one starts, and the answer is "not ready"
    r = await h.client.post("/v3/chat2data", json=body)
    assert r.status_code == 400
    assert r.json()["code"] == 400 and r.json()["result"] == {}
    assert r.json()["msg"].startswith("Data summary is not ready, please wait for a while and retry")
    summaries = (await h.client.get("/v3/dataSummaries")).json()["result"]["data_summaries"]
    assert len(summaries) == 1 and summaries[0]["status"] in ("inited", "running")
    r = await h.client.post("/v3/chat2data", json=body)
    assert r.json() == {
        "code": 400,
        "msg": "Data summary is not ready, please wait for a while and retry",
        "result": {},
    }
    r = await h.client.post("/v3/sessions", json={"cluster_id": h.cluster_id, "database": "shop"})
    r = await h.client.post(
        f"/v3/sessions/{r.json()['result']['session_id']}/chat2data", json={"question": "q"}
    )
    assert r.status_code == 400


@on_both
async def test_v2_chat2data(harness: Harness, scripted: ScriptedEngine) -> None:
    h = harness
    summary_id = await h.summary()
    scripted.on("count the users", "SELECT COUNT(*) AS user_count FROM users")
    for key in ("raw_question", "question"):
        r = await h.client.post("/v2/chat2data", json={"data_summary_id": summary_id, key: "count the users"})
        assert r.status_code == 200 and set(r.json()["result"]) == {"job_id"}
        job = await h.poll(r.json()["result"]["job_id"])
        tree = job["result"]["task_tree"]["0"]
        assert job["result"]["raw_question"] == "count the users"
        assert tree["rows"] == [["3"]] and tree["columns"] == [{"col": "user_count"}]
        assert tree["task_id"] == "0" and tree["sql"] == "SELECT COUNT(*) AS user_count FROM users"
    r = await h.client.post("/v2/chat2data", json={"data_summary_id": 999, "raw_question": "x"})
    assert r.status_code == 404


async def test_v3_chat2data_by_summary_id(harness: Harness, scripted: ScriptedEngine) -> None:
    h = harness
    summary_id = await h.summary()
    scripted.on("count the users", "SELECT COUNT(*) AS n FROM users")
    r = await h.client.post(
        "/v3/chat2data", json={"data_summary_id": summary_id, "question": "count the users"}
    )
    assert r.status_code == 200 and r.json()["result"]["database"] == "shop"


async def test_refine_and_suggest(harness: Harness) -> None:
    h = harness
    r = await h.client.post(
        "/v3/refineSql",
        json={
            "cluster_id": h.cluster_id,
            "database": "shop",
            "sql": "SELECT * FROM users LIMIT 20",
            "feedback": "limit 10",
        },
    )
    assert r.status_code == 200 and set(r.json()["result"]) == {"job_id", "session_id"}
    job = await h.poll(r.json()["result"]["job_id"])
    assert job["result"] == {"rewritten_sql": "SELECT * FROM users LIMIT 10", "solution": "Applied: limit 10"}

    r = await h.client.post("/v3/suggestQuestions", json={"cluster_id": h.cluster_id, "database": "shop"})
    assert set(r.json()["result"]) == {"job_id"}
    job = await h.poll(r.json()["result"]["job_id"])
    assert job["result"] == ["how many rows are in orders", "how many rows are in users"]


async def test_job_lifecycle_and_many_polls(make_harness: MakeHarness, scripted: ScriptedEngine) -> None:
    h = await make_harness(engine=scripted, job_latency="fixed:1", time_scale=0.3)
    await h.summary()
    scripted.on("count the users", "SELECT COUNT(*) AS n FROM users")
    r = await h.client.post(
        "/v3/chat2data", json={"cluster_id": h.cluster_id, "database": "shop", "question": "count the users"}
    )
    job_id = r.json()["result"]["job_id"]
    first = (await h.client.get(f"/v2/jobs/{job_id}")).json()["result"]
    assert first["status"] in ("init", "running") and first["ended_at"] is None and first["reason"] == ""
    # many concurrent polls on one Digest client (nc values arrive out of order) all succeed
    started = time.monotonic()
    replies = await asyncio.gather(*(h.client.get(f"/v2/jobs/{job_id}") for _ in range(200)))
    assert {r.status_code for r in replies} == {200}
    assert time.monotonic() - started < 5
    done = await h.poll(job_id)
    assert done["status"] == "done" and done["ended_at"] >= int(time.time()) - 5
