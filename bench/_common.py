"""Shared by the benchmark scripts: statistics, the common result table, JSON output, child processes.

Every script builds a list of `Row`s and calls `report(...)`, which prints the table

    figure | min | median | max | baseline (median) | ratio | target | result

and, with `--json PATH`, writes the rows for `bench/report.py` (which renders `bench/results.md`).
A figure is measured over at least 5 runs; `min/median/max` are over those runs. `ratio` is the
median of the per-run ratios against the baseline measured in the same run (or the same loop),
which is what the targets are about when they are relative: absolute times drift on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def quantile(xs: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation between order statistics."""
    ys = sorted(xs)
    if not ys:
        return math.nan
    pos = (len(ys) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(ys) - 1)
    return ys[lo] + (ys[hi] - ys[lo]) * (pos - lo)


@dataclass
class Row:
    """One figure of a benchmark.

    values: one number per run. baseline_values: the baseline, one per run, measured in the same run.
    ratio_values: per-run ratios (default: values[i] / baseline_values[i] when both are given).
    target: the target in words ("<= 1.5x"); ok: whether the median meets it (None: no target).
    """

    figure: str
    unit: str
    values: list[float]
    target: str = ""
    ok: bool | None = None
    baseline: str = ""
    baseline_values: list[float] | None = None
    ratio_values: list[float] | None = None
    note: str = ""
    digits: int = 1

    def __post_init__(self) -> None:
        if self.ratio_values is None and self.baseline_values:
            pairs = zip(self.values, self.baseline_values, strict=False)
            self.ratio_values = [v / b for v, b in pairs if b]

    @property
    def result(self) -> str:
        return "—" if self.ok is None else ("PASS" if self.ok else "MISS")

    def fmt(self, x: float) -> str:
        if math.isnan(x):
            return "—"
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:.{self.digits}f}"

    def cells(self) -> list[str]:
        v = self.values
        base = ""
        if self.baseline_values:
            base = f"{self.fmt(median(self.baseline_values))} ({self.baseline})"
        elif self.baseline:
            base = self.baseline
        ratio = ""
        if self.ratio_values:
            ratio = f"{median(self.ratio_values):.2f}x"
        unit = f" {self.unit}" if self.unit else ""
        return [
            self.figure,
            self.fmt(min(v)) if v else "—",
            (self.fmt(median(v)) + unit) if v else "—",
            self.fmt(max(v)) if v else "—",
            base,
            ratio,
            self.target,
            self.result,
        ]


HEADER = ["figure", "min", "median", "max", "baseline (median)", "ratio", "target", "result"]


def format_table(rows: Sequence[Row]) -> str:
    table = [HEADER] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    out = []
    for n, line in enumerate(table):
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_rows(rows: Sequence[Row], bench: str) -> list[str]:
    lines = []
    for r in rows:
        cells = r.cells()
        cells[-1] = {"PASS": "**PASS**", "MISS": "**MISS**"}.get(cells[-1], cells[-1])
        lines.append("| " + " | ".join([bench, *[c.replace("|", "\\|") for c in cells]]) + " |")
    return lines


def machine() -> dict[str, Any]:
    try:
        load = os.getloadavg()
    except OSError:
        load = (math.nan, math.nan, math.nan)
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in load],
        "platform": platform.platform(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


@dataclass
class Report:
    bench: str
    title: str
    rows: list[Row]
    runs: int
    quick: bool
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def report(rep: Report, json_path: Path | None) -> None:
    print()
    print(f"== {rep.title}  ({rep.runs} runs{', quick' if rep.quick else ''}; {rep.seconds:.0f} s)")
    print(format_table(rep.rows))
    for note in rep.notes:
        print(f"  * {note}")
    if json_path is not None:
        data = {
            "bench": rep.bench,
            "title": rep.title,
            "runs": rep.runs,
            "quick": rep.quick,
            "seconds": rep.seconds,
            "machine": machine(),
            "rows": [asdict(r) | {"result": r.result} for r in rep.rows],
            "notes": rep.notes,
            "extra": rep.extra,
        }
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(data, indent=1, default=str))


def rows_from_json(data: dict[str, Any]) -> list[Row]:
    keep = {f for f in Row.__dataclass_fields__}
    return [Row(**{k: v for k, v in r.items() if k in keep}) for r in data["rows"]]


def parser(doc: str | None, runs: int = 5) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0] if doc else None)
    ap.add_argument("--quick", action="store_true", help="fewer/smaller cases (still >= 5 runs)")
    ap.add_argument("--runs", type=int, default=runs, help=f"runs per figure (default {runs}, minimum 5)")
    ap.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the results as JSON")
    return ap


def check_runs(n: int) -> int:
    if n < 5:
        raise SystemExit("--runs must be at least 5 (min/median/max over at least 5 runs)")
    return n


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def seconds(self) -> float:
        return time.monotonic() - self.started


def timed(fn: Callable[[], Any]) -> float:
    """Milliseconds one call of `fn` takes."""
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def venv_python() -> str:
    """The interpreter running this script (the project's .venv when run as documented)."""
    return sys.executable


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env
