"""The OpenAI-compatible engine against a scripted chat-completions server and a temp SQLite database."""

from __future__ import annotations

import json
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from c2q_tui.local.database import Database
from c2q_tui.local.engines.base import (
    Answer,
    Breakdown,
    Engine,
    EngineContext,
    EngineError,
    KnowledgeItem,
    PriorTurn,
    Refinement,
)
from c2q_tui.local.engines.openai import OpenAIEngine, SqlValidationError, validate_sql
from c2q_tui.local.engines.prompting import clean_questions, parse_reply
from c2q_tui.local.summaries import build_summary
from tests.local.openai_stub_server import Reply, ScriptedLLM
from tests.local.test_summaries import make_small_db

KEY = "sk-test-0123456789abcdef"
GOOD_SQL = (
    "SELECT d.region, COUNT(*) AS employees FROM employees e "
    "JOIN departments d ON d.dept_id = e.dept_id GROUP BY d.region ORDER BY employees DESC"
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "staff.db"
    make_small_db(path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def ctx(db: Database) -> EngineContext:
    summary = build_summary(db, description="Staff, departments and teams")
    knowledge = [
        KnowledgeItem(
            "few-shot", {"question": "How many teams exist?", "answer": "SELECT COUNT(*) FROM teams"}
        ),
        KnowledgeItem("term-sheet", {"term": ["headcount"], "description": "the number of employees"}),
        KnowledgeItem("instruction", {"instruction": "Always alias aggregate columns."}),
    ]
    history = [
        PriorTurn(
            question="How many employees are there?",
            clarified_task="Count the employees",
            sql="SELECT COUNT(*) AS n FROM employees",
            columns=("n",),
            row_count=1,
        )
    ]
    return EngineContext(db=db, schema=db.schema(), summary=summary, knowledge=knowledge, history=history)


def engine_for(llm: ScriptedLLM, **kwargs: Any) -> OpenAIEngine:
    return OpenAIEngine(
        "http://llm.test/v1", "test-model", SecretStr(KEY), transport=llm.transport(), **kwargs
    )


def reply(sql: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "clarified_task": "Count employees per region",
        "assumptions": [],
        "sql": sql,
        "chart": None,
        **extra,
    }


def last_user_message(llm: ScriptedLLM, index: int = -1) -> str:
    return str(llm.requests[index].messages[-1]["content"])


# -- answers ------------------------------------------------------------------------------------


def test_answer_over_real_http_carries_schema_knowledge_history_and_key(ctx: EngineContext) -> None:
    llm = ScriptedLLM(
        reply(
            GOOD_SQL,
            assumptions=[{"concept": "headcount", "explanation": "number of employees"}],
            chart={"chart_name": "BarChart", "x": "region", "y": "employees"},
        )
    )
    with llm.serve() as base_url:
        engine = OpenAIEngine(base_url, "test-model", SecretStr(KEY), timeout=5)
        try:
            answer = engine.answer("Headcount per region?", ctx, "direct")
        finally:
            engine.close()
    assert isinstance(answer, Answer)
    assert answer.sql == GOOD_SQL and answer.clarified_task == "Count employees per region"
    assert answer.assumptions[0].concept == "headcount"
    assert answer.chart == {
        "chart_name": "BarChart",
        "title": "Count employees per region",
        "option": {"x": "region", "y": "employees"},
    }
    [request] = llm.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == "test-model" and request.body["temperature"] == 0
    roles = [m["role"] for m in request.messages]
    assert roles == ["system", "user", "assistant", "user"]
    system = request.messages[0]["content"]
    assert "SQLite" in system and "CREATE TABLE employees (" in system
    assert "FOREIGN KEY (dept_id) REFERENCES departments (dept_id)" in system
    assert "Market cap (BIGINT), from 9.2e10 to 3.2e12." in system  # column descriptions from the summary
    assert "[values: 'North', 'South', 'East']" in system
    assert "assignments.emp_id = employees.emp_id" in system  # inferred joins are mentioned
    assert "Question: How many teams exist?\nSQL: SELECT COUNT(*) FROM teams" in system
    assert "- headcount: the number of employees" in system
    assert "- Always alias aggregate columns." in system
    assert request.messages[1]["content"] == "How many employees are there?"
    assert "SELECT COUNT(*) AS n FROM employees" in request.messages[2]["content"]
    assert request.messages[3]["content"] == "Headcount per region?"


def test_no_key_means_no_authorization_header_and_repr_hides_key(ctx: EngineContext) -> None:
    llm = ScriptedLLM(reply(GOOD_SQL))
    engine: Engine = OpenAIEngine("http://llm.test/v1", "m", transport=llm.transport())
    assert engine.name == "openai"
    engine.answer("Headcount per region?", ctx, "direct")
    assert "authorization" not in llm.requests[0].headers
    assert KEY not in repr(engine_for(llm)) and "api_key=set" in repr(engine_for(llm))


def test_invalid_column_is_repaired_once(ctx: EngineContext) -> None:
    bad = reply("SELECT full_name, salry FROM employees ORDER BY salry DESC LIMIT 5")
    good = reply("SELECT full_name, salary FROM employees ORDER BY salary DESC LIMIT 5")
    llm = ScriptedLLM(bad, good)
    answer = engine_for(llm).answer("Top 5 salaries", ctx, "direct")
    assert isinstance(answer, Answer) and "salary DESC" in answer.sql
    assert len(llm.requests) == 2  # exactly one repair round
    repair = llm.requests[1].messages
    assert repair[-2] == {"role": "assistant", "content": json.dumps(bad)}
    assert "unknown column 'salry' in table employees; did you mean 'salary'?" in repair[-1]["content"]


def test_execution_error_is_sent_back(ctx: EngineContext) -> None:
    llm = ScriptedLLM(reply("SELECT no_such_function(salary) AS x FROM employees"), reply(GOOD_SQL))
    engine_for(llm).answer("Headcount per region?", ctx, "direct")
    assert "no such function" in last_user_message(llm)


def test_write_statement_is_refused_and_repaired(ctx: EngineContext, db: Database) -> None:
    llm = ScriptedLLM(reply("DELETE FROM employees"), reply(GOOD_SQL))
    engine_for(llm).answer("Headcount per region?", ctx, "direct")
    assert "DELETE changes data" in last_user_message(llm)
    assert db.query("SELECT COUNT(*) FROM employees")[0][0] == 40


def test_model_that_keeps_failing_gives_up_after_two_repairs(ctx: EngineContext) -> None:
    llm = ScriptedLLM(*(reply(f"SELECT wage{i} FROM employees") for i in range(5)))
    with pytest.raises(EngineError) as info:
        engine_for(llm).answer("Wages?", ctx, "direct")
    assert len(llm.requests) == 3
    assert "after 2 repair attempts" in str(info.value) and "unknown column 'wage2'" in str(info.value)
    llm = ScriptedLLM(reply("SELECT wage FROM employees"))
    with pytest.raises(EngineError):
        engine_for(llm, max_repairs=0).answer("Wages?", ctx, "direct")
    assert len(llm.requests) == 1


def test_fenced_sql_and_fenced_json_answers(ctx: EngineContext) -> None:
    llm = ScriptedLLM(
        "Here is the query:\n```sql\nSELECT COUNT(*) AS n FROM employees;\n```\nIt counts rows.",
        "```json\n" + json.dumps(reply("SELECT COUNT(*) AS n FROM teams")) + "\n```",
    )
    engine = engine_for(llm)
    first = engine.answer("How many employees?", ctx, "direct")
    assert isinstance(first, Answer)
    assert (
        first.sql == "SELECT COUNT(*) AS n FROM employees" and first.clarified_task == "How many employees?"
    )
    second = engine.answer("How many teams?", ctx, "direct")
    assert isinstance(second, Answer) and second.sql == "SELECT COUNT(*) AS n FROM teams"


def test_refusal_and_error_replies(ctx: EngineContext) -> None:
    refusal = "I'm sorry, but I can't help with that request. " + "Really. " * 60
    llm = ScriptedLLM(refusal, {"error": "there is no flights table in this database"})
    engine = engine_for(llm)
    with pytest.raises(EngineError) as info:
        engine.answer("Book me a flight", ctx, "direct")
    message = str(info.value)
    assert message.startswith("the model did not return SQL: I'm sorry, but I can't help")
    assert len(message) < 260 and "\n" not in message
    with pytest.raises(EngineError, match="could not answer: there is no flights table"):
        engine.answer("Flights?", ctx, "direct")
    assert len(llm.requests) == 2  # no repair rounds for refusals


# -- transport failures -------------------------------------------------------------------------


def test_http_errors_are_one_clear_line_without_the_key(ctx: EngineContext) -> None:
    llm = ScriptedLLM(
        Reply(status=500, body={"error": {"message": "model crashed"}}),
        Reply(status=401, body={"error": {"message": f"Incorrect API key provided: {KEY}"}}),
        Reply(raw=b"<html>bad gateway</html>"),
        Reply(body={"object": "list", "data": []}),
        Reply(body={"choices": [{"message": {"role": "assistant", "content": None, "refusal": "No."}}]}),
    )
    engine = engine_for(llm)
    messages = []
    for _ in range(5):
        with pytest.raises(EngineError) as info:
            engine.answer("Headcount?", ctx, "direct")
        messages.append(str(info.value))
    assert messages[0] == "the language model at http://llm.test/v1 answered HTTP 500: model crashed"
    assert messages[1].startswith("the language model at http://llm.test/v1 answered HTTP 401")
    assert "returned a response that is not JSON" in messages[2]
    assert "unexpected response (no choices)" in messages[3]
    assert messages[4] == "the model refused: No."
    for m in messages:
        assert KEY not in m and "Traceback" not in m and "\n" not in m


def test_timeout_over_real_http(ctx: EngineContext) -> None:
    llm = ScriptedLLM(Reply(content=json.dumps(reply(GOOD_SQL)), delay=3.0))
    with llm.serve() as base_url:
        engine = OpenAIEngine(base_url, "m", SecretStr(KEY), timeout=0.3)
        started = time.monotonic()
        with pytest.raises(EngineError) as info:
            engine.answer("Headcount?", ctx, "direct")
        engine.close()
    assert time.monotonic() - started < 2.5
    assert str(info.value) == f"the language model at {base_url} did not answer within 0.3 s"


def test_unreachable_server(ctx: EngineContext) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    engine = OpenAIEngine(f"http://user:pw@127.0.0.1:{port}/v1", "m", SecretStr(KEY), timeout=2)
    with pytest.raises(EngineError) as info:
        engine.answer("Headcount?", ctx, "direct")
    assert str(info.value).startswith(f"cannot reach the language model at http://127.0.0.1:{port}/v1")
    assert "pw" not in str(info.value) and KEY not in str(info.value)


def test_servers_without_json_mode_are_retried_without_it(ctx: EngineContext) -> None:
    llm = ScriptedLLM(
        Reply(status=400, body={"error": {"message": "'response_format.type' must be 'json_schema'"}}),
        reply(GOOD_SQL),
        reply(GOOD_SQL),
    )
    engine = engine_for(llm)
    engine.answer("Headcount?", ctx, "direct")
    engine.answer("Headcount?", ctx, "direct")
    assert "response_format" in llm.requests[0].body
    assert "response_format" not in llm.requests[1].body and "response_format" not in llm.requests[2].body


# -- breakdown, refine, suggest -----------------------------------------------------------------


def test_breakdown_with_each_sub_task_validated(ctx: EngineContext) -> None:
    parts: list[dict[str, Any]] = [
        {
            "clarified_task": "Employees per region",
            "sql": GOOD_SQL,
            "chart": {"chart_name": "pie", "x": "region", "y": "employees"},
        },
        {"clarified_task": "Average salary", "sql": "SELECT AVG(salery) AS avg_salary FROM employees"},
    ]
    fixed = [parts[0], {**parts[1], "sql": "SELECT AVG(salary) AS avg_salary FROM employees"}]
    llm = ScriptedLLM(
        {"clarified_task": "Regions and pay", "sql": None, "breakdown": parts},
        {
            "clarified_task": "Regions and pay",
            "sql": None,
            "breakdown": fixed,
            "assumptions": [{"concept": "pay", "explanation": "salary"}],
        },
    )
    result = engine_for(llm).answer("Headcount per region and average pay?", ctx, "auto_breakdown")
    assert isinstance(result, Breakdown)
    assert result.clarified_task == "Regions and pay" and result.assumptions[0].concept == "pay"
    assert [s.clarified_task for s in result.sub_tasks] == ["Employees per region", "Average salary"]
    assert result.sub_tasks[0].chart is not None and result.sub_tasks[0].chart["chart_name"] == "PieChart"
    assert result.sub_tasks[0].chart_intent == "share"
    assert "sub-task 2: unknown column 'salery'" in last_user_message(llm)
    assert '"breakdown"' in llm.requests[0].messages[0]["content"]  # the format is explained in this mode


def test_direct_mode_never_breaks_down(ctx: EngineContext) -> None:
    llm = ScriptedLLM(
        {
            "breakdown": [
                {"clarified_task": "Teams", "sql": "SELECT name FROM teams"},
                {"clarified_task": "Employees", "sql": "SELECT full_name FROM employees"},
            ]
        }
    )
    result = engine_for(llm).answer("Teams and employees", ctx, "direct")
    assert isinstance(result, Answer) and result.sql == "SELECT name FROM teams"
    assert '"breakdown"' not in llm.requests[0].messages[0]["content"]


def test_refine(ctx: EngineContext) -> None:
    original = "SELECT full_name FROM employees ORDER BY salary DESC LIMIT 20"
    llm = ScriptedLLM(
        {
            "rewritten_sql": "SELECT full_name FROM employees ORDER BY salary DESC LIMIT 10",
            "solution": "Changed LIMIT 20 to LIMIT 10.",
        }
    )
    result = engine_for(llm).refine(original, "limit 10", ctx)
    assert result == Refinement(
        rewritten_sql="SELECT full_name FROM employees ORDER BY salary DESC LIMIT 10",
        solution="Changed LIMIT 20 to LIMIT 10.",
    )
    prompt = llm.requests[0].prompt
    assert original in prompt and "Feedback: limit 10" in prompt and "CREATE TABLE employees" in prompt


def test_refine_is_validated_too(ctx: EngineContext) -> None:
    llm = ScriptedLLM({"rewritten_sql": "SELECT nme FROM teams"}, {"rewritten_sql": "SELECT name FROM teams"})
    result = engine_for(llm).refine("SELECT * FROM teams", "only names", ctx)
    assert result.rewritten_sql == "SELECT name FROM teams" and result.solution
    assert "unknown column 'nme'" in last_user_message(llm)


def test_suggest_cleans_numbering_and_duplicates(ctx: EngineContext) -> None:
    llm = ScriptedLLM(
        {
            "questions": [
                "1. How many employees work in each region?",
                "How many employees work in each region?",
                "- What is the average salary?",
                "  ",
                "Q3: Which team has the most hours?",
            ]
        },
        "Here are some questions:\n1) Who earns the most?\n2. **Which department is largest?**\nEnjoy!",
    )
    engine = engine_for(llm)
    assert engine.suggest(ctx, limit=5) == [
        "How many employees work in each region?",
        "What is the average salary?",
        "Which team has the most hours?",
    ]
    assert engine.suggest(ctx, limit=5) == ["Who earns the most?", "Which department is largest?"]
    assert "Suggest 5" in llm.requests[0].prompt


# -- pieces -------------------------------------------------------------------------------------


def test_validation_is_alias_and_cte_aware(db: Database) -> None:
    schema = db.schema()
    ok = [
        "WITH t AS (SELECT dept_id, COUNT(*) AS c FROM employees GROUP BY dept_id) "
        "SELECT t.c, d.region FROM t JOIN departments AS d ON d.dept_id = t.dept_id ORDER BY t.c DESC",
        "SELECT e.full_name AS who, e.salary AS pay FROM employees e ORDER BY pay DESC",
        "SELECT x.n FROM (SELECT COUNT(*) AS n FROM teams) AS x",
        "SELECT * FROM employees WHERE dept_id IN (SELECT dept_id FROM departments WHERE region = 'North')",
        "SELECT full_name FROM employees e "
        "WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.emp_id = e.emp_id)",
        "SELECT name FROM teams;",
    ]
    for sql in ok:
        assert validate_sql(sql, schema) == sql.rstrip(";")
    bad = {
        "SELECT * FROM staff": "unknown table 'staff'",
        "SELECT region FROM employees": "it is a column of departments",
        "SELECT z.name FROM teams t": "unknown table or alias 'z'",
        "SELECT x.m FROM (SELECT COUNT(*) AS n FROM teams) AS x": "unknown column 'm' in x",
        'SELECT * FROM departments WHERE region = "North"': "single quotes",
        "SELECT 1; SELECT 2": "only one SQL statement",
        "UPDATE teams SET name = 'x'": "UPDATE changes data",
    }
    for sql, expected in bad.items():
        with pytest.raises(SqlValidationError, match=expected):
            validate_sql(sql, schema)


def test_reply_parsing() -> None:
    assert parse_reply('<think>hmm</think>{"sql": "SELECT 1"}') == {"sql": "SELECT 1"}
    assert parse_reply('Sure! {"query": "SELECT 1", "clarified_task": "one"} Done.')["sql"] == "SELECT 1"
    assert parse_reply("select name from teams") == {"sql": "select name from teams"}
    assert clean_questions('["a?", "A?", "What is b?"]', 5) == ["What is b?"]


def test_large_schemas_send_the_best_matching_tables(tmp_path: Path) -> None:
    path = tmp_path / "wide.db"
    con = sqlite3.connect(path)
    for i in range(30):
        cols = ", ".join(f"c{j}_{i} INTEGER" for j in range(10))
        con.execute(f"CREATE TABLE table_{i:02d} (id INTEGER PRIMARY KEY, {cols})")
    con.execute(
        "CREATE TABLE invoices (invoice_id INTEGER PRIMARY KEY, customer_ref INTEGER, amount REAL, "
        "region_id INTEGER REFERENCES table_07 (id))"
    )
    con.commit()
    con.close()
    db = Database(f"sqlite:///{path}")
    try:
        ctx = EngineContext(db=db, schema=db.schema())
        llm = ScriptedLLM(reply("SELECT SUM(amount) AS total FROM invoices"))
        engine_for(llm).answer("Total invoice amount", ctx, "direct")
    finally:
        db.dispose()
    system = llm.requests[0].messages[0]["content"]
    assert "CREATE TABLE invoices (" in system
    assert "CREATE TABLE table_07 (" in system  # referenced by a chosen table, so joins stay possible
    assert "CREATE TABLE table_12 (" not in system
    assert "-- Other tables, not shown: table_00" in system
