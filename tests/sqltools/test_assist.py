"""Explain / optimize / convert through `assist` on each kind of profile: offline (builtin and TiDB Cloud),
an OpenAI-compatible model (scripted), and Chat2DB (scripted, streaming)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from c2q_tui.config import Profile
from c2q_tui.local.database import Database
from c2q_tui.sqltools import assist
from c2q_tui.sqltools.assist import (
    AssistError,
    AssistRequest,
    Chat2DBProvider,
    OfflineProvider,
    OpenAIProvider,
    provider_for,
)
from tests.local.chat2db_stub_server import ScriptedChat2DB, Stream, answer
from tests.local.openai_stub_server import Reply, ScriptedLLM

SQL = "SELECT * FROM stock_quote_histories WHERE close > 100"
KEY = "sk-assist-0123456789abcdef"


async def collect(chunks: Any) -> list[str]:
    return [piece async for piece in chunks]


def llm_provider(llm: ScriptedLLM) -> OpenAIProvider:
    return OpenAIProvider("http://llm.test/v1", "test-model", SecretStr(KEY), transport=llm.transport())


def chat2db_provider(stub: ScriptedChat2DB, **kw: Any) -> Chat2DBProvider:
    return Chat2DBProvider("http://api.c2db.test", SecretStr(KEY), transport=stub.transport(), **kw)


# -- which provider a profile gets --------------------------------------------------------------


def test_provider_for_each_kind_of_profile() -> None:
    cloud = Profile(
        name="cloud", kind="tidbcloud", region="us-east-1", app_id="chat2query-x", engine="openai"
    )
    assert isinstance(provider_for(cloud), OfflineProvider)  # a TiDB Cloud answer is explained for free
    assert isinstance(provider_for(Profile()), OfflineProvider)  # the builtin engine
    llm = provider_for(
        Profile(engine="openai", llm_base_url="http://h/v1", llm_model="m", llm_api_key_env="K"),
        env={"K": KEY},
    )
    assert (
        isinstance(llm, OpenAIProvider)
        and llm.label == "m (OpenAI-compatible)"
        and llm.base_url == "http://h/v1"
    )
    c2db = provider_for(Profile(engine="chat2db", chat2db_api_base="http://c"), env={})
    assert isinstance(c2db, Chat2DBProvider) and c2db.kind == "chat2db" and c2db.api_base == "http://c"


# -- offline ------------------------------------------------------------------------------------


async def test_offline_actions_come_at_once(db: Database) -> None:
    provider = OfflineProvider()
    [explained] = await collect(assist.explain(SQL, provider, dialect="sqlite"))
    assert explained.startswith("This query reads from stock_quote_histories.")
    [optimized] = await collect(assist.optimize(SQL, provider, dialect="sqlite", db=db))
    assert (
        "full scan of stock_quote_histories" in optimized and "Plan (SQLite EXPLAIN QUERY PLAN)" in optimized
    )
    [converted] = await collect(
        assist.convert("SELECT * FROM t LIMIT 3", "SQL Server", provider, dialect="tidb")
    )
    assert " ".join(converted.split()) == "SELECT TOP 3 * FROM t"
    seen: list[str] = []
    text = await assist.run(AssistRequest("explain", "SELEC", "sqlite"), provider, seen.append)
    assert seen == [text] and text == "This does not look like a SQL statement: SELEC"
    with pytest.raises(AssistError, match="choose a dialect to convert to"):
        await collect(provider.stream(AssistRequest("convert", SQL)))
    with pytest.raises(AssistError, match="unknown SQL dialect 'cobol'"):
        await collect(assist.convert(SQL, "cobol", provider))


async def test_tidbcloud_profile_runs_every_action_without_any_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an offline action made an HTTP request")

    monkeypatch.setattr(httpx.Client, "send", no_network)
    monkeypatch.setattr(httpx.AsyncClient, "send", no_network)
    provider = provider_for(
        Profile(name="cloud", kind="tidbcloud", region="us-east-1", app_id="chat2query-x")
    )
    explained = await assist.run(AssistRequest("explain", "SELECT a FROM t WHERE b = 1", "tidb"), provider)
    assert explained == "This query reads from t. It keeps only rows where b is 1. It returns a."
    optimized = await assist.run(AssistRequest("optimize", "SELECT * FROM t", "tidb"), provider)
    assert optimized.startswith("Suggestions\n- name the columns you need instead of SELECT *")
    converted = await assist.run(
        AssistRequest("convert", "SELECT IFNULL(a, 0) FROM t", "tidb", "postgres"), provider
    )
    assert " ".join(converted.split()) == "SELECT COALESCE(a, 0) FROM t"


# -- an OpenAI-compatible model -----------------------------------------------------------------


def _sse_completion(pieces: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["stream"] is True and body["model"] == "test-model"
        events = [f"data: {json.dumps({'choices': [{'delta': {'content': p}}]})}\n\n" for p in pieces]
        events += ['data: {"choices": [{"delta": {}, "finish_reason": "stop"}]}\n\n', "data: [DONE]\n\n"]
        return httpx.Response(
            200, content="".join(events).encode(), headers={"content-type": "text/event-stream"}
        )

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("action", ["explain", "optimize", "convert"])
async def test_openai_streams_each_action(action: str, db: Database) -> None:
    pieces = ["It reads ", "every quote ", "above 100."]
    provider = OpenAIProvider("http://llm.test/v1", "test-model", transport=_sse_completion(pieces))
    request = AssistRequest(action, SQL, "sqlite", target="duckdb" if action == "convert" else None, db=db)  # type: ignore[arg-type]
    assert await collect(provider.stream(request)) == pieces


async def test_openai_prompts_are_grounded(db: Database) -> None:
    llm = ScriptedLLM("Create an index on close.", "```sql\nSELECT * FROM t LIMIT 1\n```", "It filters.")
    provider = llm_provider(llm)
    optimized = await collect(assist.optimize(SQL, provider, dialect="sqlite", db=db))
    assert optimized == ["Create an index on close."]  # a server that ignores stream=true still works
    request = llm.requests[0]
    assert request.headers["authorization"] == f"Bearer {KEY}"
    system, user = request.messages[0]["content"], request.messages[1]["content"]
    assert "Suggest concrete optimizations for this SQLite query" in system
    assert "CREATE TABLE stock_quote_histories (" in user  # the tables the SQL reads
    assert "full scan of stock_quote_histories" in user and "SCAN stock_quote_histories" in user  # the plan
    converted = await assist.run(AssistRequest("convert", SQL, "sqlite", "BigQuery"), provider)
    assert assist.sql_in(converted) == "SELECT * FROM t LIMIT 1"
    assert "Convert this SQLite query to BigQuery" in llm.requests[1].messages[0]["content"]
    assert "sqlglot's conversion, for reference:" in llm.requests[1].messages[1]["content"]
    await collect(assist.explain(SQL, provider, dialect="sqlite"))
    assert "Explain what this SQLite query does" in llm.requests[2].messages[0]["content"]


async def test_openai_errors_are_one_line_without_the_key() -> None:
    llm = ScriptedLLM(Reply(status=500, body={"error": {"message": f"bad key {KEY}\nsecond line"}}))
    with pytest.raises(AssistError) as info:
        await collect(assist.explain(SQL, llm_provider(llm)))
    assert str(info.value) == "the language model at http://llm.test/v1 answered HTTP 500: bad key ***"

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    provider = OpenAIProvider("http://llm.test/v1", "m", transport=httpx.MockTransport(refuse))
    with pytest.raises(AssistError, match=r"cannot reach the language model at http://llm\.test/v1"):
        await collect(assist.explain(SQL, provider))


async def test_openai_over_real_http(db: Database) -> None:
    llm = ScriptedLLM("The query returns quotes above 100.")
    with llm.serve() as base_url:
        provider = OpenAIProvider(base_url, "test-model", timeout=5)
        text = await assist.run(AssistRequest("explain", SQL, "sqlite", db=db), provider)
    assert text == "The query returns quotes above 100."


# -- Chat2DB ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "question_type", "target", "dest"),
    [
        ("explain", "SQL_EXPLAIN", None, None),
        ("optimize", "SQL_OPTIMIZER", None, None),
        ("convert", "SQL_2_SQL", "PostgreSQL", "POSTGRESQL"),
    ],
)
async def test_chat2db_streams_each_action(
    action: str, question_type: str, target: str | None, dest: str | None, db: Database
) -> None:
    reply = "This query reads stock_quote_histories and keeps the rows whose close is above 100."
    stub = ScriptedChat2DB(answer(reply, pieces=5), api_key=KEY)
    request = AssistRequest(action, SQL, "sqlite", target, db=db)  # type: ignore[arg-type]
    chunks = await collect(chat2db_provider(stub).stream(request))
    assert len(chunks) == 5 and "".join(chunks) == reply  # progressively, as the chunks arrived
    prompt = stub.calls("prompt_a")[0].body
    assert prompt["questionType"] == question_type and prompt["input"] == SQL and prompt["language"] == "EN"
    assert prompt["databaseType"] == "SQLITE"
    assert [s.split(" (")[0] for s in prompt["tableSchemas"]] == ["CREATE TABLE stock_quote_histories"]
    assert prompt.get("destSqlType") == dest


async def test_chat2db_cut_off_and_error_envelope() -> None:
    stub = ScriptedChat2DB(
        answer("It reads every quote and keeps the ones above 100.", pieces=4, cut_after=2),
        Stream(prompt_error="Insufficient quota"),
    )
    provider = chat2db_provider(stub)
    received: list[str] = []
    with pytest.raises(AssistError, match="the Chat2DB stream ended before the answer was complete"):
        async for piece in assist.explain(SQL, provider, dialect="mysql"):
            received.append(piece)
    assert len(received) == 2  # what came before the cut is kept
    with pytest.raises(AssistError) as info:
        await collect(assist.optimize(SQL, provider))
    assert str(info.value) == "Chat2DB: Insufficient quota (COMMON_ERROR)"
    assert stub.calls("prompt_a")[1].body["databaseType"] == "MYSQL"
    with pytest.raises(AssistError, match="set the environment variable C2Q_CHAT2DB_API_KEY"):
        await collect(assist.explain(SQL, Chat2DBProvider("http://x", None, transport=stub.transport())))


async def test_chat2db_over_real_http_and_a_reader_that_leaves_early() -> None:
    stub = ScriptedChat2DB(
        answer("SELECT * FROM t LIMIT 5", pieces=3),
        answer("one two three four five six", pieces=6, delay=0.2),
        answer("It reads", pieces=2, cut_after=1, drop=True),
    )
    with stub.serve() as base:
        provider = Chat2DBProvider(base, SecretStr(KEY), timeout=5)
        converted = await assist.run(
            AssistRequest("convert", "SELECT TOP 5 * FROM t", "tsql", "duckdb"), provider
        )
        assert assist.sql_in(converted) == "SELECT * FROM t LIMIT 5"
        started = time.monotonic()
        stream = assist.explain(SQL, provider)
        first = await anext(stream)
        await stream.aclose()  # the panel closed: stop without waiting for the rest
        assert first.startswith("one") and time.monotonic() - started < 1.0
        with pytest.raises(AssistError, match="ended before the answer was complete"):
            await collect(assist.explain(SQL, provider))
