"""Engine behaviour: answer payload, failures, breakdowns, follow-up state, knowledge, dialects."""

from __future__ import annotations

import json

import pytest
import sqlglot

from c2q_tui.local.engines.base import (
    Answer,
    Breakdown,
    EngineContext,
    EngineError,
    KnowledgeItem,
    PriorTurn,
)
from c2q_tui.local.engines.builtin import BuiltinEngine
from c2q_tui.local.engines.builtin.sqlgen import SqlBuilder


def ask(engine: BuiltinEngine, ctx: EngineContext, question: str) -> Answer:
    ans = engine.answer(question, ctx, "direct")
    assert isinstance(ans, Answer)
    return ans


def rows(ctx: EngineContext, ans: Answer) -> list[tuple[object, ...]]:
    return ctx.db.execute(ans.sql).rows


def test_count_the_users(engine: BuiltinEngine, sp500: EngineContext) -> None:
    ans = ask(engine, sp500, "count the users")
    assert rows(sp500, ans) == [(200,)]
    assert "user_count" in ans.sql
    assert ans.clarified_task.startswith("Find the number of users")


def test_index_is_cached(engine: BuiltinEngine, sp500: EngineContext) -> None:
    assert engine.index(sp500) is engine.index(sp500)


def test_assumptions_and_chart_intent(engine: BuiltinEngine, sp500: EngineContext) -> None:
    ans = ask(engine, sp500, "what are the 3 biggest companies")
    assert any("market_cap" in a.explanation for a in ans.assumptions)
    assert ans.chart_intent == "table"
    assert ask(engine, sp500, "average closing price of Apple per month").chart_intent == "trend"
    share = ask(engine, sp500, "share of companies per exchange")
    assert share.chart_intent == "share"
    assert ask(engine, sp500, "average revenue per sector").chart_intent == "auto"
    texas = ask(engine, sp500, "list the companies in Texas")
    assert any("'TX'" in a.explanation for a in texas.assumptions)


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("how many flights departed from Boston", ["flights"]),
        ("list the galaxies with the most planets", ["galaxies"]),
        ("companies with more than 5", ["5"]),
    ],
)
def test_unmappable_questions_fail_with_a_reason(
    engine: BuiltinEngine, sp500: EngineContext, question: str, words: list[str]
) -> None:
    with pytest.raises(EngineError) as err:
        engine.answer(question, sp500, "direct")
    message = str(err.value)
    for w in words:
        assert w.lower() in message.lower()
    if words != ["5"]:
        assert "closest tables" in message


def test_breakdown_answers_every_part(engine: BuiltinEngine, sp500: EngineContext) -> None:
    q = "compare the average revenue of Energy and Utilities and list their largest companies"
    result = engine.answer(q, sp500, "auto_breakdown")
    assert isinstance(result, Breakdown)
    assert len(result.sub_tasks) == 2
    first, second = result.sub_tasks
    assert sorted(r[0] for r in rows(sp500, first)) == ["Energy", "Utilities"]
    companies = rows(sp500, second)
    assert companies and "ORDER BY market_cap DESC" in second.sql
    assert "'Energy'" in second.sql and "'Utilities'" in second.sql


def test_direct_mode_answers_single_questions_even_with_and(
    engine: BuiltinEngine, sp500: EngineContext
) -> None:
    ans = engine.answer("how many companies are in Energy and Utilities", sp500, "auto_breakdown")
    assert isinstance(ans, Answer)
    assert rows(sp500, ans) == [(16,)]


def test_followup_state_round_trips_through_json(engine: BuiltinEngine, sp500: EngineContext) -> None:
    first = ask(engine, sp500, "top 5 companies by revenue")
    state = json.loads(json.dumps(first.state))
    sp500.history = [PriorTurn("top 5 companies by revenue", first.clarified_task, first.sql, state=state)]
    second = ask(engine, sp500, "only in the Health Care sector")
    assert "Health Care" in second.sql and "LIMIT 5" in second.sql
    sp500.history = []


def test_new_question_in_a_session_is_not_a_followup(engine: BuiltinEngine, sp500: EngineContext) -> None:
    first = ask(engine, sp500, "list the companies in Texas")
    sp500.history = [
        PriorTurn("list the companies in Texas", first.clarified_task, first.sql, state=first.state)
    ]
    ans = ask(engine, sp500, "how many users are there")
    assert rows(sp500, ans) == [(200,)]
    sp500.history = []


def test_knowledge_base(engine: BuiltinEngine, sp500: EngineContext) -> None:
    sp500.knowledge = [
        KnowledgeItem("few-shot", {"question": "Who is on top?", "answer": "SELECT 'AAPL' AS winner"}),
        KnowledgeItem(
            "term-sheet", {"term": ["headcount bucket", "HC"], "description": "the employees column"}
        ),
        KnowledgeItem("term-sheet", {"term": ["tech"], "description": "the Information Technology sector"}),
        KnowledgeItem("instruction", {"instruction": "Always limit lists to 7 rows"}),
    ]
    try:
        fewshot = ask(engine, sp500, "who is on top")
        assert fewshot.sql == "SELECT 'AAPL' AS winner"
        term = ask(engine, sp500, "average HC per sector")
        assert "AVG(employees)" in term.sql
        tech = ask(engine, sp500, "how many tech companies are there")
        assert rows(sp500, tech) == [(22,)]
        listed = ask(engine, sp500, "list the companies in California")
        assert "LIMIT 7" in listed.sql
    finally:
        sp500.knowledge = []


def test_summary_descriptions_link_words(engine: BuiltinEngine, sp500: EngineContext) -> None:
    sp500.summary = {
        "tables": {"companies": {"columns": {"city": {"description": "Town of the headquarters."}}}}
    }
    try:
        with pytest.raises(EngineError):
            engine.answer(
                "list the headquarters of Energy companies", EngineContext(sp500.db, sp500.schema), "direct"
            )
        ans = ask(engine, sp500, "list the headquarters of Energy companies")
        assert "city" in ans.sql
    finally:
        sp500.summary = None


@pytest.mark.parametrize("dialect", ["mysql", "postgres", "duckdb", "sqlite"])
def test_sql_renders_in_every_dialect(engine: BuiltinEngine, sp500: EngineContext, dialect: str) -> None:
    idx = engine.index(sp500)
    plan, _, _ = engine.plan(
        "monthly average closing price of Apple in 2024", idx, engine.knowledge(sp500, idx), None
    )
    sql, names = SqlBuilder(idx, dialect, lambda n: n.lower() in ("open", "close", "index")).build(plan)
    sqlglot.parse_one(sql, read=dialect)
    assert names == ["month", "avg_close"]
    if dialect == "mysql":
        assert "`close`" in sql
