"""Engine time per question on the sample database, against baselines measured in the same run.

    .venv/bin/python bench/engine.py [--quick] [--runs 5] [--db PATH] [--per-question] [--json PATH]

For every question of tests/engine/questions_sp500.py (follow-ups with their history) it times
`BuiltinEngine.answer` (engine time only: the SQL is not executed) over N runs, interleaved round-robin
with two baselines: executing the question's gold SQL, and a `SELECT 1` round trip through the same
`Database`. A run's figure is the median (and p95) over the questions; the table shows min / median /
max of those over the runs, next to the 50 ms target. The one-off index build (value index,
profiling) is timed separately, on a fresh engine each run: it happens once per database.
`--per-question` also lists every question's min / median / max.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Report, Row, Stopwatch, check_runs, median, parser, quantile, report

from c2q_tui.local.database import Database
from c2q_tui.local.engines.base import Answer, EngineContext, PriorTurn
from c2q_tui.local.engines.builtin import BuiltinEngine
from c2q_tui.local.sample import build_sample
from tests.engine import questions_sp500

TARGET_MS = 50.0


def _ms(f: Any) -> float:
    started = time.perf_counter()
    f()
    return (time.perf_counter() - started) * 1000


def _fmt(xs: list[float]) -> str:
    return f"{min(xs):7.2f} {statistics.median(xs):7.2f} {max(xs):7.2f}"


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--db", type=Path, default=None, help="an existing sp500insight.db (default: build one)")
    ap.add_argument("--per-question", action="store_true", help="also list every question's times")
    args = ap.parse_args()
    runs = check_runs(args.runs)
    watch = Stopwatch()
    tmp = tempfile.TemporaryDirectory()
    path = args.db or build_sample(Path(tmp.name) / "sp500insight.db")
    db = Database(f"sqlite:///{path}")
    engine = BuiltinEngine()
    ctx = EngineContext(db=db, schema=db.schema())
    build_ms = [_ms(lambda: engine.index(ctx))]
    for _ in range(runs - 1):  # a fresh engine each time: the build happens once per database
        fresh = BuiltinEngine()
        build_ms.append(_ms(lambda e=fresh: e.index(EngineContext(db=db, schema=db.schema()))))

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
    for _ in range(runs):
        for i, (question, gold, history) in enumerate(items):
            ctx.history = history
            engine_t[i].append(_ms(lambda q=question: engine.answer(q, ctx, "direct")))
            gold_t[i].append(_ms(lambda g=gold: db.execute(g)))
            one_t[i].append(_ms(lambda: db.execute("SELECT 1")))
    tmp.cleanup()

    if args.per_question:
        print(f"{'engine min/med/max':>24} {'gold SQL med':>12} {'SELECT 1 med':>12}  target  question")
        for i, (question, _, _) in enumerate(items):
            flag = "ok " if max(engine_t[i]) < TARGET_MS else "SLOW"
            print(
                f"{_fmt(engine_t[i]):>24} {statistics.median(gold_t[i]):12.2f} "
                f"{statistics.median(one_t[i]):12.2f}  {TARGET_MS:4.0f} {flag} {question[:60]}"
            )

    def per_run(times: list[list[float]], q: float) -> list[float]:
        return [quantile([t[r] for t in times], q) for r in range(runs)]

    eng_med, gold_med, one_med = per_run(engine_t, 0.5), per_run(gold_t, 0.5), per_run(one_t, 0.5)
    eng_p95, gold_p95 = per_run(engine_t, 0.95), per_run(gold_t, 0.95)
    eng_max = [max(t[r] for t in engine_t) for r in range(runs)]
    medians = [median(t) for t in engine_t]
    slow = sum(1 for m in medians if m >= TARGET_MS)
    worst = max(range(len(items)), key=lambda i: medians[i])
    rows = [
        Row("engine time per question, median", "ms", eng_med, f"<= {TARGET_MS:.0f} ms",
            median(eng_med) <= TARGET_MS, "gold SQL", gold_med, digits=2),
        Row("engine time per question, p95", "ms", eng_p95, "", None, "gold SQL", gold_p95, digits=2),
        Row("engine time per question, slowest", "ms", eng_max, "", None, digits=2),
        Row("SELECT 1 round trip, median", "ms", one_med, "", None, digits=2),
        Row("index build (once per database)", "ms", build_ms, "", None, digits=0),
    ]
    notes = [
        f"sp500insight, {len(items)} questions (single questions and follow-ups with history); "
        "engine time only (the SQL is not executed); interleaved with the baselines.",
        f"questions whose median is over {TARGET_MS:.0f} ms: {slow}; slowest question by median: "
        f"{medians[worst]:.2f} ms ({items[worst][0][:60]!r}).",
    ]
    report(Report("engine", "5. Built-in engine time per question", rows, runs, args.quick, notes,
                  {"per_question_median_ms": {items[i][0]: medians[i] for i in range(len(items))}},
                  watch.seconds()), args.json)


if __name__ == "__main__":
    main()
