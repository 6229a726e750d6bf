"""Engine time per question on the sample database, against baselines measured in the same run.

    .venv/bin/python bench/engine.py [--runs 5] [--db PATH] [--quiet]

For every question of tests/engine/questions_sp500.py (follow-ups with their history) it times
`BuiltinEngine.answer` (engine time only: the SQL is not executed) over N runs, interleaved round-robin
with two baselines: executing the question's gold SQL, and a `SELECT 1` round trip through the same
`Database`. It prints min / median / max per question and overall, next to the 50 ms target. The
one-off index build (value index, profiling) is timed separately: it happens once per database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from c2q_tui.local.database import Database  # noqa: E402
from c2q_tui.local.engines.base import Answer, EngineContext, PriorTurn  # noqa: E402
from c2q_tui.local.engines.builtin import BuiltinEngine  # noqa: E402
from c2q_tui.local.sample import build_sample  # noqa: E402
from tests.engine import questions_sp500  # noqa: E402

TARGET_MS = 50.0


def _ms(f: Any) -> float:
    started = time.perf_counter()
    f()
    return (time.perf_counter() - started) * 1000


def _fmt(xs: list[float]) -> str:
    return f"{min(xs):7.2f} {statistics.median(xs):7.2f} {max(xs):7.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--db", type=Path, default=None, help="an existing sp500insight.db (default: build one)")
    ap.add_argument("--quiet", action="store_true", help="only the summary")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = args.db or build_sample(Path(tmp.name) / "sp500insight.db")
    db = Database(f"sqlite:///{path}")
    engine = BuiltinEngine()
    ctx = EngineContext(db=db, schema=db.schema())
    build_ms = _ms(lambda: engine.index(ctx))

    # (question, gold, history) for every item, follow-ups with the history the engine gave them
    items: list[tuple[str, str, list[PriorTurn]]] = []
    for chain in [[q] for q in questions_sp500.QUESTIONS] + questions_sp500.CONVERSATIONS:
        history: list[PriorTurn] = []
        for q in chain:
            items.append((q["q"], q["gold"], list(history)))
            ctx.history = list(history)
            ans = engine.answer(q["q"], ctx, "direct")
            assert isinstance(ans, Answer)
            history.append(PriorTurn(q["q"], ans.clarified_task, ans.sql, state=ans.state))

    engine_t: list[list[float]] = [[] for _ in items]
    gold_t: list[list[float]] = [[] for _ in items]
    one_t: list[list[float]] = [[] for _ in items]
    for _ in range(args.runs):
        for i, (question, gold, history) in enumerate(items):
            ctx.history = history
            engine_t[i].append(_ms(lambda q=question: engine.answer(q, ctx, "direct")))  # type: ignore[misc]
            gold_t[i].append(_ms(lambda g=gold: db.execute(g)))  # type: ignore[misc]
            one_t[i].append(_ms(lambda: db.execute("SELECT 1")))

    print(f"sp500insight, {len(items)} questions x {args.runs} runs (interleaved); times in ms")
    print(f"index build (once per database): {build_ms:.1f} ms")
    if not args.quiet:
        print(f"{'engine min/med/max':>24} {'gold SQL med':>12} {'SELECT 1 med':>12}  target  question")
        for i, (question, _, _) in enumerate(items):
            flag = "ok " if max(engine_t[i]) < TARGET_MS else "SLOW"
            print(
                f"{_fmt(engine_t[i]):>24} {statistics.median(gold_t[i]):12.2f} "
                f"{statistics.median(one_t[i]):12.2f}  {TARGET_MS:4.0f} {flag} {question[:60]}"
            )
    flat = [x for xs in engine_t for x in xs]
    medians = [statistics.median(xs) for xs in engine_t]
    gold = [x for xs in gold_t for x in xs]
    one = [x for xs in one_t for x in xs]
    print()
    print(f"{'':24}{'min':>8}{'median':>8}{'p95':>8}{'max':>8}")
    for name, xs in (("engine answer()", flat), ("gold SQL execution", gold), ("SELECT 1 round trip", one)):
        p95 = statistics.quantiles(xs, n=20)[-1]
        print(f"{name:24}{min(xs):8.2f}{statistics.median(xs):8.2f}{p95:8.2f}{max(xs):8.2f}")
    slow = sum(1 for m in medians if m >= TARGET_MS)
    print(
        f"target: < {TARGET_MS:.0f} ms engine time per question; questions with median over target: {slow}; "
        f"worst single run: {max(flat):.2f} ms"
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
