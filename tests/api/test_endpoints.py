"""Every endpoint method: what it sends (method, path, body) and what it parses, on documented bodies."""

from __future__ import annotations

from typing import Any

import pytest

from c2q_tui.api import (
    Ack,
    Chat2QueryClient,
    DataServiceEnvelope,
    DataSummary,
    DataSummaryUpdate,
    DataSummaryV2,
    FewShot,
    Instruction,
    KnowledgeBase,
    Session,
    TableUpdate,
    TermSheet,
)
from tests.api.conftest import Server, ok

CLUSTER = "10140100115280519574"

SUMMARY = {
    "cluster_id": CLUSTER,
    "data_summary_id": 304823,
    "database": "sp500insight",
    "default": False,
    "status": "done",
    "description": {
        "system": "Data source for financial analysis ...",
        "user": "Data summary for SP500 Insight",
    },
    "keywords": ["User_Stock_Selection", "Index_Composition"],
    "relationships": {
        "companies": {
            "referencing_table": "index_compositions",
            "referencing_table_column": "stock_symbol",
            "referenced_table": "companies",
            "referenced_table_column": "stock_symbol",
        }
    },
    "summary": "Financial data source for stock market analysis",
    "tables": {
        "companies": {
            "name": "companies",
            "description": "This table provides comprehensive...",
            "columns": {
                "city": {"name": "city", "description": "The city where the company is headquartered."}
            },
        }
    },
}

V2_SUMMARY = {
    "created_at": 1699518862,
    "creator": "",
    "data": {
        "cluster_id": 10939961583884005252,
        "db_name": "sp500insight",
        "db_schema": {
            "users": {
                "columns": {
                    "user_id": {
                        "default": None,
                        "description": "The unique identifier for each user.",
                        "name": "user_id",
                        "nullable": True,
                        "type": "int(11)",
                    }
                },
                "description": "...",
                "key_attributes": ["user_id"],
                "primary_key": "id",
                "status": "done",
                "table_name": "users",
            }
        },
        "entity": {
            "users": {
                "attributes": ["user_id"],
                "involved_tables": ["users"],
                "name": "users",
                "summary": "...",
            }
        },
        "org_id": 30061,
        "project_id": 3198952,
        "short_summary": "...",
        "status": "done",
        "summary": "...",
        "summary_keywords": ["users"],
        "table_relationship": {},
    },
    "id": 481235,
    "name": "data-context",
    "org_id": 30061,
    "type": "data",
    "updated_at": 1699518950,
}

SESSION = {
    "messages": [],
    "meta": {
        "created_at": 1718948875,
        "creator": "me@example.com",
        "name": "my session",
        "org_id": "1",
        "updated_at": 1718948875,
    },
    "session_id": 305685,
}


# -- v3 data summaries -------------------------------------------------------------------------


async def test_create_data_summary(client: Chat2QueryClient, server: Server) -> None:
    server.on(
        "POST",
        "/v3/dataSummaries",
        ok({"data_summary_id": 304823, "job_id": "fb99ef785da640ab87bf69afed60903d"}),
    )
    job = await client.create_data_summary(
        CLUSTER, "sp500insight", description="Data summary for SP500 Insight", reuse=False
    )
    assert (server.last.method, server.last.path) == ("POST", "/v3/dataSummaries")
    assert server.last.body == {
        "cluster_id": CLUSTER,
        "database": "sp500insight",
        "description": "Data summary for SP500 Insight",
        "reuse": False,
    }
    assert job.data_summary_id == 304823 and job.job_id == "fb99ef785da640ab87bf69afed60903d"
    ref = client.job_ref(job.job_id)
    assert ref is not None and ref.kind == "data_summary" and ref.requests == 1


