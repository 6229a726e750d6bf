"""One long-lived connection to a SQLite file, shared by a process's threads under a lock.

Opening and closing a connection for every call cost 12–34 ms on this kind of disk: closing the last
connection to a WAL database checkpoints it, an fsync. A transaction on an open connection takes a
fraction of a millisecond, so the history and the quota ledger keep theirs open. Other processes
still see every committed change (SQLite reads the latest commit at the start of each transaction).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3


class SharedConnection:
    def __init__(self, path: Path, *, pragmas: Sequence[str] = (), autocommit: bool = False) -> None:
        self.path = path
        self._pragmas = tuple(pragmas)
        self._autocommit = autocommit
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    @contextmanager
    def use(self) -> Iterator[sqlite3.Connection]:
        """The connection, held by this thread until the block ends."""
        with self._lock:
            conn = self._conn
            if conn is None or self._pid != os.getpid():  # a forked child must not share its parent's
                conn = self._open()
            yield conn

    def _open(self) -> sqlite3.Connection:
        import sqlite3  # here: the app's first frame does not open a file

        conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        if self._autocommit:
            conn.isolation_level = None
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=10000", *self._pragmas):
            conn.execute(pragma)
        self._conn, self._pid = conn, os.getpid()
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
