"""`c2q-tui serve` as a user runs it: a real process on a free port, driven with curl as documented."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from c2q_tui.cli import main
from c2q_tui.local.serve import banner, parse_key, settings_from_args

ROOT = Path(__file__).resolve().parents[2]


class Server:
    def __init__(self, proc: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
        self.proc = proc
        self.lines = lines
        self.seen: list[str] = []

    def read_until(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                m = re.search(pattern, line)
                if m:
                    return m
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise AssertionError(f"serve never printed {pattern!r}; output: {self.seen}")
            with contextlib.suppress(queue.Empty):
                self.seen.append(self.lines.get(timeout=min(left, 0.5)))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    cmd = [
        sys.executable,
        "-m",
        "c2q_tui",
        "serve",
        "--port",
        "0",
        "--state-dir",
        str(tmp_path / "state"),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    try:
        yield Server(proc, lines)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def curl(*args: str) -> Any:
    out = subprocess.run(
        ["curl", "-sS", "--max-time", "20", *args], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_serve_with_curl(server: Server) -> None:
    base = server.read_until(r"^base URL:\s+(\S+)$").group(1)
    cluster_id = server.read_until(r"^cluster id:\s+(\d+)$").group(1)
    assert server.read_until(r"^databases:\s+(.+)$").group(1) == "sp500insight"
    public = server.read_until(r"^\s+public key:\s+(\S+)$").group(1)
    private = server.read_until(r"^\s+private key:\s+(\S+)$").group(1)
    server.read_until(r"curl --digest --user .*/v3/chat2data")
    assert re.match(r"^http://127\.0\.0\.1:\d+/api/v1beta/app/chat2query-local/endpoint$", base)
    digest = ["--digest", "--user", f"{public}:{private}"]
    post = ["-H", "content-type: application/json", "-d"]

    def poll(job_id: str) -> Any:
        deadline = time.monotonic() + 60
        while True:
            job = curl(*digest, f"{base}/v2/jobs/{job_id}")["result"]
            if job["status"] in ("done", "failed"):
                return job
            assert time.monotonic() < deadline, job
            time.sleep(0.1)

    target = {"cluster_id": cluster_id, "database": "sp500insight"}
    created = curl(
        *digest,
        *post,
        json.dumps({**target, "description": "sample", "reuse": True}),
        f"{base}/v3/dataSummaries",
    )
    assert created["code"] == 200, created
    assert poll(created["result"]["job_id"])["status"] == "done"

    session = curl(*digest, *post, json.dumps({**target, "name": "curl"}), f"{base}/v3/sessions")["result"]
    asked = curl(
        *digest,
        *post,
        json.dumps({"question": "count the users", "sql_generate_mode": "direct"}),
        f"{base}/v3/sessions/{session['session_id']}/chat2data",
    )
    job = poll(asked["result"]["job_id"])
    assert job["status"] == "done", job
    assert job["result"]["data"]["rows"] == [["200"]]

    # Basic auth and the v1 path work as well
    v1 = curl(
        "--user",
        f"{public}:{private}",
        *post,
        json.dumps({**target, "instruction": "count the users"}),
        base.removesuffix("/endpoint") + "/endpoint/chat2data",
    )
    assert v1["data"]["rows"] == [{next(iter(v1["data"]["rows"][0])): "200"}]
    # a wrong password is refused with the documented envelope
    refused = curl("--digest", "--user", f"{public}:wrong", f"{base}/v3/sessions")
    assert refused["data"]["result"]["message"] == "auth failed"


def test_refuses_a_public_address_with_the_generated_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "refusing to listen on 0.0.0.0" in capsys.readouterr().err


def test_bad_settings_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--job-latency", "sometimes"]) == 2
    assert "job_latency" in capsys.readouterr().err


def test_keys_and_banner() -> None:
    k = parse_key("PUB:pa:ss:readonly")
    assert (k.public_key, k.private_key.get_secret_value(), k.role) == ("PUB", "pa:ss", "readonly")
    assert parse_key("PUB:secret").role == "admin"
    with pytest.raises(ValueError):
        parse_key("justone")
    import argparse

    from c2q_tui.local import serve

    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    args = parser.parse_args(
        ["--key", "PUB:secret:readwrite", "--database-url", "sqlite:////tmp/x.db", "--tidbcloud-like"]
    )
    settings = settings_from_args(args)
    assert settings.daily_quota == 100 and settings.database_names() == ["x"]
    text = banner(settings.model_copy(update={"cluster_id": "1" * 19}), "::1", 8000)
    assert "http://[::1]:8000/api/v1beta/app/chat2query-local/endpoint" in text
    assert "PUB (Chat2Query SQL ReadWrite)" in text and "secret" not in text


def test_the_backend_never_imports_textual() -> None:
    code = (
        "import sys, c2q_tui.local.app, c2q_tui.local.serve, c2q_tui.local.engines.builtin; "
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_engine_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    from c2q_tui.local.engines import create_engine
    from c2q_tui.local.settings import LocalSettings

    settings = LocalSettings(
        llm_base_url="http://127.0.0.1:9/v1", llm_model="tiny", llm_api_key_env="TEST_LLM_KEY"
    )
    assert create_engine("builtin", settings).name == "builtin"
    monkeypatch.setenv("TEST_LLM_KEY", "sk-test-123456")
    engine = create_engine("openai", settings)
    assert engine.name == "openai" and "sk-test" not in repr(engine)
    getattr(engine, "close", lambda: None)()
    with pytest.raises(ValueError, match="unknown engine"):
        create_engine("magic", settings)