async def test_create_data_summary_sends_undocumented_keys(client: Chat2QueryClient, server: Server) -> None:
    server.on("POST", "/v3/dataSummaries", ok({"data_summary_id": 1, "job_id": "a" * 32}))
    await client.create_data_summary(CLUSTER, "db", reuse=True, default=True, creator="tiinsight")
    assert server.last.body["default"] is True and server.last.body["creator"] == "tiinsight"


async def test_get_data_summary(client: Chat2QueryClient, server: Server) -> None:
    server.on("GET", "/v3/dataSummaries/304823", ok(SUMMARY))
    summary = await client.get_data_summary(304823)
    assert server.last.body is None
    assert isinstance(summary, DataSummary) and summary.ready
    assert summary.cluster_id == CLUSTER
    assert summary.description.user == "Data summary for SP500 Insight"
    assert summary.tables["companies"].columns["city"].description.startswith("The city")
    # the object-per-table form is normalised to the array form
    assert summary.relationships["companies"][0].referenced_table == "companies"


@pytest.mark.parametrize(
    "shape",
    [
        [SUMMARY],
        {"data_summaries": [SUMMARY]},
        {"dataSummaries": [SUMMARY]},
        {"items": [SUMMARY], "total": 1},
    ],
)
async def test_list_data_summaries_accepts_list_shapes(
    client: Chat2QueryClient, server: Server, shape: Any
) -> None:
    server.on("GET", "/v3/dataSummaries", ok(shape))
    summaries = await client.list_data_summaries()
    assert [s.data_summary_id for s in summaries] == [304823]


async def test_update_data_summary(client: Chat2QueryClient, server: Server) -> None:
    server.on("PUT", "/v3/dataSummaries/304823", ok({"job_id": "b" * 32}))
    ack = await client.update_data_summary(
        304823,
        DataSummaryUpdate(summary="new", tables={"companies": TableUpdate(description="firms")}),
    )
    assert server.last.method == "PUT"
    assert server.last.body == {"summary": "new", "tables": {"companies": {"description": "firms"}}}
    assert isinstance(ack, Ack) and ack.job_id == "b" * 32


async def test_update_table_description(client: Chat2QueryClient, server: Server) -> None:
    server.on("PUT", "/v3/dataSummaries/304823/tables/user stocks", ok({}))
    ack = await client.update_table_description(304823, "user stocks", "who picked what")
    assert server.last.path == "/v3/dataSummaries/304823/tables/user stocks"
    assert server.last.body == {"description": "who picked what"}
    assert ack.job_id is None


async def test_update_column_descriptions(client: Chat2QueryClient, server: Server) -> None:
    server.on("PUT", "/v3/dataSummaries/304823/tables/companies/columns", ok(None))
    ack = await client.update_column_descriptions(
        304823, "companies", {"city": "HQ city", "state_code": "US state"}
    )
    assert server.last.body == {"city": "HQ city", "state_code": "US state"}
    assert ack.extras == {}


# -- knowledge bases ---------------------------------------------------------------------------


async def test_create_knowledge_base(client: Chat2QueryClient, server: Server) -> None:
    server.on("POST", "/v3/knowledgeBases", ok({"default": True, "description": "", "knowledge_base_id": 2}))
    kb = await client.create_knowledge_base(CLUSTER, "sp500insight", "")
    assert server.last.body == {"cluster_id": CLUSTER, "database": "sp500insight", "description": ""}
    assert kb == KnowledgeBase(knowledge_base_id=2, description="", default=True)


@pytest.mark.parametrize(
    "wrap", [lambda x: x, lambda x: {"knowledge_bases": x}, lambda x: {"knowledgeBases": x}]
)
async def test_list_knowledge_bases(client: Chat2QueryClient, server: Server, wrap: Any) -> None:
    server.on(
        "GET", "/v3/knowledgeBases", ok(wrap([{"default": True, "description": "d", "knowledge_base_id": 2}]))
    )
    kbs = await client.list_knowledge_bases()
    assert [k.knowledge_base_id for k in kbs] == [2]


