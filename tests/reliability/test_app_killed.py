"""The real app, SIGKILLed while its answer's job runs, resumes the job on the next start.

The `c2q-tui` app runs as a subprocess in a pseudo-terminal (120x40), with this test's C2Q_HOME and a
TiDB Cloud profile (from the environment) pointing at a `c2q-tui serve` backend on 127.0.0.1 whose
jobs take a few seconds. The test types a question, waits (polling the history file) until the turn is
running with a job id, SIGKILLs the app, starts it again in a new pty, and waits until the history
holds the turn done with the answer. Questions asked with `c2q-tui ask` that gave up waiting, or
were interrupted, are picked up the same way; and two apps on one history both get their answers.
Every subprocess is bounded by timeouts and killed with its process group.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from c2q_tui import paths
from tests.reliability.conftest import PRIVATE, PUBLIC
from tests.reliability.test_durability import ROOT, Served, _kill_group, _summarize, served

QUESTION = "how many companies are there"
COLUMNS, LINES = 120, 40
# long enough that the job still runs when the app is killed; the restarted app waits out the rest
JOB_SECONDS = 5
DEADLINE = 60.0  # generous (a loaded 2-core machine starts Textual slowly), within the test timeout


class PtyApp:
    """`c2q-tui` (the app) in a pseudo-terminal of its own; its output is read continuously so the
    child never blocks on a full pty buffer."""

    def __init__(self, env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.master = master
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "c2q_tui"],
            cwd=ROOT,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,  # its own session and process group: killed as a whole
            close_fds=True,
        )
        os.close(slave)  # the child holds it; reading the master then ends (EIO) when the child does
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk

    def screen_text(self) -> str:
        with self._lock:
            return self.output.decode("utf-8", "replace")

    def wait_for_output(self, text: str, timeout: float = DEADLINE) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen_text():
            if self.proc.poll() is not None:
                raise AssertionError(f"the app exited ({self.proc.returncode}) before showing {text!r}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the app never showed {text!r}; its last output: {self.tail()!r}")
            time.sleep(0.05)

    def tail(self) -> str:
        return self.screen_text()[-2000:]

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self._reader.join(timeout=10)
        with contextlib.suppress(OSError):
            os.close(self.master)

    def quit(self) -> None:
        """ctrl+q, then a kill if the app has not gone within a while."""
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.type("\x11")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=15)
        self.kill()


@contextlib.contextmanager
def app_in_pty(env: dict[str, str]) -> Iterator[PtyApp]:
    app = PtyApp(env)
    try:
        yield app
    finally:
        app.kill()


def _app_env(server: Served, c2q_home: Path) -> dict[str, str]:
    dropped = ("C2Q_", "TEXTUAL", "PYTEST", "COLUMNS", "LINES")  # the test's own settings stay here
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        C2Q_HOME=str(c2q_home),
        C2Q_BASE_URL=server.base_url,
        C2Q_PUBLIC_KEY=PUBLIC,
        C2Q_PRIVATE_KEY=PRIVATE,
        C2Q_CLUSTER_ID=server.cluster_id,
        C2Q_DATABASE="sp500insight",
    )
    return env


def _turn_rows(history: Path) -> list[dict[str, Any]]:
    """Every turn in the history file, read the way another process would (the app may be writing)."""
    if not history.exists():
        return []
    with contextlib.suppress(sqlite3.OperationalError):
        db = sqlite3.connect(history, timeout=5)
        try:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM turns ORDER BY turn_id")]
        finally:
            db.close()
    return []  # locked or being created this instant: the caller polls again


def _session_ids(history: Path) -> set[int]:
    with contextlib.suppress(sqlite3.OperationalError):
        db = sqlite3.connect(history, timeout=5)
        try:
            return {int(r[0]) for r in db.execute("SELECT session_id FROM sessions")}
        finally:
            db.close()
    return set()


def _wait_for_turn(
    history: Path, why: str, app: PtyApp | None, question: str = QUESTION, **want: Any
) -> dict[str, Any]:
    """The turn of `question` once its columns have the wanted values (`...`: any value but NULL),
    polled with a generous deadline."""
    deadline = time.monotonic() + DEADLINE
    while True:
        for row in _turn_rows(history):
            if row["question"] != question:
                continue
            if row["status"] in ("failed", "cancelled") and want.get("status") != row["status"]:
                raise AssertionError(f"{question!r} ended {row['status']} before {why}: {row['reason']}")
            if all((row[k] is not None) if v is ... else row[k] == v for k, v in want.items()):
                return row
        if app is not None and app.proc.poll() is not None:
            raise AssertionError(f"the app exited ({app.proc.returncode}) before {why}: {app.tail()!r}")
        if time.monotonic() > deadline:
            raise AssertionError(f"never {why}; turns: {_turn_rows(history)}")
        time.sleep(0.05)


def _count(row: dict[str, Any]) -> str:
    """The single value of a turn's answer (a COUNT)."""
    result = json.loads(row["result_json"])
    assert result["sql_error"] is None, result["sql_error"]
    [[count]] = result["data"]["rows"]
    return str(count)


