"""Execution accuracy per question shape on both databases (targets: 95% sample, 85% shopdb)."""

from __future__ import annotations

from collections import Counter

from c2q_tui.local.database import Database
from c2q_tui.local.engines.builtin import BuiltinEngine
from tests.engine import questions_shopdb, questions_sp500
from tests.engine.scoring import failures, rows_match, run_items, shape_of, table

SHAPES = {
    "count",
    "list",
    "lookup",
    "aggregate",
    "count_distinct",
    "group",
    "topn",
    "order",
    "filter_value",
    "filter_compare",
    "filter_date",
    "combo",
    "join",
    "followup",
}


def test_rows_match_rules() -> None:
    assert rows_match([(1, "a"), (2, "b")], [("b",), ("a",)], ordered=False)
    assert not rows_match([(1, "a"), (2, "b")], [("b",), ("a",)], ordered=True)
    assert rows_match([(1.0000001,)], [(1,)], ordered=True)
    assert not rows_match([(1,), (1,)], [(1,)], ordered=False)
    assert rows_match([], [], ordered=False)


def test_question_sets_cover_every_shape() -> None:
    sp = questions_sp500.QUESTIONS + [t for c in questions_sp500.CONVERSATIONS for t in c]
    shapes = Counter("followup" if x["shape"].startswith("followup") else x["shape"] for x in sp)
    assert set(shapes) >= SHAPES
    assert len(sp) >= 100
    assert sum(1 for c in questions_sp500.CONVERSATIONS for t in c[1:]) >= 20
    shop = questions_shopdb.QUESTIONS + [t for c in questions_shopdb.CONVERSATIONS for t in c]
    assert len(shop) >= 40


def test_sp500_accuracy(engine: BuiltinEngine, sp500_db: Database) -> None:
    results = run_items(engine, sp500_db, questions_sp500.QUESTIONS, questions_sp500.CONVERSATIONS)
    print("\n" + table(results, "sp500insight"))
    print(failures(results))
    accuracy = sum(r.ok for r in results) / len(results)
    assert accuracy >= 0.95, failures(results)
    followups = [r for r in results if shape_of(r) == "followup"]
    assert sum(r.ok for r in followups) / len(followups) >= 0.9


def test_shopdb_accuracy(engine: BuiltinEngine, shop_db: Database) -> None:
    results = run_items(engine, shop_db, questions_shopdb.QUESTIONS, questions_shopdb.CONVERSATIONS)
    print("\n" + table(results, "shopdb"))
    print(failures(results))
    accuracy = sum(r.ok for r in results) / len(results)
    assert accuracy >= 0.85, failures(results)


def test_holdout_sets(engine: BuiltinEngine, sp500_db: Database, shop_db: Database) -> None:
    """The second set (questions_holdout.py): printed, and guarded against regressions only."""
    from tests.engine import questions_holdout as h

    sp = run_items(engine, sp500_db, h.SP500, h.SP500_CONVERSATIONS)
    shop = run_items(engine, shop_db, h.SHOP, h.SHOP_CONVERSATIONS)
    print("\n" + table(sp, "sp500insight (holdout)") + "\n" + failures(sp))
    print(table(shop, "shopdb (holdout)") + "\n" + failures(shop))
    assert sum(r.ok for r in sp) / len(sp) >= 0.85
    assert sum(r.ok for r in shop) / len(shop) >= 0.8
