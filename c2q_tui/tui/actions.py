"""The one action registry: key bindings, the help screen and the command palette all come from here.

Every entry has a kebab-case id (a `keymap` can remap it), the keys, the action it runs, a short
description for the footer and a longer one for help and the palette. `scope` says where it is bound:
"app" everywhere, "composer" in the question box, "answer" on a focused answer card, "sql" in
the SQL viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from textual.app import App


@dataclass(frozen=True)
class ActionSpec:
    id: str
    keys: str
    action: str
    description: str
    help: str
    scope: str = "app"
    show: bool = False
    priority: bool = False
    palette: bool = False  # also in the command palette (app-wide actions always are)

    def binding(self) -> Binding:
        # App-wide function keys win over the question box's own (TextArea binds f6 and f7)
        priority = self.priority or (self.scope == "app" and self.keys.startswith("f"))
        return Binding(
            self.keys,
            self.action,
            self.description,
            show=self.show,
            priority=priority,
            tooltip=self.help,
            id=self.id,
        )


ACTIONS: tuple[ActionSpec, ...] = (
    # app-wide
    ActionSpec("help", "f1", "help", "Help", "Show every key binding and what it does.", show=True),
    ActionSpec("focus-question", "ctrl+l", "focus_question", "Ask", "Put the cursor in the question box."),
    ActionSpec(
        "new-session",
        "ctrl+n",
        "new_session",
        "New session",
        "Start a new session; its first question opens it on the server.",
        show=True,
    ),
    ActionSpec(
        "filter-sessions",
        "ctrl+f",
        "filter_sessions",
        "Filter",
        "Filter the session list by name or database.",
    ),
    ActionSpec("rename-session", "f6", "rename_session", "Rename", "Rename the current session."),
    ActionSpec(
        "reset-session",
        "f7",
        "reset_session",
        "Reset context",
        "Make the server forget the current session's conversation (later questions start afresh).",
    ),
    ActionSpec(
        "delete-session",
        "f8",
        "delete_session",
        "Delete session",
        "Delete the current session from the local history (it stays on the server).",
    ),
    ActionSpec(
        "toggle-breakdown",
        "ctrl+b",
        "toggle_breakdown",
        "Breakdown",
        "Switch between direct answers and auto_breakdown (a question split into sub-tasks).",
        show=True,
    ),
    ActionSpec(
        "cancel-job",
        "ctrl+g",
        "cancel_job",
        "Cancel",
        "Stop waiting for the focused answer (the job may still finish on the server).",
        show=True,
    ),
    ActionSpec("regenerate", "f5", "regenerate", "Regenerate", "Ask the focused answer's question again."),
    ActionSpec(
        "refine-sql",
        "ctrl+r",
        "refine_sql",
        "Refine",
        "Rewrite the selected answer's SQL from your feedback and show the difference.",
        show=True,
    ),
    ActionSpec(
        "run-sql",
        "f9",
        "run_sql",
        "Run SQL",
        "Run the refined SQL read-only on the profile's database and show its rows.",
    ),
    ActionSpec(
        "explain-sql",
        "alt+x",
        "explain_sql",
        "Explain SQL",
        "Explain the SQL in the viewer in plain language (offline for TiDB Cloud: no request spent).",
        priority=True,  # the question box must not take alt+letter as typing
    ),
    ActionSpec(
        "optimize-sql",
        "alt+o",
        "optimize_sql",
        "Optimize SQL",
        "Suggest optimizations for the SQL in the viewer, with the database's plan where there is one.",
        priority=True,
    ),
    ActionSpec(
        "convert-sql",
        "alt+t",
        "convert_sql",
        "Convert SQL",
        "Convert the SQL in the viewer to another dialect (PostgreSQL, SQLite, DuckDB, BigQuery, ...).",
        priority=True,
    ),
    ActionSpec(
        "suggest-questions",
        "ctrl+s",
        "suggest_questions",
        "Suggest",
        "Ask the service for questions worth asking about this database.",
        show=True,
    ),
    ActionSpec(
        "export",
        "ctrl+e",
        "export",
        "Export",
        "Export the whole result shown (CSV, TSV, JSON, JSONL, Markdown, Parquet) to a file you pick.",
        priority=True,  # the question box would take ctrl+e as "end of line"
    ),
    ActionSpec(
        "copy-answer",
        "ctrl+t",
        "copy_answer",
        "Copy answer",
        "Copy the selected answer (question, task, assumptions, SQL, rows) as Markdown.",
    ),
    ActionSpec(
        "open-data-summary",
        "f10",
        "open_data_summary",
        "Data summary",
        "Open the data summary of the database: tables, columns and their descriptions.",
    ),
    ActionSpec(
        "open-knowledge",
        "f11",
        "open_knowledge",
        "Knowledge base",
        "Open the knowledge base of the database: terms, rules and examples the service uses.",
    ),
    ActionSpec(
        "list-dashboards",
        "f12",
        "list_dashboards",
        "Dashboards",
        "List the saved dashboards: open, rename or delete one (no request: they are in history).",
    ),
    ActionSpec(
        "switch-theme", "f3", "switch_theme", "Theme", "Pick another colour theme (the choice is kept)."
    ),
    ActionSpec("toggle-sidebar", "f2", "toggle_sidebar", "Sessions pane", "Show or hide the session list."),
    ActionSpec(
        "maximize-pane", "f4", "toggle_maximize", "Maximise", "Maximise the focused pane, or restore it."
    ),
    ActionSpec(
        "switch-profile",
        "ctrl+o",
        "switch_profile",
        "Profiles",
        "Switch to another profile, or create and test a new one.",
        show=True,
    ),
    ActionSpec(
        "quit",
        "ctrl+q",
        "quit",
        "Quit",
        "Quit; running jobs resume on the next start.",
        show=True,
        priority=True,
    ),
    # the question box
    ActionSpec(
        "send-question",
        "enter",
        "send",
        "Send",
        "Send the question.",
        scope="composer",
        show=True,
        priority=True,
    ),
    ActionSpec(
        "send-question-alt",
        "ctrl+j",
        "send",
        "Send",
        "Send the question (for terminals where enter is taken).",
        scope="composer",
        priority=True,
    ),
    ActionSpec(
        "newline",
        "shift+enter,alt+enter",
        "newline",
        "New line",
        "Insert a line break in the question.",
        scope="composer",
        priority=True,
    ),
    ActionSpec(
        "previous-question",
        "up",
        "history_previous",
        "Previous question",
        "On the first line: the previous question you asked.",
        scope="composer",
        priority=True,
    ),
    ActionSpec(
        "next-question",
        "down",
        "history_next",
        "Next question",
        "On the last line: the next question in the history.",
        scope="composer",
        priority=True,
    ),
    # a focused answer
    ActionSpec(
        "next-task",
        "right,]",
        "next_task",
        "Next sub-task",
        "Select the next sub-task of a breakdown answer.",
        scope="answer",
    ),
    ActionSpec(
        "previous-task",
        "left,[",
        "previous_task",
        "Previous sub-task",
        "Select the previous sub-task of a breakdown answer.",
        scope="answer",
    ),
    ActionSpec(
        "pin-answer",
        "p",
        "app.pin_answer",
        "Pin",
        "Pin the selected answer (or breakdown sub-task) to the dashboard, or unpin it.",
        scope="answer",
        palette=True,
    ),
    ActionSpec(
        "open-dashboard",
        "d",
        "app.open_dashboard",
        "Dashboard",
        "Open a dashboard: a breakdown answer's sub-tasks as tiles, else the pinned answers.",
        scope="answer",
        palette=True,
    ),
    # the SQL viewer (its action runs on the app)
    ActionSpec(
        "explain-sql-here", "x", "app.explain_sql", "Explain", "Explain this SQL in plain words.", scope="sql"
    ),
    ActionSpec(
        "optimize-sql-here", "o", "app.optimize_sql", "Optimize", "Suggest optimizations for it.", scope="sql"
    ),
    ActionSpec(
        "convert-sql-here", "t", "app.convert_sql", "Convert", "Convert it to another dialect.", scope="sql"
    ),
)

SCOPE_TITLES = {
    "app": "Everywhere",
    "composer": "Question box",
    "answer": "Answer card",
    "sql": "SQL viewer",
}


MAIN_SCREEN_ONLY = frozenset(a.action for a in ACTIONS if a.scope == "app" and a.id not in ("help", "quit"))


def bindings(scope: str = "app") -> list[BindingType]:
    return [a.binding() for a in ACTIONS if a.scope == scope]


def key_display(keys: str) -> str:
    return " / ".join(
        k.replace("ctrl+", "^").replace("shift+", "⇧").replace("alt+", "⌥") for k in keys.split(",")
    )


class ActionCommands(Provider):
    """Command-palette entries for the app-wide actions of the registry."""

    def _commands(self) -> list[tuple[str, str, str]]:
        return [
            (f"{a.description} ({key_display(a.keys)})", a.action, a.help)
            for a in ACTIONS
            if a.scope == "app" or a.palette
        ]

    async def discover(self) -> Hits:
        app: App[object] = self.app
        for title, action, help_text in self._commands():
            yield DiscoveryHit(title, partial(app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app: App[object] = self.app
        for title, action, help_text in self._commands():
            score = max(matcher.match(title), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(app.run_action, action), help=help_text)
