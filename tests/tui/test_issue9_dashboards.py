"""Issue 9, dashboards in the app: a breakdown answer as tiles, pinning, and a saved dashboard that
reopens after a restart with no request, then exports as a report."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import Input, OptionList

from c2q_tui import paths
from c2q_tui.dashboards import BREAKDOWN, PINNED
from c2q_tui.tui import actions
from c2q_tui.tui.app import C2QApp
from c2q_tui.tui.screens.dashboard import DashboardScreen, DashboardTile
from c2q_tui.tui.screens.dashboard_list import DashboardExportScreen, DashboardListScreen
from tests.tui.conftest import LocalBackend, ask, make_app, wait_for, wait_ready

SIZE = (120, 40)
BREAKDOWN_QUESTION = "how many companies are there and what is the average revenue per sector"


class Counting(httpx.AsyncBaseTransport):
    """Counts every request that reaches the backend."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)


def counted(backend: LocalBackend) -> Counting:
    counting = Counting(backend.transport.inner)
    backend.transport.inner = counting
    return counting


def ledger_total() -> int:
    with sqlite3.connect(paths.history_db()) as db:
        row = db.execute("SELECT COALESCE(SUM(count), 0) FROM quota_requests").fetchone()
    return int(row[0])


def notes(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def breakdown(pilot: Any) -> int:
    app = pilot.app
    await pilot.press("ctrl+b")
    turn_id = await ask(pilot, BREAKDOWN_QUESTION)
    assert len(app.state.turns[turn_id].view().sub_tasks) == 2
    return turn_id


def test_the_registry_binds_pin_and_dashboard_on_answers_and_lists_them_in_the_palette() -> None:
    ids = {a.id: a for a in actions.ACTIONS}
    assert (ids["pin-answer"].scope, ids["pin-answer"].keys) == ("answer", "p")
    assert (ids["open-dashboard"].scope, ids["open-dashboard"].keys) == ("answer", "d")
    assert ids["list-dashboards"].scope == "app"
    titles = [t for t, _, _ in actions.ActionCommands.__new__(actions.ActionCommands)._commands()]
    assert any(t.startswith("Pin (p)") for t in titles) and any(
        t.startswith("Dashboards (f12)") for t in titles
    )


async def test_a_breakdown_answer_opens_as_tiles_to_move_maximise_and_remove(backend_factory: Any) -> None:
    backend = backend_factory()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        turn_id = await breakdown(pilot)
        card = app.main.chat.card(turn_id)
        assert card is not None
        card.focus()
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.board.kind == BREAKDOWN
        tiles = screen.tiles
        assert [t.item.task_index for t in tiles] == [0, 1]
        assert not tiles[0].charted and tiles[1].charted  # one figure as digits, the sectors as bars
        assert app.focused is tiles[0]
        await pilot.press("right")
        assert app.focused is tiles[1]
        await pilot.press("enter")
        assert screen.maximized is tiles[1]
        await pilot.press("escape")
        assert screen.maximized is None and app.screen is screen
        await pilot.press("x")
        await wait_for(pilot, lambda: len(screen.tiles) == 1)
        await pilot.press("escape")
        assert app.screen is app.main
        # the same answer opens the same dashboard, as the user left it
        card.focus()
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        reopened = app.screen
        assert isinstance(reopened, DashboardScreen)
        assert [t.item.task_index for t in reopened.tiles] == [0]


async def test_pins_reopen_after_a_restart_without_a_request_and_export(
    backend_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = backend_factory()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        direct = await ask(pilot, "top 5 companies by revenue")
        card = app.main.chat.card(direct)
        assert card is not None
        card.focus()
        await pilot.press("p")
        assert any("Pinned “" in n and "(1 pinned" in n for n in notes(app))
        split = await breakdown(pilot)
        split_card = app.main.chat.card(split)
        assert split_card is not None
        split_card.select_task(1)
        await pilot.pause()
        await pilot.press("p")
        await pilot.press("p")  # pressed twice: unpinned again
        await pilot.press("p")
        keys = app.dashboards.pinned_keys(app.key)
        assert len(keys) == 2 and {turn for turn, _ in keys} == {direct, split}
        card.focus()
        await pilot.press("d")  # a direct answer: the pinned answers
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.screen.board.kind == PINNED and len(app.screen.tiles) == 2  # type: ignore[attr-defined]

    # a restart: a new app on the same history
    counting = counted(backend)
    again: C2QApp = make_app(connector=backend.connector)
    async with again.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await again.workers.wait_for_complete()
        before, ledger_before = len(counting.requests), ledger_total()
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(again.screen, DashboardListScreen))
        options = again.screen.query_one(OptionList)
        assert options.option_count == 1
        await pilot.press("r")
        await wait_for(pilot, lambda: again.screen.query("#prompt-input"))
        again.screen.query_one("#prompt-input", Input).value = "My <pins>"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(again.screen, DashboardListScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(again.screen, DashboardScreen))
        screen = again.screen
        assert isinstance(screen, DashboardScreen)
        assert screen.board.name == "My <pins>" and len(screen.tiles) == 2
        assert all(isinstance(t, DashboardTile) and t.item.rows for t in screen.tiles)

        monkeypatch.chdir(tmp_path)  # where the export dialog proposes to write
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(again.screen, DashboardExportScreen))
        path_input = again.screen.query_one("#export-path", Input)
        assert path_input.value == str(tmp_path / "my-pins.html")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "my-pins.html").exists() and again.screen is screen)
        assert any(f"2 items as HTML report to {tmp_path / 'my-pins.html'}" in n for n in notes(again))
        text = (tmp_path / "my-pins.html").read_text()
        assert "My &lt;pins&gt;" in text and text.count("<section") == 2

        await again.workers.wait_for_complete()
        assert len(counting.requests) == before, counting.requests[before:]
        assert ledger_total() == ledger_before
