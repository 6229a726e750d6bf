"""Durability: the local history survives crashes and sharing; jobs survive a killed app or backend.

- The history is SQLite in WAL mode with a schema version; an old (version 1) file is migrated in
  place and keeps its rows.
- Several processes opening a fresh history at the same moment (migrations racing) and writing to it
  at once leave it intact (`PRAGMA integrity_check`) with every row written.
- `c2q-tui serve` SIGKILLed while a job runs: after a restart on the same state dir, the client sees
  the job `failed` with the backend's reason.
- `c2q-tui ask` SIGKILLed while its job runs: its turn is in the history with the job id (status
  running), and `wait_for_job` on that id, from a new client, completes.
Every subprocess is bounded by timeouts and killed (with its process group) in `finally`.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from c2q_tui import api, paths
from c2q_tui.api import EMBEDDED_PACE, Chat2QueryClient, wait_for_job
from c2q_tui.history import SCHEMA_VERSION, History
from c2q_tui.local.store import RESTART_REASON
from tests.reliability.conftest import PRIVATE, PUBLIC

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 6
TURNS_EACH = 15


# -- the history file ------------------------------------------------------------------------------


def test_history_is_wal_with_a_schema_version_and_migrates_a_v1_file(tmp_path: Path) -> None:
    from c2q_tui.history import _MIGRATIONS

    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as db:  # what version 1 of the app left behind
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.executescript(_MIGRATIONS[1])
        db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        db.execute(
            "INSERT INTO turns (profile, session_id, question, mode, created_at, updated_at) "
            "VALUES ('p', 7, 'old question', 'direct', 1, 1)"
        )
    history = History(path)
    [turn] = history.turns("p")
    assert (turn.question, turn.error_kind) == ("old question", "")
    history.add_refinement(turn.turn_id, "0", "only US", "SELECT 1")  # a table of version 2
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
            SCHEMA_VERSION
        )
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _writer(path: str, name: str, go: str, turns: int) -> None:
    """One app instance: opens the history when `go` appears, then writes turns like `ask` does."""
    from c2q_tui.api import QuotaLedger

    deadline = time.monotonic() + 30
    while not os.path.exists(go):
        if time.monotonic() > deadline:
            raise SystemExit("never told to go")
        time.sleep(0.002)
    history = History(Path(path))
    ledger = QuotaLedger(Path(path))
    for i in range(turns):
        turn = history.add_turn(name, None, f"{name} question {i}", "direct")
        history.set_turn_job(turn, f"{name}-job-{i}", i + 1)
        history.upsert_session(name, i + 1, database="shop", name=f"{name} {i}")
        history.finish_turn(turn, status="done", result={"rows": [[i]], "who": name}, requests_spent=2)
        ledger.record_request("app", {"X-Ratelimit-Remaining-Minute": "5"})


def test_several_processes_share_one_history_without_corrupting_it(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"  # fresh: the writers race to create and migrate it
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from tests.reliability.test_durability import _writer; "
                "_writer(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))",
                str(path),
                f"w{n}",
                str(go),
                str(TURNS_EACH),
            ],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        for n in range(WRITERS)
    ]
    try:
        time.sleep(0.5)  # let every interpreter start and wait at the line
        go.touch()
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
    finally:
        for proc in procs:
            _kill_group(proc)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
            SCHEMA_VERSION
        )
        count = db.execute("SELECT count FROM quota_requests WHERE app = 'app'").fetchone()[0]
    assert count == WRITERS * TURNS_EACH
    history = History(path)
    for n in range(WRITERS):
        turns = history.turns(f"w{n}")
        assert len(turns) == TURNS_EACH
        assert all(t.status == "done" and t.result["who"] == f"w{n}" for t in turns)
        assert len(history.sessions(f"w{n}")) == TURNS_EACH


# -- processes killed mid-job ----------------------------------------------------------------------


def _kill_group(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


class Served:
    """`c2q-tui serve` in its own process group, on a free 127.0.0.1 port."""

    def __init__(self, state_dir: Path, *extra: str) -> None:
        cmd = [
            sys.executable, "-m", "c2q_tui", "serve", "--host", "127.0.0.1", "--port", "0",
            "--state-dir", str(state_dir), "--key", f"{PUBLIC}:{PRIVATE}", "--log-level", "warning", *extra,
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        self.base_url = self.wait_for(r"^base URL:\s+(\S+)$")
        self.cluster_id = self.wait_for(r"^cluster id:\s+(\d+)$")

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                if m := re.search(pattern, line):
                    return m.group(1)
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"serve never printed {pattern!r}: {self.seen}")
            with contextlib.suppress(queue.Empty):
                self.seen.append(self.lines.get(timeout=0.2))

    def client(self) -> Chat2QueryClient:
        return Chat2QueryClient(self.base_url, public_key=PUBLIC, private_key=PRIVATE, pace=EMBEDDED_PACE)

    def kill(self) -> None:
        _kill_group(self.proc)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def served(state_dir: Path, *extra: str) -> Iterator[Served]:
    server = Served(state_dir, *extra)
    try:
        yield server
    finally:
        server.kill()


async def _summarize(server: Served) -> None:
    async with server.client() as client:
        job = await client.create_data_summary(server.cluster_id, "sp500insight", reuse=True)
        outcome = await wait_for_job(client, job.job_id, deadline=60)
        assert outcome.ok, outcome.reason


@pytest.fixture
def state_dir(tmp_path: Path, sample_db: Path) -> Path:
    """A state dir whose sample data summary is done (so questions start at once)."""
    return tmp_path / "state"


async def test_serve_killed_mid_job_reports_the_job_failed_after_restart(state_dir: Path) -> None:
    with served(state_dir) as first:
        await _summarize(first)
    # long enough that the job is surely running when the process dies; nothing waits for it
    with served(state_dir, "--job-latency", "fixed:600") as second:
        async with second.client() as client:
            job = await client.chat2data(
                "how many companies are there", cluster_id=second.cluster_id, database="sp500insight"
            )
            assert (await client.get_job(job.job_id)).status in ("init", "running")
        second.kill()
        assert second.proc.returncode == -signal.SIGKILL
    with served(state_dir) as third:
        async with third.client() as client:
            outcome = await wait_for_job(client, job.job_id, deadline=30)
    assert outcome.status == "failed"
    assert outcome.reason == RESTART_REASON
    with pytest.raises(api.JobFailed, match="backend restarted") as failed:
        outcome.raise_for_failure()
    assert failed.value.reason == RESTART_REASON and PRIVATE not in str(failed.value)


def _wait_for_turn_with_job(history_path: Path, timeout: float = 60) -> tuple[int, str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if history_path.exists():
            with contextlib.suppress(sqlite3.OperationalError):
                with sqlite3.connect(history_path, timeout=5) as db:
                    row = db.execute(
                        "SELECT turn_id, job_id, status FROM turns WHERE job_id IS NOT NULL"
                    ).fetchone()
                if row:
                    return int(row[0]), str(row[1]), str(row[2])
        time.sleep(0.05)
    raise AssertionError("ask never recorded a job id")


async def test_ask_killed_mid_job_leaves_its_turn_and_the_job_completes(
    state_dir: Path, c2q_home: Path
) -> None:
    with served(state_dir) as first:
        await _summarize(first)
    with served(state_dir, "--job-latency", "fixed:4") as server:
        env = {
            **os.environ,
            "C2Q_HOME": str(c2q_home),
            "C2Q_BASE_URL": server.base_url,
            "C2Q_PUBLIC_KEY": PUBLIC,
            "C2Q_PRIVATE_KEY": PRIVATE,
            "C2Q_CLUSTER_ID": server.cluster_id,
            "C2Q_DATABASE": "sp500insight",
        }
        question = "how many companies are there"
        ask = subprocess.Popen(
            [sys.executable, "-m", "c2q_tui", "ask", question, "--new-session"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            turn_id, job_id, _ = _wait_for_turn_with_job(paths.history_db())
            os.killpg(ask.pid, signal.SIGKILL)
            ask.wait(timeout=10)
        finally:
            _kill_group(ask)
        assert ask.returncode == -signal.SIGKILL

        # what the app finds when it starts again
        history = History()
        turn = history.turn(turn_id)
        assert turn is not None
        assert (turn.question, turn.job_id, turn.status) == (question, job_id, "running")
        assert [t.turn_id for t in history.open_turns("env")] == [turn_id]
        async with server.client() as client:
            outcome = await wait_for_job(client, job_id, deadline=60)
        assert outcome.ok
        assert outcome.job.result is not None and outcome.job.result["sql"]
        log = paths.log_file()
        assert not log.exists() or PRIVATE not in log.read_text(encoding="utf-8", errors="replace")


def test_job_results_are_json_in_history(tmp_path: Path) -> None:
    """A finished turn stores its result as JSON text a later version can read without the app."""
    history = History(tmp_path / "h.sqlite3")
    turn = history.add_turn("p", 1, "q", "direct")
    history.finish_turn(turn, status="done", result={"rows": [["中文", None, "🙂"]]})
    with sqlite3.connect(tmp_path / "h.sqlite3") as db:
        stored = db.execute("SELECT result_json FROM turns").fetchone()[0]
    assert json.loads(stored) == {"rows": [["中文", None, "🙂"]]}
