"""Screenshot of a dashboard at 120x40: pinned answers (a direct answer and both sub-tasks of a
breakdown) as tiles. Run with `--snapshot-update` to accept a deliberate change.

Deterministic as the main screen's snapshots are (tests/tui/test_snapshots_main.py): a frozen
clock, no spinners, no toasts, and nothing in a tile depends on time or on request counts.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from c2q_tui.api import DurationPrior, PollPace
from c2q_tui.tui.app import C2QApp
from c2q_tui.tui.screens.dashboard import DashboardScreen
from tests.tui.conftest import FROZEN, LocalBackend, ask, make_app, no_blink, wait_for, wait_ready
from tests.tui.test_snapshots_main import FixedLedger

SIZE = (120, 40)


@pytest.fixture
def dash_app(backend_factory: Any) -> C2QApp:
    backend: LocalBackend = backend_factory()
    backend.ledger = FixedLedger
    backend.pace = PollPace(min_interval=0.05, default_prior=DurationPrior(1.0, 0.05, 2.0))
    return make_app(connector=backend.connector, clock=lambda: FROZEN)


async def pin_dashboard(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, C2QApp)
    await wait_ready(pilot)
    direct = await ask(pilot, "top 5 companies by revenue")
    card = app.main.chat.card(direct)
    assert card is not None
    card.focus()
    await pilot.press("p")
    await pilot.press("ctrl+b")
    split = await ask(pilot, "how many companies are there and what is the average revenue per sector")
    split_card = app.main.chat.card(split)
    assert split_card is not None
    for index in (0, 1):
        split_card.select_task(index)
        await pilot.pause()
        await pilot.press("p")
    card.focus()
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
    await app.workers.wait_for_complete()
    no_blink(app)
    app.clear_notifications()
    await pilot.pause()


def test_dashboard_of_pinned_answers(snap_compare: Any, dash_app: C2QApp) -> None:
    assert snap_compare(dash_app, terminal_size=SIZE, run_before=pin_dashboard)
