"""The app's own SQLite store: sessions and turns per profile.

A turn is written before its request is sent and gets its job id as soon as it is known, so nothing
asked is lost to a crash. WAL mode and a busy timeout let two processes (the TUI and `c2q-tui ask`)
share the file.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from c2q_tui import paths

SCHEMA_VERSION = 1

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
}


@dataclass(frozen=True)
class SessionRow:
    profile: str
    session_id: int
    database: str | None
    name: str
    created_at: float
    updated_at: float
    turn_count: int = 0


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


class History:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.history_db()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            for target in sorted(v for v in _MIGRATIONS if v > version):
                db.executescript(_MIGRATIONS[target])
                db.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(target),),
                )

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=10000")
            with conn:
                yield conn
        finally:
            conn.close()

    # -- sessions ------------------------------------------------------------------------------

    def upsert_session(self, profile: str, session_id: int, *, database: str | None, name: str) -> None:
        now = time.time()
        with self._db() as db:
            db.execute(
                "INSERT INTO sessions (profile, session_id, database, name, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (profile, session_id) DO UPDATE SET "
                "updated_at = excluded.updated_at, database = COALESCE(excluded.database, database)",
                (profile, session_id, database, name, now, now),
            )

    def forget_session(self, profile: str, session_id: int) -> None:
        with self._db() as db:
            db.execute("DELETE FROM turns WHERE profile = ? AND session_id = ?", (profile, session_id))
            db.execute("DELETE FROM sessions WHERE profile = ? AND session_id = ?", (profile, session_id))

    def sessions(self, profile: str) -> list[SessionRow]:
        with self._db() as db:
            rows = db.execute(
                "SELECT s.profile, s.session_id, s.database, s.name, s.created_at, s.updated_at, "
                "(SELECT COUNT(*) FROM turns t WHERE t.profile = s.profile AND t.session_id = s.session_id) "
                "FROM sessions s WHERE s.profile = ? ORDER BY s.updated_at DESC, s.session_id DESC",
                (profile,),
            ).fetchall()
        return [SessionRow(*r) for r in rows]

    def last_session(self, profile: str, database: str | None = None) -> int | None:
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

    def set_turn_job(self, turn_id: int, job_id: str, session_id: int | None) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE turns SET job_id = ?, session_id = COALESCE(?, session_id), status = 'running', "
                "updated_at = ? WHERE turn_id = ?",
                (job_id, session_id, time.time(), turn_id),
            )

    def finish_turn(
        self,
        turn_id: int,
        *,
        status: str,
        result: Any = None,
        reason: str = "",
        requests_spent: int = 0,
    ) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE turns SET status = ?, result_json = ?, reason = ?, requests_spent = ?, "
                "updated_at = ? WHERE turn_id = ?",
                (status, json.dumps(result), reason, requests_spent, time.time(), turn_id),
            )

    def turns(self, profile: str, session_id: int | None = None) -> list[TurnRow]:
        sql = "SELECT * FROM turns WHERE profile = ?"
        args: list[Any] = [profile]
        if session_id is not None:
            sql += " AND session_id = ?"
            args.append(session_id)
        with self._db() as db:
            rows = db.execute(sql + " ORDER BY turn_id", args).fetchall()
        return [
            TurnRow(
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
            )
            for r in rows
        ]
