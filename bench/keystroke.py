"""Keystroke latency while jobs poll: key to frame in the chat input, with 5 jobs polling.

    .venv/bin/python bench/keystroke.py [--quick] [--runs 5] [--keys 100] [--json PATH]

Each run is a fresh process (`keystroke.py --child HOME KEYS`) running the real app (`C2QApp` on the
default profile: the embedded backend in process on the sample database, `EMBEDDED_PACE` polling,
spinners live) under `run_test(size=(160, 48))`, on a copy of a prepared C2Q_HOME (sample database,
data summary and a history of 50 answered sessions, as for the start-up benchmark, built once). The
only change: `LocalSettings.for_profile` adds `job_latency="fixed:600"`, so every job keeps running
(and being polled) through the measurement.

In each process: once the app is ready, KEYS/2 letters are typed into the chat input with nothing
running (the baseline, same process); then 5 questions are sent through the chat pane, and once their
5 jobs run, KEYS letters again. A key is put on the driver's queue (`app._driver.send_message(
events.Key(...))`, as a terminal would deliver it) and its latency is the time to the first frame
(`App._display` with a renderable, hooked) at which the input's text has changed. Keys are 40 ms apart
(fast typing); the input is cleared, untimed, every 30 keys. Polls made during the busy window are
counted from the client's request counter, to show the jobs were polling.

Profile the busy phase: `C2Q_BENCH_PROFILE=out.prof keystroke.py --child HOME KEYS` (HOME a prepared
C2Q_HOME). What-if, not the product: `C2Q_BENCH_WHATIF=status-no-layout` makes the answer cards' status
line repaint without a layout pass (`Static.update(..., layout=False)`).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Report, Row, Stopwatch, check_runs, child_env, median, parser, quantile, report

TARGET_MEDIAN_MS = 20.0
TARGET_P95_MS = 50.0
JOBS = 5
GAP_S = 0.04
CHILD_TIMEOUT = 180.0
QUESTIONS = [
    "how many companies are there",
    "top 5 companies by market cap",
    "average revenue by sector",
    "How many users do we have?",
    "list the companies in the Energy sector",
]


async def child(keys: int) -> dict[str, Any]:
    from textual import events

    from c2q_tui.config import resolve
    from c2q_tui.local.settings import LocalSettings
    from c2q_tui.tui.app import C2QApp

    original_for_profile = LocalSettings.for_profile.__func__  # type: ignore[attr-defined]

    def for_profile(cls: type[LocalSettings], /, **kwargs: Any) -> LocalSettings:
        kwargs.setdefault("job_latency", "fixed:600")  # jobs keep running: they are polled all along
        return original_for_profile(cls, **kwargs)  # type: ignore[no-any-return]

    LocalSettings.for_profile = classmethod(for_profile)  # type: ignore[method-assign, assignment]
    if os.environ.get("C2Q_BENCH_WHATIF") == "status-no-layout":
        # what-if (not the product): answer-card status lines repaint without a screen layout
        from textual.widgets import Static

        original_update = Static.update

        def update(self: Static, content: Any = "", *, layout: bool = True) -> None:
            original_update(self, content, layout=layout and not self.has_class("status"))

        Static.update = update  # type: ignore[method-assign]

    frames: list[float] = []
    watch: dict[str, Any] = {"before": None, "painted": None, "event": None}

    app = C2QApp(resolve())
    original_display = app._display

    def _display(screen: Any, renderable: Any) -> None:  # on the instance: the CSS path stays the app's
        if renderable is not None:
            now = time.perf_counter()
            frames.append(now)
            before = watch["before"]
            if before is not None and watch["painted"] is None and app.main.chat.composer.text != before:
                watch["painted"] = now
                watch["event"].set()
        original_display(screen, renderable)

    app._display = _display  # type: ignore[method-assign]
    letters = "abcdefghijklmnopqrstuvwxyz"

    async def type_keys(n: int) -> list[float]:
        composer = app.main.chat.composer
        composer.focus()
        out: list[float] = []
        for i in range(n):
            if i % 30 == 0:
                composer.clear()
                await asyncio.sleep(0.1)
            ch = letters[i % len(letters)]
            watch["before"] = composer.text
            watch["painted"] = None
            watch["event"] = asyncio.Event()
            t0 = time.perf_counter()
            app._driver.send_message(events.Key(ch, ch))  # type: ignore[union-attr]
            try:
                await asyncio.wait_for(watch["event"].wait(), 5.0)
            except TimeoutError:
                raise RuntimeError(f"key {ch!r} never reached the screen") from None
            out.append((watch["painted"] - t0) * 1000)
            watch["before"] = None
            await asyncio.sleep(GAP_S)
        return out

    async with app.run_test(size=(160, 48)) as pilot:
        deadline = time.monotonic() + 60
        while not (app.ready and app.state.current is not None):
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not get ready in 60 s")
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        idle = await type_keys(max(20, keys // 2))  # the baseline needs fewer samples
        for q in QUESTIONS[:JOBS]:
            app.main.chat.submit(q)
            await pilot.pause(0.05)
        deadline = time.monotonic() + 60
        while sum(1 for t in app.state.turns.values() if t.status == "running") < JOBS:
            if time.monotonic() > deadline:
                states = [t.status for t in app.state.turns.values()]
                raise RuntimeError(f"{JOBS} jobs did not start: {states}")
            await pilot.pause(0.05)
        await pilot.pause(1.0)  # past the first, quick polls: the steady state
        assert app.conn is not None
        sent = app.conn.client.requests_sent
        profiler = None
        if os.environ.get("C2Q_BENCH_PROFILE"):  # profile the busy phase into this file
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        busy = await type_keys(keys)
        window = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(os.environ["C2Q_BENCH_PROFILE"])
        polls = app.conn.client.requests_sent - sent
        running = sum(1 for t in app.state.turns.values() if t.status == "running")
        for turn in list(app.state.turns.values()):  # stop the pollers before the app goes
            event = app.cancels.get(turn.turn_id)
            if event is not None:
                event.set()
        await pilot.pause(0.2)
    return {"idle": idle, "busy": busy, "polls": polls, "window_s": window, "running_after": running}


def run_child(home: Path, keys: int) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", str(home), str(keys)], capture_output=True,
                          text=True, timeout=CHILD_TIMEOUT, env=child_env(C2Q_HOME=str(home)))
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(asyncio.run(child(int(sys.argv[3])))))
        return
    ap = parser(__doc__)
    ap.add_argument("--keys", type=int, default=0, help="keys per phase and run (default 100, quick 60)")
    ap.add_argument("--sessions", type=int, default=50, help="sessions in the history (default 50)")
    args = ap.parse_args()
    runs = check_runs(args.runs)
    keys = args.keys or (60 if args.quick else 100)
    watch = Stopwatch()
    from startup import prepare_template

    root = Path(tempfile.mkdtemp(prefix="c2q-bench-keys-"))
    results = []
    try:
        template = prepare_template(root, sessions=args.sessions)
        for run in range(runs):
            home = root / f"run-{run}"
            shutil.copytree(template, home)
            results.append(run_child(home, keys))
            shutil.rmtree(home, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    busy_med = [median(r["busy"]) for r in results]
    busy_p95 = [quantile(r["busy"], 0.95) for r in results]
    idle_med = [median(r["idle"]) for r in results]
    idle_p95 = [quantile(r["idle"], 0.95) for r in results]
    pooled = [x for r in results for x in r["busy"]]
    rows = [
        Row(f"key -> frame, {JOBS} jobs polling: median", "ms", busy_med, f"<= {TARGET_MEDIAN_MS:.0f} ms",
            median(busy_med) <= TARGET_MEDIAN_MS, "no job running", idle_med),
        Row(f"key -> frame, {JOBS} jobs polling: p95", "ms", busy_p95, f"<= {TARGET_P95_MS:.0f} ms",
            median(busy_p95) <= TARGET_P95_MS, "no job running", idle_p95),
        Row(f"key -> frame, {JOBS} jobs polling: max", "ms", [max(r["busy"]) for r in results], "", None,
            "no job running", [max(r["idle"]) for r in results]),
        Row("polls per second during the typing", "req/s", [r["polls"] / r["window_s"] for r in results],
            "", None, digits=2),
    ]
    notes = [
        f"history of {args.sessions} sessions; {keys} keys per phase and process, {GAP_S * 1000:.0f} ms "
        "apart; pooled over all runs with jobs: "
        f"median {median(pooled):.1f} ms, p95 {quantile(pooled, 0.95):.1f} ms, "
        f"p99 {quantile(pooled, 0.99):.1f} ms.",
        f"jobs still running at the end of each busy phase: {[r['running_after'] for r in results]} "
        f"(of {JOBS}).",
    ]
    report(Report("keystroke", "4. Keystroke latency while jobs poll (chat input)", rows, runs, args.quick,
                  notes, {"runs": results}, watch.seconds()), args.json)


if __name__ == "__main__":
    main()
