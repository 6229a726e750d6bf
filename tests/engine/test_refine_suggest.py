"""refineSql rewrites through the AST (also SQL the engine did not write); suggestions all answer."""

from __future__ import annotations

import pytest

from c2q_tui.local.engines.base import Answer, EngineContext, EngineError
from c2q_tui.local.engines.builtin import BuiltinEngine

BASE = "SELECT company_name, revenue FROM companies ORDER BY revenue DESC LIMIT 20"


@pytest.mark.parametrize(
    ("feedback", "expect"),
    [
        ("limit 10", "LIMIT 10"),
        ("sort by market cap descending", "ORDER BY market_cap DESC"),
        ("only sector Energy", "WHERE sector = 'Energy'"),
        ("add the city column", "SELECT company_name, revenue, city"),
        ("group by state", "GROUP BY state_code"),
        ("remove the limit", "ORDER BY revenue DESC"),
        ("ascending", "ORDER BY revenue ASC"),
        ("only companies in Texas with more than 50000 employees", "employees > 50000"),
    ],
)
def test_refine(engine: BuiltinEngine, sp500: EngineContext, feedback: str, expect: str) -> None:
    r = engine.refine(BASE, feedback, sp500)
    assert expect in r.rewritten_sql
    assert r.solution
    sp500.db.execute(r.rewritten_sql)


def test_refine_foreign_sql_with_aliases_and_joins(engine: BuiltinEngine, sp500: EngineContext) -> None:
    sql = (
        "select c.sector, avg(q.close) as avg_close from stock_quote_histories q "
        "join companies c on c.stock_symbol = q.stock_symbol group by c.sector"
    )
    r = engine.refine(sql, "sort by closing price descending", sp500)
    assert "ORDER BY avg_close DESC" in r.rewritten_sql
    r2 = engine.refine(sql, "only NASDAQ stocks", sp500)
    assert "c.exchange_symbol = 'NASDAQ'" in r2.rewritten_sql
    r3 = engine.refine("SELECT username FROM users", "only users who selected NVDA", sp500)
    assert "JOIN user_stock_selections" in r3.rewritten_sql and "'NVDA'" in r3.rewritten_sql
    assert sp500.db.execute(r3.rewritten_sql).rows


def test_refine_reports_what_it_cannot_do(engine: BuiltinEngine, sp500: EngineContext) -> None:
    with pytest.raises(EngineError):
        engine.refine(BASE, "make it prettier please", sp500)
    with pytest.raises(EngineError):
        engine.refine("DELETE FROM companies", "limit 1", sp500)


@pytest.mark.parametrize("name", ["sp500", "shop"])
def test_every_suggestion_is_answered_with_rows(
    engine: BuiltinEngine, name: str, request: pytest.FixtureRequest
) -> None:
    ctx: EngineContext = request.getfixturevalue(name)
    suggestions = engine.suggest(ctx, limit=8)
    assert len(suggestions) == 8
    assert len(set(suggestions)) == 8
    for q in suggestions:
        ans = engine.answer(q, ctx, "direct")
        assert isinstance(ans, Answer)
        assert ctx.db.execute(ans.sql).rows, q
