"""The assist panel: explain / optimize / convert for the SQL in the viewer, streamed in as it arrives.

The app drives it (`start`, `append`, `finish`, `fail`, `cancelled`); the panel only renders and says
what the user asked for: escape on a running answer posts `AssistCancelRequested`, "use" posts
`AssistSqlChosen`. SQL in the answer is highlighted like the SQL viewer's, once for every chunk: a
Static re-renders a few kB in well under a millisecond, and the reader sees each chunk as it lands.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.theme import Theme
from textual.widgets import Button, LoadingIndicator, Static

from c2q_tui.tui.assist_text import answer_sql, split_answer
from c2q_tui.tui.messages import AssistCancelRequested, AssistSqlChosen
from c2q_tui.tui.widgets.clip import copy
from c2q_tui.tui.widgets.sql_text import SqlPalette, highlight_sql

VERBS = {"explain": "Explaining", "optimize": "Looking for optimizations", "convert": "Converting"}


class AssistBody(VerticalScroll):
    """The answer's scrolling area: focusable, so the panel's keys work while reading."""


class AssistPanel(Vertical):
    ALLOW_MAXIMIZE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Cancel / close", id="assist-close",
                tooltip="Stop a running answer (what arrived stays); on a finished one, close the panel."),
        Binding("c", "copy", "Copy", id="assist-copy",
                tooltip="Copy the SQL of the answer (the whole answer when it has none)."),
        Binding("u", "use_sql", "Use SQL", id="assist-use",
                tooltip="Put the optimized or converted SQL in the SQL viewer, ready to run (f9) or copy."),
    ]  # fmt: skip

    DEFAULT_CSS = """
    AssistPanel { height: 2fr; }
    AssistPanel > Horizontal { height: auto; }
    AssistPanel LoadingIndicator { height: 1; width: 4; }
    AssistPanel .status { padding: 0 1; height: auto; width: 1fr; color: $text-muted; }
    AssistPanel .status.-error { color: $text-error; }
    AssistPanel Button { margin: 0 0 0 1; width: auto; min-width: 6; }
    AssistPanel > AssistBody { height: 1fr; padding: 0 1; border-top: solid $panel-lighten-2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = ""  # "explain" | "optimize" | "convert"
        self.text = ""  # the answer so far, as it arrived
        self.sql: str | None = None  # the statement a finished optimize / convert answer offers
        self.running = False
        self.error = ""
        self.dialect = "mysql"  # what the answer's SQL is written in (for a conversion, the target)
        self._what = ""  # e.g. "the SQL converted to PostgreSQL"

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield LoadingIndicator()
            yield Static("", classes="status", markup=False)
            yield Button("Use SQL", id="assist-use", compact=True,
                         tooltip="Put this SQL in the SQL viewer, ready to run (f9) or copy")  # fmt: skip
            yield Button("Copy", id="assist-copy", compact=True, tooltip="Copy the SQL of the answer")
            yield Button("Close", id="assist-close", compact=True, tooltip="Close (esc)")
        with AssistBody(id="assist-body"):
            yield Static("", id="assist-text", markup=False)

    def on_mount(self) -> None:
        self.display = False
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._controls()

    # -- driven by the app -------------------------------------------------------------------------

    def start(self, action: str, title: str, source: str, *, dialect: str, what: str) -> None:
        """A new answer: `title` e.g. "Convert to PostgreSQL", `source` who answers (the provider)."""
        self.kind, self.text, self.sql, self.error = action, "", None, ""
        self.running, self.dialect, self._what = True, dialect, what
        self.border_title = title
        self.border_subtitle = source
        self.display = True
        self._status(f"{VERBS.get(action, 'Working')} with {source}…")
        self._render_text()
        self._controls()
        body = self.query_one(AssistBody)
        body.scroll_home(animate=False)
        body.focus()

    def append(self, chunk: str) -> None:
        self.text += chunk
        self._render_text()

    def finish(self, note: str = "") -> None:
        self.running = False
        self.sql = answer_sql(self.text, self.kind)
        if not self.text.strip():
            self.text = "(The answer was empty.)"
        self._status(note or "Done.")  # the footer and the buttons say what to do with the SQL
        self._render_text()
        self._controls()

    def fail(self, reason: str) -> None:
        self.running = False
        self.error = reason
        self._status(reason, error=True)
        self._render_text()
        self._controls()

    def cancelled(self) -> None:
        self.running = False
        kept = " What arrived so far is kept." if self.text.strip() else ""
        self._status(f"Cancelled.{kept}")
        self._render_text()
        self._controls()

    def close(self) -> None:
        self.running = False
        self.display = False

    @property
    def status_text(self) -> str:
        return str(self.query_one(".status", Static).render())

    @property
    def shown_text(self) -> str:
        """The answer as the panel shows it (fence markers dropped), for tests and copying prose."""
        return self._rendered().plain

    # -- rendering ---------------------------------------------------------------------------------

    def _theme_changed(self, _theme: Theme) -> None:
        if self.display:
            self._render_text()

    def _rendered(self) -> Text:
        palette = SqlPalette.from_variables(self.app.theme_variables) if self.is_mounted else SqlPalette()
        out = Text(end="")
        for piece in split_answer(self.text, self.kind, complete=not self.running):
            if piece.kind == "prose":
                out.append(piece.text)
                continue
            if out.plain and not out.plain.endswith("\n"):
                out.append("\n")
            body = piece.text.strip("\n")
            if piece.kind == "sql":
                out.append_text(highlight_sql(body, palette, self.dialect))
            else:
                out.append(body, style="dim")
            out.append("\n")
        out.rstrip()
        return out

    def _render_text(self) -> None:
        shown = self._rendered()
        if not shown.plain and self.running:
            shown = Text("Waiting for the first words…", style="dim italic")
        self.query_one("#assist-text", Static).update(shown)
        body = self.query_one(AssistBody)
        # the answer is read from its top; a reader who scrolled to its end follows it as it grows
        if self.running and 0 < body.scroll_y >= body.max_scroll_y - 1:
            body.call_after_refresh(body.scroll_end, animate=False)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one(".status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def _controls(self) -> None:
        self.query_one(LoadingIndicator).display = self.running
        self.query_one("#assist-use", Button).display = bool(self.sql) and not self.running
        self.query_one("#assist-copy", Button).disabled = self.running or not self.text.strip()
        self.query_one("#assist-close", Button).label = "Stop" if self.running else "Close"
        self.refresh_bindings()

    # -- what the user does ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "use_sql":
            return bool(self.sql) and not self.running
        if action == "copy":
            return not self.running and bool(self.text.strip())
        return True

    def action_dismiss(self) -> None:
        if self.running:
            self.post_message(AssistCancelRequested())
            return
        self.close()
        for viewer in self.screen.query("#sql"):
            viewer.focus()

    def action_copy(self) -> None:
        if self.sql:
            lines = self.sql.count("\n") + 1
            copy(self, self.sql, f"{self._what or 'the SQL'} ({lines} line{'' if lines == 1 else 's'})")
        elif self.text.strip():
            copy(self, self.shown_text, "the answer")

    def action_use_sql(self) -> None:
        if self.sql and not self.running:
            self.post_message(AssistSqlChosen(self.sql, self.dialect, self._what or "the SQL"))

    @on(Button.Pressed, "#assist-use")
    def _use(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_use_sql()

    @on(Button.Pressed, "#assist-copy")
    def _copy(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy()

    @on(Button.Pressed, "#assist-close")
    def _close(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_dismiss()