async def test_get_and_update_knowledge_base(client: Chat2QueryClient, server: Server) -> None:
    server.on(
        "GET", "/v3/knowledgeBases/2", ok({"default": True, "description": "d", "knowledge_base_id": 2})
    )
    server.on("PUT", "/v3/knowledgeBases/2", ok({}))
    assert (await client.get_knowledge_base(2)).description == "d"
    kb = await client.update_knowledge_base(2, description="stocks")
    assert (server.last.method, server.last.body) == ("PUT", {"description": "stocks"})
    assert kb.knowledge_base_id == 2 and kb.description == "stocks"


@pytest.mark.parametrize(
    ("raw", "sent"),
    [
        (
            FewShot(
                question="How many records are in the 'test' table?", answer="SELECT COUNT(*) FROM `test`;"
            ),
            {
                "type": "few-shot",
                "meta_data": {},
                "raw_data": {
                    "question": "How many records are in the 'test' table?",
                    "answer": "SELECT COUNT(*) FROM `test`;",
                },
            },
        ),
        (
            TermSheet(term=["OSS"], description="OSS Insight is a powerful tool ..."),
            {
                "type": "term-sheet",
                "meta_data": {},
                "raw_data": {"term": ["OSS"], "description": "OSS Insight is a powerful tool ..."},
            },
        ),
        (
            Instruction(instruction="use the LAG function with the OVER clause"),
            {
                "type": "instruction",
                "meta_data": {},
                "raw_data": {"instruction": "use the LAG function with the OVER clause"},
            },
        ),
    ],
)
async def test_add_knowledge_data(client: Chat2QueryClient, server: Server, raw: Any, sent: Any) -> None:
    server.on("POST", "/v3/knowledgeBases/2/data", ok({"knowledge_data_id": 7}))
    item = await client.add_knowledge_data(2, raw)
    assert (server.last.method, server.last.path, server.last.body) == (
        "POST",
        "/v3/knowledgeBases/2/data",
        sent,
    )
    assert item.knowledge_data_id == 7 and item.type == sent["type"]
    assert item.raw_data == raw


async def test_list_update_delete_knowledge_data(client: Chat2QueryClient, server: Server) -> None:
    items = [
        {
            "knowledge_data_id": 7,
            "type": "few-shot",
            "meta_data": {},
            "raw_data": {"question": "q", "answer": "a"},
        },
        {
            "knowledge_data_id": 8,
            "type": "term-sheet",
            "meta_data": None,
            "raw_data": {"term": "OSS", "description": "d"},
        },
        {"knowledge_data_id": 9, "type": "new-kind", "raw_data": {"anything": 1}},
    ]
    server.on("GET", "/v3/knowledgeBases/2/data", ok({"knowledge_data": items}))
    server.on("PUT", "/v3/knowledgeBases/2/data/7", ok(None))
    server.on("DELETE", "/v3/knowledgeBases/2/data/7", ok({}))

    listed = await client.list_knowledge_data(2)
    assert isinstance(listed[0].raw_data, FewShot)
    assert isinstance(listed[1].raw_data, TermSheet) and listed[1].raw_data.term == ["OSS"]
    assert listed[2].raw_data == {"anything": 1}

    updated = await client.update_knowledge_data(2, 7, FewShot(question="q2", answer="SELECT 2"))
    assert server.last.method == "PUT"
    assert server.last.body == {
        "type": "few-shot",
        "meta_data": {},
        "raw_data": {"question": "q2", "answer": "SELECT 2"},
    }
    assert updated.knowledge_data_id == 7 and updated.raw_data == FewShot(question="q2", answer="SELECT 2")

    ack = await client.delete_knowledge_data(2, 7)
    assert (server.last.method, server.last.path, server.last.body) == (
        "DELETE",
        "/v3/knowledgeBases/2/data/7",
        None,
    )
    assert isinstance(ack, Ack)


# -- sessions ----------------------------------------------------------------------------------


