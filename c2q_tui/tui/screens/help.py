"""F1: every key binding of the registry, by where it works, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from c2q_tui.tui import actions

EXTRA = (
    ("Result grid", "s", "Sort by the cursor's column (again: reverse)"),
    ("Result grid", "c / y / v / t", "Copy cell / row / column / selection as TSV"),
    ("Anywhere", "tab / shift+tab", "Move between panes"),
    ("Anywhere", "^p", "Command palette: every action by name"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help-close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc closes"
            yield Static(self._text())

    def _text(self) -> Content:
        parts: list[Content] = []
        for scope, title in actions.SCOPE_TITLES.items():
            parts.append(Content.styled(title, "bold $accent"))
            for a in actions.ACTIONS:
                if a.scope == scope:
                    parts.append(Content.assemble((f"  {actions.key_display(a.keys):<16}", "bold"), a.help))
            parts.append(Content(""))
        parts.append(Content.styled("More", "bold $accent"))
        for where, keys, text in EXTRA:
            parts.append(Content.assemble((f"  {keys:<16}", "bold"), f"{text} ({where.lower()})"))
        return Content("\n").join(parts)
