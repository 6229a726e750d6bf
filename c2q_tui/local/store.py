"""The backend's state in one SQLite file: summaries, knowledge, sessions and turns, jobs, quota, keys.

WAL mode with a busy timeout, so a `serve` process and the app's in-process backend can share a state
dir. The file holds the generated private key, so it is created with mode 0600.

Jobs record the backend instance that runs them. At start, jobs still `init`/`running` whose instance
is gone (its process exited, or it was closed in this process) become `failed` with `RESTART_REASON`,
along with the summaries and session turns they were producing. Jobs of a live instance in another
process (e.g. a `c2q-tui serve` next to the app) are left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

RESTART_REASON = "the backend restarted while this job was running; ask again"
_LIVE_TOKENS: set[str] = set()  # instances open in this process

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS instances (token TEXT PRIMARY KEY, pid INTEGER, host TEXT, started_at REAL);
CREATE TABLE IF NOT EXISTS data_summaries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, cluster_id TEXT NOT NULL, database TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', is_default INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', job_id TEXT, creator TEXT NOT NULL DEFAULT '',
    summary TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS data_summaries_db ON data_summaries (cluster_id, database);
CREATE TABLE IF NOT EXISTS knowledge_bases (
    id INTEGER PRIMARY KEY AUTOINCREMENT, cluster_id TEXT NOT NULL, database TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', is_default INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS knowledge_data (
    id INTEGER PRIMARY KEY AUTOINCREMENT, knowledge_base_id INTEGER NOT NULL, type TEXT NOT NULL,
    meta_data TEXT NOT NULL, raw_data TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS knowledge_data_kb ON knowledge_data (knowledge_base_id);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, cluster_id TEXT NOT NULL, database TEXT NOT NULL,
    name TEXT NOT NULL, creator TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER NOT NULL, job_id TEXT NOT NULL,
    question TEXT NOT NULL, mode TEXT NOT NULL, status TEXT NOT NULL, clarified_task TEXT NOT NULL DEFAULT '',
    sql TEXT, sql_error TEXT, columns TEXT NOT NULL DEFAULT '[]', row_count INTEGER NOT NULL DEFAULT 0,
    state TEXT, reason TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL, ended_at REAL);
CREATE INDEX IF NOT EXISTS turns_session ON turns (session_id);
CREATE INDEX IF NOT EXISTS turns_job ON turns (job_id);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
    result TEXT, owner TEXT NOT NULL, created_at REAL NOT NULL, ended_at REAL);
CREATE TABLE IF NOT EXISTS quota (app_id TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (app_id, day));
"""

MAX_ID = 2**63 - 1
MIN_ID = -(2**63)
_JSON_COLUMNS = {"summary", "meta_data", "raw_data", "columns", "state", "result"}
Row = dict[str, Any]