async def test_create_session(client: Chat2QueryClient, server: Server) -> None:
    server.on("POST", "/v3/sessions", ok(SESSION))
    session = await client.create_session(CLUSTER, "sp500insight", "my session")
    assert server.last.body == {"cluster_id": CLUSTER, "database": "sp500insight", "name": "my session"}
    assert (
        session.session_id == 305685 and session.meta.org_id == "1" and session.meta.created_at == 1718948875
    )
    assert session.messages == []


@pytest.mark.parametrize(
    "shape",
    [
        {"sessions": [{"session_id": 305685, "meta": {"created_at": 1, "name": "a", "updated_at": 2}}]},
        [{"session_id": 305685, "meta": {"created_at": 1, "name": "a", "updated_at": 2}}],
        [{"session_id": 305685, "name": "a", "created_at": 1, "updated_at": 2}],
    ],
)
async def test_list_sessions_accepts_shapes(client: Chat2QueryClient, server: Server, shape: Any) -> None:
    server.on("GET", "/v3/sessions", ok(shape))
    sessions = await client.list_sessions()
    assert [(s.session_id, s.name, s.meta.updated_at) for s in sessions] == [(305685, "a", 2)]


async def test_get_rename_reset_session(client: Chat2QueryClient, server: Server) -> None:
    filled = {**SESSION, "messages": [{"role": "user", "content": "hi", "extra": 1}]}
    server.on("GET", "/v3/sessions/305685", ok(filled))
    server.on("PUT", "/v3/sessions/305685", ok({}))
    server.on("PUT", "/v3/sessions/305685/reset", ok({}))

    got = await client.get_session(305685)
    assert got.messages[0].content == "hi" and got.messages[0].extras == {"extra": 1}

    renamed = await client.rename_session(305685, "Q3 review")
    assert (server.last.method, server.last.body) == ("PUT", {"name": "Q3 review"})
    assert isinstance(renamed, Session) and renamed.name == "Q3 review"

    await client.reset_session(305685)
    assert (server.last.method, server.last.path, server.last.body) == (
        "PUT",
        "/v3/sessions/305685/reset",
        {},
    )


async def test_rename_session_parses_a_returned_session(client: Chat2QueryClient, server: Server) -> None:
    server.on("PUT", "/v3/sessions/305685", ok({**SESSION, "meta": {**SESSION["meta"], "name": "new"}}))  # type: ignore[dict-item]
    assert (await client.update_session(305685, "new")).meta.creator == "me@example.com"


async def test_session_chat2data(client: Chat2QueryClient, server: Server) -> None:
    server.on(
        "POST",
        "/v3/sessions/305685/chat2data",
        ok({"job_id": "d96b6fd23c5f445787eb5fd067c14c0b", "session_id": 305685}),
    )
    job = await client.session_chat2data(305685, "<Your question>")
    assert server.last.body == {
        "question": "<Your question>",
        "feedback_answer_id": "",
        "feedback_task_id": "",
        "sql_generate_mode": "direct",
    }
    assert job.job_id == "d96b6fd23c5f445787eb5fd067c14c0b" and job.session_id == 305685
    await client.session_chat2data(305685, "why?", sql_generate_mode="auto_breakdown")
    ref = client.job_ref(job.job_id)
    assert ref is not None and ref.kind == "chat2data_breakdown"


# -- v3 chat2data, refine, suggest --------------------------------------------------------------


async def test_chat2data(client: Chat2QueryClient, server: Server) -> None:
    server.on(
        "POST",
        "/v3/chat2data",
        ok(
            {
                "cluster_id": CLUSTER,
                "database": "sp500insight",
                "job_id": "20f7577088154d7889964f1a5b12cb26",
                "session_id": 304832,
            }
        ),
    )
    job = await client.chat2data(
        "<Your question>", cluster_id=CLUSTER, database="sp500insight", sql_generate_mode="direct"
    )
    assert (server.last.method, server.last.path) == ("POST", "/v3/chat2data")
    assert server.last.body == {
        "cluster_id": CLUSTER,
        "database": "sp500insight",
        "question": "<Your question>",
        "sql_generate_mode": "direct",
    }
    assert (job.job_id, job.session_id, job.cluster_id) == (
        "20f7577088154d7889964f1a5b12cb26",
        304832,
        CLUSTER,
    )


