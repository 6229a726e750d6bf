"""ExportScreen: pick a path and a format, then write the whole result (c2q_tui.export).

`app.push_screen(ExportScreen(columns, rows, "revenue-by-sector"), callback)`; the screen dismisses
with the ExportReport, or None when cancelled. On success it notifies where the file went and how
many rows it holds, so the caller need not. Writing runs in a thread worker: a 100k-row result
takes a moment, and the UI stays live meanwhile.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from c2q_tui.export import (
    EXTENSIONS,
    FORMAT_LABELS,
    ExportError,
    ExportExists,
    ExportReport,
    available_formats,
    export_result,
    format_for,
    with_format,
)


def default_folder() -> Path:
    """The working directory when it can be written to (a terminal user's "here"), else
    ~/Downloads, else home."""
    cwd = Path.cwd()
    if os.access(cwd, os.W_OK):
        return cwd
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.home()


def file_stem(name: str) -> str:
    """A file name from a title: "Revenue by sector?" -> "revenue-by-sector"."""
    stem = re.sub(r"[^\w.-]+", "-", name.strip().lower()).strip("-.")
    return stem[:60] or "result"


class ExportScreen(ModalScreen[ExportReport | None]):
    """Export a result to a file the user picks; dismisses with the report or None."""

    CSS_PATH = "export.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export-cancel", tooltip="Close without exporting."),
        Binding("ctrl+s", "export", "Export", id="export-save", tooltip="Write the file."),
    ]

    class Finished(Message):
        def __init__(self, report: ExportReport) -> None:
            super().__init__()
            self.report = report

    class Failed(Message):
        def __init__(self, error: ExportError) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        default_name: str = "result",
        *,
        folder: Path | None = None,
        fmt: str = "csv",
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self.rows = rows
        self.formats = available_formats()
        self.fmt = fmt if fmt in self.formats else "csv"
        self.initial_path = (folder or default_folder()) / (file_stem(default_name) + EXTENSIONS[self.fmt])
        self._confirmed: Path | None = None  # the existing file the user agreed to overwrite
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box") as box:
            box.border_title = "Export result"
            rows, cols = len(self.rows), len(self.columns)
            yield Static(
                f"{rows:,} row{'' if rows == 1 else 's'} × {cols} column{'' if cols == 1 else 's'}",
                id="export-size",
                markup=False,
            )
            yield Label("File")
            yield Input(str(self.initial_path), id="export-path", select_on_focus=False)
            yield Label("Format")
            yield Select([(FORMAT_LABELS[f], f) for f in self.formats], value=self.fmt, allow_blank=False,
                         id="export-format")
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

    # ------------------------------------------------------------ path and format stay in step

    @on(Input.Changed, "#export-path")
    def _path_edited(self, event: Input.Changed) -> None:
        self._reset_confirmation()
        try:
            fmt = format_for(self.path)
        except ExportError:
            return
        if fmt in self.formats and fmt != self.fmt:
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
                path_input.value = str(with_format(self.path, self.fmt))
        self._reset_confirmation()

    def _reset_confirmation(self) -> None:
        if self._confirmed is not None:
            self._confirmed = None
            self.query_one("#export-ok", Button).label = "Export"
            self.query_one("#export-ok", Button).variant = "primary"
        self._status("")

    # ------------------------------------------------------------ export

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
        self._status(f"Writing {len(self.rows):,} rows…")
        self._write(path, self.fmt, overwrite=self._confirmed == path)

    @work(thread=True, exclusive=True, group="export")
    def _write(self, path: Path, fmt: str, overwrite: bool) -> None:
        try:
            report = export_result(self.columns, self.rows, path, fmt, overwrite=overwrite)
        except ExportError as exc:
            self.post_message(self.Failed(exc))
        except Exception as exc:  # a bug must reach the user as a message, not kill the app
            self.post_message(self.Failed(ExportError(f"export failed: {exc}")))
        else:
            self.post_message(self.Finished(report))

    @on(Finished)
    def _finished(self, event: Finished) -> None:
        self.busy = False
        self.app.notify(event.report.message(), title="Export")
        self.dismiss(event.report)

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.busy = False
        if isinstance(event.error, ExportExists):
            self._confirmed = self.path
            button = self.query_one("#export-ok", Button)
            button.label = "Overwrite"
            button.variant = "error"
            name = event.error.path.name
            self._status(f"{name} already exists. Press Overwrite to replace it.", "-warning")
            button.focus()
            return
        self._status(str(event.error), "-error")

    @on(Button.Pressed, "#export-no")
    def action_cancel(self) -> None:
        self.dismiss(None)
