"""The app's own SQLite store: sessions, turns and SQL refinements per profile.

A turn is written before its request is sent and gets its job id as soon as it is known, so nothing
asked is lost to a crash. WAL mode and a busy timeout let two processes (the TUI and `c2q-tui ask`)
share the file.

Drafts: the app's "new session" has no server id until its first question is answered with one
(`POST /v3/chat2data` opens the session). Until then it is kept under a negative id, which no server
session has; `adopt_draft` moves it to the real id. Listings for the CLI leave drafts out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from c2q_tui import paths
from c2q_tui.sqlitefile import SharedConnection

if TYPE_CHECKING:
    import sqlite3  # imported where a file is opened: the app's first frame only needs the row types

SCHEMA_VERSION = 3

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE IF NOT EXISTS sessions (
        profile TEXT NOT NULL,
        session_id INTEGER NOT NULL,
        database TEXT,
        name TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (profile, session_id)
    );
    CREATE TABLE IF NOT EXISTS turns (
        turn_id INTEGER PRIMARY KEY AUTOINCREMENT,
        profile TEXT NOT NULL,
        session_id INTEGER,
        question TEXT NOT NULL,
        mode TEXT NOT NULL DEFAULT 'direct',
        status TEXT NOT NULL DEFAULT 'submitting',
        job_id TEXT,
        result_json TEXT,
        reason TEXT NOT NULL DEFAULT '',
        requests_spent INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS turns_by_session ON turns (profile, session_id, turn_id);
    """,
    2: """
    ALTER TABLE turns ADD COLUMN error_kind TEXT NOT NULL DEFAULT '';
    ALTER TABLE sessions ADD COLUMN reset_at REAL;
    CREATE INDEX IF NOT EXISTS turns_by_status ON turns (profile, status);
    CREATE TABLE IF NOT EXISTS refinements (
        refine_id INTEGER PRIMARY KEY AUTOINCREMENT,
        turn_id INTEGER NOT NULL REFERENCES turns (turn_id) ON DELETE CASCADE,
        task_id TEXT NOT NULL DEFAULT '0',
        feedback TEXT NOT NULL,
        old_sql TEXT NOT NULL,
        new_sql TEXT,
        explanation TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'submitting',
        job_id TEXT,
        reason TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS refinements_by_turn ON refinements (turn_id, refine_id);
    """,
    # dashboards (c2q_tui/dashboards.py): an item keeps a copy of its task's SQL, columns and rows, so
    # a saved dashboard reopens without a request even after its session is deleted from history
    3: """
    CREATE TABLE IF NOT EXISTS dashboards (
        dashboard_id INTEGER PRIMARY KEY AUTOINCREMENT,
        profile TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'custom',
        turn_id INTEGER REFERENCES turns (turn_id) ON DELETE SET NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS dashboards_by_profile ON dashboards (profile, updated_at);
    CREATE TABLE IF NOT EXISTS dashboard_items (
        item_id INTEGER PRIMARY KEY AUTOINCREMENT,
        dashboard_id INTEGER NOT NULL REFERENCES dashboards (dashboard_id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        turn_id INTEGER REFERENCES turns (turn_id) ON DELETE SET NULL,
        task_index INTEGER NOT NULL DEFAULT -1,
        task_id TEXT NOT NULL DEFAULT '0',
        title TEXT NOT NULL DEFAULT '',
        task_json TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS dashboard_items_by_dashboard ON dashboard_items (dashboard_id, position);
    """,
}

# statuses of a turn whose answer may still come
OPEN_STATUSES = ("submitting", "running")


@dataclass(frozen=True)
class SessionRow:
    profile: str
    session_id: int
    database: str | None
    name: str
    created_at: float
    updated_at: float
    turn_count: int = 0
    reset_at: float | None = None
    running_count: int = 0

    @property
    def draft(self) -> bool:
        return self.session_id < 0


@dataclass(frozen=True)
class TurnRow:
    turn_id: int
    profile: str
    session_id: int | None
    question: str
    mode: str
    status: str
    job_id: str | None
    result: Any
    reason: str
    requests_spent: int
    created_at: float
    updated_at: float
    error_kind: str = ""


@dataclass(frozen=True)
class RefinementRow:
    refine_id: int
    turn_id: int
    task_id: str
    feedback: str
    old_sql: str
    new_sql: str | None
    explanation: str
    status: str
    job_id: str | None
    reason: str
    created_at: float
    updated_at: float


_TURN_COLUMNS = (
    "turn_id, profile, session_id, question, mode, status, job_id, result_json, reason, requests_spent, "
    "created_at, updated_at, error_kind"
)


def _turn(r: tuple[Any, ...]) -> TurnRow:
    return TurnRow(
        turn_id=r[0],
        profile=r[1],
        session_id=r[2],
        question=r[3],
        mode=r[4],
        status=r[5],
        job_id=r[6],
        result=json.loads(r[7]) if r[7] else None,
        reason=r[8],
        requests_spent=r[9],
        created_at=r[10],
        updated_at=r[11],
        error_kind=r[12],
    )


