"""Execution accuracy: run the engine's SQL and the gold SQL and compare the rows.

Rules: row order matters only when the item says `ordered`; numbers compare to 6 significant digits;
column names are ignored. Every gold column must be matched by a distinct column of the answer with
the same values row for row; the answer may show extra columns (an entity list shows the key and the
name, say), but it must have exactly the gold's rows.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from c2q_tui.local.database import Database
from c2q_tui.local.engines.base import Answer, EngineContext, EngineError, PriorTurn
from c2q_tui.local.engines.builtin import BuiltinEngine

Q = dict[str, Any]


def canon(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float):
        return f"{float(v):.6g}"
    return v


def rows_match(pred: list[tuple[Any, ...]], gold: list[tuple[Any, ...]], ordered: bool) -> bool:
    if len(pred) != len(gold):
        return False
    if not gold:
        return True
    g_cols = len(gold[0])
    p_cols = len(pred[0]) if pred else 0
    gc = [[canon(r[j]) for r in gold] for j in range(g_cols)]
    pc = [[canon(r[i]) for r in pred] for i in range(p_cols)]
    cands = [[i for i in range(p_cols) if Counter(pc[i]) == Counter(gc[j])] for j in range(g_cols)]
    if any(not c for c in cands):
        return False
    gold_rows = [tuple(gc[j][r] for j in range(g_cols)) for r in range(len(gold))]
    for combo in itertools.product(*cands):
        if len(set(combo)) != len(combo):
            continue
        proj = [tuple(pc[i][r] for i in combo) for r in range(len(pred))]
        if (proj == gold_rows) if ordered else (Counter(proj) == Counter(gold_rows)):
            return True
    return False


@dataclass
class Result:
    shape: str
    question: str
    ok: bool
    sql: str = ""
    error: str = ""
    seconds: float = 0.0


def _check(db: Database, ans: Answer, item: Q) -> tuple[bool, str]:
    gold = db.execute(item["gold"], limit=100_000).rows
    try:
        pred = db.execute(ans.sql, limit=100_000).rows
    except Exception as e:
        return False, f"sql error: {e}"
    return rows_match(pred, gold, bool(item.get("ordered"))), ""


def run_items(
    engine: BuiltinEngine, db: Database, questions: list[Q], conversations: list[list[Q]]
) -> list[Result]:
    ctx = EngineContext(db=db, schema=db.schema())
    results: list[Result] = []
    for chain in [[x] for x in questions] + conversations:
        history: list[PriorTurn] = []
        for item in chain:
            ctx.history = list(history)
            started = time.perf_counter()
            try:
                ans = engine.answer(item["q"], ctx, "direct")
            except EngineError as e:
                results.append(Result(item["shape"], item["q"], False, error=f"failed: {e}"))
                history.append(PriorTurn(item["q"], "", None))
                continue
            took = time.perf_counter() - started
            assert isinstance(ans, Answer)
            ok, err = _check(db, ans, item)
            results.append(Result(item["shape"], item["q"], ok, ans.sql, err, took))
            history.append(PriorTurn(item["q"], ans.clarified_task, ans.sql, state=ans.state))
    return results


def shape_of(r: Result) -> str:
    return "followup" if r.shape.startswith("followup") else r.shape


def table(results: list[Result], title: str) -> str:
    by: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by[shape_of(r)].append(r)
    lines = [f"{title}", f"{'shape':<16}{'n':>5}{'correct':>9}{'accuracy':>10}"]
    for shape in sorted(by):
        rs = by[shape]
        ok = sum(r.ok for r in rs)
        lines.append(f"{shape:<16}{len(rs):>5}{ok:>9}{ok / len(rs):>10.1%}")
    ok = sum(r.ok for r in results)
    lines.append(f"{'total':<16}{len(results):>5}{ok:>9}{ok / max(len(results), 1):>10.1%}")
    return "\n".join(lines)


def failures(results: list[Result]) -> str:
    return "\n".join(f"- [{r.shape}] {r.question}\n    {r.error or r.sql}" for r in results if not r.ok)
