"""Screenshots of the main screen at 120x40: empty, with an answer, a breakdown, an error, the refine
diff and the suggestions list. Run with `--snapshot-update` to accept a deliberate change.

Deterministic by construction: a frozen clock (elapsed times read 0.0 s), no spinners or blinking
cursors (`live=False`), no toasts, and polls planned from a fixed prior that is never updated. How
many polls an answer took still depends on how busy the machine is, so, like the elapsed times, the
request counts are frozen before the picture is taken (the pilot tests check the real counts).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from c2q_tui.api import DurationPrior, PollPace, QuotaLedger, QuotaStatus
from c2q_tui.api.schedule import Observation
from c2q_tui.tui.app import C2QApp
from tests.tui.conftest import FROZEN, LocalBackend, ask, make_app, no_blink, wait_for, wait_ready

SIZE = (120, 40)


class FixedLedger(QuotaLedger):
    """Counts requests, but learns no job durations: every plan is the same."""

    def observations(self, app: str, kind: str, limit: int = 50) -> list[Observation]:
        return []

    def record_job_duration(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture
def snap_app(backend_factory: Any) -> C2QApp:
    backend: LocalBackend = backend_factory()
    backend.ledger = FixedLedger
    # first poll ~1 s after submission: later than any answer of the built-in engine takes
    backend.pace = PollPace(min_interval=0.05, default_prior=DurationPrior(1.0, 0.05, 2.0))
    return make_app(connector=backend.connector, clock=lambda: FROZEN)


def scenario(steps: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, C2QApp)
        await wait_ready(pilot)
        await steps(pilot)
        await app.workers.wait_for_complete()
        for turn in app.state.turns.values():  # a submit and one poll each
            turn.requests_spent = 2
            app.main.chat.refresh_turn(turn)
        used = 1 + 2 * len(app.state.turns)  # the data summary check, then the questions
        app.main.quota.show_status(QuotaStatus("local", "", used, 100, 100 - used, "ok"), unlimited=True)
        no_blink(app)
        app.clear_notifications()
        await pilot.pause()

    return run_before


def test_main_empty(snap_compare: Any, snap_app: C2QApp) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        pass

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=scenario(steps))


def test_main_with_an_answer(snap_compare: Any, snap_app: C2QApp) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await ask(pilot, "top 5 companies by revenue")

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=scenario(steps))


def test_main_with_a_breakdown(snap_compare: Any, snap_app: C2QApp) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, C2QApp)
        app.state.mode = "auto_breakdown"
        app.main.chat.set_mode("auto_breakdown")
        await ask(pilot, "how many companies are there and what is the average revenue per sector")
        card = app.main.chat.card(max(app.state.turns))
        assert card is not None
        card.select_task(1)
        await wait_for(pilot, lambda: app.main.grid.row_count > 1)

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=scenario(steps))


def test_main_with_an_error(snap_compare: Any, snap_app: C2QApp) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await ask(pilot, "how many companies are there")
        await ask(pilot, "how many unicorns are there")

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=scenario(steps))


def test_refine_diff(snap_compare: Any, snap_app: C2QApp) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, C2QApp)
        await ask(pilot, "top 5 companies by revenue")
        await pilot.press("ctrl+r", *"limit 3", "enter")
        await wait_for(pilot, lambda: app.main.refine.new_sql is not None)
        await pilot.pause()

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=scenario(steps))


def test_suggestions_list(snap_compare: Any, snap_app: C2QApp) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, C2QApp)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.main.suggestions.options.option_count > 0)
        await pilot.pause()

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=scenario(steps))


def test_chart_tab(snap_compare: Any, snap_app: C2QApp) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, C2QApp)
        await ask(pilot, "total revenue by sector")
        app.main.show_results("chart")
        await pilot.pause()

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=scenario(steps))
