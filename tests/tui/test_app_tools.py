"""Issue 6 wired into the app: the chart tab, export, copy (and its fallback), the key map, themes,
the data summary and knowledge base screens, and the help screen's focused-pane bindings."""

from __future__ import annotations

from typing import Any

import pytest
from textual.command import CommandPalette

from c2q_tui import paths
from c2q_tui.tui import actions, themes, tools
from c2q_tui.tui.screens.data_summary import DataSummaryScreen
from c2q_tui.tui.screens.export import ExportScreen
from c2q_tui.tui.screens.help import HelpScreen
from c2q_tui.tui.screens.knowledge import KnowledgeScreen
from c2q_tui.tui.tools import ToolsMixin
from tests.tui.conftest import ask, make_app, wait_for, wait_ready


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ToolsMixin, "clipboard_tools", False)


def notes(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


def test_registry_has_every_issue6_action_in_the_palette() -> None:
    ids = {a.id: a for a in actions.ACTIONS}
    for wanted in ("export", "copy-answer", "open-data-summary", "open-knowledge", "switch-theme"):
        assert ids[wanted].scope == "app" and ids[wanted].help
    titles = [t for t, _, _ in actions.ActionCommands.__new__(actions.ActionCommands)._commands()]
    assert any(t.startswith("Export (^e)") for t in titles)
    keys = [k for a in actions.ACTIONS if a.scope == "app" for k in a.keys.split(",")]
    assert len(keys) == len(set(keys)), "two app-wide actions share a key"


def test_keymap_entries_are_checked() -> None:
    keymap, warnings = tools.read_keymap(
        {"keymap": {"export": "f12", "chart-cycle-type": " T ", "nope": "f2", "help": 3, "quit": ""}}
    )
    assert keymap == {"export": "f12", "chart-cycle-type": "T"}
    assert len(warnings) == 3 and any("nope" in w for w in warnings)
    assert tools.read_keymap({"keymap": "f12"})[1]


def test_clipboard_tool_needs_its_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools.shutil, "which", lambda name: f"/usr/bin/{name}" if name == "xclip" else None)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert tools.clipboard_tool() is None
    monkeypatch.setenv("DISPLAY", ":0")
    assert tools.clipboard_tool() == ("xclip", "-selection", "clipboard")


async def test_answer_fills_rows_and_chart_then_export_and_copy(home: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        # nothing selected yet: clear notifications, no dialog
        await pilot.press("ctrl+e")
        await pilot.press("ctrl+t")
        assert app.screen is app.main
        assert any("Nothing to export" in n for n in notes(app))
        assert any("Nothing to copy" in n for n in notes(app))

        await ask(pilot, "total revenue by sector")
        chart, grid = app.main.chart, app.main.grid
        assert grid.row_count == 11
        assert chart.charted and chart.spec is not None
        before = chart.spec.kind
        app.main.show_results("chart")
        chart.focus()
        await pilot.press("t")
        assert chart.spec is not None and chart.spec.kind != before

        # export: the dialog gets the whole result shown
        await pilot.press("ctrl+e")
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("escape")
        assert app.screen is app.main

        # copy-answer: Markdown on the clipboard and in the fallback file
        app.clear_notifications()
        await pilot.press("ctrl+t")
        text = (paths.data_dir() / "clipboard.txt").read_text(encoding="utf-8")
        assert app.clipboard == text
        assert "total revenue by sector" in text and "```sql" in text
        assert any(n.startswith("Copied the answer as Markdown (also saved to") for n in notes(app))

        # any other copy path (the SQL viewer's) takes the same fallback
        app.main.sql.focus()
        app.main.sql.action_copy_sql()
        assert (paths.data_dir() / "clipboard.txt").read_text(encoding="utf-8") == app.clipboard
        assert app.clipboard.upper().startswith("SELECT")


async def test_keymap_in_config_remaps_export(home: Any) -> None:
    paths.config_file().parent.mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text('[keymap]\nexport = "f12"\nno-such-binding = "f2"\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        assert any("no-such-binding" in n for n in notes(app))  # a warning, not a crash
        await ask(pilot, "top 5 companies by revenue")
        await pilot.press("f12")
        assert isinstance(app.screen, ExportScreen)


async def test_data_summary_and_knowledge_open_with_the_connection(home: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await pilot.press("f10")
        assert isinstance(app.screen, DataSummaryScreen) and app.screen.conn is app.conn
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
        await app.run_action("open_knowledge")  # as the palette runs it
        await pilot.pause()
        assert isinstance(app.screen, KnowledgeScreen) and app.screen.conn is app.conn
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)


async def test_without_a_connection_the_screens_say_so(home: Any) -> None:
    def down(profile: Any, **kw: Any) -> Any:
        raise OSError("network is down")

    app = make_app(connector=down)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app._status == "not connected")
        await pilot.press("f10")
        await pilot.press("f11")
        assert app.screen is app.main
        assert sum("Not connected" in n for n in notes(app)) == 2


async def test_user_theme_is_offered_and_the_choice_persists(home: Any) -> None:
    folder = paths.config_dir() / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mine.toml").write_text('name = "mine"\ndark = true\nprimary = "#268BD2"\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "mine" in app.available_themes
        assert app.theme == themes.DEFAULT_THEME
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press("escape")
        app.theme = themes.LIGHT
        await pilot.pause()
        assert themes.saved_theme() == themes.LIGHT


async def test_help_lists_the_new_actions_and_the_focused_pane(home: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        app.main.chat.composer.focus()
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen._text())
        assert app.screen.pane == "Chat"
        assert "Focused pane: Chat" in text and "Send the question." in text
        for spec in actions.ACTIONS:
            assert spec.help in text


async def test_enter_right_behind_the_typed_question_sends_it(home: Any) -> None:
    """A terminal (or tmux send-keys) can deliver "question⏎" in one read: the keys reach the app
    together, and enter (a priority binding) must not overtake the characters still queued."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        app.main.chat.composer.focus()
        await pilot.pause()
        for ch in "count the users":
            app.post_message(events.Key("space" if ch == " " else ch, ch))
        app.post_message(events.Key("enter", "\r"))
        await wait_for(pilot, lambda: app.state.turns)
        assert next(iter(app.state.turns.values())).question == "count the users"
        assert app.main.chat.composer.text == ""
