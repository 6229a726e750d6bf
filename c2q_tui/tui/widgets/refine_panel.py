"""Refining an answer's SQL: feedback in, the rewritten SQL (shown as a diff by the SQL viewer) out,
then run it read-only where the profile has a database connection, or copy it where it has not."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, LoadingIndicator, Static

from c2q_tui.tui.messages import RefineSubmitted, SqlRunRequested
from c2q_tui.tui.widgets.clip import copy


class RefinePanel(Vertical):
    BINDINGS = [Binding("escape", "close", "Close", id="close-refine")]

    DEFAULT_CSS = """
    RefinePanel { height: auto; }
    RefinePanel > .target { color: $text-muted; padding: 0 1; height: auto; max-height: 3; }
    RefinePanel > Horizontal { height: auto; }
    RefinePanel Button { margin: 0 0 0 1; width: auto; min-width: 8; }
    RefinePanel LoadingIndicator { height: 1; width: 4; }
    RefinePanel .status { padding: 0 1; height: auto; width: 1fr; }
    RefinePanel .status.-error { color: $error; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Refine SQL"
        self.new_sql: str | None = None
        self.can_run = False

    def compose(self) -> ComposeResult:
        yield Static("", classes="target")
        yield Input(placeholder="What should change? e.g. limit 10", id="refine-feedback", compact=True)
        with Horizontal():
            yield LoadingIndicator()
            yield Static("", classes="status")
            yield Button(
                "Run",
                id="refine-run",
                variant="primary",
                compact=True,
                tooltip="Run the refined SQL read-only (f9)",
            )
            yield Button("Copy", id="refine-copy", compact=True, tooltip="Copy the refined SQL")

    def on_mount(self) -> None:
        self.display = False
        self.query_one(LoadingIndicator).display = False
        self._buttons()

    @property
    def feedback(self) -> Input:
        return self.query_one("#refine-feedback", Input)

    def open(self, target: str, *, can_run: bool, previous: tuple[str, str] | None = None) -> None:
        """Show the panel for an answer; `previous` is its last refinement (new SQL, explanation)."""
        self.display = True
        self.can_run = can_run
        self.new_sql = previous[0] if previous else None
        self.query_one(".target", Static).update(Content.assemble(("Refining: ", "bold"), target))
        self._status("" if previous is None else "Last refinement shown above.")
        self._buttons()
        self.feedback.focus()

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.query_one(LoadingIndicator).display = busy
        self.feedback.disabled = busy
        self._status(text)
        self._buttons()

    def show_result(self, new_sql: str) -> None:
        self.new_sql = new_sql
        self.set_busy(False)
        hint = (
            "f9 runs it read-only on the database."
            if self.can_run
            else (
                "This profile has no database connection to run it; copy it instead "
                "(add database_url to the profile to run SQL)."
            )
        )
        self._status(f"Rewritten. {hint}")
        self.feedback.value = ""
        self.feedback.disabled = False
        self.feedback.focus()

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self._status(text, error=True)
        self.feedback.focus()

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one(".status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def _buttons(self) -> None:
        busy = bool(self.query_one(LoadingIndicator).display)
        self.query_one("#refine-run", Button).display = self.can_run
        self.query_one("#refine-run", Button).disabled = busy or not self.new_sql
        self.query_one("#refine-copy", Button).disabled = not self.new_sql

    def run(self) -> bool:
        if self.new_sql and self.can_run:
            self.post_message(SqlRunRequested(self.new_sql))
            return True
        return False

    @on(Input.Submitted, "#refine-feedback")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.post_message(RefineSubmitted(text))

    @on(Button.Pressed, "#refine-run")
    def _run(self, event: Button.Pressed) -> None:
        event.stop()
        self.run()

    @on(Button.Pressed, "#refine-copy")
    def _copy(self, event: Button.Pressed) -> None:
        event.stop()
        if self.new_sql:
            copy(self, self.new_sql, "the refined SQL")

    def action_close(self) -> None:
        self.display = False
