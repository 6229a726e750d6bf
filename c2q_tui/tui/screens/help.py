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
    ("Chart tab", "t / x / y", "Switch the chart type / the x column / the y column"),
    ("Copying", "", "Also saved to clipboard.txt in the data folder, for terminals without OSC 52"),
    ("config.toml", "[keymap]", 'Remap a binding by its id, e.g. export = "f12"'),
    ("Anywhere", "tab / shift+tab", "Move between panes"),
    ("Anywhere", "^p", "Command palette: every action by name"),
)


GUIDE = (
    "Type a question in plain language and press enter: the answer comes with its SQL, its rows and "
    "a chart. ctrl+b asks for a breakdown into sub-tasks, ctrl+r refines the SQL from your feedback, "
    "ctrl+e exports the rows, ctrl+p finds any action by name."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help-close")]

    def __init__(self, pane: str = "", pane_bindings: list[tuple[str, str]] | None = None) -> None:
        """`pane` and `pane_bindings`: the focused pane's name and its own (keys, what they do)."""
        super().__init__()
        self.pane = pane
        self.pane_bindings = pane_bindings or []

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc closes"
            yield Static(self._text())

    def _text(self) -> Content:
        parts: list[Content] = [Content.styled(GUIDE, "italic"), Content("")]
        if self.pane_bindings:
            parts.append(Content.styled(f"Focused pane: {self.pane or 'here'}", "bold $accent"))
            for keys, text in self.pane_bindings:
                parts.append(Content.assemble((f"  {keys:<16}", "bold"), text))
            parts.append(Content(""))
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