@pytest.fixture
def state_dir(tmp_path: Path, sample_db: Path) -> Path:
    """Backend state on the sample database (copied where `serve` looks for it, so nothing builds it)."""
    return tmp_path / "state"


async def test_app_killed_mid_job_resumes_and_completes_after_a_restart(
    state_dir: Path, c2q_home: Path
) -> None:
    with served(state_dir) as first:
        await _summarize(first)
    history = paths.history_db()
    with served(state_dir, "--job-latency", f"fixed:{JOB_SECONDS}") as server:
        env = _app_env(server, c2q_home)
        with app_in_pty(env) as app:
            app.wait_for_output("ready")  # connected: the composer has focus and questions go out
            app.type(QUESTION + "\r")
            running = _wait_for_turn(history, "recorded the job id", app, status="running", job_id=...)
            # the session row follows the job id in a second write; wait for it too, so the kill
            # lands where a real crash most likely does (in the seconds of polling, not between writes)
            deadline = time.monotonic() + DEADLINE
            while running["session_id"] not in _session_ids(history):
                assert time.monotonic() < deadline, "the turn's session was never recorded"
                time.sleep(0.05)
            os.killpg(app.proc.pid, signal.SIGKILL)
            app.proc.wait(timeout=10)
            assert app.proc.returncode == -signal.SIGKILL

        # nothing finished it: the kill left the turn running with its job id
        [left] = [r for r in _turn_rows(history) if r["turn_id"] == running["turn_id"]]
        assert (left["status"], left["job_id"]) == ("running", running["job_id"])

        with app_in_pty(env) as again:
            done = _wait_for_turn(history, "completed the resumed turn", again, status="done")
            again.quit()
    assert (done["turn_id"], done["job_id"]) == (running["turn_id"], running["job_id"])
    assert _count(done) == "130"
    assert len([r for r in _turn_rows(history) if r["question"] == QUESTION]) == 1  # resumed, not re-asked


def _ask(env: dict[str, str], question: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "c2q_tui", "ask", question, "--new-session", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


async def test_ask_that_gives_up_or_is_interrupted_leaves_its_job_to_the_app(
    state_dir: Path, c2q_home: Path
) -> None:
    """`ask --timeout` giving up, and ctrl+c, stop the waiting, not the job: the turns stay running
    with their job ids, and the app started afterwards shows both answers."""
    with served(state_dir) as first:
        await _summarize(first)
    history = paths.history_db()
    users = "count the users"
    with served(state_dir, "--job-latency", f"fixed:{JOB_SECONDS}") as server:
        env = _app_env(server, c2q_home)
        gave_up = _ask(env, QUESTION, "--timeout", "1")
        interrupted = _ask(env, users)
        try:
            # interrupted as soon as its job id is recorded, long before the job can end
            _wait_for_turn(history, "recorded the job id", None, users, status="running", job_id=...)
            interrupted.send_signal(signal.SIGINT)  # ctrl+c
            _, err = interrupted.communicate(timeout=DEADLINE)
            assert interrupted.returncode == 130 and "interrupted" in err
            assert "the job keeps running on the server" in err
            out, err = gave_up.communicate(timeout=DEADLINE)
            assert gave_up.returncode == 1 and out == ""
            assert err.startswith("c2q-tui: timed out") and "keeps running on the server" in err
        finally:
            _kill_group(gave_up)
            _kill_group(interrupted)

        left = {r["question"]: r for r in _turn_rows(history)}
        assert {q: (r["status"], bool(r["job_id"])) for q, r in left.items()} == {
            QUESTION: ("running", True),
            users: ("running", True),
        }
        with app_in_pty(env) as app:
            done = {q: _wait_for_turn(history, f"answered {q!r}", app, q, status="done") for q in left}
            app.quit()
    assert {q: r["job_id"] for q, r in done.items()} == {q: r["job_id"] for q, r in left.items()}
    assert (_count(done[QUESTION]), _count(done[users])) == ("130", "200")


async def test_two_app_instances_share_one_history(state_dir: Path, c2q_home: Path) -> None:
    """Two real apps on the same C2Q_HOME, asking at the same time: both answers are recorded, once
    each, and the history file stays intact (the writer processes of test_durability hammer it
    harder; this is the claim as the issue states it, with the app itself)."""
    with served(state_dir) as first:
        await _summarize(first)
    history = paths.history_db()
    users = "count the users"
    with served(state_dir, "--job-latency", "fixed:1") as server:
        env = _app_env(server, c2q_home)
        with app_in_pty(env) as one, app_in_pty(env) as two:
            one.wait_for_output("ready")
            two.wait_for_output("ready")
            one.type(QUESTION + "\r")
            two.type(users + "\r")
            done = {
                q: _wait_for_turn(history, f"answered {q!r}", None, q, status="done")
                for q in (QUESTION, users)
            }
            one.quit()
            two.quit()
    assert (_count(done[QUESTION]), _count(done[users])) == ("130", "200")
    assert sorted(r["question"] for r in _turn_rows(history)) == sorted([QUESTION, users])
    with contextlib.closing(sqlite3.connect(history)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
