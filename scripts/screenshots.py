"""Regenerate the SVG screenshots in `screenshots/` (linked from the README, listed in docs/tui.md).

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--only NAME ...]

Each picture drives the real app at 120x40 against the embedded backend and the sample database,
in a throw-away C2Q_HOME (your own config and history are never read): a frozen clock, no spinners,
no blinking cursors and no toasts, so a rerun changes a picture only when the app changed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZE = (120, 40)
FROZEN = 1_735_732_800.0  # 2025-01-01 12:00 UTC

Steps = Callable[[Any], Awaitable[None]]


async def wait_for(pilot: Any, predicate: Callable[[], object], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(getattr(predicate, "__name__", "condition"))
        await pilot.pause(0.05)


async def ask(pilot: Any, text: str) -> int:
    app = pilot.app
    before = set(app.state.turns)
    app.main.chat.composer.focus()
    app.main.chat.composer.load_text(text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: set(app.state.turns) - before)
    turn_id = max(set(app.state.turns) - before)
    await wait_for(pilot, lambda: not app.state.turns[turn_id].open)
    await pilot.pause()
    return turn_id


async def chart_tab(pilot: Any) -> None:
    app = pilot.app
    app.main.result_tabs.active = "tab-chart"
    await pilot.pause()


async def main_chart(pilot: Any) -> None:
    await ask(pilot, "total revenue by sector")
    await chart_tab(pilot)


async def breakdown(pilot: Any) -> None:
    app = pilot.app
    await pilot.press("ctrl+b")
    await ask(pilot, "how many companies are there and what is the average revenue per sector")
    card = app.main.chat.card(max(app.state.turns))
    card.select_task(1)
    await wait_for(pilot, lambda: app.main.grid.row_count > 1)


async def refine_diff(pilot: Any) -> None:
    app = pilot.app
    await ask(pilot, "top 5 companies by revenue")
    await pilot.press("ctrl+r", *"limit 3", "enter")
    await wait_for(pilot, lambda: app.main.refine.new_sql is not None)


async def data_summary(pilot: Any) -> None:
    from c2q_tui.tui.screens.data_summary import DataSummaryScreen

    app = pilot.app
    await pilot.press("f10")
    await wait_for(pilot, lambda: isinstance(app.screen, DataSummaryScreen) and app.screen.summary)
    await pilot.press("down", "down", "enter")  # a table, to show its columns


async def knowledge(pilot: Any) -> None:
    from c2q_tui.api import FewShot, Instruction, TermSheet
    from c2q_tui.tui.screens.knowledge import KnowledgeScreen

    app = pilot.app
    conn = app.conn
    base = await conn.client.create_knowledge_base(conn.cluster_id, conn.database)
    kb = base.knowledge_base_id
    for item in (
        TermSheet(term=["market cap", "capitalisation"], description="companies.market_cap, in USD"),
        FewShot(question="Biggest sector by revenue?",
                answer="SELECT sector, SUM(revenue) FROM companies GROUP BY 1 ORDER BY 2 DESC LIMIT 1;"),
        Instruction(instruction="Round money to 2 decimals and say the currency."),
    ):
        await conn.client.add_knowledge_data(kb, item)
    await pilot.press("f11")
    await wait_for(pilot, lambda: isinstance(app.screen, KnowledgeScreen) and app.screen.base is not None)


async def light_theme(pilot: Any) -> None:
    from c2q_tui.tui.themes import LIGHT

    app = pilot.app
    await ask(pilot, "average revenue per sector")
    await chart_tab(pilot)
    app.theme = LIGHT


async def explain(pilot: Any) -> None:
    app = pilot.app
    await ask(pilot, "average revenue per sector")
    await pilot.press("alt+x")
    await wait_for(pilot, lambda: app.main.assist.display and not app.main.assist.running)


async def dashboard(pilot: Any) -> None:
    from c2q_tui.tui.screens.dashboard import DashboardScreen

    app = pilot.app
    direct = await ask(pilot, "top 5 companies by revenue")
    card = app.main.chat.card(direct)
    card.focus()
    await pilot.press("p")  # pin the answer
    await pilot.press("ctrl+b")
    split = await ask(pilot, "how many companies are there and what is the average revenue per sector")
    for index in (0, 1):  # and both sub-tasks of the breakdown
        app.main.chat.card(split).select_task(index)
        await pilot.pause()
        await pilot.press("p")
    card.focus()
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))


SHOTS: dict[str, tuple[str, Steps]] = {
    "main-chart": ("An answer with its SQL and a bar chart of its rows", main_chart),
    "breakdown": ("A question broken down into sub-tasks (ctrl+b)", breakdown),
    "refine-diff": ("Refining the SQL from feedback: the difference (ctrl+r)", refine_diff),
    "data-summary": ("The data summary of the database (f10)", data_summary),
    "knowledge": ("The knowledge base editor (f11)", knowledge),
    "light-theme": ("The bundled light theme (f3 picks a theme)", light_theme),
    "explain": ("Explaining the SQL in plain language, offline (alt+x)", explain),
    "dashboard": ("Pinned answers as a dashboard (p pins, d opens, f12 lists)", dashboard),
}


async def shoot(name: str, steps: Steps, out: Path) -> Path:
    from textual.widgets import Input, TextArea

    from c2q_tui.config import resolve
    from c2q_tui.tui.app import C2QApp

    app = C2QApp(resolve(), live=False, clock=lambda: FROZEN)
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.ready and app.state.current is not None)
        await pilot.pause()
        await steps(pilot)
        await app.workers.wait_for_complete()
        for turn in app.state.turns.values():  # how many polls it took depends on the machine
            turn.requests_spent = 2
            app.main.chat.refresh_turn(turn)
        for w in app.query(Input):
            w.cursor_blink = False
        for screen in app.screen_stack:
            for t in screen.query(TextArea):
                t.cursor_blink = False
            for i in screen.query(Input):
                i.cursor_blink = False
        app.clear_notifications()
        await pilot.pause(0.3)
        path = Path(app.save_screenshot(f"{name}.svg", str(out)))
        app.theme = "c2q-dark"  # the throw-away home keeps the choice: start the next picture dark
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--only", nargs="*", choices=sorted(SHOTS), help="just these screenshots")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="c2q-shots-") as home:
        os.environ["C2Q_HOME"] = home
        for name in args.only or list(SHOTS):
            started = time.monotonic()
            path = asyncio.run(shoot(name, SHOTS[name][1], out))
            # the next picture starts with no sessions and no requests counted (the sample
            # database, its data summary and the knowledge base stay: they take a while to build)
            for stale in (Path(home) / "data").glob("history.sqlite3*"):
                stale.unlink()
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  "
                  f"({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
