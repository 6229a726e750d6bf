"""`c2q-tui serve` keeps the daily request count in memory: stopping it (Ctrl-C, or SIGTERM as a service
manager sends) stores every request, and the next start goes on counting from there."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.local.conftest import make_shop

ROOT = Path(__file__).resolve().parents[2]
PUBLIC, PRIVATE = "SERVEKEY", "serve-secret"


def start(tmp_path: Path, database_url: str) -> tuple[subprocess.Popen[str], str]:
    """A serve process on a free port; its base URL once it accepts connections."""
    cmd = [sys.executable, "-m", "c2q_tui", "serve", "--port", "0", "--state-dir", str(tmp_path / "state")]
    cmd += ["--database-url", database_url, "--key", f"{PUBLIC}:{PRIVATE}", "--log-level", "warning"]
    out = tmp_path / "serve.out"
    with out.open("w") as sink:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, text=True, env=os.environ.copy()
        )
    deadline = time.monotonic() + 60
    while True:
        m = re.search(r"base URL:\s+(http://127\.0\.0\.1:(\d+)\S+)", out.read_text())
        if m and _listening(int(m.group(2))):
            return proc, m.group(1)
        assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
        time.sleep(0.05)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def stop(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    proc.send_signal(sig)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
        raise


def stored_today(state: Path) -> int:
    day = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    conn = sqlite3.connect(state / "backend.sqlite3")
    try:
        row = conn.execute("SELECT count FROM quota WHERE day = ?", (day,)).fetchone()
    finally:
        conn.close()
    return 0 if row is None else int(row[0])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_request_count_survives_a_restart_of_serve(tmp_path: Path, sig: signal.Signals) -> None:
    url = make_shop(tmp_path / "shop.sqlite3")
    proc, base = start(tmp_path, url)
    try:
        with httpx.Client(base_url=base, auth=httpx.DigestAuth(PUBLIC, PRIVATE)) as client:
            for _ in range(5):
                assert client.get("/v3/sessions").status_code == 200
                assert client.get("/v2/jobs/" + "0" * 32).status_code == 404  # polls count too
    finally:
        stop(proc, sig)
    assert stored_today(tmp_path / "state") == 10  # the Digest challenge (a 401) is not counted
    proc, base = start(tmp_path, url)
    try:
        with httpx.Client(base_url=base, auth=httpx.BasicAuth(PUBLIC, PRIVATE)) as client:
            assert client.get("/v3/sessions").status_code == 200
    finally:
        stop(proc, signal.SIGINT)
    assert stored_today(tmp_path / "state") == 11
