"""`c2q-tui ask` end to end, through the real HTTP path into the embedded backend."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from c2q_tui import connection
from c2q_tui.api import EMBEDDED_PACE, Chat2QueryClient, wait_for_job
from c2q_tui.cli import main
from c2q_tui.config import SAMPLE_PROFILE
from c2q_tui.history import History
from c2q_tui.local.app import backend_of, build_local_app
from c2q_tui.local.jobs import parse_latency
from c2q_tui.local.settings import KeySpec, LocalSettings

pytestmark = pytest.mark.usefixtures("sample_db")

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def ask_json(run: Run, *argv: str) -> dict[str, Any]:
    code, out, err = run("ask", *argv, "--format", "json")
    assert code == 0, err
    obj: dict[str, Any] = json.loads(out)
    return obj


def test_json_answer_has_every_documented_key(run: Run) -> None:
    obj = ask_json(run, "count the users")
    assert set(obj) == {
        "question", "session_id", "job_id", "status", "clarified_task", "assumptions", "sql",
        "sql_error", "columns", "rows", "chart_options", "sub_tasks", "reason", "requests_spent",
    }
    assert obj["status"] == "done" and obj["rows"] == [["200"]]
    assert len(obj["job_id"]) == 32 and isinstance(obj["session_id"], int)
    assert obj["requests_spent"] >= 2  # the submit and at least one poll


def test_every_format(run: Run) -> None:
    code, out, _ = run("ask", "top 3 companies by market cap")
    assert code == 0 and "Apple Inc." in out and "(3 rows)" in out and "SQL:" in out
    code, out, _ = run("ask", "top 3 companies by market cap", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and len(rows) == 4 and rows[1][0] == "AAPL"
    code, out, _ = run("ask", "top 3 companies by market cap", "--format", "markdown")
    assert code == 0 and "```sql" in out and "| AAPL |" in out
    code, out, _ = run("ask", "top 3 companies by market cap", "--sql-only")
    assert code == 0 and out.strip().upper().startswith("SELECT") and "Apple" not in out


def test_consecutive_calls_form_a_conversation(run: Run) -> None:
    first = ask_json(run, "how many companies are there")
    follow = ask_json(run, "only in the Energy sector")
    assert follow["session_id"] == first["session_id"]
    assert int(follow["rows"][0][0]) < int(first["rows"][0][0])
    fresh = ask_json(run, "how many companies are there", "--new-session")
    assert fresh["session_id"] != first["session_id"]
    again = ask_json(run, "only in the Energy sector", "--session", str(first["session_id"]))
    assert again["session_id"] == first["session_id"]
    code, out, _ = run("sessions")
    assert code == 0 and str(first["session_id"]) in out and str(fresh["session_id"]) in out


def test_breakdown_mode_returns_sub_tasks(run: Run) -> None:
    obj = ask_json(
        run,
        "compare the average revenue of Energy and Utilities and list their largest companies",
        "--mode", "auto_breakdown",
    )
    assert len(obj["sub_tasks"]) >= 2
    assert all(t["rows"] for t in obj["sub_tasks"])
    code, out, _ = run("ask", "compare the average revenue of Energy and Utilities and list their "
                       "largest companies", "--mode", "auto_breakdown")
    assert code == 0 and "[1]" in out and "[2]" in out


def test_a_question_that_cannot_be_mapped_fails_with_the_reason(run: Run) -> None:
    code, out, err = run("ask", "how many flights landed on mars")
    assert code == 1 and out == ""
    assert err.startswith("c2q-tui: the job failed:") and "flights" in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "empty"), ("   \n\t", "empty"), ("x" * 10_000_000, "the limit is")],
)
def test_bad_questions_are_usage_errors(run: Run, question: str, message: str) -> None:
    code, out, err = run("ask", question)
    assert code == 2 and out == "" and message in err


def test_usage_errors_exit_2(run: Run) -> None:
    with pytest.raises(SystemExit) as e:
        main(["ask", "q", "--format", "xml"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["ask", "q", "--session", "1", "--new-session"])
    assert e.value.code == 2


def test_control_characters_and_injection_attempts_do_no_harm(run: Run) -> None:
    code, _, err = run("ask", "'; DROP TABLE companies; --")
    assert code in (0, 1) and "Traceback" not in err
    obj = ask_json(run, "how many companies are there", "--new-session")
    assert obj["rows"] == [["130"]]
    code, _, err = run("ask", "how many \x1b[31mcompanies\x07 are there")
    assert "Traceback" not in err


# -- failures against a TiDB Cloud profile, served by the embedded backend in process ---------------


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., FastAPI]]:
    """Point a TiDB Cloud profile (from the environment) at an in-process backend."""

    def make(transport: httpx.AsyncBaseTransport | None = None, private_key: str = "PRIV",
             **settings: Any) -> FastAPI:
        backend_settings = LocalSettings(
            keys=[KeySpec(public_key="PUB", private_key=SecretStr("PRIV"), role="admin")],
            state_dir=tmp_path / "backend",
            **settings,
        )
        app, prepared = build_local_app(backend_settings)
        base = f"http://cloud.test/api/v1beta/app/{prepared.app_id}/endpoint"
        monkeypatch.setenv("C2Q_BASE_URL", base)
        monkeypatch.setenv("C2Q_PUBLIC_KEY", "PUB")
        monkeypatch.setenv("C2Q_PRIVATE_KEY", private_key)
        monkeypatch.setenv("C2Q_CLUSTER_ID", prepared.cluster_id)
        monkeypatch.setenv("C2Q_DATABASE", "sp500insight")
        real = connection.Chat2QueryClient
        chosen = transport or httpx.ASGITransport(app=app)

        def client(*args: Any, **kwargs: Any) -> Any:
            # the service's pace (1 s floor, seconds-long priors) is tested with a fake clock in
            # tests/api; here it would only make the suite sleep
            kwargs.update(transport=chosen, pace=EMBEDDED_PACE)
            return real(*args, **kwargs)

        monkeypatch.setattr(connection, "Chat2QueryClient", client)
        return app

    yield make


def summarise(app: FastAPI) -> None:
    """Create the data summary the way a TiDB Cloud user does in the console."""

    async def go() -> None:
        prepared = backend_of(app).settings
        async with Chat2QueryClient(
            f"http://cloud.test/api/v1beta/app/{prepared.app_id}/endpoint",
            public_key="PUB", private_key="PRIV", transport=httpx.ASGITransport(app=app),
            pace=EMBEDDED_PACE,
        ) as client:
            job = await client.create_data_summary(prepared.cluster_id, "sp500insight")
            assert (await wait_for_job(client, job.job_id)).ok

    asyncio.run(go())


def test_cloud_profile_needs_a_ready_data_summary(run: Run, cloud: Callable[..., FastAPI]) -> None:
    cloud()
    code, _, err = run("ask", "count the users")
    assert code == 1 and "data summary is not ready" in err.lower()


def test_wrong_key(run: Run, cloud: Callable[..., FastAPI]) -> None:
    cloud(private_key="WRONG")
    code, out, err = run("ask", "count the users")
    assert code == 1 and out == ""
    assert err.startswith("c2q-tui: authentication failed") and "WRONG" not in err


def test_quota_exhausted(run: Run, cloud: Callable[..., FastAPI]) -> None:
    cloud(daily_quota=1)
    run("ask", "count the users")  # spends the one request
    code, _, err = run("ask", "count the users")
    assert code == 1 and err.startswith("c2q-tui: rate limited")


def test_network_down(run: Run, cloud: Callable[..., FastAPI]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    cloud(transport=httpx.MockTransport(refuse))
    code, _, err = run("ask", "count the users")
    assert code == 1 and err.startswith("c2q-tui: network error") and err.count("\n") == 1


def test_bad_response(run: Run, cloud: Callable[..., FastAPI]) -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html><body>Bad gateway</body></html>")

    cloud(transport=httpx.MockTransport(html))
    code, _, err = run("ask", "count the users")
    assert code == 1 and err.startswith("c2q-tui: bad response") and "<html>" not in err


def test_answer_from_the_cloud_profile(run: Run, cloud: Callable[..., FastAPI]) -> None:
    summarise(cloud())
    obj = ask_json(run, "count the users")
    assert obj["rows"] == [["200"]] and obj["requests_spent"] >= 2


def test_timeout(run: Run, cloud: Callable[..., FastAPI]) -> None:
    app = cloud()
    summarise(app)
    backend_of(app).jobs.latency = parse_latency("fixed:30")
    code, out, err = run("ask", "count the users", "--timeout", "1.5")
    assert code == 1 and out == ""
    assert err.startswith("c2q-tui: timed out") and "1.5 s deadline" in err
    # the job runs on at the server: its turn stays open for the app to resume (tests/reliability)
    assert "keeps running on the server" in err
    [turn] = History().turns("env")
    assert turn.status == "running" and turn.job_id
    assert [t.turn_id for t in History().open_turns("env")] == [turn.turn_id]


def test_timeout_on_the_embedded_backend_fails_the_turn(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded backend's job lives in the `ask` process and ends with it: nothing to resume."""
    from c2q_tui.local import app as local_app

    build = local_app.build_local_app

    def slow(*args: Any, **kwargs: Any) -> tuple[FastAPI, LocalSettings]:
        app, settings = build(*args, **kwargs)
        latencies = iter([0.0])  # the data summary (the first job) at once, the answer slowly
        backend_of(app).jobs.latency = lambda: next(latencies, 30.0)
        return app, settings

    monkeypatch.setattr(local_app, "build_local_app", slow)
    code, _, err = run("ask", "count the users", "--timeout", "1.5")
    assert code == 1 and err.startswith("c2q-tui: timed out") and "keeps running" not in err
    [turn] = History().turns(SAMPLE_PROFILE)
    assert turn.status == "failed" and turn.job_id and "deadline" in turn.reason
