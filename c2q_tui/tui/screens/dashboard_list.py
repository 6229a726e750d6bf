"""The saved dashboards (open, rename, delete) and the dialog that exports one as a report.

`DashboardListScreen(store, profile)` dismisses with the id of the dashboard to open, or None.
`DashboardExportScreen(board)` follows the result export dialog (screens/export.py): a path and a
format kept in step, a confirmation before overwriting, the write in a thread worker, and a
notification of where the report went and how many items it holds.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from c2q_tui.dashboards import Dashboard, DashboardStore
from c2q_tui.report import (
    REPORT_EXTENSIONS,
    REPORT_FORMATS,
    REPORT_LABELS,
    ReportExport,
    export_dashboard,
    report_format_for,
    with_report_format,
)
from c2q_tui.tui.screens.dialogs import Confirm, TextPrompt
from c2q_tui.tui.screens.export import ExportDialog, default_folder, file_stem


class DashboardListScreen(ModalScreen[int | None]):
    CSS_PATH = "dashboard.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="dashboards-close"),
        Binding("r", "rename", "Rename", id="dashboards-rename", tooltip="Rename the highlighted dashboard."),
        Binding(
            "delete,x",
            "delete",
            "Delete",
            id="dashboards-delete",
            tooltip="Delete the highlighted dashboard (the answers stay in their sessions).",
        ),
    ]

    def __init__(self, store: DashboardStore, profile: str) -> None:
        super().__init__(classes="dashboard-list")
        self.store = store
        self.profile = profile
        self.boards: list[Dashboard] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dashboards-box") as box:
            box.border_title = "Dashboards"
            box.border_subtitle = "enter opens · r renames · del deletes · esc closes"
            yield OptionList(id="dashboards-options")
            yield Static("", id="dashboards-empty", markup=False)

    def on_mount(self) -> None:
        self._reload()
        self.query_one(OptionList).focus()

    def _reload(self, keep: int | None = None) -> None:
        self.boards = self.store.dashboards(self.profile)
        options = self.query_one(OptionList)
        options.clear_options()
        for board in self.boards:
            when = datetime.fromtimestamp(board.updated_at).strftime("%Y-%m-%d %H:%M")
            n = board.item_count
            options.add_option(
                Option(
                    Content.assemble(
                        (board.name, "bold"),
                        (f"  {board.label} · {n} tile{'' if n == 1 else 's'} · {when}", "dim"),
                    ),
                    id=str(board.dashboard_id),
                )
            )
        if self.boards:
            index = next((i for i, b in enumerate(self.boards) if b.dashboard_id == keep), 0)
            options.highlighted = index
        empty = self.query_one("#dashboards-empty", Static)
        empty.display = not self.boards
        empty.update("No dashboards yet: press p on an answer to pin it, or d on a breakdown answer.")

    @property
    def highlighted(self) -> Dashboard | None:
        index = self.query_one(OptionList).highlighted
        return self.boards[index] if index is not None and index < len(self.boards) else None

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option_id is not None:
            self.dismiss(int(event.option_id))

    def action_rename(self) -> None:
        board = self.highlighted
        if board is None:
            return

        def renamed(name: str | None) -> None:
            if name and board is not None:
                self.store.rename(board.dashboard_id, name)
                self._reload(board.dashboard_id)

        self.app.push_screen(TextPrompt("Rename dashboard", board.name), renamed)

    def action_delete(self) -> None:
        board = self.highlighted
        if board is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes and board is not None:
                self.store.delete(board.dashboard_id)
                self._reload()
                self.notify(f"Deleted dashboard “{board.name}”.", markup=False)

        self.app.push_screen(
            Confirm(
                "Delete dashboard",
                f"Delete “{board.name}”? Its answers stay in their sessions.",
                confirm="Delete",
            ),
            confirmed,
        )


class DashboardExportScreen(ExportDialog[ReportExport]):
    """Export a dashboard to an HTML report or Markdown."""

    TITLE_TEXT = "Export dashboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "cancel", "Cancel", id="dashboard-export-cancel", tooltip="Close without exporting."
        ),
        Binding("ctrl+s", "export", "Export", id="dashboard-export-save", tooltip="Write the report."),
    ]

    def __init__(self, board: Dashboard, *, folder: Path | None = None, fmt: str = "html") -> None:
        self.board = board
        fmt = fmt if fmt in REPORT_FORMATS else "html"
        initial = (folder or default_folder()) / (file_stem(board.name) + REPORT_EXTENSIONS[fmt])
        super().__init__(list(REPORT_FORMATS), fmt, initial, classes="dashboard-export")

    def size_text(self) -> str:
        n = len(self.board.items)
        return f"{self.board.name}: {n} item{'' if n == 1 else 's'}"

    def writing_text(self) -> str:
        return f"Writing {len(self.board.items)} items…"

    def format_label(self, fmt: str) -> str:
        return REPORT_LABELS[fmt]

    def format_of(self, path: Path) -> str | None:
        return report_format_for(path)

    def with_format(self, path: Path, fmt: str) -> Path:
        return with_report_format(path, fmt)

    def write(self, path: Path, fmt: str, overwrite: bool) -> ReportExport:
        return export_dashboard(self.board, path, fmt, overwrite=overwrite)
