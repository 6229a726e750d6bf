"""Answer to grid: from the answer's rows in hand to the grid painted, and the memory it takes.

    .venv/bin/python bench/grid.py [--quick] [--runs 5] [--json PATH]

Each case runs in a fresh process (`grid.py --child IMPL N SHAPE`), round-robin over the cases in
every run. The child builds N rows x 8 columns (2 int, 2 float, 3 str, 1 date; `random.Random(42)`)
as Python tuples, the shape the app holds them in (`SqlRan` rows; a job result's rows are lists
decoded from JSON). It starts a minimal host app under `run_test(size=(160, 48))` whose only widget
is the product's `ResultGrid` (or, for the baseline, an empty container), lets it settle, resets the
peak RSS (`/proc/self/clear_refs` <- 5) and posts an `Answer` message carrying the rows. The handler
does what the app's answer handler does with them: `ResultGrid.show(columns, rows)` (for the baseline:
`textual.widgets.DataTable`, `add_columns` + `add_rows`, mounted). "Painted" is the first frame
(`App._display` with a renderable) after the grid's first `render_line` at its final virtual size,
both hooked; the child waits until no frame or line has been drawn for 250 ms before deciding.
Memory: peak (VmHWM) and retained (VmRSS) minus VmRSS just before the message; the rows themselves
already exist and are not part of it ("above the data"). Whatever the grid builds from them is (its
typed sample and converted blocks; before the lazy backend, a whole Arrow copy).
After settling, the child checks that the grid's last row holds the last row's values.

Textual's DataTable runs up to 10k rows only (it takes ~1 s at 10k, ~10 s at 100k: performance.md §2).

Profile one case: `C2Q_BENCH_PROFILE=out.prof .venv/bin/python bench/grid.py --child resultgrid 100000 native`
(cProfile from the message to the settled grid).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Report, Row, Stopwatch, check_runs, child_env, median, parser, report

COLUMNS = ["id", "quantity", "price", "ratio", "symbol", "company", "sector", "day"]
SECTORS = ["Information Technology", "Health Care", "Financials", "Energy", "Utilities", "Materials",
           "Industrials", "Real Estate", "Consumer Staples", "Communication Services"]
TARGET_100K_MS = 100.0
TARGET_1M_MS = 250.0
TARGET_1M_MIB = 50.0
CHILD_TIMEOUT = 240.0


def make_rows(n: int, shape: str) -> list[Any]:
    rng = random.Random(42)
    base = date(2023, 1, 2).toordinal()
    rows: list[Any] = []
    for i in range(n):
        row = (
            i,
            rng.randrange(1, 100_000),
            round(rng.uniform(1, 1000), 2),
            rng.random(),
            f"S{rng.randrange(100_000):05d}",
            f"Company {rng.randrange(1_000_000)} Inc.",
            SECTORS[i % len(SECTORS)],
            date.fromordinal(base + rng.randrange(730)),
        )
        rows.append(row)
    if shape == "strings":  # the Chat2Query API's shape: every value a string, rows as JSON lists
        rows = [[v.isoformat() if isinstance(v, date) else str(v) for v in row] for row in rows]
    return rows


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB -> MiB
    return float("nan")


PROFILE_ENV = "C2Q_BENCH_PROFILE"


def _profiler() -> Any:
    """With C2Q_BENCH_PROFILE=PATH set, profile from the message to the settled grid into PATH."""
    if not os.environ.get(PROFILE_ENV):
        return None
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


async def child(impl: str, n: int, shape: str) -> dict[str, Any]:
    import textual_fastdatatable as fdt
    from textual.app import App, ComposeResult
    from textual.containers import Container
    from textual.message import Message
    from textual.widgets import DataTable

    from c2q_tui.export import plain_text
    from c2q_tui.tui.widgets import result_grid
    from c2q_tui.tui.widgets.grid_backend import RowsBackend
    from c2q_tui.tui.widgets.result_grid import ResultGrid

    built: list[float] = []

    class TimedBackend(RowsBackend):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            t = time.perf_counter()
            super().__init__(*args, **kwargs)
            built.append((time.perf_counter() - t) * 1000)

    result_grid.RowsBackend = TimedBackend  # type: ignore[attr-defined]  # show() looks it up there

    frames: list[float] = []
    lines: list[tuple[float, tuple[int, int]]] = []

    def hook(cls: Any) -> None:
        original = cls.render_line

        def render_line(self: Any, y: int) -> Any:
            lines.append((time.perf_counter(), (self.virtual_size.width, self.virtual_size.height)))
            return original(self, y)

        cls.render_line = render_line

    hook(fdt.DataTable)
    hook(DataTable)

    class Answer(Message):
        def __init__(self, columns: list[str], rows: list[Any]) -> None:
            super().__init__()
            self.columns = columns
            self.rows = rows

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            if impl == "resultgrid":
                yield ResultGrid(id="grid")
            else:
                yield Container(id="holder")

        def _display(self, screen: Any, renderable: Any) -> None:
            if renderable is not None:
                frames.append(time.perf_counter())
            super()._display(screen, renderable)

        async def on_answer(self, message: Answer) -> None:
            if impl == "resultgrid":
                # as the app's select_answer: show() and return, the mount completes in the loop
                self.query_one(ResultGrid).show(message.columns, message.rows)
            else:
                table: DataTable[Any] = DataTable()
                table.add_columns(*message.columns)
                table.add_rows(message.rows)
                await self.query_one("#holder", Container).mount(table)

    rows = make_rows(n, shape)
    app = Host()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.pause()
        gc.collect()
        base_rss = _status("VmRSS")
        _reset_peak()
        lines.clear()
        profiler = _profiler()
        t0 = time.perf_counter()
        app.post_message(Answer(COLUMNS, rows))
        give_up = t0 + CHILD_TIMEOUT - 30
        seen = (-1, -1)
        while time.perf_counter() < give_up:  # until nothing is drawn for 250 ms
            await asyncio.sleep(0.25)
            now = (len(frames), len(lines))
            if now == seen and lines and frames and frames[-1] > lines[0][0]:
                break
            seen = now
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(os.environ[PROFILE_ENV])
        peak = _status("VmHWM") - base_rss
        retained = _status("VmRSS") - base_rss
        grid: Any = app.query_one(ResultGrid).table if impl == "resultgrid" else app.query_one(DataTable)
        # the grid's last row holds the last row's values (as text: "1.5" from the API is shown as 1.5)
        last_row_ok = [plain_text(v) for v in grid.get_row_at(n - 1)] == [plain_text(v) for v in rows[-1]]
        final = (grid.virtual_size.width, grid.virtual_size.height)
        first_line = next((t for t, vs in lines if vs == final and t > t0), None)
        painted = next((f for f in frames if first_line is not None and f > first_line), None)
        shown = grid.row_count
    return {
        "impl": impl,
        "n": n,
        "shape": shape,
        "painted_ms": (painted - t0) * 1000 if painted is not None else None,
        "first_line_ms": (first_line - t0) * 1000 if first_line is not None else None,
        "peak_mib": peak,
        "retained_mib": retained,
        "rows_shown": shown,
        "last_row_ok": last_row_ok,
        "build_ms": sum(built),
        "frames": len([f for f in frames if f > t0]),
    }


# ---------------------------------------------------------------- parent


Case = tuple[str, int, str]


def run_child(case: Case) -> dict[str, Any]:
    impl, n, shape = case
    proc = subprocess.run(
        [sys.executable, __file__, "--child", impl, str(n), shape],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        env=child_env(),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {case} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["painted_ms"] is None or result["rows_shown"] != n or not result["last_row_ok"]:
        raise RuntimeError(f"child {case}: no painted frame with all rows: {result}")
    return result


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--child", nargs=3, metavar=("IMPL", "N", "SHAPE"), help=argparse_hidden())
    args = ap.parse_args()
    if args.child:
        impl, n, shape = args.child
        print(json.dumps(asyncio.run(child(impl, int(n), shape))))
        return
    runs = check_runs(args.runs)
    watch = Stopwatch()
    cases: list[Case] = [
        ("resultgrid", 1000, "native"),
        ("datatable", 1000, "native"),
        ("resultgrid", 10_000, "native"),
        ("datatable", 10_000, "native"),
        ("resultgrid", 100_000, "native"),
        ("resultgrid", 1_000_000, "native"),
        ("resultgrid", 1000, "strings"),
    ]
    if args.quick:
        cases.remove(("resultgrid", 1000, "strings"))
    results: dict[Case, list[dict[str, Any]]] = {c: [] for c in cases}
    for _ in range(runs):
        for case in cases:  # round-robin: noise hits every case alike
            results[case].append(run_child(case))

    def ms(case: Case) -> list[float]:
        return [r["painted_ms"] for r in results[case]]

    def mib(case: Case, key: str = "peak_mib") -> list[float]:
        return [r[key] for r in results[case]]

    rg = {n: ("resultgrid", n, "native") for n in (1000, 10_000, 100_000, 1_000_000)}
    dt = {n: ("datatable", n, "native") for n in (1000, 10_000)}
    rows = [
        Row("answer -> grid painted, 1k rows", "ms", ms(rg[1000]), "", None, "DataTable 1k", ms(dt[1000])),
        Row("answer -> grid painted, 10k rows", "ms", ms(rg[10_000]), "", None, "DataTable 10k",
            ms(dt[10_000])),
        Row("answer -> grid painted, 100k rows", "ms", ms(rg[100_000]), f"<= {TARGET_100K_MS:.0f} ms",
            median(ms(rg[100_000])) <= TARGET_100K_MS),
        Row("answer -> grid painted, 1M rows", "ms", ms(rg[1_000_000]), f"<= {TARGET_1M_MS:.0f} ms",
            median(ms(rg[1_000_000])) <= TARGET_1M_MS),
        Row("  of which rows -> grid backend (types from a sample), 100k rows", "ms",
            [r["build_ms"] for r in results[rg[100_000]]]),
        Row("  of which rows -> grid backend (types from a sample), 1M rows", "ms",
            [r["build_ms"] for r in results[rg[1_000_000]]]),
        Row("peak memory above the data, 1M rows", "MiB", mib(rg[1_000_000]), f"<= {TARGET_1M_MIB:.0f} MiB",
            median(mib(rg[1_000_000])) <= TARGET_1M_MIB),
        Row("retained memory above the data, 1M rows", "MiB", mib(rg[1_000_000], "retained_mib")),
        Row("peak memory above the data, 100k rows", "MiB", mib(rg[100_000])),
        Row("peak memory above the data, 1k rows", "MiB", mib(rg[1000]), "", None, "DataTable 1k",
            mib(dt[1000])),
        Row("DataTable baseline, 10k rows: peak memory", "MiB", mib(dt[10_000])),
    ]
    strings = ("resultgrid", 1000, "strings")
    if strings in results:
        rows.insert(2, Row("answer -> grid painted, 1k rows, all strings (API shape)", "ms", ms(strings), "",
                           None, "DataTable 1k", ms(dt[1000])))
    notes = [
        "rows in hand as Python tuples (2 int, 2 float, 3 str, 1 date); fresh process per case; "
        "host app 160x48 headless; painted = first frame after the grid's first render_line at final size.",
        "ratio = ResultGrid / Textual DataTable on the same rows, per run.",
    ]
    extra = {"raw": {f"{c[0]}:{c[1]}:{c[2]}": v for c, v in results.items()}}
    title = "3. Answer to grid (ResultGrid vs Textual DataTable)"
    report(Report("grid", title, rows, runs, args.quick, notes, extra, watch.seconds()), args.json)


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