async def test_chat2data_by_summary_id_omits_unset_fields(client: Chat2QueryClient, server: Server) -> None:
    server.on("POST", "/v3/chat2data", ok({"job_id": "c" * 32, "session_id": 1}))
    await client.chat2data("q", data_summary_id=304823)
    assert server.last.body == {"question": "q", "data_summary_id": 304823}


async def test_refine_sql(client: Chat2QueryClient, server: Server) -> None:
    server.on(
        "POST", "/v3/refineSql", ok({"job_id": "f80099a82d20475d8da24b20dc817e67", "session_id": "yyy"})
    )
    sql = "SELECT * FROM `games` ORDER BY `recommendations` DESC LIMIT 20;"
    job = await client.refine_sql("1", "game", sql, "limit 10")
    assert server.last.body == {"cluster_id": "1", "database": "game", "sql": sql, "feedback": "limit 10"}
    assert job.job_id == "f80099a82d20475d8da24b20dc817e67" and job.session_id == "yyy"


async def test_suggest_questions_job_and_sync_shapes(client: Chat2QueryClient, server: Server) -> None:
    server.on(
        "POST", "/v3/suggestQuestions", ok({"job_id": "e" * 32}), ok({"questions": ["a?", "b?"]}), ok(["c?"])
    )
    job = await client.suggest_questions(CLUSTER, "sp500insight")
    assert server.last.body == {"cluster_id": CLUSTER, "database": "sp500insight"}
    assert job.job_id == "e" * 32 and job.questions is None
    assert (await client.suggest_questions(database_uri="spider://db")).questions == ["a?", "b?"]
    assert server.last.body == {"database_uri": "spider://db"}
    assert (await client.suggest_questions(CLUSTER, "x")).questions == ["c?"]


# -- v2 ----------------------------------------------------------------------------------------


async def test_create_data_summary_v2(client: Chat2QueryClient, server: Server) -> None:
    server.on(
        "POST",
        "/v2/dataSummaries",
        ok({"data_summary_id": 481235, "job_id": "79c2b3d36c074943ab06a29e45dd5887"}),
    )
    job = await client.create_data_summary_v2("10939961583884005252", "sp500insight")
    assert server.last.body == {"cluster_id": "10939961583884005252", "database": "sp500insight"}
    assert job.data_summary_id == 481235


async def test_get_and_list_data_summary_v2_keep_big_ints(client: Chat2QueryClient, server: Server) -> None:
    server.on("GET", "/v2/dataSummaries/481235", ok(V2_SUMMARY))
    server.on("GET", "/v2/dataSummaries", ok([V2_SUMMARY]))
    summary = await client.get_data_summary_v2(481235)
    assert isinstance(summary, DataSummaryV2) and summary.ready
    assert summary.data is not None
    assert summary.data.cluster_id == "10939961583884005252"  # exact, not 10939961583884005000
    assert summary.data.db_schema["users"].columns["user_id"].type == "int(11)"
    assert summary.data.entity["users"].involved_tables == ["users"]
    assert [s.id for s in await client.list_data_summaries_v2()] == [481235]


async def test_update_data_summary_v2(client: Chat2QueryClient, server: Server) -> None:
    server.on("PUT", "/v2/dataSummaries/481235", ok({"job_id": "103d0bf8d8564ec7b2c768d3180d8ab1"}))
    job = await client.update_data_summary_v2(
        481235, {"users": TableUpdate(description="people", columns={"user_id": "the id"})}
    )
    assert server.last.body == {
        "tables": {"users": {"description": "people", "columns": {"user_id": "the id"}}}
    }
    assert job.job_id == "103d0bf8d8564ec7b2c768d3180d8ab1"
    ref = client.job_ref(job.job_id)
    assert ref is not None and ref.kind == "data_summary_update"


