"""KnowledgeScreen against the embedded backend, through the real client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Select, Static, TextArea

from c2q_tui.api import FewShot, Instruction, KnowledgeData, TermSheet
from c2q_tui.config import resolve
from c2q_tui.connection import Connection, open_connection
from c2q_tui.tui.screens.dialogs import Confirm
from c2q_tui.tui.screens.knowledge import KnowledgeScreen, pick_base
from tests.tui.conftest import wait_for
from tests.tui.screen_host import Host

SIZE = (120, 40)
SECTOR_SQL = "SELECT sector, COUNT(*) FROM companies GROUP BY 1;"


@pytest.fixture
async def conn(sample_db: Path) -> AsyncIterator[Connection]:
    connection = await asyncio.to_thread(open_connection, resolve().profile)
    yield connection
    await connection.aclose()


async def stored(conn: Connection) -> list[KnowledgeData]:
    """The items as the service has them (read back through the client)."""
    base = pick_base(await conn.client.list_knowledge_bases(), conn.cluster_id, conn.database)
    assert base is not None
    return await conn.client.list_knowledge_data(base.knowledge_base_id)


async def opened(pilot: Pilot[Any], count: int | None = None) -> KnowledgeScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, KnowledgeScreen) and app.screen.base is not None
                   and (count is None or len(app.screen.items) == count))
    await pilot.pause()
    assert isinstance(app.screen, KnowledgeScreen)
    return app.screen


async def pick_kind(pilot: Pilot[Any], screen: KnowledgeScreen, kind: str) -> None:
    screen.query_one("#kb-type", Select).value = kind
    await pilot.pause()


async def seed(conn: Connection) -> int:
    base = await conn.client.create_knowledge_base(conn.cluster_id, conn.database)
    kb = base.knowledge_base_id
    await conn.client.add_knowledge_data(kb, FewShot(question="How many indexes?",
                                                     answer="SELECT COUNT(*) FROM indexes;"))
    await conn.client.add_knowledge_data(kb, TermSheet(term=["market cap", "capitalisation"],
                                                       description="companies.market_cap in USD"))
    await conn.client.add_knowledge_data(kb, Instruction(instruction="Round money to 2 decimals."))
    return kb


async def edit_item(pilot: Pilot[Any], screen: KnowledgeScreen, index: int) -> None:
    listing = screen.query_one(OptionList)
    listing.focus()
    listing.highlighted = index
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.editing is not None
                   and screen.editing.knowledge_data_id == screen.items[index].knowledge_data_id)


async def test_creates_the_base_and_adds_each_type(conn: Connection) -> None:
    assert await conn.client.list_knowledge_bases() == []
    app = Host(lambda: KnowledgeScreen(conn))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, 0)
        assert "Created a knowledge base" in next(iter(app._notifications)).message
        screen.query_one("#kb-question", Input).value = "Companies per sector?"
        screen.query_one("#kb-answer", TextArea).load_text(SECTOR_SQL)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(screen.items) == 1)
        assert screen.query_one("#kb-question", Input).value == ""  # ready for the next one
        await pick_kind(pilot, screen, "term-sheet")
        screen.query_one("#kb-terms", Input).value = " big tech , FAANG,"
        screen.query_one("#kb-term-description", TextArea).load_text("The largest technology companies.")
        await pilot.click("#kb-save-button")
        await wait_for(pilot, lambda: len(screen.items) == 2)
        await pick_kind(pilot, screen, "instruction")
        screen.query_one("#kb-instruction", TextArea).load_text("Use LAG() for growth rates.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(screen.items) == 3)
        listed = [str(o.prompt) for o in screen.query_one(OptionList).options]
        assert listed[1].startswith("term-sheet") and "big tech, FAANG: The largest" in listed[1]
    items = await stored(conn)
    assert [i.raw_data for i in items] == [
        FewShot(question="Companies per sector?", answer=SECTOR_SQL),
        TermSheet(term=["big tech", "FAANG"], description="The largest technology companies."),
        Instruction(instruction="Use LAG() for growth rates."),
    ]


async def test_edit_each_type_persists(conn: Connection) -> None:
    await seed(conn)
    app = Host(lambda: KnowledgeScreen(conn))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, 3)
        await edit_item(pilot, screen, 0)
        assert screen.query_one("#kb-question", Input).value == "How many indexes?"
        assert screen.query_one("#kb-type", Select).disabled  # an item keeps its type
        screen.query_one("#kb-answer", TextArea).load_text("SELECT COUNT(*) AS n FROM indexes;")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(screen.items[0].raw_data, FewShot)
                       and "AS n" in screen.items[0].raw_data.answer)
        await edit_item(pilot, screen, 1)
        assert screen.query_one("#kb-terms", Input).value == "market cap, capitalisation"
        screen.query_one("#kb-terms", Input).value = "market cap, mkt cap"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(screen.items[1].raw_data, TermSheet)
                       and "mkt cap" in screen.items[1].raw_data.term)
        await edit_item(pilot, screen, 2)
        assert str(screen.query_one("#kb-counter", Static).render()) == "26/512"
        screen.query_one("#kb-instruction", TextArea).load_text("Round money to 0 decimals.")
        await pilot.press("ctrl+s")
        rounded = Instruction(instruction="Round money to 0 decimals.")
        await wait_for(pilot, lambda: screen.items[2].raw_data == rounded)
        assert str(screen.query_one("#kb-save-button", Button).label) == "Save"
    items = await stored(conn)
    assert [i.raw_data for i in items] == [
        FewShot(question="How many indexes?", answer="SELECT COUNT(*) AS n FROM indexes;"),
        TermSheet(term=["market cap", "mkt cap"], description="companies.market_cap in USD"),
        Instruction(instruction="Round money to 0 decimals."),
    ]


async def test_delete_asks_first(conn: Connection) -> None:
    await seed(conn)
    app = Host(lambda: KnowledgeScreen(conn))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, 3)
        listing = screen.query_one(OptionList)
        listing.focus()
        listing.highlighted = 1
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.click("#confirm-no")
        await wait_for(pilot, lambda: app.screen is screen)
        assert len(await stored(conn)) == 3

        def items_left(count: int) -> Callable[[], bool]:
            return lambda: len(screen.items) == count

        for left in (2, 1, 0):  # every type, each after a confirmation
            listing.focus()
            listing.highlighted = 0
            await pilot.press("delete")
            await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
            await pilot.click("#confirm-yes")
            await wait_for(pilot, items_left(left))
        assert screen.query_one("#kb-delete-button", Button).disabled
    assert await stored(conn) == []


async def test_instruction_counter_blocks_more_than_512(conn: Connection) -> None:
    app = Host(lambda: KnowledgeScreen(conn))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, 0)
        await pick_kind(pilot, screen, "instruction")
        counter = screen.query_one("#kb-counter", Static)
        area = screen.query_one("#kb-instruction", TextArea)
        save = screen.query_one("#kb-save-button", Button)
        area.load_text("x" * 511)
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.press("y")  # typed: the counter follows
        await pilot.pause()
        assert str(counter.render()) == "512/512" and not counter.has_class("-over") and not save.disabled
        await pilot.press("z")
        await pilot.pause()
        assert str(counter.render()) == "513/512" and counter.has_class("-over") and save.disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "limited to 512 characters" in [n.message for n in app._notifications][-1]
        await pilot.press("backspace")
        await pilot.pause()
        assert not save.disabled
    assert await stored(conn) == []  # nothing was sent


async def test_incomplete_forms_are_refused(conn: Connection) -> None:
    app = Host(lambda: KnowledgeScreen(conn))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, 0)
        screen.query_one("#kb-question", Input).value = "Only a question"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "needs a question and its SQL answer" in [n.message for n in app._notifications][-1]
    assert await stored(conn) == []


def test_snapshot_knowledge(sample_db: Path, snap_compare: Any) -> None:
    connection = open_connection(resolve().profile)

    async def ready(pilot: Pilot[Any]) -> None:
        screen = await opened(pilot, 0)
        assert screen.base is not None
        kb = screen.base.knowledge_base_id
        await connection.client.add_knowledge_data(kb, FewShot(question="How many indexes?",
                                                               answer="SELECT COUNT(*) FROM indexes;"))
        await connection.client.add_knowledge_data(kb, TermSheet(term=["market cap"],
                                                                 description="companies.market_cap in USD"))
        await connection.client.add_knowledge_data(kb, Instruction(instruction="Round money to 2 decimals."))
        screen.action_reload()
        await opened(pilot, 3)
        await edit_item(pilot, screen, 2)
        pilot.app.clear_notifications()
        await pilot.pause()

    app = Host(lambda: KnowledgeScreen(connection), connection)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
