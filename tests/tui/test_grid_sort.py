"""Sorting a large result runs in a thread worker: the screen keeps working, the latest sort wins,
and a new result throws a pending sort away. A sort is held on an Event where a test needs it
to be still running; nothing here waits on a clock."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest
from textual.message import Message
from textual.pilot import Pilot

from c2q_tui.tui.widgets.grid_backend import RowOrder, RowsBackend, sample_indices
from c2q_tui.tui.widgets.result_grid import SORT_IN_THREAD_ROWS, ResultGrid
from tests.tui.conftest import wait_for
from tests.tui.widget_apps import GridApp, screen_text

SIZE = (120, 40)
LARGE = SORT_IN_THREAD_ROWS + 10_000  # the smallest kind of result that sorts in a worker
HOLD = 30.0  # a backstop for a hung test only: every held sort is released well before


def million_rows() -> list[tuple[int, str, float]]:
    return [(index, f"name {index}", index / 4) for index in range(1_000_000)]


def never() -> bool:
    return False


def sorted_messages(seen: list[Message]) -> list[tuple[str, bool]]:
    """Each Sorted message once: the hook sees it again at every node it bubbles through."""
    once = {id(m): m for m in seen if isinstance(m, ResultGrid.Sorted)}
    return [(m.column, m.descending) for m in once.values()]


class HeldSorts:
    """Stands in for `RowsBackend.sort_order`: each call waits for its own release, then sorts."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: list[threading.Event] = []
        self.release: list[threading.Event] = []
        self.done: list[threading.Event] = []
        self._lock = threading.Lock()
        original = RowsBackend.sort_order

        def held(backend: RowsBackend, by: Any, stopped: Callable[[], bool] = never) -> RowOrder | None:
            with self._lock:
                started, release, done = self._new()
            started.set()
            try:
                assert release.wait(HOLD), "the test never released this sort"
                return original(backend, by, stopped)
            finally:
                done.set()

        monkeypatch.setattr(RowsBackend, "sort_order", held)

    def _new(self) -> tuple[threading.Event, threading.Event, threading.Event]:
        events = threading.Event(), threading.Event(), threading.Event()
        self.started.append(events[0])
        self.release.append(events[1])
        self.done.append(events[2])
        return events

    async def wait_started(self, pilot: Pilot[Any], count: int) -> None:
        await wait_for(pilot, lambda: len(self.started) >= count and self.started[count - 1].is_set())

    async def finish(self, pilot: Pilot[Any], index: int) -> None:
        """Release sort `index` and wait until its thread is done and the app has caught up."""
        self.release[index].set()
        await asyncio.to_thread(self.done[index].wait, HOLD)
        await pilot.pause()

    def release_all(self) -> None:
        for event in self.release:
            event.set()


async def test_a_million_rows_sort_in_a_worker_while_keys_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    app = GridApp(["id", "name", "share"], million_rows())
    seen: list[Message] = []
    held = HeldSorts(monkeypatch)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        grid, table = app.grid, app.grid.table
        assert table is not None
        try:
            await pilot.press("s", "s")  # by id, then reversed before the first finished
            await held.wait_started(pilot, 2)
            assert grid.sorting == ("id", True) and grid.sort_state is None
            assert grid.status_text.endswith("sorting 1,000,000 rows by id ↓…")
            assert "sorting 1,000,000 rows by id ↓…" in screen_text(app)
            await pilot.press("down", "down")  # the screen answers while the sort is held
            assert table.cursor_row == 2 and grid.sorting is not None
            assert table.get_row_at(0) == [0, "name 0", 0.0]  # the old order until the sort lands
        finally:
            held.release_all()
        await wait_for(pilot, lambda: grid.sorting is None)
        await pilot.pause()
        assert grid.sort_state == ("id", True)
        assert grid.status_text.endswith("sorted by id ↓")
        assert table.get_row_at(0) == [999_999, "name 999999", 249_999.75]
        assert "name 999999" in screen_text(app)
        assert sorted_messages(seen) == [("id", True)]  # the first sort was thrown away


async def test_the_latest_sort_wins_over_an_older_one_that_finishes_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [(index, f"name {index % 1000:04d}") for index in range(LARGE)]
    app = GridApp(["id", "name"], rows)
    seen: list[Message] = []
    held = HeldSorts(monkeypatch)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        grid, table = app.grid, app.grid.table
        assert table is not None
        try:
            await pilot.press("s", "s")  # by id, then by id reversed, while the first still runs
            await held.wait_started(pilot, 2)
            await pilot.press("right", "s")  # and then by name
            await held.wait_started(pilot, 3)
            assert grid.sorting == ("name", False)
            await held.finish(pilot, 1)  # older sorts end first: their orders must not land
            await held.finish(pilot, 0)
            assert grid.sorting == ("name", False) and grid.sort_state is None
            assert table.get_row_at(0) == [0, "name 0000"]
            await held.finish(pilot, 2)
        finally:
            held.release_all()
        assert grid.sort_state == ("name", False) and grid.sorting is None
        assert grid.status_text.endswith("sorted by name ↑")
        assert table.get_row_at(1) == [1000, "name 0000"]  # a stable sort of the original order
        assert sorted_messages(seen) == [("name", False)]


async def test_a_new_result_discards_a_pending_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    app = GridApp(["id"], [(index,) for index in range(LARGE)])
    seen: list[Message] = []
    held = HeldSorts(monkeypatch)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        grid = app.grid
        try:
            await pilot.press("s")
            await held.wait_started(pilot, 1)
            await grid.show(["total"], [(index * 10,) for index in range(LARGE)])
            assert grid.sorting is None and "sorting" not in grid.status_text
            await held.finish(pilot, 0)
        finally:
            held.release_all()
        table = grid.table
        assert table is not None
        assert grid.sort_state is None and grid.sorting is None
        assert grid.status_text == f"{LARGE:,} rows · 1 column"
        assert table.get_row_at(0) == [0]
        assert sorted_messages(seen) == []


async def test_an_arrow_result_sorts_in_a_worker_too() -> None:
    table = pa.table({"id": list(range(LARGE)), "half": [index / 2 for index in range(LARGE)]})
    app = GridApp(["id", "half"], table)
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        await pilot.press("right", "s", "s")
        await wait_for(pilot, lambda: grid.sorting is None and grid.sort_state is not None)
        shown = grid.table
        assert shown is not None
        assert grid.sort_state == ("half", True)
        assert shown.get_row_at(0) == [LARGE - 1, (LARGE - 1) / 2]


async def test_a_wide_value_met_late_widens_its_retyped_column() -> None:
    count = 20_000
    picked = set(sample_indices(count) or [])
    odd = next(index for index in range(count // 2, count) if index not in picked)
    word = "not available for this region"
    rows: list[list[Any]] = [[index, str(index % 100)] for index in range(count)]
    rows[odd][1] = word
    app = GridApp(["id", "v"], rows)
    async with app.run_test(size=SIZE) as pilot:
        table = app.grid.table
        assert table is not None
        assert table.ordered_columns[1].content_width < len(word)  # the sample holds 2 digits
        table.move_cursor(row=odd)
        await pilot.pause()
        assert table.ordered_columns[1].content_width >= len(word)
        assert word in screen_text(app)  # whole, not cut to the sample's width
