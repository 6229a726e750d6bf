"""The chat pane: a session's questions and answer cards over a multi-line question box.

Enter (or ctrl+j) sends, shift/alt+enter adds a line; up on the first line and down on the last walk
the questions asked before. Sending posts `QuestionSubmitted(session, text, mode)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea

from c2q_tui.tui import actions
from c2q_tui.tui.messages import QuestionSubmitted

if TYPE_CHECKING:
    # neither is on the first frame: the cards come with the history, the suggestions on ctrl+s
    from c2q_tui.tui.state import Turn
    from c2q_tui.tui.widgets.answer_card import AnswerCard
    from c2q_tui.tui.widgets.suggestions import SuggestionsPanel

MAX_QUESTION_CHARS = 4000


class Composer(TextArea):
    """The question box."""

    BINDINGS = actions.bindings("composer")

    class Sent(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=True)
        self.questions: list[str] = []  # asked before, oldest first
        self._history_at: int | None = None  # index into history while walking it
        self._draft = ""

    # These actions are priority bindings: the app runs them when the key reaches it, while the keys
    # typed just before may still wait in this widget's queue (a terminal, or tmux send-keys, can
    # deliver "question⏎" in one read). So each one queues behind them with `call_later`; otherwise
    # enter would find the box still empty and send nothing.

    def action_send(self) -> None:
        self.call_later(self._send)

    def action_newline(self) -> None:
        self.call_later(self.insert, "\n")

    def action_history_previous(self) -> None:
        self.call_later(self._history_previous)

    def action_history_next(self) -> None:
        self.call_later(self._history_next)

    def _send(self) -> None:
        text = self.text.strip()
        if not text:
            return
        self._history_at = None
        self.post_message(self.Sent(text))

    def _history_previous(self) -> None:
        if not self.navigator.is_first_wrapped_line(self.cursor_location) or not self.questions:
            self.action_cursor_up()
            return
        if self._history_at is None:
            self._draft = self.text
            self._history_at = len(self.questions)
        if self._history_at > 0:
            self._history_at -= 1
            self._show(self.questions[self._history_at])

    def _history_next(self) -> None:
        if not self.navigator.is_last_wrapped_line(self.cursor_location) or self._history_at is None:
            self.action_cursor_down()
            return
        self._history_at += 1
        if self._history_at >= len(self.questions):
            self._history_at = None
            self._show(self._draft)
        else:
            self._show(self.questions[self._history_at])

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)


class ChatPane(Vertical):
    ALLOW_MAXIMIZE = True  # f4

    def __init__(self, *, clock: Callable[[], float], live: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.live = live
        self.session_id: int | None = None
        self.mode = "direct"
        self.database = ""
        self.border_title = "Chat"

    def compose(self) -> ComposeResult:
        # the banner (hidden while empty) goes here when first needed (`mount_banner`)
        with VerticalScroll(id="chat-log"):
            yield Static("", id="chat-empty")
        # the suggestions panel goes here when first needed (`mount_suggestions`)
        with Horizontal(id="composer-bar"):
            yield Composer(id="question")
            yield Static("", id="mode-label")

    def on_mount(self) -> None:
        self.set_banner("")
        self.set_mode(self.mode)
        self._render_empty()
        if not self.live:
            self.composer.cursor_blink = False

    @property
    def composer(self) -> Composer:
        return self.query_one("#question", Composer)

    @property
    def chat_log(self) -> VerticalScroll:
        return self.query_one("#chat-log", VerticalScroll)

    def mount_suggestions(self) -> SuggestionsPanel:
        """The suggestions panel, mounted (hidden) above the question box by the first call. The app
        makes that call just after the first frame, so the panel has composed before anything shows it."""
        from c2q_tui.tui.widgets.suggestions import SuggestionsPanel

        found = self.query_children("#suggestions")
        if found:
            return found.only_one(SuggestionsPanel)
        panel = SuggestionsPanel(id="suggestions")
        self.mount(panel, before="#composer-bar")
        return panel

    # -- the app drives these --------------------------------------------------------------------

    def mount_banner(self) -> Static:
        """The banner, mounted (hidden) above the chat log by the first call: by the first banner with
        text, or by the app just after the first frame, which shows no banner."""
        found = self.query_children("#chat-banner")
        if found:
            return found.only_one(Static)
        banner = Static("", id="chat-banner")
        banner.display = False
        self.mount(banner, before="#chat-log")
        return banner

    def set_banner(self, text: str, kind: str = "info") -> None:
        if not text and not self.query_children("#chat-banner"):
            return  # hidden, and not there yet
        banner = self.mount_banner()
        banner.update(Content(text))
        banner.display = bool(text)
        banner.set_class(kind == "error", "-error")
        banner.set_class(kind == "busy", "-busy")

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        label = self.query_one("#mode-label", Static)
        label.update(
            Content.assemble(("breakdown", "bold $accent") if mode == "auto_breakdown" else ("direct", "dim"))
        )
        label.tooltip = "ctrl+b switches between direct answers and auto_breakdown"

    def set_database(self, database: str) -> None:
        self.database = database
        self.composer.placeholder = f"Ask about {database}…" if database else "Ask a question…"
        self._render_empty()

    def _render_empty(self) -> None:
        empty = self.query_one("#chat-empty", Static)
        db = self.database or "your database"
        empty.update(
            Content.assemble(
                ("Ask anything about ", "dim"),
                (db, "bold"),
                (" in plain language, e.g.\n", "dim"),
                "  how many companies are there\n  average revenue per sector\n"
                "  top 5 companies by revenue\n",
                ("ctrl+s suggests questions; ctrl+b splits a question into sub-tasks.", "dim"),
            )
        )
        empty.display = not self.chat_log.query("AnswerCard")  # by name: the module may not be loaded yet

    async def show_session(
        self, session_id: int, turns: list[Turn], *, reset_at: float | None, selected: tuple[int, int] | None
    ) -> None:
        """Replace the log with the session's turns (a reset divider where the context was reset)."""
        from c2q_tui.tui.widgets.answer_card import AnswerCard

        self.session_id = session_id
        log = self.chat_log
        await log.query(".chat-item").remove()
        with self.app.batch_update():
            items: list[Static | AnswerCard] = []
            divider_done = reset_at is None
            for t in turns:
                if not divider_done and reset_at is not None and t.created_at >= reset_at:
                    items.append(self._divider())
                    divider_done = True
                card = AnswerCard(t, clock=self.clock, live=self.live)
                card.add_class("chat-item")
                if selected and selected[0] == t.turn_id:
                    card.add_class("-selected")
                    card.task_index = selected[1]
                items.append(card)
            if not divider_done:
                items.append(self._divider())
            if items:
                log.mount_all(items)
            self._render_empty()
        log.scroll_end(animate=False, immediate=False)

    def _divider(self) -> Static:
        return Static(Content("── conversation context reset ──"), classes="chat-item reset-divider")

    def add_divider(self) -> None:
        self.chat_log.mount(self._divider())
        self.chat_log.scroll_end(animate=False)

    def add_turn(self, turn: Turn) -> None:
        from c2q_tui.tui.widgets.answer_card import AnswerCard

        card = AnswerCard(turn, clock=self.clock, live=self.live)
        card.add_class("chat-item")
        self.chat_log.mount(card)
        self._render_empty()
        self.chat_log.scroll_end(animate=False)

    def card(self, turn_id: int) -> AnswerCard | None:
        from c2q_tui.tui.widgets.answer_card import AnswerCard

        for c in self.chat_log.query(AnswerCard):
            if c.turn.turn_id == turn_id:
                return c
        return None

    def refresh_turn(self, turn: Turn) -> None:
        card = self.card(turn.turn_id)
        if card is not None:
            at_end = self.chat_log.scroll_y >= self.chat_log.max_scroll_y - 1
            card.refresh_turn(turn)
            if at_end and turn.open:
                self.chat_log.scroll_end(animate=False)

    def mark_selected(self, selected: tuple[int, int] | None) -> None:
        from c2q_tui.tui.widgets.answer_card import AnswerCard

        for c in self.chat_log.query(AnswerCard):
            on = selected is not None and selected[0] == c.turn.turn_id
            c.set_selected(on, selected[1] if on and selected else -1)

    def set_history(self, questions: list[str]) -> None:
        self.composer.questions = questions

    # -- sending ---------------------------------------------------------------------------------

    @on(Composer.Sent)
    def _sent(self, event: Composer.Sent) -> None:
        event.stop()
        text = event.text
        if len(text) > MAX_QUESTION_CHARS:
            self.app.notify(
                f"The question is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}.",
                severity="error",
            )
            return
        self.submit(text)

    def submit(self, text: str) -> None:
        self.composer.clear()
        self.post_message(QuestionSubmitted(self.session_id, text, self.mode))
