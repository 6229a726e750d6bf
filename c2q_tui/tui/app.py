"""C2QApp: composes the main screen and owns every state change.

Start-up paints the first frame at once, then resolves the profile (config.toml; pydantic loads
here), connects (a thread: a local profile builds the sample
database and the backend), reads the history and warms imports in workers. Questions asked before the
connection (or the local data summary) is ready wait in their cards and are sent when it is.

Handlers are split by feature: connection, data summary and quota here; the question chain in
`asking.py`; selection, refine, run and suggestions in `answers.py`; the session list in
`sessions.py`; export, copy, themes, the key map and the tool screens in `tools.py`. Workers are in
`workers.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from c2q_tui import paths
from c2q_tui.configfile import ConfigError
from c2q_tui.tui import actions, css_cache, flows
from c2q_tui.tui.assisting import AssistMixin
from c2q_tui.tui.dashboard_actions import DashboardsMixin
from c2q_tui.tui.messages import (
    AppMessage,
    Connected,
    ConnectFailed,
    ConnectProgressed,
    QuotaUpdated,
    SummaryFailed,
    SummaryProgressed,
    SummaryReady,
)
from c2q_tui.tui.screens.main import MainScreen
from c2q_tui.tui.state import AppState, Turn
from c2q_tui.tui.tools import ToolsMixin
from c2q_tui.tui.workers import Connector

if TYPE_CHECKING:
    from c2q_tui.config import Profile, Resolved
    from c2q_tui.connection import Connection
    from c2q_tui.history import History


def open_connection(*args: Any, **kwargs: Any) -> Connection:
    """The default connector. Imported here, in the connect worker, rather than with the app: the
    client's httpx and pydantic models would otherwise load before the first frame."""
    from c2q_tui.connection import open_connection as open_

    return open_(*args, **kwargs)


PANE_TITLES = {"sidebar": "Sessions", "chat": "Chat", "sql-pane": "SQL viewer", "results": "Results",
               "work": "Results", "assist": "Explain / optimize / convert"}


