"""The SQL viewer: pretty-printed, highlighted SQL with line numbers, errors and refinement diffs.

Rendering is a Rich `Text` in a `Static`, not a `TextArea(language="sql")`: highlighting
costs a few ms where the tree-sitter editor costs ~90 ms to mount (performance.md §5), and a
Static still lets the reader select and copy text. Line numbers live in their own widget so
a selection never picks them up.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, ScrollableContainer
from textual.message import Message
from textual.theme import Theme
from textual.widgets import Static

from c2q_tui.tui import actions
from c2q_tui.tui.lazy import lazy_module
from c2q_tui.tui.widgets.clip import copy

if TYPE_CHECKING:
    from c2q_tui.tui.widgets import sql_text
else:  # sqlglot and pygments load with the first statement shown, not before the first frame
    sql_text = lazy_module("c2q_tui.tui.widgets.sql_text")

ViewerMode = Literal["empty", "sql", "error", "diff"]
DiffView = Literal["unified", "split", "new"]


class _Gutter(Static):
    """Line numbers: visible, never part of a text selection."""

    ALLOW_SELECT = False


class SqlViewer(ScrollableContainer):
    """Shows one SQL statement, an SQL error, or the diff of a refinement. Focusable; scrolls."""

    DEFAULT_CSS = """
    SqlViewer { height: 1fr; background: $surface; }
    SqlViewer > #sql-explanation {
        width: 1fr; height: auto; padding: 0 1; margin-bottom: 1; color: $text; text-style: italic;
    }
    SqlViewer > #sql-body { width: auto; min-width: 100%; height: auto; }
    SqlViewer #sql-gutter { width: auto; height: auto; padding: 0 1; color: $text-disabled; }
    SqlViewer #sql-code { width: auto; height: auto; padding: 0 1; }
    SqlViewer > #sql-error {
        dock: bottom; width: 1fr; height: auto; max-height: 50%; padding: 0 1;
        color: $text-error; background: $error-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_sql", "Copy SQL", id="sql-copy",
                tooltip="Copy the SQL as shown (pretty-printed; the new statement of a diff)."),
        Binding("e", "edit_sql", "Edit", id="sql-edit",
                tooltip="Open the SQL in $VISUAL or $EDITOR; the edited statement is handed to the app."),
        Binding("d", "toggle_diff", "Diff / new SQL", id="sql-toggle-diff",
                tooltip="Switch between the refinement's diff and the new SQL alone."),
        Binding("v", "toggle_split", "Side by side", id="sql-diff-layout",
                tooltip="Switch the diff between one column (unified) and side by side."),
        *actions.bindings("sql"),  # explain / optimize / convert: the registry's, run by the app
    ]

    class Edited(Message):
        """The user edited the SQL in their editor and saved a different statement."""

        def __init__(self, viewer: SqlViewer, sql: str) -> None:
            super().__init__()
            self.viewer = viewer
            self.sql = sql

        @property
        def control(self) -> SqlViewer:
            return self.viewer

    class Copied(Message):
        """The SQL was put on the clipboard."""

        def __init__(self, viewer: SqlViewer, sql: str) -> None:
            super().__init__()
            self.viewer = viewer
            self.sql = sql

        @property
        def control(self) -> SqlViewer:
            return self.viewer

    def __init__(
        self,
        placeholder: str = "No SQL yet.",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._placeholder = placeholder
        self._mode: ViewerMode = "empty"
        self._diff_view: DiffView = "unified"
        self._dialect = "mysql"
        self._sql = ""  # as given
        self._formatted = ""  # as shown
        self._old_formatted = ""
        self._explanation = ""
        self._error = ""

    def compose(self) -> ComposeResult:
        # the explanation, the gutter and the error are hidden while empty: `mount_parts` adds them
        with HorizontalGroup(id="sql-body"):
            yield Static("", id="sql-code", markup=False)

    _parts = False

    def mount_parts(self) -> None:
        """Mount the parts the empty state does without (the explanation, the line numbers, the
        error), so the first frame need not; the app calls this just after it, and showing anything
        but the placeholder does too. Later calls do nothing."""
        if self._parts:
            return
        self._parts = True
        self.mount(Static("", id="sql-explanation", markup=False), before="#sql-body")
        self.query_one("#sql-body", HorizontalGroup).mount(
            _Gutter("", id="sql-gutter", markup=False), before="#sql-code"
        )
        self.mount(Static("", id="sql-error", markup=False))
        self._refresh_view()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._refresh_view()

    # ------------------------------------------------------------ public API

    def show_sql(self, sql: str, *, dialect: str = "mysql") -> None:
        """Show `sql`, pretty-printed when sqlglot can parse it, as written otherwise."""
        self._set("sql", sql, dialect)

    def show_error(self, sql: str, error: str, *, dialect: str = "mysql") -> None:
        """Show `sql` with the database's error message under it."""
        self._error = error
        self._set("error", sql, dialect)

    def show_diff(self, old_sql: str, new_sql: str, explanation: str, *, dialect: str = "mysql") -> None:
        """Show how a refinement rewrote the SQL: the explanation over a line diff."""
        self._old_formatted = sql_text.pretty_sql(_normalise(old_sql), dialect)
        self._explanation = explanation
        self._diff_view = "unified"
        self._set("diff", new_sql, dialect)

    def clear(self, placeholder: str | None = None) -> None:
        if placeholder is not None:
            self._placeholder = placeholder
        self._set("empty", "", self._dialect)

    @property
    def current_sql(self) -> str:
        """The SQL as given (for a diff, the new statement), not reformatted."""
        return self._sql

    @property
    def formatted_sql(self) -> str:
        """The SQL as shown: pretty-printed, or as written when it could not be parsed."""
        return self._formatted

    @property
    def mode(self) -> ViewerMode:
        return self._mode

    @property
    def diff_view(self) -> DiffView:
        return self._diff_view

    # ------------------------------------------------------------ rendering

    def _set(self, mode: ViewerMode, sql: str, dialect: str) -> None:
        self._formatted = sql_text.pretty_sql(_normalise(sql), dialect) if sql.strip() else ""
        if mode == "sql" and not self._formatted:
            mode = "empty"
        self._mode, self._sql, self._dialect = mode, sql, dialect
        if self.is_mounted:
            self._refresh_view()
            self.scroll_home(animate=False)
            self.refresh_bindings()

    def _theme_changed(self, _theme: Theme) -> None:
        self._refresh_view()

    def _refresh_view(self) -> None:
        if not self._parts:
            if self._mode == "empty":  # the placeholder alone
                self.query_one("#sql-code", Static).update(Text(self._placeholder, style="dim italic"))
                return
            self.mount_parts()  # which comes back here
            return
        palette = sql_text.SqlPalette.from_variables(self.app.theme_variables)
        explanation = self.query_one("#sql-explanation", Static)
        gutter = self.query_one("#sql-gutter", _Gutter)
        code = self.query_one("#sql-code", Static)
        error = self.query_one("#sql-error", Static)

        note = self._explanation.strip()
        if self._mode == "diff" and self._old_formatted == self._formatted:
            note = f"{note}\n(The SQL is unchanged.)".strip()
        explanation.display = self._mode == "diff" and bool(note)
        explanation.update(note)
        error.display = self._mode == "error"
        error.update(Text.assemble(("SQL error: ", "bold"), self._error.strip()))
        gutter.display = True

        if self._mode == "empty":
            gutter.display = False
            code.update(Text(self._placeholder, style="dim italic"))
        elif self._mode == "diff" and self._diff_view == "unified":
            numbers, body = sql_text.render_unified(
                sql_text.diff_lines(self._old_formatted, self._formatted), palette, self._dialect
            )
            gutter.update(numbers)
            code.update(body)
        elif self._mode == "diff" and self._diff_view == "split":
            gutter.display = False
            pairs = sql_text.side_by_side(self._old_formatted, self._formatted)
            code.update(sql_text.render_side_by_side(pairs, palette))
        elif not self._formatted:  # an error without SQL, e.g. "the question was not understood"
            gutter.display = False
            code.update("")
        else:
            gutter.update(sql_text.line_numbers(self._formatted.count("\n") + 1))
            code.update(sql_text.highlight_sql(self._formatted, palette, self._dialect))

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_diff":
            return self._mode == "diff"
        if action == "toggle_split":
            return self._mode == "diff" and self._diff_view != "new"
        return True

    def action_toggle_diff(self) -> None:
        if self._mode == "diff":
            self._diff_view = "unified" if self._diff_view == "new" else "new"
            self._refresh_view()
            self.refresh_bindings()

    def action_toggle_split(self) -> None:
        if self._mode == "diff" and self._diff_view != "new":
            self._diff_view = "split" if self._diff_view == "unified" else "unified"
            self._refresh_view()

    def action_copy_sql(self) -> None:
        sql = self._formatted
        if not sql:
            self.notify("There is no SQL to copy.", severity="warning", timeout=3)
            return
        lines = sql.count("\n") + 1
        copy(self, sql, f"the SQL ({lines} line{'' if lines == 1 else 's'})")
        self.post_message(self.Copied(self, sql))

    def action_edit_sql(self) -> None:
        """Edit the SQL in the user's editor, suspending the app while it runs."""
        sql = self._formatted
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.notify("Set $EDITOR (or $VISUAL) to edit SQL in your editor.", title="No editor",
                        severity="warning", markup=False)
            return
        try:
            import shlex

            command = shlex.split(editor)
        except ValueError as error:
            self.notify(f"Cannot read $EDITOR ({editor!r}): {error}", severity="error", markup=False)
            return
        edited = self._run_editor(command, sql)
        if edited is None:
            return
        if edited and edited != sql.strip():
            self.post_message(self.Edited(self, edited))
        else:
            self.notify("The SQL was not changed.", timeout=3)

    def _run_editor(self, command: list[str], sql: str) -> str | None:
        """The saved text, or None (after telling the user why) when the editor failed."""
        handle, name = tempfile.mkstemp(prefix="c2q-", suffix=".sql")
        path = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(sql + "\n")
            try:
                with self.app.suspend():
                    status = subprocess.call([*command, str(path)])
            except SuspendNotSupported:
                self.notify("This terminal cannot hand over to an editor.", severity="error")
                return None
            except OSError as error:
                self.notify(f"Could not start {command[0]}: {error}", severity="error", markup=False)
                return None
            if status != 0:
                self.notify(f"{command[0]} exited with status {status}; the SQL was not changed.",
                            severity="error", markup=False)
                return None
            return path.read_text(encoding="utf-8").strip()
        finally:
            path.unlink(missing_ok=True)


def _normalise(sql: str) -> str:
    # pygments and splitlines disagree about "\r"; one newline style keeps line numbers right
    return sql.replace("\r\n", "\n").replace("\r", "\n")
