"""The session sidebar: a filter box over the list of sessions, newest first.

Each entry shows the name, the database and the last activity, and a marker while one of its
questions is still running. Choosing one (enter or click) posts `SessionSelected`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from c2q_tui.tui.messages import SessionSelected


@dataclass(frozen=True)
class SessionEntry:
    session_id: int
    title: str
    database: str | None
    updated_at: float
    running: bool
    turns: int = 0


TITLE_WIDTH = 22


def _fit(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _when(ts: float, now: float) -> str:
    if ts <= 0:
        return ""
    if now - ts < 86400 and time.localtime(ts).tm_yday == time.localtime(now).tm_yday:
        return time.strftime("%H:%M", time.localtime(ts))
    return time.strftime("%Y-%m-%d", time.localtime(ts))


class SessionList(Vertical):
    ALLOW_MAXIMIZE = True  # f4

    DEFAULT_CSS = """
    SessionList { height: 1fr; }
    SessionList > Input { margin: 0 0 1 0; }
    SessionList > OptionList { height: 1fr; border: none; padding: 0; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[SessionEntry] = []
        self.current: int | None = None
        self.border_title = "Sessions"

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter sessions…", id="session-filter", compact=True)
        yield OptionList(id="session-options")

    @property
    def options(self) -> OptionList:
        return self.query_one("#session-options", OptionList)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#session-filter", Input)

    def set_sessions(self, entries: list[SessionEntry], current: int | None) -> None:
        self.entries = entries
        self.current = current
        self._render_options()

    def _matches(self, entry: SessionEntry, needle: str) -> bool:
        return not needle or needle in entry.title.lower() or needle in (entry.database or "").lower()

    def _render_options(self) -> None:
        needle = self.filter_input.value.strip().lower() if self.is_mounted else ""
        now = time.time()
        shown = [e for e in self.entries if self._matches(e, needle)]
        options = self.options
        highlighted = options.highlighted_option.id if options.highlighted_option is not None else None
        options.clear_options()
        for e in shown:
            detail = " · ".join(
                x for x in (e.database or "", _when(e.updated_at, now), "running" if e.running else "") if x
            )
            # names are user data: assembled as plain text, never parsed as markup
            prompt = Content.assemble(
                ("⟳ ", "bold $warning") if e.running else "  ",
                (_fit(e.title, TITLE_WIDTH), "bold" if e.session_id == self.current else ""),
                "\n  ",
                (_fit(detail, TITLE_WIDTH), "dim"),
            )
            options.add_option(Option(prompt, id=str(e.session_id)))
        ids = [str(e.session_id) for e in shown]
        target = str(self.current) if str(self.current) in ids else highlighted
        if target in ids:
            options.highlighted = ids.index(target)
        self.border_subtitle = f"{len(shown)}/{len(self.entries)}" if needle else str(len(self.entries))

    @on(Input.Changed, "#session-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._render_options()

    @on(Input.Submitted, "#session-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.options.focus()

    @on(OptionList.OptionSelected, "#session-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(SessionSelected(int(event.option.id)))

    def focus_filter(self) -> None:
        self.filter_input.focus()