def _upsert_session(
    db: sqlite3.Connection, profile: str, session_id: int, database: str | None, name: str
) -> None:
    now = time.time()
    db.execute(
        "INSERT INTO sessions (profile, session_id, database, name, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (profile, session_id) DO UPDATE SET "
        "updated_at = excluded.updated_at, database = COALESCE(excluded.database, database)",
        (profile, session_id, database, name, now, now),
    )


class History:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.history_db()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = SharedConnection(self.path)
        self._migrate()

    def _migrate(self) -> None:
        """Bring the file to SCHEMA_VERSION in one write transaction.

        Two app instances may open a fresh or old file at the same moment: the write lock is taken
        before the version is read, so one migrates and the other then finds it done. (executescript
        would commit first and drop that lock, hence one statement at a time.)
        """
        import sqlite3

        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                version = int(row[0]) if row else 0
                for target in sorted(v for v in _MIGRATIONS if v > version):
                    for statement in _MIGRATIONS[target].split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (str(target),),
                    )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One transaction on the file, for stores that keep their own tables in it (dashboards)."""
        return self._db()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._file.use() as conn, conn:  # the inner `with conn`: commit, or roll back on error
            yield conn

    def close(self) -> None:
        self._file.close()

    # -- sessions ------------------------------------------------------------------------------

    def upsert_session(self, profile: str, session_id: int, *, database: str | None, name: str) -> None:
        with self._db() as db:
            _upsert_session(db, profile, session_id, database, name)

    def forget_session(self, profile: str, session_id: int) -> None:
        with self._db() as db:
            db.execute(
                "DELETE FROM refinements WHERE turn_id IN "
                "(SELECT turn_id FROM turns WHERE profile = ? AND session_id = ?)",
                (profile, session_id),
            )
            db.execute("DELETE FROM turns WHERE profile = ? AND session_id = ?", (profile, session_id))
            db.execute("DELETE FROM sessions WHERE profile = ? AND session_id = ?", (profile, session_id))

    def sessions(self, profile: str, *, include_drafts: bool = False) -> list[SessionRow]:
        """Most recent first. Drafts (negative ids, never sent) only with `include_drafts`."""
        where = "" if include_drafts else " AND s.session_id >= 0"
        with self._db() as db:
            rows = db.execute(
                "SELECT s.profile, s.session_id, s.database, s.name, s.created_at, s.updated_at, "
                "(SELECT COUNT(*) FROM turns t WHERE t.profile = s.profile AND t.session_id = s.session_id), "
                "s.reset_at, "
                "(SELECT COUNT(*) FROM turns t WHERE t.profile = s.profile AND t.session_id = s.session_id "
                f"AND t.status IN {OPEN_STATUSES!r}) "
                f"FROM sessions s WHERE s.profile = ?{where} "
                "ORDER BY s.updated_at DESC, s.session_id DESC",
                (profile,),
            ).fetchall()
        return [SessionRow(*r) for r in rows]

    def rename_session(self, profile: str, session_id: int, name: str) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE sessions SET name = ? WHERE profile = ? AND session_id = ?",
                (name, profile, session_id),
            )

    def mark_session_reset(self, profile: str, session_id: int, at: float | None = None) -> float:
        """Remember when the session's conversation context was reset (the chat shows a divider)."""
        when = time.time() if at is None else at
        with self._db() as db:
            db.execute(
                "UPDATE sessions SET reset_at = ?, updated_at = ? WHERE profile = ? AND session_id = ?",
                (when, when, profile, session_id),
            )
        return when

    def new_draft_id(self, profile: str) -> int:
        """A negative id for a session not yet opened on the server, unused in this profile."""
        with self._db() as db:
            row = db.execute(
                "SELECT MIN(id) FROM (SELECT session_id AS id FROM sessions WHERE profile = ? "
                "UNION ALL SELECT session_id FROM turns WHERE profile = ?)",
                (profile, profile),
            ).fetchone()
        lowest = row[0] if row and row[0] is not None else 0
        return min(int(lowest), 0) - 1

    def adopt_draft(self, profile: str, draft_id: int, session_id: int) -> None:
        """The server opened `session_id` for draft `draft_id`: move the draft's turns and name there."""
        now = time.time()
        with self._db() as db:
            row = db.execute(
                "SELECT database, name, created_at FROM sessions WHERE profile = ? AND session_id = ?",
                (profile, draft_id),
            ).fetchone()
            db.execute(
                "UPDATE turns SET session_id = ? WHERE profile = ? AND session_id = ?",
                (session_id, profile, draft_id),
            )
            if row is not None:
                db.execute(
                    "INSERT INTO sessions (profile, session_id, database, name, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (profile, session_id) DO UPDATE SET "
                    "name = excluded.name, updated_at = excluded.updated_at, "
                    "database = COALESCE(excluded.database, database)",
                    (profile, session_id, row[0], row[1], row[2], now),
                )
                db.execute("DELETE FROM sessions WHERE profile = ? AND session_id = ?", (profile, draft_id))

    def last_session(self, profile: str, database: str | None = None) -> int | None:
        """The most recent server session (never a draft) on `database`, or None."""
        for s in self.sessions(profile):
            if database is None or s.database in (None, database):
                return s.session_id
        return None

    # -- turns ---------------------------------------------------------------------------------

    def add_turn(self, profile: str, session_id: int | None, question: str, mode: str) -> int:
        now = time.time()
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO turns (profile, session_id, question, mode, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (profile, session_id, question, mode, now, now),
            )
            return int(cur.lastrowid or 0)

    def set_turn_job(
        self, turn_id: int, job_id: str, session_id: int | None, *, database: str | None = None,
        session_name: str | None = None,
    ) -> None:
        """Record a submitted job. With `session_name`, the turn's session row is written in the same
        transaction: a crash between two writes would leave a running turn whose session is unknown,
        hidden from the list and never resumed."""
        with self._db() as db:
            db.execute(
                "UPDATE turns SET job_id = ?, session_id = COALESCE(?, session_id), status = 'running', "
                "updated_at = ? WHERE turn_id = ?",
                (job_id, session_id, time.time(), turn_id),
            )
            if session_name is not None and session_id is not None:
                row = db.execute("SELECT profile FROM turns WHERE turn_id = ?", (turn_id,)).fetchone()
                if row is not None:
                    _upsert_session(db, row[0], session_id, database, session_name)

    def finish_turn(
        self,
        turn_id: int,
        *,
        status: str,
        result: Any = None,
        reason: str = "",
        requests_spent: int = 0,
        error_kind: str = "",
    ) -> None:
        """`error_kind` says what kind of failure `reason` describes (auth, rate_limited, ...)."""
        with self._db() as db:
            db.execute(
                "UPDATE turns SET status = ?, result_json = ?, reason = ?, requests_spent = ?, "
                "error_kind = ?, updated_at = ? WHERE turn_id = ?",
                (status, json.dumps(result), reason, requests_spent, error_kind, time.time(), turn_id),
            )

    def turns(self, profile: str, session_id: int | None = None) -> list[TurnRow]:
        sql = f"SELECT {_TURN_COLUMNS} FROM turns WHERE profile = ?"
        args: list[Any] = [profile]
        if session_id is not None:
            sql += " AND session_id = ?"
            args.append(session_id)
        with self._db() as db:
            rows = db.execute(sql + " ORDER BY turn_id", args).fetchall()
        return [_turn(r) for r in rows]

    def turn(self, turn_id: int) -> TurnRow | None:
        with self._db() as db:
            row = db.execute(f"SELECT {_TURN_COLUMNS} FROM turns WHERE turn_id = ?", (turn_id,)).fetchone()
        return _turn(row) if row else None

    def open_turns(self, profile: str) -> list[TurnRow]:
        """Turns whose answer may still come: submitted (maybe not sent) or running, oldest first."""
        with self._db() as db:
            rows = db.execute(
                f"SELECT {_TURN_COLUMNS} FROM turns WHERE profile = ? AND status IN {OPEN_STATUSES!r} "
                "ORDER BY turn_id",
                (profile,),
            ).fetchall()
        return [_turn(r) for r in rows]

    # -- refinements ---------------------------------------------------------------------------

    def add_refinement(self, turn_id: int, task_id: str, feedback: str, old_sql: str) -> int:
        """Recorded before the refineSql request, like a turn."""
        now = time.time()
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO refinements (turn_id, task_id, feedback, old_sql, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (turn_id, task_id, feedback, old_sql, now, now),
            )
            return int(cur.lastrowid or 0)

    def set_refinement_job(self, refine_id: int, job_id: str) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE refinements SET job_id = ?, status = 'running', updated_at = ? WHERE refine_id = ?",
                (job_id, time.time(), refine_id),
            )

    def finish_refinement(
        self,
        refine_id: int,
        *,
        status: str,
        new_sql: str | None = None,
        explanation: str = "",
        reason: str = "",
    ) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE refinements SET status = ?, new_sql = ?, explanation = ?, reason = ?, updated_at = ? "
                "WHERE refine_id = ?",
                (status, new_sql, explanation, reason, time.time(), refine_id),
            )

    def refinements(self, turn_ids: list[int]) -> list[RefinementRow]:
        if not turn_ids:
            return []
        marks = ",".join("?" * len(turn_ids))
        with self._db() as db:
            rows = db.execute(
                "SELECT refine_id, turn_id, task_id, feedback, old_sql, new_sql, explanation, status, "
                "job_id, reason, created_at, updated_at FROM refinements "
                f"WHERE turn_id IN ({marks}) ORDER BY refine_id",
                turn_ids,
            ).fetchall()
        return [RefinementRow(*r) for r in rows]