def _pid_alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) is not a probe there; treat the owner as gone
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=10000")
        self._conn.executescript(_SCHEMA)
        self.token = uuid.uuid4().hex
        self.recovered_jobs = self._start_instance()

    def close(self) -> None:
        with self._lock:
            _LIVE_TOKENS.discard(self.token)
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("DELETE FROM instances WHERE token = ?", (self.token,))
            self._conn.close()

    # -- plumbing ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [_decode(r) for r in rows]

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        if any(isinstance(p, int) and not MIN_ID <= p <= MAX_ID for p in params):
            return None  # an id SQLite cannot hold names nothing (and must not raise OverflowError)
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _insert(self, table: str, values: Row) -> int:
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._lock:
            cur = self._conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", _encode(values))
        return int(cur.lastrowid or 0)

    def _update(self, table: str, key: str, key_value: Any, values: Row) -> None:
        if not values:
            return
        assignments = ", ".join(f"{c} = ?" for c in values)
        with self._lock:
            self._conn.execute(
                f"UPDATE {table} SET {assignments} WHERE {key} = ?", (*_encode(values), key_value)
            )

    # -- instances and recovery ----------------------------------------------------------------

    def _start_instance(self) -> int:
        now = time.time()
        host = socket.gethostname()
        with self._tx() as conn:
            dead = []
            for row in conn.execute("SELECT token, pid, host FROM instances").fetchall():
                token, pid, inst_host = row["token"], int(row["pid"]), row["host"]
                if pid == os.getpid() and inst_host == host:
                    gone = token not in _LIVE_TOKENS
                else:
                    gone = inst_host == host and not _pid_alive(pid)
                if gone:
                    dead.append(token)
            live = [r["token"] for r in conn.execute("SELECT token FROM instances").fetchall()]
            live = [t for t in live if t not in dead]
            marks = ", ".join("?" for _ in live) or "''"
            orphans = [
                r["id"]
                for r in conn.execute(
                    f"SELECT id FROM jobs WHERE status IN ('init', 'running') AND owner NOT IN ({marks})",
                    tuple(live),
                ).fetchall()
            ]
            for job_id in orphans:
                conn.execute(
                    "UPDATE jobs SET status = 'failed', reason = ?, ended_at = ? WHERE id = ?",
                    (RESTART_REASON, now, job_id),
                )
                conn.execute(
                    "UPDATE data_summaries SET status = 'failed', reason = ?, updated_at = ? "
                    "WHERE job_id = ? AND status NOT IN ('done', 'failed')",
                    (RESTART_REASON, now, job_id),
                )
                conn.execute(
                    "UPDATE turns SET status = 'failed', reason = ?, ended_at = ? "
                    "WHERE job_id = ? AND status NOT IN ('done', 'failed')",
                    (RESTART_REASON, now, job_id),
                )
            conn.executemany("DELETE FROM instances WHERE token = ?", [(t,) for t in dead])
            conn.execute(
                "INSERT INTO instances (token, pid, host, started_at) VALUES (?, ?, ?, ?)",
                (self.token, os.getpid(), host, now),
            )
        _LIVE_TOKENS.add(self.token)
        return len(orphans)

    # -- meta (cluster id, generated keys) -----------------------------------------------------

    def meta_get(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def meta_setdefault(self, key: str, value: str) -> str:
        """Store `value` unless the key exists; return what is stored (first writer wins)."""
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row["value"])

    def meta_setdefault_json(self, key: str, value: Any) -> Any:
        return json.loads(self.meta_setdefault(key, json.dumps(value)))

    # -- data summaries ------------------------------------------------------------------------

    def add_summary(self, **values: Any) -> int:
        now = time.time()
        return self._insert("data_summaries", {**values, "created_at": now, "updated_at": now})

    def summary(self, summary_id: int) -> Row | None:
        return self._one("SELECT * FROM data_summaries WHERE id = ?", (summary_id,))

    def summaries(self, cluster_id: str, database: str | None = None) -> list[Row]:
        if database is None:
            return self._all("SELECT * FROM data_summaries WHERE cluster_id = ? ORDER BY id", (cluster_id,))
        return self._all(
            "SELECT * FROM data_summaries WHERE cluster_id = ? AND database = ? ORDER BY id",
            (cluster_id, database),
        )

    def update_summary(self, summary_id: int, **values: Any) -> None:
        self._update("data_summaries", "id", summary_id, {**values, "updated_at": time.time()})

    def make_default_summary(self, summary_id: int, cluster_id: str, database: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "UPDATE data_summaries SET is_default = (id = ?) WHERE cluster_id = ? AND database = ?",
                (summary_id, cluster_id, database),
            )

    # -- knowledge -----------------------------------------------------------------------------

    def add_knowledge_base(self, **values: Any) -> int:
        now = time.time()
        return self._insert("knowledge_bases", {**values, "created_at": now, "updated_at": now})

    def knowledge_base(self, kb_id: int) -> Row | None:
        return self._one("SELECT * FROM knowledge_bases WHERE id = ?", (kb_id,))

    def knowledge_bases(self, cluster_id: str, database: str | None = None) -> list[Row]:
        if database is None:
            return self._all("SELECT * FROM knowledge_bases WHERE cluster_id = ? ORDER BY id", (cluster_id,))
        return self._all(
            "SELECT * FROM knowledge_bases WHERE cluster_id = ? AND database = ? ORDER BY id",
            (cluster_id, database),
        )

    def update_knowledge_base(self, kb_id: int, **values: Any) -> None:
        self._update("knowledge_bases", "id", kb_id, {**values, "updated_at": time.time()})

    def add_knowledge_data(self, **values: Any) -> int:
        now = time.time()
        return self._insert("knowledge_data", {**values, "created_at": now, "updated_at": now})

    def knowledge_item(self, kb_id: int, data_id: int) -> Row | None:
        return self._one(
            "SELECT * FROM knowledge_data WHERE id = ? AND knowledge_base_id = ?", (data_id, kb_id)
        )

    def knowledge_data(self, kb_ids: list[int]) -> list[Row]:
        if not kb_ids:
            return []
        marks = ", ".join("?" for _ in kb_ids)
        return self._all(
            f"SELECT * FROM knowledge_data WHERE knowledge_base_id IN ({marks}) ORDER BY id", tuple(kb_ids)
        )

    def update_knowledge_data(self, data_id: int, **values: Any) -> None:
        self._update("knowledge_data", "id", data_id, {**values, "updated_at": time.time()})

    def delete_knowledge_data(self, data_id: int) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM knowledge_data WHERE id = ?", (data_id,))

    # -- sessions and turns --------------------------------------------------------------------

    def add_session(self, **values: Any) -> int:
        now = time.time()
        return self._insert("sessions", {**values, "created_at": now, "updated_at": now})

    def session(self, session_id: int) -> Row | None:
        return self._one("SELECT * FROM sessions WHERE id = ?", (session_id,))

    def sessions(self, cluster_id: str) -> list[Row]:
        return self._all(
            "SELECT * FROM sessions WHERE cluster_id = ? ORDER BY updated_at DESC, id DESC", (cluster_id,)
        )

    def update_session(self, session_id: int, **values: Any) -> None:
        self._update("sessions", "id", session_id, {**values, "updated_at": time.time()})

    def add_turn(self, **values: Any) -> int:
        return self._insert("turns", {**values, "created_at": time.time()})

    def turns(self, session_id: int) -> list[Row]:
        return self._all("SELECT * FROM turns WHERE session_id = ? ORDER BY id", (session_id,))

    def update_turn(self, job_id: str, **values: Any) -> None:
        self._update("turns", "job_id", job_id, values)

    def clear_turns(self, session_id: int) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))

    # -- jobs ----------------------------------------------------------------------------------

    def add_job(
        self, job_id: str, kind: str, status: str, result: Any = None, ended_at: float | None = None
    ) -> None:
        self._insert(
            "jobs",
            {
                "id": job_id,
                "kind": kind,
                "status": status,
                "result": result,
                "owner": self.token,
                "created_at": time.time(),
                "ended_at": ended_at,
            },
        )

    def job(self, job_id: str) -> Row | None:
        return self._one("SELECT * FROM jobs WHERE id = ?", (job_id,))

    def update_job(self, job_id: str, **values: Any) -> None:
        self._update("jobs", "id", job_id, values)

    # -- quota ---------------------------------------------------------------------------------

    def quota_count(self, app_id: str, day: str) -> int:
        row = self._one("SELECT count FROM quota WHERE app_id = ? AND day = ?", (app_id, day))
        return 0 if row is None else int(row["count"])

    def quota_add(self, app_id: str, day: str, n: int) -> int:
        """Count `n` requests at once (the rate limiter batches them); return the day's count after."""
        with self._tx() as conn:
            row = conn.execute(
                "INSERT INTO quota (app_id, day, count) VALUES (?, ?, ?) "
                "ON CONFLICT (app_id, day) DO UPDATE SET count = count + excluded.count RETURNING count",
                (app_id, day, n),
            ).fetchone()
        return int(row["count"])

    def quota_take(self, app_id: str, day: str, limit: int) -> tuple[bool, int]:
        """Count one request unless the day's count has reached `limit`: (admitted, count after).

        Check and increment are one transaction, so processes sharing the state file never admit
        more than `limit` between them.
        """
        with self._tx() as conn:
            row = conn.execute(
                "SELECT count FROM quota WHERE app_id = ? AND day = ?", (app_id, day)
            ).fetchone()
            count = 0 if row is None else int(row["count"])
            if count >= limit:
                return False, count
            conn.execute(
                "INSERT INTO quota (app_id, day, count) VALUES (?, ?, 1) "
                "ON CONFLICT (app_id, day) DO UPDATE SET count = count + 1",
                (app_id, day),
            )
        return True, count + 1


def _encode(values: Row) -> tuple[Any, ...]:
    return tuple(
        json.dumps(v, ensure_ascii=False, default=str) if k in _JSON_COLUMNS and v is not None else v
        for k, v in values.items()
    )


def _decode(row: sqlite3.Row) -> Row:
    out: Row = {}
    for key in row.keys():  # noqa: SIM118 - sqlite3.Row is not a mapping
        value = row[key]
        out[key] = json.loads(value) if key in _JSON_COLUMNS and isinstance(value, str) else value
    return out
