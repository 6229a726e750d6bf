"""Tool actions of the app: export, copy (with its fallback), the data summary and knowledge base
screens, themes, and the user's key map.

Copying goes through OSC 52 (`App.copy_to_clipboard`), which many terminals ignore (and tmux only
passes on when told to). So every copy, whichever widget makes it, also lands in
`<data dir>/clipboard.txt` and, when a system clipboard tool is installed, is piped to it in a
thread: one override here serves the grid, the SQL viewer, the refine panel and copy-answer.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from textual.binding import Binding

from c2q_tui import paths
from c2q_tui.configfile import ConfigError, load_file
from c2q_tui.tui import actions
from c2q_tui.tui.asking import AskingMixin

# (command, the environment variable it needs, or "" when it needs none)
CLIPBOARD_TOOLS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("wl-copy",), "WAYLAND_DISPLAY"),
    (("xclip", "-selection", "clipboard"), "DISPLAY"),
    (("xsel", "-b", "-i"), "DISPLAY"),
    (("pbcopy",), ""),
)


def clipboard_tool() -> tuple[str, ...] | None:
    """The first system clipboard command that can work here, or None."""
    for command, needs in CLIPBOARD_TOOLS:
        if (not needs or os.environ.get(needs)) and shutil.which(command[0]):
            return command
    return None


def _pipe(command: tuple[str, ...], text: str) -> None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            command, input=text.encode("utf-8"), timeout=5, check=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )


def clipboard_file() -> Path:
    return paths.data_dir() / "clipboard.txt"


def _amount(text: str) -> str:
    lines = text.count("\n") + 1
    if lines > 1:
        return f"{lines:,} lines"
    return f"{len(text):,} character{'' if len(text) == 1 else 's'}"


def _dashboard_screens() -> tuple[type, ...]:
    from c2q_tui.tui.screens.dashboard import DashboardScreen
    from c2q_tui.tui.screens.dashboard_list import DashboardExportScreen, DashboardListScreen

    return (DashboardScreen, DashboardListScreen, DashboardExportScreen)


def known_binding_ids() -> set[str]:
    """Every binding id a `[keymap]` may name: the registry's and the screens' and widgets' own."""
    from c2q_tui.tui.screens.data_summary import DataSummaryScreen
    from c2q_tui.tui.screens.export import ExportScreen
    from c2q_tui.tui.screens.help import HelpScreen
    from c2q_tui.tui.screens.knowledge import KnowledgeScreen
    from c2q_tui.tui.widgets.assist_panel import AssistPanel
    from c2q_tui.tui.widgets.chart_view import ChartView
    from c2q_tui.tui.widgets.refine_panel import RefinePanel
    from c2q_tui.tui.widgets.result_grid import ResultGrid
    from c2q_tui.tui.widgets.sql_viewer import SqlViewer

    ids = {a.id for a in actions.ACTIONS}
    for cls in (DataSummaryScreen, ExportScreen, HelpScreen, KnowledgeScreen, ChartView, RefinePanel,
                ResultGrid, SqlViewer, AssistPanel, *_dashboard_screens()):
        for b in getattr(cls, "BINDINGS", []):
            if isinstance(b, Binding) and b.id:
                ids.add(b.id)
    return ids


def read_keymap(config: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The `[keymap]` table of config.toml as {binding id: keys}, and a warning per bad entry."""
    table = config.get("keymap")
    if table is None:
        return {}, []
    if not isinstance(table, dict):
        return {}, ["[keymap] must be a table of binding id = \"keys\"; ignored."]
    known = known_binding_ids()
    keymap: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, keys in table.items():
        if binding_id not in known:
            warnings.append(f"[keymap] {binding_id}: no binding has this id (F1 lists them); ignored.")
        elif not isinstance(keys, str) or not keys.strip() or any(not k.strip() for k in keys.split(",")):
            warnings.append(f"[keymap] {binding_id}: expected keys such as \"f12\" or \"ctrl+x,f12\".")
        else:
            keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))
    return keymap, warnings


class ToolsMixin(AskingMixin):
    clipboard_tools: ClassVar[bool] = True  # tests switch the system clipboard off

    # -- start-up: themes and the key map ------------------------------------------------------------

    _theme_warnings: list[str] = []

    def register_themes(self) -> None:
        """From `__init__`: the stylesheet is then parsed with the chosen theme from the start."""
        from c2q_tui.tui import themes

        self._theme_warnings = themes.register_all(self)

    def setup_themes_and_keys(self) -> None:
        from c2q_tui.tui import themes

        themes.persist_choice(self)
        for warning in self._theme_warnings:
            self.notify(warning, title="Theme", severity="warning", timeout=10)
        try:
            config = load_file()
        except ConfigError as e:
            self.notify(str(e), title="Key map", severity="warning", timeout=10)
            return
        keymap, warnings = read_keymap(config)
        for warning in warnings:
            self.notify(warning, title="Key map", severity="warning", timeout=10)
        if keymap:
            self.set_keymap(keymap)

    # -- copy ----------------------------------------------------------------------------------------

    _copy_what: str | None = None

    def copy_text(self, text: str, what: str | None = None) -> None:
        """Copy, saying what was copied in the notification."""
        self._copy_what = what
        try:
            self.copy_to_clipboard(text)
        finally:
            self._copy_what = None

    def copy_to_clipboard(self, text: str) -> None:
        """OSC 52, plus the fallbacks (a file, and the system clipboard tool when there is one)."""
        super().copy_to_clipboard(text)
        saved = clipboard_file()
        try:
            saved.parent.mkdir(parents=True, exist_ok=True)
            saved.write_text(text, encoding="utf-8")
            where = f"also saved to {saved}"
        except OSError as e:
            where = f"could not save to {saved}: {e.strerror}"
        tool = clipboard_tool() if self.clipboard_tools else None
        if tool is not None:
            threading.Thread(target=_pipe, args=(tool, text), name="clipboard", daemon=True).start()
        self.notify(f"Copied {self._copy_what or _amount(text)} ({where})", markup=False, timeout=4)

    def action_copy_answer(self) -> None:
        from c2q_tui.export import answer_markdown

        turn = self.state.focus_turn()
        if turn is None or turn.result is None:
            self.notify("Nothing to copy yet: ask a question, or select an answer.")
            return
        self.copy_text(answer_markdown(turn.view()), "the answer as Markdown")

    # -- export --------------------------------------------------------------------------------------

    def action_export(self) -> None:
        from c2q_tui.tui.screens.export import ExportScreen

        shown = self.shown_result
        if shown is None or not shown[0]:
            self.notify("Nothing to export: select an answer that has rows first.")
            return
        columns, rows, name = shown
        self.push_screen(ExportScreen(columns, rows, name))

    # -- screens -------------------------------------------------------------------------------------

    def action_open_data_summary(self) -> None:
        from c2q_tui.tui.screens.data_summary import DataSummaryScreen

        if self.conn is None:
            self.notify("Not connected: the data summary needs a connection (ctrl+o picks a profile).")
            return
        self.push_screen(DataSummaryScreen(self.conn))

    def action_open_knowledge(self) -> None:
        from c2q_tui.tui.screens.knowledge import KnowledgeScreen

        if self.conn is None:
            self.notify("Not connected: the knowledge base needs a connection (ctrl+o picks a profile).")
            return
        self.push_screen(KnowledgeScreen(self.conn))

    def action_switch_theme(self) -> None:
        self.action_change_theme()
