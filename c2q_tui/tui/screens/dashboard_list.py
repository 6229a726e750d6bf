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

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from c2q_tui.dashboards import Dashboard, DashboardStore
from c2q_tui.export import ExportError, ExportExists
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
from c2q_tui.tui.screens.export import default_folder, file_stem


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


class DashboardExportScreen(ModalScreen[ReportExport | None]):
    """Export a dashboard to an HTML report or Markdown; dismisses with the report or None."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "cancel", "Cancel", id="dashboard-export-cancel", tooltip="Close without exporting."
        ),
        Binding("ctrl+s", "export", "Export", id="dashboard-export-save", tooltip="Write the report."),
    ]

    class Finished(Message):
        def __init__(self, report: ReportExport) -> None:
            super().__init__()
            self.report = report

    class Failed(Message):
        def __init__(self, error: ExportError) -> None:
            super().__init__()
            self.error = error

    def __init__(self, board: Dashboard, *, folder: Path | None = None, fmt: str = "html") -> None:
        super().__init__(classes="dashboard-export")
        self.board = board
        self.fmt = fmt if fmt in REPORT_FORMATS else "html"
        self.initial_path = (folder or default_folder()) / (
            file_stem(board.name) + REPORT_EXTENSIONS[self.fmt]
        )
        self._confirmed: Path | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box") as box:
            box.border_title = "Export dashboard"
            n = len(self.board.items)
            yield Static(
                f"{self.board.name}: {n} item{'' if n == 1 else 's'}", id="export-size", markup=False
            )
            yield Label("File")
            yield Input(str(self.initial_path), id="export-path", select_on_focus=False)
            yield Label("Format")
            yield Select(
                [(REPORT_LABELS[f], f) for f in REPORT_FORMATS],
                value=self.fmt,
                allow_blank=False,
                id="export-format",
            )
            yield Static("", id="export-status", markup=False)
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-ok")
                yield Button("Cancel", id="export-no")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @property
    def path(self) -> Path:
        return Path(self.query_one("#export-path", Input).value.strip()).expanduser()

    def _status(self, text: str, kind: str = "") -> None:
        status = self.query_one("#export-status", Static)
        status.update(text)
        status.set_classes(kind)

    @on(Input.Changed, "#export-path")
    def _path_edited(self) -> None:
        self._reset_confirmation()
        fmt = report_format_for(self.path)
        if fmt is not None and fmt != self.fmt:
            self.fmt = fmt
            with self.prevent(Select.Changed):
                self.query_one("#export-format", Select).value = fmt

    @on(Select.Changed, "#export-format")
    def _format_picked(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str) or event.value == self.fmt:
            return
        self.fmt = event.value
        path_input = self.query_one("#export-path", Input)
        if path_input.value.strip():
            with self.prevent(Input.Changed):
                path_input.value = str(with_report_format(self.path, self.fmt))
        self._reset_confirmation()

    def _reset_confirmation(self) -> None:
        if self._confirmed is not None:
            self._confirmed = None
            button = self.query_one("#export-ok", Button)
            button.label, button.variant = "Export", "primary"
        self._status("")

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-ok")
    def action_export(self) -> None:
        if self.busy:
            return
        path = self.path
        if not str(path).strip() or path == Path():
            self._status("Enter a file name.", "-error")
            return
        self.busy = True
        self._status(f"Writing {len(self.board.items)} items…")
        self._write(path, self.fmt, overwrite=self._confirmed == path)

    @work(thread=True, exclusive=True, group="export")
    def _write(self, path: Path, fmt: str, overwrite: bool) -> None:
        try:
            report = export_dashboard(self.board, path, fmt, overwrite=overwrite)
        except ExportError as exc:
            self.post_message(self.Failed(exc))
        except Exception as exc:  # a bug must reach the user as a message, not kill the app
            self.post_message(self.Failed(ExportError(f"export failed: {exc}")))
        else:
            self.post_message(self.Finished(report))

    @on(Finished)
    def _finished(self, event: Finished) -> None:
        self.busy = False
        self.app.notify(event.report.message(), title="Export", markup=False)
        self.dismiss(event.report)

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.busy = False
        if isinstance(event.error, ExportExists):
            self._confirmed = self.path
            button = self.query_one("#export-ok", Button)
            button.label, button.variant = "Overwrite", "error"
            self._status(
                f"{event.error.path.name} already exists. Press Overwrite to replace it.", "-warning"
            )
            button.focus()
            return
        self._status(str(event.error), "-error")

    @on(Button.Pressed, "#export-no")
    def action_cancel(self) -> None:
        self.dismiss(None)
