"""Session handlers of the app: the sidebar, switching, new, rename, reset, delete and filter.

A new session is a draft (negative id) until its first question opens it on the server; rename and
reset of a draft stay local. Delete only removes the session from the local history: the API has no
way to delete a session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual import on

from c2q_tui.tui.messages import SessionLoaded, SessionRenamed, SessionReset, SessionSelected
from c2q_tui.tui.screens.main import MainScreen
from c2q_tui.tui.state import AppState, Refinement, Session, Turn
from c2q_tui.tui.widgets.session_list import SessionEntry
from c2q_tui.tui.workers import WorkerMixin

if TYPE_CHECKING:  # annotations only: the API client (httpx, pydantic) loads after the first frame
    from c2q_tui.config import Profile
    from c2q_tui.connection import Connection
    from c2q_tui.history import SessionRow


class SessionsMixin(WorkerMixin):
    state: AppState
    main: MainScreen
    conn: Connection | None
    clock: Callable[[], float]
    cancels: dict[int, asyncio.Event]
    ready: bool
    # what the results pane shows (columns, rows, a name for the file): what export writes
    shown_result: tuple[Sequence[str], Sequence[Sequence[Any]], str] | None = None

    if TYPE_CHECKING:  # C2QApp resolves it on first use

        @property
        def profile(self) -> Profile: ...

    @property
    def key(self) -> str:
        """Sessions and turns in history belong to the profile."""
        return self.conn.history_key if self.conn is not None else self.profile.name

    @property
    def database(self) -> str:
        return self.conn.database if self.conn is not None else (self.profile.database or "")

    def refresh_quota(self) -> None:
        if self.conn is not None:
            self.quota_worker(self.conn)

    # -- the list ----------------------------------------------------------------------------------

    def load_sessions(self, rows: list[SessionRow]) -> None:
        for row in rows:
            if row.session_id not in self.state.sessions:
                self.state.sessions[row.session_id] = Session.from_row(row)

    async def open_initial_session(self) -> None:
        ordered = [s for s in self.state.ordered_sessions() if s.session_id != self.state.current]
        if self.state.current is None or self.state.current not in self.state.sessions:
            target = ordered[0].session_id if ordered else self.new_draft()
            await self.show_session(target)
        else:
            self.refresh_sidebar()

    def refresh_sidebar(self) -> None:
        running = self.state.running_sessions()
        entries = [
            SessionEntry(s.session_id, s.title, s.database, s.updated_at, s.session_id in running)
            for s in self.state.ordered_sessions()
        ]
        self.main.sidebar.set_sessions(entries, self.state.current)
        current = self._current()
        self.main.chat.border_title = current.title if current is not None else "Chat"

    def new_draft(self) -> int:
        known = [sid for sid in self.state.sessions if sid < 0]
        draft_id = min([self.history.new_draft_id(self.key), *(k - 1 for k in known)])
        self.state.sessions[draft_id] = Session(
            draft_id, "", self.database or None, self.clock(), loaded=True
        )
        return draft_id

    async def show_session(self, session_id: int) -> None:
        session = self.state.sessions.get(session_id)
        if session is None:
            return
        self.state.current = session_id
        self.state.selected = None
        await self.reset_work_panes()
        if not session.loaded:
            self.load_session_worker(self.key, session_id)
        await self.main.chat.show_session(
            session_id, self.state.session_turns(session_id), reset_at=session.reset_at, selected=None
        )
        self.main.chat.set_history(self.state.questions)
        self.refresh_sidebar()

    async def reset_work_panes(self) -> None:
        self.main.refine.display = False
        self.main.sql.clear()
        self.shown_result = None
        self.main.chart.clear("Select an answer to chart its rows.")
        await self.main.grid.clear("Select an answer to see its rows.")

    async def reset_panes(self) -> None:
        await self.main.chat.show_session(0, [], reset_at=None, selected=None)
        self.main.suggestions.display = False
        self.main.sidebar.set_sessions([], None)
        await self.reset_work_panes()

    @on(SessionSelected)
    async def _session_selected(self, message: SessionSelected) -> None:
        if message.session_id != self.state.current:
            await self.show_session(message.session_id)
        self.main.chat.composer.focus()

    @on(SessionLoaded)
    async def _session_loaded(self, message: SessionLoaded) -> None:
        turns = [Turn.from_row(r) for r in message.turns]
        self.state.load_session(
            message.session_id, turns, [Refinement.from_row(r) for r in message.refinements]
        )
        for t in turns:
            if t.question not in self.state.questions:
                self.state.questions.append(t.question)
        if message.session_id == self.state.current:
            session = self.state.sessions[message.session_id]
            await self.main.chat.show_session(
                message.session_id,
                self.state.session_turns(message.session_id),
                reset_at=session.reset_at,
                selected=self.state.selected,
            )
        self.refresh_sidebar()

    # -- actions -----------------------------------------------------------------------------------

    async def action_new_session(self) -> None:
        current = self.state.sessions.get(self.state.current) if self.state.current is not None else None
        if current is None or not current.draft or current.turn_ids:
            await self.show_session(self.new_draft())
        self.main.chat.composer.focus()

    def action_filter_sessions(self) -> None:
        self.main.sidebar.display = True
        self.main.sidebar.focus_filter()

    def _current(self) -> Session | None:
        return self.state.sessions.get(self.state.current) if self.state.current is not None else None

    def action_rename_session(self) -> None:
        session = self._current()
        if session is None:
            return

        def renamed(name: str | None) -> None:
            if not name or name == session.name:
                return
            session.name = name
            self.history.rename_session(self.key, session.session_id, name)
            self.refresh_sidebar()
            if not session.draft and self.conn is not None:
                self.rename_worker(self.conn, session.session_id, name)

        from c2q_tui.tui.screens.dialogs import TextPrompt

        self.push_screen(TextPrompt("Rename session", session.title, placeholder="Session name"), renamed)

    @on(SessionRenamed)
    def _session_renamed(self, message: SessionRenamed) -> None:
        if message.error:
            self.notify(
                f"Renamed here, but the server kept the old name: {message.error}",
                title="Rename",
                severity="warning",
            )

    def action_reset_session(self) -> None:
        session = self._current()
        if session is None:
            return
        if session.draft:
            self.notify("This session has no conversation on the server yet.")
            return
        if self.conn is None:
            self.notify("Not connected.", severity="error")
            return
        self.reset_worker(self.conn, session.session_id)

    @on(SessionReset)
    def _session_reset(self, message: SessionReset) -> None:
        if message.error:
            self.notify(message.error, title="Reset failed", severity="error")
            return
        at = self.history.mark_session_reset(self.key, message.session_id, self.clock())
        session = self.state.sessions.get(message.session_id)
        if session is not None:
            session.reset_at = at
        if message.session_id == self.state.current:
            self.main.chat.add_divider()
        self.notify("The server forgot this session's conversation; the next question starts afresh.")

    def action_delete_session(self) -> None:
        session = self._current()
        if session is None:
            return
        running = any(t.open for t in self.state.session_turns(session.session_id))
        text = f"Delete “{session.title}” from the local history?"
        if not session.draft:
            text += " The session stays on the server."
        if running:
            text += " Its running answers are abandoned."

        async def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            for t in self.state.session_turns(session.session_id):
                event = self.cancels.pop(t.turn_id, None)
                if event is not None:
                    event.set()
            self.history.forget_session(self.key, session.session_id)
            self.state.remove_session(session.session_id)
            ordered = self.state.ordered_sessions()
            await self.show_session(ordered[0].session_id if ordered else self.new_draft())

        from c2q_tui.tui.screens.dialogs import Confirm

        self.push_screen(Confirm("Delete session", text, confirm="Delete"), confirmed)