class C2QApp(DashboardsMixin, AssistMixin, ToolsMixin):
    CSS_PATH = "app.tcss"
    TITLE = "c2q-tui"
    BINDINGS = actions.bindings("app")
    COMMANDS = App.COMMANDS | {actions.ActionCommands}

    def __init__(
        self,
        resolved: Resolved | Callable[[], Resolved],
        *,
        connector: Connector | None = None,
        history: History | None = None,
        clock: Callable[[], float] = time.time,
        live: bool = True,
        gc_paused: bool = False,
    ) -> None:
        """`resolved` is the profile, or what resolves it once the first frame is up (config and
        pydantic cost ~80 ms); `connector` opens a profile (tests inject faults); `clock` gives the
        times shown; `live` False stops spinners and cursor blink, for deterministic screenshots;
        `gc_paused`: the caller disabled the garbage collector for start-up, the app re-enables it."""
        super().__init__()
        self._resolver = resolved if callable(resolved) else None
        self._resolved = None if callable(resolved) else resolved
        self.config_error: ConfigError | None = None  # resolving failed: the app closes with status 1
        self._gc_paused = gc_paused
        self.connector = connector or open_connection
        self._history = history
        self.clock = clock
        self.live = live
        self.state = AppState()
        self.conn: Connection | None = None
        self.ready = False  # connected, and for the embedded backend the data summary is done
        self.generation = 0
        self.cancels: dict[int, asyncio.Event] = {}
        self.sql_runner = flows.SqlRunner()
        self.main = MainScreen(clock=clock, live=live)
        self._pending_resume: list[Turn] = []
        self._status = "starting…"
        self.register_themes()
        self._css_restored = css_cache.restore(self.stylesheet)  # with the theme's variables set

    def get_default_screen(self) -> Screen[None]:
        return self.main

    @property
    def history(self) -> History:
        """Opened on first use, normally by `_start`: opening migrates the file, which the first frame
        need not wait for."""
        if self._history is None:
            from c2q_tui.history import History

            self._history = History()
        return self._history

    @history.setter
    def history(self, history: History) -> None:
        self._history = history

    @property
    def resolved(self) -> Resolved:
        """Resolved on first use: normally by `_start`, after the first frame."""
        if self._resolved is None:
            self._resolved = self._resolve()
        return self._resolved

    @resolved.setter
    def resolved(self, resolved: Resolved) -> None:
        self._resolved = resolved

    @property
    def profile(self) -> Profile:
        return self.resolved.profile

    def _resolve(self) -> Resolved:
        from c2q_tui.config import Profile, Resolved

        assert self._resolver is not None
        try:
            return self._resolver()
        except ConfigError as e:
            self.config_error = e
            self.exit(return_code=1)
            # stands in while the app closes; `_start` connects nothing
            return Resolved(Profile(), {}, paths.config_file(), config_exists=False)

    async def _on_message(self, message: Message) -> None:
        # A worker finishing while the app shuts down (tests stop it from outside its task) would
        # find its widgets gone: past that point the app's own messages have nothing left to update.
        if isinstance(message, AppMessage) and not self.is_running:
            return
        await super()._on_message(message)

    def on_mount(self) -> None:
        self.setup_themes_and_keys()

    def on_ready(self) -> None:
        """The first frame is up; everything slow starts now, in workers."""
        if self._resolved is not None:
            self._header("connecting…", busy=True)
        else:
            self.main.set_header(profile="…", database="", status="loading…", busy=True)
        self.main.chat.composer.focus()
        # after the first frame: nothing slow happens before the user sees the app
        self.call_after_refresh(self._start)
        self.call_after_refresh(self._mount_hidden_panels)

    def _mount_hidden_panels(self) -> None:
        if self.config_error is None:  # else the app is closing already
            self.main.mount_hidden_panels()

    def _start(self) -> None:
        if self._gc_paused:
            self._gc_paused = False
            gc.freeze()
            gc.enable()
        css_cache.save_if_missed(self.stylesheet, self._css_restored)
        profile = self.profile  # at launch, resolving it is the first thing after the first frame
        if self.config_error is not None:
            return
        _ = self.history  # opened here, on the UI thread, before any worker could race to open it
        self._header("connecting…", busy=True)
        self.generation += 1
        self.connect_worker(profile, self.generation)
        self.load_history_worker(self.key, profile)

    def _warm_up(self) -> None:
        """What a first answer needs and nothing has loaded yet (Arrow compute, sqlglot, the SQL lexer;
        the grid and chart, which the history's first session normally mounts already). Started once
        connected, or failed: before that the imports would share the interpreter with the connection
        and delay the moment a question can go out."""
        self.main.load_results_panes()
        self.warm_up_worker()

    async def on_unmount(self) -> None:
        await self._close_connection()
        self.sql_runner.close()

    async def _close_connection(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        with contextlib.suppress(Exception):
            await conn.aclose()

    def _header(self, status: str, *, busy: bool = False, error: bool = False) -> None:
        self._status = status
        database = self.conn.database if self.conn else (self.profile.database or "")
        kind = "embedded" if self.profile.kind == "local" else "TiDB Cloud"
        self.main.set_header(
            profile=f"{self.profile.name} ({kind})", database=database, status=status, busy=busy, error=error
        )

    # -- connection --------------------------------------------------------------------------------

    @on(ConnectProgressed)
    def _connect_progressed(self, message: ConnectProgressed) -> None:
        self.main.chat.set_banner(message.text, "busy")
        self._header("connecting…", busy=True)

    @on(Connected)
    async def _connected(self, message: Connected) -> None:
        if message.generation != self.generation:  # a profile switch overtook this connection
            with contextlib.suppress(Exception):
                await message.connection.aclose()
            return
        conn = self.conn = message.connection
        self.main.chat.set_database(conn.database)
        for session in self.state.sessions.values():
            if session.draft and not session.database:  # opened before the database was known
                session.database = conn.database
                if session.turn_ids:
                    self.history.upsert_session(
                        self.key, session.session_id, database=conn.database, name=session.name
                    )
        self.refresh_sidebar()
        self.refresh_quota()
        if conn.local:
            self._header("building the data summary…", busy=True)
            self.main.chat.set_banner(f"Preparing the data summary of {conn.database}…", "busy")
            self.summary_worker(conn, self.generation)
        else:
            self._set_ready()

    @on(ConnectFailed)
    def _connect_failed(self, message: ConnectFailed) -> None:
        if message.generation != self.generation:
            return
        self.call_after_refresh(self._warm_up)
        self._header("not connected", error=True)
        self.main.chat.set_banner(f"{message.reason}\nctrl+o chooses or creates another profile.", "error")
        self.notify(message.reason, title="Could not connect", severity="error", timeout=10)
        for turn in [t for t in self.state.turns.values() if t.status == "waiting"]:
            self._fail(turn, f"Not sent: {message.reason}", "error")

    @on(SummaryProgressed)
    def _summary_progressed(self, message: SummaryProgressed) -> None:
        self.main.chat.set_banner(
            f"Building the data summary of {message.database} ({message.status}, {message.elapsed:.0f} s). "
            "Questions asked now are sent when it is done.",
            "busy",
        )

    @on(SummaryReady)
    def _summary_ready(self, message: SummaryReady) -> None:
        if message.generation == self.generation:
            self._set_ready()

    @on(SummaryFailed)
    def _summary_failed(self, message: SummaryFailed) -> None:
        if message.generation != self.generation:
            return
        text = f"The data summary of {message.database} could not be built: {message.reason}"
        self.main.chat.set_banner(text, "error")
        self.notify(text, title="Data summary", severity="error", timeout=10)
        # questions still go out: the server answers them (with "not ready" if it must)
        self._set_ready(clear_banner=False)

    def _set_ready(self, *, clear_banner: bool = True) -> None:
        self.ready = True
        self.call_after_refresh(self._warm_up)  # after the frame that says "ready"
        self._header("ready")
        if clear_banner:
            self.main.chat.set_banner("")
        self._resume_open_turns()
        self._dispatch_waiting()

    @on(QuotaUpdated)
    def _quota_updated(self, message: QuotaUpdated) -> None:
        before = self.main.quota.status
        self.main.quota.show_status(message.status, unlimited=message.unlimited)
        level = message.status.level
        if not message.unlimited and level != "ok" and (before is None or before.level != level):
            self.notify(
                message.status.message or "",
                title="Daily quota",
                severity="error" if level == "exhausted" else "warning",
            )

    def action_focus_question(self) -> None:
        self.main.chat.composer.focus()

    def action_toggle_sidebar(self) -> None:
        self.main.sidebar.display = not self.main.sidebar.display

    def action_toggle_maximize(self) -> None:
        screen = self.main
        if screen.maximized is not None:
            screen.minimize()
            return
        pane = screen.pane_of(self.focused)
        if pane is None:
            self.notify("Focus a pane to maximise it.")
            return
        screen.maximize(screen.query_one(f"#{pane}"), container=False)

    def action_help(self) -> None:
        from c2q_tui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(*self._focused_bindings()))

    def _focused_bindings(self) -> tuple[str, list[tuple[str, str]]]:
        """The focused pane's name and its own bindings (keys, what they do), for the help screen."""
        if self.screen is not self.main:
            return "", []
        pane = self.main.pane_of(self.focused)
        entries: dict[str, list[str]] = {}
        for key, active in self.screen.active_bindings.items():
            if active.node is self or active.node is self.screen or not active.enabled:
                continue
            b = active.binding
            if b.system or not b.description:
                continue
            text = b.tooltip or b.description
            entries.setdefault(text, []).append(key)
        title = PANE_TITLES.get(pane or "", "")
        return title, [(", ".join(keys), text) for text, keys in entries.items()]

    def action_switch_profile(self) -> None:
        from c2q_tui.tui.screens.connect import ConnectScreen

        self.push_screen(
            ConnectScreen(self.resolved, current=self.profile.name, opener=self.connector),
            self._profile_chosen,
        )

    def _profile_chosen(self, name: str | None) -> None:
        if name is None:
            return
        from c2q_tui.config import resolve

        try:
            resolved = resolve(name)
        except ConfigError as e:
            self.notify(str(e), title="Profile", severity="error")
            return
        self.run_worker(self.switch_profile(resolved), group="connect", exclusive=True)

    async def switch_profile(self, resolved: Resolved) -> None:
        """Drop the current connection (running jobs stay recorded and resume when it is back)."""
        for group in ("chat2data", "job-poll", "summary", "refine", "suggest", "sessions"):
            self.workers.cancel_group(self, group)
        await self._close_connection()
        self.resolved = resolved
        self.state = AppState()
        self.cancels.clear()
        self._pending_resume = []
        self.ready = False
        self.main.chat.set_mode(self.state.mode)
        await self.reset_panes()
        self._header("connecting…", busy=True)
        self._start()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # the main screen's actions make no sense over a dialog (and must not fire from one)
        return not (action in actions.MAIN_SCREEN_ONLY and self.screen is not self.main)

    # -- errors no handler expected -----------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                f"{type(error).__name__}: {error}",
                title=f"Internal error in {event.worker.name}",
                severity="error",
                timeout=15,
            )


def run_app(
    profile_name: str | None = None, *, database_url: str | None = None, gc_paused: bool = False
) -> int:
    """Run the app on the profile these command-line flags select; the exit status for the shell.
    Raises ConfigError (after the app has closed) when the configuration cannot be used."""

    def resolve_profile() -> Resolved:
        from c2q_tui.config import resolve

        return resolve(profile_name, database_url=database_url)

    app = C2QApp(resolve_profile, gc_paused=gc_paused)
    app.run()
    if app.config_error is not None:
        raise app.config_error
    return app.return_code or 0
