"""The Chat2DB engine against a scripted Chat2DB-compatible server (streaming SSE) and the sample database."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from c2q_tui.local.database import Database
from c2q_tui.local.engines import create_engine
from c2q_tui.local.engines.base import Answer, Engine, EngineContext, EngineError, KnowledgeItem, PriorTurn
from c2q_tui.local.engines.chat2db import CUT_OFF, Chat2DBClient, Chat2DBEngine, extract_sql
from c2q_tui.local.engines.sse import SseParser
from c2q_tui.local.serve import add_arguments, settings_from_args
from c2q_tui.local.settings import LocalSettings
from tests.local.chat2db_stub_server import ScriptedChat2DB, Stream, answer
from tests.local.conftest import MakeHarness

KEY = "c2db-secret-key-0123456789"
SQL = "SELECT sector, COUNT(*) AS companies\nFROM companies\nGROUP BY sector\nORDER BY companies DESC"
REPLY = f"Here is the query:\n```sql\n{SQL};\n```\nIt counts the companies in each sector."


@pytest.fixture
def db(sample_db: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{sample_db}")
    yield database
    database.dispose()


@pytest.fixture
def ctx(db: Database) -> EngineContext:
    return EngineContext(db=db, schema=db.schema())


def engine_for(stub: ScriptedChat2DB, **kw: object) -> Chat2DBEngine:
    return Chat2DBEngine(
        "http://api.c2db.test",
        "http://app.c2db.test",
        SecretStr(KEY),
        transport=stub.transport(),
        **kw,  # type: ignore[arg-type]
    )


# -- streaming over real HTTP -------------------------------------------------------------------


def test_answer_streams_over_real_http(ctx: EngineContext) -> None:
    stub = ScriptedChat2DB(answer(REPLY, pieces=7), api_key=KEY)
    with stub.serve() as base:
        engine: Engine = Chat2DBEngine(base, base, SecretStr(KEY), timeout=5)
        try:
            result = engine.answer("How many companies are in each sector?", ctx, "direct")
        finally:
            engine.close()  # type: ignore[attr-defined]
    assert isinstance(result, Answer)
    assert result.sql == SQL and result.clarified_task == "How many companies are in each sector?"
    assert "counts the companies in each sector" in result.description
    prompt, chat = stub.requests
    assert prompt.path == "/api/ai/rest/prompt_a" and prompt.headers["authorization"] == f"Bearer {KEY}"
    assert prompt.body["questionType"] == "NL_2_SQL" and prompt.body["language"] == "EN"
    assert prompt.body["databaseType"] == "SQLITE"
    assert prompt.body["input"] == "How many companies are in each sector?"
    assert any(s.startswith("CREATE TABLE companies (") for s in prompt.body["tableSchemas"])
    assert chat.method == "GET" and chat.path == "/api/ai/rest/chat_a"
    assert chat.query["token"] == "tok+1/x=" and chat.query["stream"] == "true"  # the token survives encoding


def test_stream_cut_off_halfway_over_real_http(ctx: EngineContext) -> None:
    stub = ScriptedChat2DB(
        answer(REPLY, pieces=6, cut_after=3, drop=True), answer(REPLY, pieces=6, cut_after=2)
    )
    with stub.serve() as base:
        engine = Chat2DBEngine(base, base, SecretStr(KEY), timeout=5)
        for _ in range(2):  # the connection dropped mid-event, then a body that ends without [DONE]
            with pytest.raises(EngineError) as info:
                engine.answer("How many companies are in each sector?", ctx, "direct")
            assert str(info.value) == CUT_OFF
        engine.close()


def test_timeout_over_real_http(ctx: EngineContext) -> None:
    stub = ScriptedChat2DB(answer(REPLY, pieces=2, delay=0.8))
    with stub.serve() as base:
        engine = Chat2DBEngine(base, base, SecretStr(KEY), timeout=0.3)
        started = time.monotonic()
        with pytest.raises(EngineError, match=r"did not answer within 0.3 s"):
            engine.answer("companies per sector", ctx, "direct")
        assert time.monotonic() - started < 3
        engine.close()


# -- the stream's shapes ------------------------------------------------------------------------


def test_cut_off_stream_with_complete_sql_so_far_is_used(ctx: EngineContext) -> None:
    half = len(SQL) // 2
    chunks = [SQL[:half], SQL[half:] + ";\n\nThis query counts", " the companies per sector."]
    stub = ScriptedChat2DB(Stream(chunks=chunks, cut_after=2))
    result = engine_for(stub).answer("companies per sector", ctx, "direct")
    assert isinstance(result, Answer) and result.sql == SQL


def test_cut_off_without_sql_and_inside_a_fence(ctx: EngineContext) -> None:
    stub = ScriptedChat2DB(
        Stream(chunks=["Let me think about", " the tables"], cut_after=2),
        Stream(chunks=["```sql\nSELECT sector FROM companies", "\nWHERE"], cut_after=1),
    )
    engine = engine_for(stub)
    for _ in range(2):
        with pytest.raises(EngineError, match="ended before the answer was complete"):
            engine.answer("companies per sector", ctx, "direct")


def test_non_streaming_and_loose_stream_shapes(ctx: EngineContext) -> None:
    raws = [
        # one whole object, then [DONE] (stream=false), Spring style without a space after "data:"
        f'data:{{"role":"assistant","content":"{SQL.replace(chr(10), " ")}"}}\n\ndata:[DONE]\n\n',
        # {"content"} chunks, CRLF line ends, a comment, an id, and [DONE] as the event id
        'id:1\r\ndata: {"content": "SELECT sector"}\r\n\r\n: keep-alive\r\n\r\n'
        'data: {"content": " FROM companies"}\r\n\r\nid:[DONE]\r\ndata:[DONE]\r\n\r\n',
        # bare JSON lines and a bare [DONE]
        '{"role":"assistant","content":"SELECT sector FROM companies"}\n[DONE]\n',
        # one event split over two data: lines (joined by a newline)
        'data: {"content": "SELECT sector\\nFROM companies",\ndata:  "role": "assistant"}\n\n'
        "data: [DONE]\n\n",
    ]
    stub = ScriptedChat2DB(*(Stream(raw=r) for r in raws))
    engine = engine_for(stub)
    sqls = [engine.answer("sectors", ctx, "direct") for _ in raws]
    assert [" ".join(a.sql.split()) for a in sqls if isinstance(a, Answer)] == [
        " ".join(SQL.split()),
        "SELECT sector FROM companies",
        "SELECT sector FROM companies",
        "SELECT sector FROM companies",
    ]


def test_json_answer_from_chat_a() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("prompt_a"):
            return httpx.Response(200, json={"success": True, "data": "tok"})  # a bare token
        return httpx.Response(
            200, json={"success": True, "data": {"role": "assistant", "content": "SELECT 1"}}
        )

    client = Chat2DBClient("http://a", "http://b", SecretStr(KEY), transport=httpx.MockTransport(handle))
    result = client.ask("NL_2_SQL", "one", "MYSQL", [])
    assert result.text == "SELECT 1" and result.complete


# -- errors -------------------------------------------------------------------------------------


def test_error_envelopes_become_one_line_engine_errors(ctx: EngineContext) -> None:
    stub = ScriptedChat2DB(
        Stream(prompt_error="Insufficient quota, please recharge"),
        Stream(chat_error="token expired\nretry later"),
        answer("SELECT sector", pieces=1, stream_error="model overloaded"),
    )
    engine = engine_for(stub)
    messages = []
    for _ in range(3):
        with pytest.raises(EngineError) as info:
            engine.answer("companies per sector", ctx, "direct")
        messages.append(str(info.value))
    assert messages == [
        "Chat2DB: Insufficient quota, please recharge (COMMON_ERROR)",
        "Chat2DB: token expired retry later (COMMON_ERROR)",
        "Chat2DB: model overloaded (COMMON_ERROR)",
    ]


def test_bad_key_missing_key_and_unreachable_host(ctx: EngineContext) -> None:
    stub = ScriptedChat2DB(answer(REPLY), api_key="the-right-key")
    with pytest.raises(EngineError) as info:
        engine_for(stub).answer("companies per sector", ctx, "direct")
    assert str(info.value) == "Chat2DB: API key is invalid (NEED_LOGGED_IN)" and KEY not in str(info.value)

    with pytest.raises(EngineError, match="set the environment variable C2Q_CHAT2DB_API_KEY"):
        Chat2DBEngine("http://a", "http://b", None, transport=stub.transport()).answer("x", ctx, "direct")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"connection refused for {request.headers['authorization']}")

    engine = Chat2DBEngine("http://a", "http://b", SecretStr(KEY), transport=httpx.MockTransport(refuse))
    with pytest.raises(EngineError) as info:
        engine.answer("x", ctx, "direct")
    assert str(info.value).startswith("cannot reach Chat2DB at a:") and KEY not in str(info.value)

    def plain_401(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, text="unauthorized")

    engine = Chat2DBEngine("http://a", "http://b", SecretStr(KEY), transport=httpx.MockTransport(plain_401))
    with pytest.raises(EngineError, match=r"HTTP 401; check the API key in C2Q_CHAT2DB_API_KEY"):
        engine.answer("x", ctx, "direct")
    assert KEY not in repr(engine) and "api_key=set" in repr(engine)


def test_invalid_sql_gets_one_repair_round(ctx: EngineContext) -> None:
    stub = ScriptedChat2DB(
        answer("SELECT sectr, COUNT(*) FROM companies GROUP BY sectr"),
        answer("SELECT sector, COUNT(*) AS n FROM companies GROUP BY sector"),
        answer("DELETE FROM companies"),
        answer("SELECT nope FROM companies"),
    )
    engine = engine_for(stub)
    result = engine.answer("companies per sector", ctx, "direct")
    assert isinstance(result, Answer) and "GROUP BY sector" in result.sql
    repair = stub.calls("prompt_a")[1].body["input"]
    assert "unknown column 'sectr' in table companies; did you mean 'sector'?" in repair
    with pytest.raises(EngineError) as info:
        engine.answer("delete them", ctx, "direct")
    assert str(info.value).startswith("Chat2DB's SQL does not fit the database: unknown column 'nope'")
    assert len(stub.calls("prompt_a")) == 4  # one repair per question, no more


# -- context: tables, history, knowledge --------------------------------------------------------


def test_table_matching_with_a_dataset(ctx: EngineContext) -> None:
    stub = ScriptedChat2DB(answer(REPLY), answer(REPLY))
    stub.tables = [
        {
            "dataSourceId": 1,
            "databaseName": "sp500",
            "tableName": "companies",
            "tableSchema": "CREATE TABLE companies (sector TEXT)",
        },
        {"dataSourceId": 1, "databaseName": "sp500", "tableName": "users", "tableSchema": ""},
        {
            "dataSourceId": 1,
            "databaseName": "other",
            "tableName": "flights",
            "tableSchema": "CREATE TABLE flights (x INT)",
        },
    ]
    engine_for(stub, dataset_id="42").answer("companies per sector", ctx, "direct")
    [mapping] = stub.calls("mapping_a")
    assert mapping.body == {"input": "companies per sector", "tableSize": 10, "dataSourceCollectionId": 42}
    schemas = stub.calls("prompt_a")[0].body["tableSchemas"]
    assert schemas[0] == "CREATE TABLE companies (sector TEXT)"  # Chat2DB's DDL as it sent it
    assert schemas[1].startswith("CREATE TABLE users (")  # ours when it sent none
    assert len(schemas) == 2  # a table this database lacks is left out

    stub.tables = []
    engine_for(stub, dataset_id="42").answer("companies per sector", ctx, "direct")
    assert len(stub.calls("prompt_a")[1].body["tableSchemas"]) == len(ctx.schema.tables)  # own linking


def test_history_and_knowledge_go_into_the_input(ctx: EngineContext) -> None:
    ctx.history = [PriorTurn("How many companies?", "Count companies", "SELECT COUNT(*) FROM companies")]
    ctx.knowledge = [KnowledgeItem("instruction", {"instruction": "Always alias aggregates."})]
    stub = ScriptedChat2DB(answer(REPLY))
    engine_for(stub).answer("And per sector?", ctx, "direct")
    text = stub.calls("prompt_a")[0].body["input"]
    assert "- How many companies?\n  SQL: SELECT COUNT(*) FROM companies" in text
    assert "- Always alias aggregates." in text and text.endswith("Question: And per sector?")


def test_refine_and_suggest(ctx: EngineContext) -> None:
    stub = ScriptedChat2DB(
        answer("SELECT sector, COUNT(*) AS n FROM companies GROUP BY sector ORDER BY n DESC LIMIT 3"),
        answer(
            "1. Which sector has the most companies?\n2. Which users joined in 2024?\n\n"
            "3. Which sector has the most companies?"
        ),
        Stream(chunks=["1. Which sector"], cut_after=0),
    )
    engine = engine_for(stub)
    refined = engine.refine(SQL, "only the top 3", ctx)
    assert refined.rewritten_sql.endswith("LIMIT 3") and "only the top 3" in refined.solution
    assert "Request: only the top 3" in stub.calls("prompt_a")[0].body["input"]
    assert engine.suggest(ctx, 5) == ["Which sector has the most companies?", "Which users joined in 2024?"]
    assert stub.calls("prompt_a")[1].body["questionType"] == "TEXT_GENERATION"
    with pytest.raises(EngineError, match="ended before"):
        engine.suggest(ctx, 5)


def test_extract_sql_shapes() -> None:
    assert extract_sql("SELECT 1;\n\nThis returns one.") == ("SELECT 1", "This returns one.")
    assert extract_sql('{"sql": "SELECT 2"}')[0] == "SELECT 2"
    assert (
        extract_sql("-- counts\nSELECT a\n\nFROM t\nWHERE x = ';'\n\nIt reads t.")[0]
        == "SELECT a\n\nFROM t\nWHERE x = ';'"
    )
    assert extract_sql("I can't answer that.") == (None, "I can't answer that.")


def test_sse_parser() -> None:
    parser = SseParser()
    events = [
        parser.feed(line)
        for line in ["data:a", "data: b", "event:x", "", ":c", "id:[DONE]", "data:[DONE]", ""]
    ]
    done = [e for e in events if e is not None]
    assert done[0].data == "a\nb" and done[0].event == "x" and done[0].complete
    assert done[1].done
    parser.feed('data: {"content": "hal')
    tail = parser.finish()
    assert tail is not None and not tail.complete and tail.data == '{"content": "hal'
    assert parser.finish() is None


# -- wiring: registry, settings, serve, backend jobs --------------------------------------------


def test_registry_settings_and_serve_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MY_C2DB_KEY", KEY)
    settings = LocalSettings(
        engine="chat2db",
        chat2db_api_base="http://127.0.0.1:9/",
        chat2db_api_key_env="MY_C2DB_KEY",
        chat2db_dataset_id="7",
        state_dir=tmp_path,
    )
    engine = create_engine("chat2db", settings)
    assert isinstance(engine, Chat2DBEngine)
    assert (
        engine.client.api_base == "http://127.0.0.1:9"
        and engine.client.app_base == "https://app.chat2db-ai.com"
    )
    assert engine.dataset_id == "7" and KEY not in repr(engine)
    engine.close()

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--engine", "chat2db", "--chat2db-api-base", "http://a", "--chat2db-app-base", "http://b",
         "--chat2db-api-key-env", "K", "--chat2db-dataset-id", "9", "--state-dir", str(tmp_path)]
    )  # fmt: skip
    served = settings_from_args(args)
    assert (served.engine, served.chat2db_api_base, served.chat2db_app_base) == (
        "chat2db",
        "http://a",
        "http://b",
    )
    assert (served.chat2db_api_key_env, served.chat2db_dataset_id) == ("K", "9")


async def test_backend_jobs_finish_like_other_engines(make_harness: MakeHarness) -> None:
    stub = ScriptedChat2DB(
        answer("SELECT name, country FROM users ORDER BY name", pieces=3),
        Stream(prompt_error="Insufficient quota"),
        answer("SELECT name FROM users", pieces=3, cut_after=1),
    )
    engine = Chat2DBEngine("http://api.test", "http://app.test", SecretStr(KEY), transport=stub.transport())
    h = await make_harness(engine=engine)
    await h.summary()
    done = await h.ask("list the users")
    assert done["status"] == "done", done
    assert done["result"]["sql"] == "SELECT name, country FROM users ORDER BY name"
    assert done["result"]["data"]["rows"][0][0] == "ann"
    failed = await h.ask("list them again")
    assert failed["status"] == "failed" and failed["reason"] == "Chat2DB: Insufficient quota (COMMON_ERROR)"
    cut = await h.ask("and once more")
    assert cut["status"] == "failed" and cut["reason"] == CUT_OFF
    assert stub.calls("prompt_a")[0].body["databaseType"] == "SQLITE"


async def test_a_chat2db_profile_reaches_the_embedded_backend(sample_db: Path) -> None:
    from c2q_tui.config import Profile
    from c2q_tui.connection import open_connection

    profile = Profile(engine="chat2db", chat2db_api_base="http://c2db.test", chat2db_dataset_id="5")
    async with open_connection(profile) as conn:
        engine = conn.backend.state.backend.engine
        assert isinstance(engine, Chat2DBEngine)
        assert engine.client.api_base == "http://c2db.test" and engine.dataset_id == "5"
