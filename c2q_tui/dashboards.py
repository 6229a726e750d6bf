"""Dashboards (Chat2DB's "natural language to report"): answers laid out together, kept in history.

A dashboard is either the profile's board of pinned answers (`kind` "pinned", one per profile), the
sub-tasks of one auto_breakdown answer (`kind` "breakdown", one per answer), or a named copy the
user saved (`kind` "custom"). Each item keeps a copy of its task (question, SQL, columns, rows,
chart_options) next to the turn and task it came from: reopening a dashboard reads only the local
history, never the API, and survives the deletion of the session it came from.

Headless (never imports Textual): the app, tests and reports share it. The tables are created by
migration 3 of `c2q_tui.history`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from c2q_tui.formats import TaskView
from c2q_tui.history import History

PINNED = "pinned"
BREAKDOWN = "breakdown"
CUSTOM = "custom"
PINNED_NAME = "Pinned answers"
KIND_LABELS = {PINNED: "pinned", BREAKDOWN: "breakdown", CUSTOM: "saved"}


@dataclass(frozen=True)
class DashboardItem:
    """One tile: a task of an answer, as it was when pinned."""

    item_id: int
    position: int
    title: str
    question: str
    sql: str | None
    sql_error: str | None
    columns: list[str]
    rows: list[list[Any]]
    chart_options: dict[str, Any] | None = None
    turn_id: int | None = None
    task_index: int = -1
    task_id: str = "0"


@dataclass
class Dashboard:
    dashboard_id: int
    profile: str
    name: str
    kind: str
    turn_id: int | None
    created_at: float
    updated_at: float
    item_count: int = 0
    items: list[DashboardItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def task_title(task: TaskView, question: str) -> str:
    return task.clarified_task or task.description or question


def snapshot(task: TaskView, question: str) -> dict[str, Any]:
    """What an item keeps of a task: enough to draw and export it with no request."""
    return {
        "question": question,
        "sql": task.sql,
        "sql_error": task.sql_error,
        "columns": list(task.columns),
        "rows": [list(r) for r in task.rows],
        "chart_options": task.chart_options,
    }


def _item(r: tuple[Any, ...]) -> DashboardItem:
    data = json.loads(r[6]) if r[6] else {}
    options = data.get("chart_options")
    return DashboardItem(
        item_id=r[0],
        position=r[1],
        turn_id=r[2],
        task_index=r[3],
        task_id=r[4],
        title=r[5],
        question=str(data.get("question") or ""),
        sql=data.get("sql") or None,
        sql_error=data.get("sql_error") or None,
        columns=[str(c) for c in data.get("columns") or []],
        rows=[list(row) for row in data.get("rows") or []],
        chart_options=options if isinstance(options, dict) else None,
    )


_DASHBOARD_COLUMNS = (
    "d.dashboard_id, d.profile, d.name, d.kind, d.turn_id, d.created_at, d.updated_at, "
    "(SELECT COUNT(*) FROM dashboard_items i WHERE i.dashboard_id = d.dashboard_id)"
)
_ITEM_COLUMNS = "item_id, position, turn_id, task_index, task_id, title, task_json"


class DashboardStore:
    """Dashboards of the history file; opening it migrates the file (the tables come with v3)."""

    def __init__(self, history: History | Path | None = None) -> None:
        self.history = history if isinstance(history, History) else History(history)
        self.path = self.history.path

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return self.history.transaction()

    # -- dashboards ------------------------------------------------------------------------------

    def _create(self, db: sqlite3.Connection, profile: str, name: str, kind: str, turn_id: int | None) -> int:
        now = time.time()
        cur = db.execute(
            "INSERT INTO dashboards (profile, name, kind, turn_id, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (profile, name, kind, turn_id, now, now),
        )
        return int(cur.lastrowid or 0)

    def _find(
        self, db: sqlite3.Connection, profile: str, kind: str, turn_id: int | None = None
    ) -> int | None:
        sql = "SELECT dashboard_id FROM dashboards WHERE profile = ? AND kind = ?"
        args: list[Any] = [profile, kind]
        if turn_id is not None:
            sql += " AND turn_id = ?"
            args.append(turn_id)
        row = db.execute(sql + " ORDER BY dashboard_id LIMIT 1", args).fetchone()
        return int(row[0]) if row else None

    def dashboards(self, profile: str) -> list[Dashboard]:
        """The profile's dashboards, without their items, the most recently changed first."""
        with self._db() as db:
            rows = db.execute(
                f"SELECT {_DASHBOARD_COLUMNS} FROM dashboards d WHERE d.profile = ? "
                "ORDER BY d.updated_at DESC, d.dashboard_id DESC",
                (profile,),
            ).fetchall()
        return [Dashboard(*r) for r in rows]

    def load(self, dashboard_id: int) -> Dashboard | None:
        with self._db() as db:
            row = db.execute(
                f"SELECT {_DASHBOARD_COLUMNS} FROM dashboards d WHERE d.dashboard_id = ?", (dashboard_id,)
            ).fetchone()
            if row is None:
                return None
            items = db.execute(
                f"SELECT {_ITEM_COLUMNS} FROM dashboard_items WHERE dashboard_id = ? "
                "ORDER BY position, item_id",
                (dashboard_id,),
            ).fetchall()
        board = Dashboard(*row)
        board.items = [_item(r) for r in items]
        return board

    def pinned(self, profile: str) -> Dashboard:
        """The profile's board of pinned answers (created empty the first time)."""
        with self._db() as db:
            found = self._find(db, profile, PINNED)
            if found is None:
                found = self._create(db, profile, PINNED_NAME, PINNED, None)
        board = self.load(found)
        assert board is not None
        return board

    def from_breakdown(
        self, profile: str, turn_id: int, question: str, tasks: Sequence[tuple[int, TaskView]]
    ) -> Dashboard:
        """The dashboard of a breakdown answer's sub-tasks (`(index, task)`); the same answer opens
        the same dashboard again, with the tiles the user kept."""
        with self._db() as db:
            found = self._find(db, profile, BREAKDOWN, turn_id)
            if found is None:
                found = self._create(db, profile, question, BREAKDOWN, turn_id)
                for position, (index, task) in enumerate(tasks):
                    self._add_item(db, found, position, turn_id, index, task, question)
        board = self.load(found)
        assert board is not None
        return board

    def rename(self, dashboard_id: int, name: str) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE dashboards SET name = ?, updated_at = ? WHERE dashboard_id = ?",
                (name, time.time(), dashboard_id),
            )

    def delete(self, dashboard_id: int) -> None:
        with self._db() as db:
            db.execute("DELETE FROM dashboard_items WHERE dashboard_id = ?", (dashboard_id,))
            db.execute("DELETE FROM dashboards WHERE dashboard_id = ?", (dashboard_id,))

    def save_copy(self, dashboard_id: int, name: str) -> int:
        """A named copy (kind "custom") of a dashboard and its items; returns the new id."""
        with self._db() as db:
            row = db.execute(
                "SELECT profile FROM dashboards WHERE dashboard_id = ?", (dashboard_id,)
            ).fetchone()
            if row is None:
                raise KeyError(dashboard_id)
            new = self._create(db, row[0], name, CUSTOM, None)
            db.execute(
                "INSERT INTO dashboard_items (dashboard_id, position, turn_id, task_index, task_id, title, "
                "task_json, created_at) SELECT ?, position, turn_id, task_index, task_id, title, task_json, "
                "created_at FROM dashboard_items WHERE dashboard_id = ? ORDER BY position, item_id",
                (new, dashboard_id),
            )
        return new

    # -- items -----------------------------------------------------------------------------------

    def _add_item(
        self,
        db: sqlite3.Connection,
        dashboard_id: int,
        position: int,
        turn_id: int | None,
        task_index: int,
        task: TaskView,
        question: str,
    ) -> int:
        cur = db.execute(
            "INSERT INTO dashboard_items (dashboard_id, position, turn_id, task_index, task_id, title, "
            "task_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                dashboard_id,
                position,
                turn_id,
                task_index,
                task.task_id,
                task_title(task, question),
                # rows may hold the embedded backend's native values (dates, decimals): kept as text
                json.dumps(snapshot(task, question), default=str, ensure_ascii=False),
                time.time(),
            ),
        )
        return int(cur.lastrowid or 0)

    def remove_item(self, item_id: int) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE dashboards SET updated_at = ? WHERE dashboard_id = "
                "(SELECT dashboard_id FROM dashboard_items WHERE item_id = ?)",
                (time.time(), item_id),
            )
            db.execute("DELETE FROM dashboard_items WHERE item_id = ?", (item_id,))

    def pinned_keys(self, profile: str) -> set[tuple[int, str]]:
        """(turn id, task id) of every pinned item of the profile."""
        with self._db() as db:
            rows = db.execute(
                "SELECT i.turn_id, i.task_id FROM dashboard_items i JOIN dashboards d "
                "ON d.dashboard_id = i.dashboard_id WHERE d.profile = ? AND d.kind = ?",
                (profile, PINNED),
            ).fetchall()
        return {(int(r[0]), str(r[1])) for r in rows if r[0] is not None}

    def toggle_pin(self, profile: str, turn_id: int, task_index: int, task: TaskView, question: str) -> bool:
        """Pin the task of an answer to the profile's pinned board, or unpin it when it is there.
        True when it is pinned now."""
        board = self.pinned(profile)
        with self._db() as db:
            row = db.execute(
                "SELECT item_id FROM dashboard_items WHERE dashboard_id = ? AND turn_id = ? AND task_id = ?",
                (board.dashboard_id, turn_id, task.task_id),
            ).fetchone()
            if row is not None:
                db.execute("DELETE FROM dashboard_items WHERE item_id = ?", (row[0],))
                pinned = False
            else:
                last = db.execute(
                    "SELECT COALESCE(MAX(position), -1) FROM dashboard_items WHERE dashboard_id = ?",
                    (board.dashboard_id,),
                ).fetchone()
                self._add_item(db, board.dashboard_id, int(last[0]) + 1, turn_id, task_index, task, question)
                pinned = True
            db.execute(
                "UPDATE dashboards SET updated_at = ? WHERE dashboard_id = ?",
                (time.time(), board.dashboard_id),
            )
        return pinned
