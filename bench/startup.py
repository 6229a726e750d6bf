"""Start-up: process launch to the first frame of the main screen, with a history of 50 sessions.

    .venv/bin/python bench/startup.py [--quick] [--runs 5] [--json PATH]

Once, a template C2Q_HOME is prepared with the product's own code: the sample database, its data
summary (embedded backend), and 50 sessions of 2 answered questions each, asked through the embedded
backend (`Chat2QueryClient`) and recorded with `c2q_tui.history.History` as the app records them.
One untimed launch of the app on the template then makes it the home of a user who has run the app
before (the parsed-stylesheet cache is there, as after any earlier launch).
Then, in every run, two fresh processes are launched one after the other, each timed from just
before `Popen` to the child's own timestamps (`time.monotonic()`, one clock for both processes):
- `c2q-tui`: `c2q_tui.cli.main([])`, what the console script runs, on a fresh copy of the template
  (default profile: the embedded backend on the sample database). `App.run` is made headless at
  160x48 with an auto-pilot that only watches; nothing else is changed.
- the baseline: a minimal Textual app (one Static), started the same way through `App.run`.
"First frame" is the first `App._display` with a renderable (for c2q-tui: of the main screen).
"Ready for input" is the first frame once the app is connected, its data summary is ready (a question
goes out at once) and the 50 sessions are listed; the composer has focus from the first frame.
Also: the import time of `c2q_tui.api` in a fresh process (which must not import Textual), next to
`import httpx` measured the same way.

Bytecode: both children (and the import timings) share one bytecode cache, fresh in each run's
temporary folder (`PYTHONPYCACHEPREFIX`, `PYTHONDONTWRITEBYTECODE` cleared), which one untimed warm-up
launch of each app fills. That is the case a user has: an installed app (`pip install .`) has compiled
bytecode for its own modules, and the baseline's Textual in the venv has it too. The prefix applies
to every module, so Textual, the standard library and c2q_tui all load from the same warmed cache in
both apps. Inheriting the environment instead (`--no-pycache`) is a checkout under
`PYTHONDONTWRITEBYTECODE=1` (set in some sessions): c2q_tui's modules compile from source at every
launch (~30 ms before the first frame) while Textual's are precompiled, which penalises c2q-tui only.

Where the time goes: `startup.py --imports` runs one launch under `python -X importtime` and lists the
notable modules and whether each was loaded before the first frame; `C2Q_BENCH_PROFILE=out.prof
startup.py --child c2q` (with C2Q_HOME set to a prepared home) profiles launch to first frame.
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

from _common import Report, Row, Stopwatch, check_runs, child_env, median, parser, report

TARGET_RATIO = 1.5
SESSIONS = 50
QUESTIONS = [
    ("how many companies are there", "how many of them are in the Energy sector"),
    ("top 5 companies by market cap", "only those on NASDAQ"),
    ("average revenue by sector", "sort it by average revenue descending"),
    ("How many users do we have?", "how many signed up in 2024"),
    ("list the companies in the Health Care sector", "show their market cap too"),
]
CHILD_TIMEOUT = 120.0
# modules worth naming in the import breakdown (`--imports`)
NOTABLE = [
    "textual.app", "c2q_tui.cli", "c2q_tui.config", "c2q_tui.local.serve", "sqlalchemy", "c2q_tui.tui.app",
    "c2q_tui.tui.widgets", "textual_fastdatatable", "pyarrow", "pyarrow.compute", "sqlglot", "pygments",
    "textual_plotext", "httpx", "pydantic", "c2q_tui.api", "c2q_tui.connection", "c2q_tui.local.app",
    "fastapi",
]
NOTABLE_LOADED: list[str] = []


# ---------------------------------------------------------------- the template home


async def _seed(home: Path, sessions: int) -> None:
    from c2q_tui.api import wait_for_job
    from c2q_tui.config import resolve
    from c2q_tui.connection import open_connection
    from c2q_tui.history import History

    resolved = resolve()
    conn = open_connection(resolved.profile)
    try:
        client = conn.client
        job = await client.create_data_summary(conn.cluster_id, conn.database, reuse=True)
        outcome = await wait_for_job(client, job.job_id, kind="data_summary", deadline=120)
        assert outcome.ok, outcome.reason
        history = History()
        key = conn.history_key
        for n in range(sessions):
            first, follow = QUESTIONS[n % len(QUESTIONS)]
            session_id: int | None = None
            for question in (first, follow):
                turn_id = history.add_turn(key, session_id, question, "direct")
                if session_id is None:
                    submitted = await client.chat2data(
                        question, cluster_id=conn.cluster_id, database=conn.database
                    )
                else:
                    submitted = await client.session_chat2data(session_id, question)
                session_id = submitted.session_id
                assert session_id is not None
                history.set_turn_job(turn_id, submitted.job_id, session_id)
                done = await wait_for_job(client, submitted.job_id, deadline=60)
                result = done.job.result if isinstance(done.job.result, dict) else None
                history.finish_turn(turn_id, status="done" if done.ok else "failed", result=result,
                                    reason=done.job.reason, requests_spent=done.requests_spent + 1)
                history.upsert_session(key, session_id, database=conn.database, name=first)
        assert len(history.sessions(key)) == sessions
    finally:
        await conn.aclose()
        backend = getattr(getattr(conn.backend, "state", None), "backend", None)
        if backend is not None:
            await backend.aclose()


TEMPLATE_ENV = "C2Q_BENCH_HOME_TEMPLATE"  # bench/run builds the home once for startup and keystroke


def prepare_template(root: Path, sessions: int = SESSIONS, *, shared_ok: bool = True) -> Path:
    """A C2Q_HOME with the sample database, its data summary and `sessions` answered sessions.

    With C2Q_BENCH_HOME_TEMPLATE set to a home made by `startup.py --make-template DIR` (50 sessions),
    a copy of that is used instead of building one.
    """
    shared = os.environ.get(TEMPLATE_ENV)
    if shared_ok and shared and sessions == SESSIONS and (Path(shared) / "data").is_dir():
        home = root / "template"
        shutil.copytree(shared, home)
        return home
    home = root / "template"
    home.mkdir(parents=True)
    old = os.environ.get("C2Q_HOME")
    os.environ["C2Q_HOME"] = str(home)
    try:
        asyncio.run(_seed(home, sessions))
    finally:
        if old is None:
            os.environ.pop("C2Q_HOME", None)
        else:
            os.environ["C2Q_HOME"] = old
    return home


# ---------------------------------------------------------------- children


def child(kind: str) -> None:
    entered = time.monotonic()
    profiler = None
    if os.environ.get("C2Q_BENCH_PROFILE"):  # profile from here to the first frame into this file
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    import textual.app

    marks: dict[str, float] = {"entered": entered}
    original_display = textual.app.App._display

    def _display(self: Any, screen: Any, renderable: Any) -> None:
        if renderable is not None:
            now = time.monotonic()
            marks["last_frame"] = now
            if "first_frame" not in marks and (kind == "minimal" or type(screen).__name__ == "MainScreen"):
                marks["first_frame"] = now
                NOTABLE_LOADED.extend(m for m in NOTABLE if m in sys.modules)
                if profiler is not None:
                    profiler.disable()
                    profiler.dump_stats(os.environ["C2Q_BENCH_PROFILE"])
        original_display(self, screen, renderable)

    textual.app.App._display = _display  # type: ignore[method-assign]

    async def watch(pilot: Any) -> None:
        app = pilot.app
        deadline = time.monotonic() + CHILD_TIMEOUT - 20
        while "first_frame" not in marks and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        if kind == "c2q":
            def ready() -> bool:
                listed = len(app.state.sessions) >= SESSIONS
                return bool(app.ready and app.state.current is not None and listed)

            while not ready() and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            marks["ready_state"] = time.monotonic()
            seen = marks["last_frame"]
            while marks["last_frame"] == seen and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            marks["ready_frame"] = marks["last_frame"]
            marks["sessions"] = len(app.state.sessions)
            marks["focused"] = type(app.focused).__name__ if app.focused else ""  # type: ignore[assignment]
        app.exit()

    original_run = textual.app.App.run

    def run(self: Any, **kwargs: Any) -> Any:
        marks["run"] = time.monotonic()
        return original_run(self, headless=True, size=(160, 48), auto_pilot=watch)

    textual.app.App.run = run  # type: ignore[method-assign]

    if kind == "minimal":
        from textual.widgets import Static

        class Minimal(textual.app.App[None]):
            def compose(self) -> textual.app.ComposeResult:
                yield Static("Hello")

        Minimal().run()
    else:
        from c2q_tui import cli

        cli.main([])
    marks["exited"] = time.monotonic()
    print(json.dumps({**marks, "loaded_at_first_frame": NOTABLE_LOADED}))


PYCACHE: Path | None = None  # the bytecode cache the children share (see the docstring)


def _env(**extra: str) -> dict[str, str]:
    env = child_env(**extra)
    if PYCACHE is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def launch(kind: str, home: Path | None) -> dict[str, float]:
    env = _env(**({"C2Q_HOME": str(home)} if home else {}))
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)
    try:
        out, err = proc.communicate(timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"{kind}: no exit in {CHILD_TIMEOUT:g} s") from None
    ended = time.monotonic()
    if proc.returncode != 0 or not out.strip():
        raise RuntimeError(f"{kind} failed ({proc.returncode}):\n{err[-3000:]}")
    marks: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    marks.pop("loaded_at_first_frame", None)
    result = {k: (v - t0) * 1000 for k, v in marks.items() if isinstance(v, float) and v > 1e3}
    result["process_ms"] = (ended - t0) * 1000
    result["sessions"] = marks.get("sessions", 0)
    return result


def import_time(statement: str) -> tuple[float, bool]:
    """Milliseconds `statement` takes in a fresh process, and whether Textual got imported."""
    code = (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        f"{statement}\n"
        "print((time.perf_counter() - t) * 1000, 'textual' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(),
                         timeout=60, check=True).stdout.split()
    return float(out[0]), out[1] == "True"


def import_breakdown() -> None:
    """One c2q-tui launch under `python -X importtime`: what the notable modules cost, and which of them
    were loaded by the first frame (the rest load in workers after it)."""
    import re

    global PYCACHE
    root = Path(tempfile.mkdtemp(prefix="c2q-bench-imports-"))
    PYCACHE = root / "pycache"  # as the timed launches: compiled bytecode, filled by a first launch
    try:
        home = prepare_template(root)
        launch("c2q", home)
        proc = subprocess.run([sys.executable, "-X", "importtime", __file__, "--child", "c2q"],
                              capture_output=True, text=True, env=_env(C2Q_HOME=str(home)),
                              timeout=CHILD_TIMEOUT, check=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1])["loaded_at_first_frame"])
    cumulative: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| \s*(\S+)", line)
        if m and m.group(2) in NOTABLE:
            cumulative.setdefault(m.group(2), int(m.group(1)) / 1000)
    print("cumulative import time (ms, under -X importtime) of notable modules, in launch order:")
    for name in NOTABLE:
        if name in cumulative:
            when = "before the first frame" if name in loaded else "after the first frame (workers)"
            print(f"  {name:28} {cumulative[name]:7.1f}  {when}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    if len(sys.argv) == 2 and sys.argv[1] == "--imports":
        import_breakdown()
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--make-template":
        target = Path(sys.argv[2])
        shutil.rmtree(target, ignore_errors=True)
        made = prepare_template(target, shared_ok=False)
        print(made)
        return
    global PYCACHE
    ap = parser(__doc__)
    ap.add_argument("--no-pycache", dest="pycache", action="store_false",
                    help="inherit the bytecode settings, no shared warmed cache (see the docstring)")
    args = ap.parse_args()
    runs = check_runs(args.runs)
    watch = Stopwatch()
    root = Path(tempfile.mkdtemp(prefix="c2q-bench-startup-"))
    PYCACHE = root / "pycache" if args.pycache else None
    try:
        template = prepare_template(root)
        # one untimed launch of each: fills the bytecode cache and the page cache alike for both; the
        # c2q-tui one runs on the template itself, which so becomes a home that has seen a launch
        launch("minimal", None)
        launch("c2q", template)
        c2q: list[dict[str, float]] = []
        minimal: list[dict[str, float]] = []
        for run in range(runs):
            home = root / f"run-{run}"
            shutil.copytree(template, home)
            order = ["minimal", "c2q"] if run % 2 == 0 else ["c2q", "minimal"]
            for kind in order:
                (c2q if kind == "c2q" else minimal).append(launch(kind, home if kind == "c2q" else None))
            shutil.rmtree(home, ignore_errors=True)
        imports = []
        httpx_imports = []
        import_time("import c2q_tui.api")  # untimed, as the launches: the cache has both then
        import_time("import httpx")
        for _ in range(runs):
            imports.append(import_time("import c2q_tui.api"))
            httpx_imports.append(import_time("import httpx"))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    first = [r["first_frame"] for r in c2q]
    base = [r["first_frame"] for r in minimal]
    api_textual = any(t for _, t in imports)
    rows = [
        Row("launch -> first frame of the main screen", "ms", first, f"<= {TARGET_RATIO:g}x minimal",
            median([a / b for a, b in zip(first, base, strict=True)]) <= TARGET_RATIO, "minimal app", base),
        Row("  of which launch -> App.run (interpreter, imports, config)", "ms", [r["run"] for r in c2q], "",
            None, "minimal app", [r["run"] for r in minimal]),
        Row("  of which App.run -> first frame (compose, CSS, mount)", "ms",
            [r["first_frame"] - r["run"] for r in c2q], "", None, "minimal app",
            [r["first_frame"] - r["run"] for r in minimal]),
        Row("launch -> ready for input", "ms", [r["ready_frame"] for r in c2q], "", None, "minimal app",
            base),
        Row("launch -> process exit (after ready)", "ms", [r["process_ms"] for r in c2q], "", None,
            "minimal app", [r["process_ms"] for r in minimal]),
        Row("import c2q_tui.api (fresh process)", "ms", [t for t, _ in imports], "no Textual imported",
            not api_textual, "import httpx", [t for t, _ in httpx_imports]),
    ]
    notes = [
        "bytecode: " + ("as inherited (--no-pycache): c2q_tui may compile from source at each launch"
                        if PYCACHE is None else
                        "one shared cache for both children, filled by one warm-up launch of each, as an "
                        "installed app and the baseline's Textual have"),
        f"history: {SESSIONS} sessions x 2 answered questions (sessions listed at ready: "
        f"{sorted({int(r['sessions']) for r in c2q})}); embedded backend on the sample database, "
        "data summary "
        "already built (a second launch, not the first ever).",
        f"c2q_tui.api imports Textual: {'YES' if api_textual else 'no'}.",
        "each figure is launch (just before Popen) to the child's monotonic timestamp; the two apps "
        "alternate in each run; 160x48 headless.",
    ]
    report(Report("startup", "2. Start-up (c2q-tui vs a minimal Textual app)", rows, runs, args.quick, notes,
                  {"c2q": c2q, "minimal": minimal}, watch.seconds()), args.json)


if __name__ == "__main__":
    main()
