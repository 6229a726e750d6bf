"""Suggested questions: a list the service proposes for the database; choosing one asks it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from c2q_tui.tui.messages import SuggestionChosen


class SuggestionsPanel(Vertical):
    BINDINGS = [Binding("escape", "close", "Close", id="close-suggestions")]

    DEFAULT_CSS = """
    SuggestionsPanel { height: auto; max-height: 14; }
    SuggestionsPanel > OptionList { height: auto; max-height: 11; border: none; }
    SuggestionsPanel > LoadingIndicator { height: 1; }
    SuggestionsPanel > .message { padding: 0 1; }
    SuggestionsPanel > .message.-error { color: $error; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Suggested questions"
        self.border_subtitle = "enter asks · esc closes"
        self.questions: list[str] = []

    def compose(self) -> ComposeResult:
        yield LoadingIndicator()
        yield Static("", classes="message")
        yield OptionList(id="suggestion-options")

    def on_mount(self) -> None:
        self.display = False

    @property
    def options(self) -> OptionList:
        return self.query_one("#suggestion-options", OptionList)

    def show_loading(self, database: str) -> None:
        self.display = True
        self.query_one(LoadingIndicator).display = True
        self._message(f"Asking for questions about {database}…")
        self.options.display = False

    def show_questions(self, questions: list[str]) -> None:
        self.questions = questions
        self.display = True
        self.query_one(LoadingIndicator).display = False
        self.options.clear_options()
        # questions are data from the server: plain Content, never markup
        self.options.add_options([Option(Content(q), id=str(i)) for i, q in enumerate(questions)])
        self.options.display = bool(questions)
        self._message("" if questions else "The service suggested no questions.")
        if questions:
            self.options.highlighted = 0
            self.options.focus()

    def show_error(self, reason: str) -> None:
        self.display = True
        self.query_one(LoadingIndicator).display = False
        self.options.display = False
        self._message(reason, error=True)

    def _message(self, text: str, *, error: bool = False) -> None:
        msg = self.query_one(".message", Static)
        msg.update(Content(text))
        msg.display = bool(text)
        msg.set_class(error, "-error")

    def action_close(self) -> None:
        self.display = False
        for question in self.screen.query("#question"):
            question.focus()

    @on(OptionList.OptionSelected, "#suggestion-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.display = False
            self.post_message(SuggestionChosen(self.questions[int(event.option.id)]))
