"""Pick the SQL dialect to convert to: every target sqltools knows, the last one chosen highlighted."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from c2q_tui.sqltools.convert import TARGETS


class DialectPicker(ModalScreen[str | None]):
    """Dismisses with a target key (e.g. "postgres"), or None."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel", id="dialect-cancel")]

    DEFAULT_CSS = """
    DialectPicker .dialect-box { width: 44; }
    DialectPicker OptionList { height: auto; max-height: 16; border: none; padding: 0; }
    DialectPicker .hint { color: $text-muted; margin: 0 0 1 0; }
    """

    def __init__(self, source: str, *, initial: str | None = None) -> None:
        """`source`: the name of the dialect the SQL is in now (shown, and marked in the list)."""
        super().__init__(classes="dialog")
        self.source = source
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box dialect-box") as box:
            box.border_title = "Convert to"
            box.border_subtitle = "enter converts · esc cancels"
            yield Static(Content(f"The SQL is {self.source}. Convert it to:"), classes="hint")
            options = [
                Option(
                    Content.assemble(t.name, (" (now)", "dim")) if t.name == self.source else Content(t.name),
                    id=t.key,
                )
                for t in TARGETS
            ]
            yield OptionList(*options, id="dialect-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [t.key for t in TARGETS]
        fallback = next((i for i, t in enumerate(TARGETS) if t.name != self.source), 0)
        options.highlighted = keys.index(self.initial) if self.initial in keys else fallback
        options.focus()

    @on(OptionList.OptionSelected, "#dialect-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
