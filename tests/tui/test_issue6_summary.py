"""DataSummaryScreen against the embedded backend, through the real client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Static, TextArea, Tree

from c2q_tui.api import DataSummary
from c2q_tui.config import resolve
from c2q_tui.connection import Connection, open_connection
from c2q_tui.tui.screens.data_summary import DataSummaryScreen, SummaryNode, pick_summary
from c2q_tui.tui.screens.dialogs import Confirm
from tests.tui.conftest import LocalBackend, wait_for
from tests.tui.screen_host import Host

SIZE = (120, 40)


@pytest.fixture
async def conn(home: Path) -> AsyncIterator[Connection]:
    """The sample database with its data summary already generated (shared, copied per test)."""
    connection = await asyncio.to_thread(open_connection, resolve().profile)
    yield connection
    await connection.aclose()


def summary_screen(app: App[Any]) -> DataSummaryScreen:
    assert isinstance(app.screen, DataSummaryScreen)
    return app.screen


async def loaded(pilot: Pilot[Any]) -> DataSummaryScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DataSummaryScreen)
                   and pilot.app.screen.summary is not None and not pilot.app.screen.busy)
    await pilot.pause()
    return summary_screen(pilot.app)


async def current(conn: Connection) -> DataSummary:
    found = pick_summary(await conn.client.list_data_summaries(), conn.database)
    assert found is not None
    return await conn.client.get_data_summary(found.data_summary_id)


def tree_items(screen: DataSummaryScreen) -> dict[str, list[str]]:
    tree: Tree[SummaryNode] = screen.query_one("#summary-tree", Tree)
    return {
        str(branch.data.table): [str(leaf.data.column) for leaf in branch.children if leaf.data]
        for branch in tree.root.children if branch.data
    }


async def select(pilot: Pilot[Any], node: SummaryNode) -> None:
    screen = summary_screen(pilot.app)
    tree: Tree[SummaryNode] = screen.query_one("#summary-tree", Tree)
    target = screen._tree_nodes[node]
    if target.parent is not None:
        target.parent.expand()
    await pilot.pause()
    tree.move_cursor(target)
    await wait_for(pilot, lambda: screen.current == node)


async def test_shows_tables_columns_and_details(conn: Connection) -> None:
    expected = await current(conn)
    app = Host(lambda: DataSummaryScreen(conn))
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        assert tree_items(screen) == {name: list(t.columns) for name, t in expected.tables.items()}
        header = str(screen.query_one("#summary-header", Static).render())
        assert f"#{expected.data_summary_id}" in header and "done" in header
        details = str(screen.query_one("#summary-text", Static).render())
        assert expected.summary[:40] in details and "Keywords" in details and "Relationships" in details
        assert "index_compositions.stock_symbol → companies.stock_symbol" in details
        assert screen.query_one("#summary-edit", TextArea).disabled  # the database itself: nothing to edit
        await select(pilot, SummaryNode("companies", "city"))
        assert screen.query_one("#summary-edit", TextArea).text == expected.tables["companies"].columns[
            "city"].description


async def test_editing_a_column_and_a_table_description_persists(conn: Connection) -> None:
    seen: list[Message] = []
    app = Host(lambda: DataSummaryScreen(conn))
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        screen = await loaded(pilot)
        await select(pilot, SummaryNode("companies", "city"))
        screen.query_one("#summary-edit", TextArea).load_text("Head-office city, as filed with the SEC.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.summary is not None and screen.summary.tables["companies"]
                       .columns["city"].description.startswith("Head-office"))
        await select(pilot, SummaryNode("indexes"))
        screen.query_one("#summary-edit", TextArea).load_text("Stock market indexes we track.")
        await pilot.click("#summary-save-button")
        await wait_for(pilot, lambda: screen.summary is not None
                       and screen.summary.tables["indexes"].description == "Stock market indexes we track.")
        assert any(isinstance(m, DataSummaryScreen.Changed) for m in seen)
    back = await current(conn)  # read back through the client
    assert back.tables["companies"].columns["city"].description == "Head-office city, as filed with the SEC."
    assert back.tables["indexes"].description == "Stock market indexes we track."


async def test_regenerate_shows_progress_and_completes(conn: Connection) -> None:
    before = await current(conn)
    seen: list[Message] = []
    app = Host(lambda: DataSummaryScreen(conn))
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        screen = await loaded(pilot)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.click("#confirm-yes")
        await wait_for(pilot, lambda: screen.summary is not None
                       and screen.summary.data_summary_id != before.data_summary_id)
        statuses = [m.status for m in seen if isinstance(m, DataSummaryScreen.Progressed)]
        assert statuses[0] == "starting" and len(statuses) >= 2
        assert "Generating the data summary" in str(screen.query_one("#summary-progress-text").render())
        assert not screen.query_one("#summary-progress-row").display  # hidden once done
        assert any(isinstance(m, DataSummaryScreen.Changed) for m in seen)
        assert "regenerated" in [n.message for n in app._notifications][-1]
    after = await current(conn)
    assert screen.summary is not None
    assert after.data_summary_id == screen.summary.data_summary_id and after.ready


async def test_generates_a_summary_when_there_is_none(sample_db: Path) -> None:
    connection = await asyncio.to_thread(open_connection, resolve().profile)
    try:
        assert await connection.client.list_data_summaries() == []
        seen: list[Message] = []
        app = Host(lambda: DataSummaryScreen(connection))
        async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
            screen = await loaded(pilot)
            assert "companies" in tree_items(screen)
            assert any(isinstance(m, DataSummaryScreen.Progressed) for m in seen)
    finally:
        await connection.aclose()


async def test_errors_are_notified_not_fatal(backend_factory: Callable[..., LocalBackend]) -> None:
    backend = backend_factory(private_key="wrong")
    bad = backend.connector(resolve().profile)
    app = Host(lambda: DataSummaryScreen(bad))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: list(app._notifications))
        note = next(iter(app._notifications))
        assert note.severity == "error" and "Could not load the data summary" in note.message
        assert isinstance(app.screen, DataSummaryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DataSummaryScreen)
    await bad.client.aclose()


def test_snapshot_data_summary(home: Path, snap_compare: Any) -> None:
    connection = open_connection(resolve().profile)

    async def ready(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await select(pilot, SummaryNode("companies"))
        summary_screen(pilot.app).query_one("#summary-tree").focus()
        await pilot.pause()

    app = Host(lambda: DataSummaryScreen(connection), connection)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
