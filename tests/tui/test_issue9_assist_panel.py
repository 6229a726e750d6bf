"""The assist panel itself: text streamed in before the end, escape cancels, a failure midway is shown
in one line, the keys come from the registry (help, palette, key map), and the SQL found in each shape
of answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from c2q_tui.sqltools.assist import AssistError, AssistRequest, ProviderKind
from c2q_tui.tui import actions
from c2q_tui.tui.app import C2QApp
from c2q_tui.tui.assist_text import answer_sql, split_answer
from c2q_tui.tui.messages import AssistFailed, AssistFinished
from c2q_tui.tui.screens.help import HelpScreen
from c2q_tui.tui.tools import known_binding_ids
from tests.tui.conftest import LocalBackend, Seen, ask, make_app, wait_for, wait_ready
from tests.tui.test_issue9_assist import QUESTION, finished, panel

# -- streaming and cancelling, with a provider the test drives ----------------------------------------------


class Gated:
    """Yields the first chunk, then waits for the test before the rest (or forever, to be cancelled)."""

    kind: ProviderKind = "openai"
    label = "gated (test)"

    def __init__(self, *chunks: str, error: Exception | None = None) -> None:
        self.chunks = chunks
        self.error = error
        self.gate = asyncio.Event()
        self.closed = False
        self.requests: list[AssistRequest] = []

    async def stream(self, request: AssistRequest) -> AsyncGenerator[str, None]:
        self.requests.append(request)
        try:
            yield self.chunks[0]
            await self.gate.wait()
            for chunk in self.chunks[1:]:
                yield chunk
            if self.error is not None:
                raise self.error
        finally:
            self.closed = True


def gated_app(backend: LocalBackend, provider: Gated) -> C2QApp:
    app = make_app(connector=backend.connector)
    app.assist_providers = lambda profile: provider
    return app


async def test_streaming_shows_partial_text_before_the_end(backend_factory: Any) -> None:
    provider = Gated("It reads ", "the companies ", "table.")
    app = gated_app(backend_factory(), provider)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await ask(pilot, QUESTION)
        await pilot.press("alt+x")
        p = panel(app)
        await wait_for(pilot, lambda: p.text == "It reads ")
        assert p.running and p.status_text == "Explaining with gated (test)…"
        assert str(p.query_one("#assist-text").render()) == "It reads"  # shown while it streams
        provider.gate.set()
        await finished(pilot)
        assert p.text == "It reads the companies table." and p.status_text == "Done."
        assert provider.requests[0].dialect == "sqlite" and "companies" in provider.requests[0].sql


async def test_escape_cancels_a_running_answer_and_keeps_what_came(backend_factory: Any) -> None:
    provider = Gated("It reads ", "never shown")
    seen = Seen()
    app = gated_app(backend_factory(), provider)
    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await wait_ready(pilot)
        await ask(pilot, QUESTION)
        await pilot.press("alt+x")
        p = panel(app)
        await wait_for(pilot, lambda: p.text == "It reads ")
        await pilot.press("escape")
        await wait_for(pilot, lambda: provider.closed)
        await pilot.pause()
        assert not p.running and p.display
        assert p.status_text == "Cancelled. What arrived so far is kept." and p.text == "It reads "
        assert not seen.of(AssistFinished) and not seen.of(AssistFailed)
        await pilot.press("escape")  # now it closes
        assert not p.display


async def test_a_failure_midway_shows_in_the_panel_not_a_traceback(backend_factory: Any) -> None:
    provider = Gated(
        "It reads ", error=AssistError("the Chat2DB stream ended before the answer was complete")
    )
    app = gated_app(backend_factory(), provider)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await ask(pilot, QUESTION)
        await pilot.press("alt+o")
        provider.gate.set()
        p = await finished(pilot)
        assert p.error == "Failed: the Chat2DB stream ended before the answer was complete"
        assert p.text == "It reads " and p.status_text == p.error
        provider.gate.clear()
        provider.error = RuntimeError("boom")
        await pilot.press("alt+x")
        provider.gate.set()
        await wait_for(pilot, lambda: p.error == "Failed: RuntimeError: boom")


# -- the keys: registry, help, palette, key map -------------------------------------------------------------


def test_actions_are_in_the_registry_help_and_key_map() -> None:
    by_id = {a.id: a for a in actions.ACTIONS}
    assert (by_id["explain-sql"].keys, by_id["optimize-sql"].keys, by_id["convert-sql"].keys) == (
        "alt+x", "alt+o", "alt+t",
    )  # fmt: skip
    keys = [k for a in actions.ACTIONS if a.scope == "app" for k in a.keys.split(",")]
    assert len(keys) == len(set(keys))  # no key bound twice app-wide
    palette = [title for title, _, _ in actions.ActionCommands._commands(None)]  # type: ignore[arg-type]
    assert {"Explain SQL (⌥x)", "Optimize SQL (⌥o)", "Convert SQL (⌥t)"} <= set(palette)
    text = HelpScreen()._text().plain
    assert "SQL viewer" in text and "Explain this SQL in plain words." in text
    ids = known_binding_ids()
    assert {"explain-sql", "convert-sql-here", "assist-close", "assist-copy", "assist-use"} <= ids


async def test_remapped_key_runs_the_action(backend_factory: Any) -> None:
    backend = backend_factory()
    app = make_app(connector=backend.connector)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await ask(pilot, QUESTION)
        app.set_keymap({"explain-sql": "f13"})
        await pilot.press("f13")
        p = await finished(pilot)
        assert p.border_title == "Explain SQL"


# -- the SQL in an answer ------------------------------------------------------------------------------


def test_sql_is_found_in_every_shape_of_answer() -> None:
    fenced = "Use this:\n```sql\nSELECT 1\n```\nIt is shorter."
    assert answer_sql(fenced, "convert") == "SELECT 1"
    assert [p.kind for p in split_answer(fenced, "convert", complete=True)] == ["prose", "sql", "prose"]
    # an unclosed fence while streaming is SQL so far; bare SQL waits for the whole answer
    assert split_answer("Here:\n```sql\nSELECT a\nFR", "convert", complete=False)[-1].kind == "sql"
    assert [p.kind for p in split_answer("SELECT a FROM t", "convert", complete=False)] == ["prose"]
    offline = "SELECT\n  a\nFROM t\n\nWarnings:\n- the SQL is already SQLite: it was only reformatted"
    assert answer_sql(offline, "convert") == "SELECT\n  a\nFROM t"
    report = "Findings\n- x\n\nsqlglot's optimizer pushed filters down:\nSELECT a\nFROM t\n\nPlan\n  SCAN t"
    assert answer_sql(report, "optimize") == "SELECT a\nFROM t"
    assert answer_sql("Nothing to improve found.", "optimize") is None
    assert answer_sql(fenced, "explain") is None  # an explanation offers no SQL to use
    assert [p.kind for p in split_answer("```text\nSCAN t\n```", "explain", complete=True)] == ["code"]
