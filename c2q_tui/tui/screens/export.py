"""Export dialogs: pick a path and a format, then write a file.

`ExportDialog` is the dialog itself: a path and a format kept in step, a confirmation before
overwriting, the write in a thread worker (a 100k-row result takes a moment, and the UI stays live),
and a notification of where the file went and what it holds, so the caller need not. It dismisses
with the report, or None when cancelled. `ExportScreen(columns, rows, "revenue-by-sector")` exports
a whole result (c2q_tui.export); the dashboard report dialog is another subclass.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

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


class Report(Protocol):
    def message(self) -> str: ...


R = TypeVar("R", bound=Report)


class ExportDialog(ModalScreen[R | None], Generic[R]):
    """The dialog; subclasses say what is written, in which formats, and how."""

    CSS_PATH = "export.tcss"
    TITLE_TEXT = "Export"

    class Finished(Message):
        def __init__(self, report: Report) -> None:
            super().__init__()
            self.report = report

    class Failed(Message):
        def __init__(self, error: ExportError) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self, formats: list[str], fmt: str, initial_path: Path, *, classes: str | None = None
    ) -> None:
        super().__init__(classes=classes)
        self.formats = formats
        self.fmt = fmt if fmt in formats else formats[0]
        self.initial_path = initial_path
        self._confirmed: Path | None = None  # the existing file the user agreed to overwrite
        self.busy = False

    # what a subclass provides

    def size_text(self) -> str:
        raise NotImplementedError

    def writing_text(self) -> str:
        raise NotImplementedError

    def format_label(self, fmt: str) -> str:
        raise NotImplementedError

    def format_of(self, path: Path) -> str | None:
        """The format a file name asks for, if any."""
        raise NotImplementedError

    def with_format(self, path: Path, fmt: str) -> Path:
        raise NotImplementedError

    def write(self, path: Path, fmt: str, overwrite: bool) -> R:
        """Write the file (in a thread); raises ExportError."""
        raise NotImplementedError

    # the dialog

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box") as box:
            box.border_title = self.TITLE_TEXT
            yield Static(self.size_text(), id="export-size", markup=False)
            yield Label("File")
            yield Input(str(self.initial_path), id="export-path", select_on_focus=False)
            yield Label("Format")
            yield Select([(self.format_label(f), f) for f in self.formats], value=self.fmt,
                         allow_blank=False, id="export-format")
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
    def _path_edited(self) -> None:
        self._reset_confirmation()
        fmt = self.format_of(self.path)
        if fmt is not None and fmt in self.formats and fmt != self.fmt:
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
                path_input.value = str(self.with_format(self.path, self.fmt))
        self._reset_confirmation()

    def _reset_confirmation(self) -> None:
        if self._confirmed is not None:
            self._confirmed = None
            button = self.query_one("#export-ok", Button)
            button.label, button.variant = "Export", "primary"
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
        self._status(self.writing_text())
        self._write(path, self.fmt, overwrite=self._confirmed == path)

    @work(thread=True, exclusive=True, group="export")
    def _write(self, path: Path, fmt: str, overwrite: bool) -> None:
        try:
            report = self.write(path, fmt, overwrite)
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
        self.dismiss(event.report)  # type: ignore[arg-type]  # the report `write` returned

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.busy = False
        if isinstance(event.error, ExportExists):
            self._confirmed = self.path
            button = self.query_one("#export-ok", Button)
            button.label, button.variant = "Overwrite", "error"
            name = event.error.path.name
            self._status(f"{name} already exists. Press Overwrite to replace it.", "-warning")
            button.focus()
            return
        self._status(str(event.error), "-error")

    @on(Button.Pressed, "#export-no")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportScreen(ExportDialog[ExportReport]):
    """Export a whole result to a file the user picks."""

    TITLE_TEXT = "Export result"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export-cancel", tooltip="Close without exporting."),
        Binding("ctrl+s", "export", "Export", id="export-save", tooltip="Write the file."),
    ]

    def __init__(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        default_name: str = "result",
        *,
        folder: Path | None = None,
        fmt: str = "csv",
    ) -> None:
        self.columns = list(columns)
        self.rows = rows
        formats = available_formats()
        fmt = fmt if fmt in formats else "csv"
        initial = (folder or default_folder()) / (file_stem(default_name) + EXTENSIONS[fmt])
        super().__init__(formats, fmt, initial)

    def size_text(self) -> str:
        rows, cols = len(self.rows), len(self.columns)
        return f"{rows:,} row{'' if rows == 1 else 's'} × {cols} column{'' if cols == 1 else 's'}"

    def writing_text(self) -> str:
        return f"Writing {len(self.rows):,} rows…"

    def format_label(self, fmt: str) -> str:
        return FORMAT_LABELS[fmt]

    def format_of(self, path: Path) -> str | None:
        try:
            return format_for(path)
        except ExportError:
            return None

    def with_format(self, path: Path, fmt: str) -> Path:
        return with_format(path, fmt)

    def write(self, path: Path, fmt: str, overwrite: bool) -> ExportReport:
        return export_result(self.columns, self.rows, path, fmt, overwrite=overwrite)