async def test_chat2data_v2(client: Chat2QueryClient, server: Server) -> None:
    server.on("POST", "/v2/chat2data", ok({"job_id": "3966d5bd95324a6283445e3a02ccd97c"}))
    job = await client.chat2data_v2(481235, "count the users")
    assert server.last.body == {"data_summary_id": 481235, "raw_question": "count the users"}
    assert job.job_id == "3966d5bd95324a6283445e3a02ccd97c"


async def test_get_job(client: Chat2QueryClient, server: Server) -> None:
    server.on(
        "GET",
        "/v2/jobs/f80099a82d20475d8da24b20dc817e67",
        ok(
            {
                "ended_at": 1719471325,
                "job_id": "f80099a82d20475d8da24b20dc817e67",
                "reason": "",
                "result": {"rewritten_sql": "SELECT 1;", "solution": "because"},
                "status": "done",
            }
        ),
    )
    job = await client.get_job("f80099a82d20475d8da24b20dc817e67")
    assert job.finished and not job.failed and job.ended_at == 1719471325
    assert job.payload().rewritten_sql == "SELECT 1;"  # type: ignore[union-attr]


# -- v1 ----------------------------------------------------------------------------------------

V1_OK = {
    "type": "chat2data_endpoint",
    "data": {
        "columns": [{"col": "COUNT(`user_id`)", "data_type": "BIGINT", "nullable": False}],
        "rows": [{"COUNT(`user_id`)": "1"}],
        "result": {
            "code": 200,
            "message": "Query OK!",
            "start_ms": 1699529488292,
            "end_ms": 1699529491901,
            "latency": "3.609656403s",
            "row_count": 1,
            "row_affect": 0,
            "limit": 1000,
            "sql": "SELECT COUNT(`user_id`) FROM `users`;",
            "ai_latency": "3.054822491s",
        },
    },
}


@pytest.mark.parametrize(("which", "path"), [("v1", "/v1/chat2data"), ("legacy", "/chat2data")])
async def test_chat2data_v1(client: Chat2QueryClient, server: Server, which: Any, path: str) -> None:
    server.on("POST", path, V1_OK)
    answer = await client.chat2data_v1(
        "10939961583884005252", "sp500insight", "count the users", tables=["users"], path=which
    )
    assert server.last.path == path
    assert server.last.body == {
        "cluster_id": "10939961583884005252",
        "database": "sp500insight",
        "instruction": "count the users",
        "tables": ["users"],
    }
    assert isinstance(answer, DataServiceEnvelope)
    assert answer.sql == "SELECT COUNT(`user_id`) FROM `users`;"
    assert answer.data.result.ai_latency == "3.054822491s"
    assert answer.rows_as_lists() == [["1"]]


def test_thirty_endpoint_methods() -> None:
    methods = [
        "create_data_summary", "list_data_summaries", "get_data_summary", "update_data_summary",
        "update_table_description", "update_column_descriptions",
        "create_knowledge_base", "list_knowledge_bases", "get_knowledge_base", "update_knowledge_base",
        "add_knowledge_data", "list_knowledge_data", "update_knowledge_data", "delete_knowledge_data",
        "create_session", "list_sessions", "get_session", "rename_session", "reset_session",
        "session_chat2data",
        "chat2data", "refine_sql", "suggest_questions",
        "create_data_summary_v2", "list_data_summaries_v2", "get_data_summary_v2", "update_data_summary_v2",
        "chat2data_v2", "get_job", "chat2data_v1",
    ]  # fmt: skip
    assert len(set(methods)) == 30
    assert all(callable(getattr(Chat2QueryClient, m)) for m in methods)
