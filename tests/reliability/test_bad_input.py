"""Bad input gets a clear answer or a clear one-line error, and never changes the data.

Questions: empty, whitespace-only, 10 MB, control characters, SQL injection (also as refine feedback),
Chinese, Arabic and emoji. Data: bytes that are not UTF-8, a 2 MB cell, 100 columns, NULL everywhere.
Checked through the client against the embedded backend (built-in engine), through `c2q-tui ask` in
every output format (nothing that could drive the terminal reaches stdout or stderr), and, at the
end of each test, byte for byte against the database file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from c2q_tui import api
from c2q_tui.api import wait_for_job
from c2q_tui.cli import main
from c2q_tui.formats import answer_view, render
from c2q_tui.local import payloads
from c2q_tui.local.database import Database
from tests.reliability.conftest import HUGE_CELL, NON_UTF8, WIDE_COLUMNS, Env, table_digest

TEN_MB = "how many users " * 700_000
INJECTIONS = [
    "'; DROP TABLE companies; --",
    "how many companies are there'; DROP TABLE companies; --",
    'list users where name = "x" OR 1=1; DELETE FROM users; --',
    "Robert'); DROP TABLE users;--",
]
SCRIPTS = ["有多少用户", "كم عدد المستخدمين", "🙂🙂 how many users 🙂", "how many companies are in 中文公司"]
CONTROL = "how many users are there\x00\x1b[2J\x1b]0;pwned\x07\x08\r"
TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")  # what could drive a terminal


async def _ask(env: Env, question: str) -> api.JobOutcome:
    job = await env.client.chat2data(question, cluster_id=env.cluster_id, database="shop")
    return await wait_for_job(env.client, job.job_id, deadline=60)


def _clear(outcome: api.JobOutcome) -> None:
    """A job that is either answered or failed with a reason a person can read."""
    if outcome.status == "failed":
        assert outcome.reason and "\n" not in outcome.reason and "Traceback" not in outcome.reason
        assert not outcome.reason.startswith("internal error"), outcome.reason
    else:
        assert outcome.status == "done" and outcome.job.result is not None


# -- questions ---------------------------------------------------------------------------------------


async def test_empty_whitespace_and_huge_questions_are_refused_at_once(env: Env) -> None:
    before = table_digest(env.db_path), env.job_count()
    for question, why in (
        ("", "at least 1 character"),
        (" \t\n ", "at least 1 character"),
        (TEN_MB, "at most"),
    ):
        with pytest.raises(api.ApiError) as refused:
            await env.client.chat2data(question, cluster_id=env.cluster_id, database="shop")
        assert refused.value.status == 400 and "param check failed! question" in str(refused.value)
        assert why in str(refused.value) and len(str(refused.value)) < 500
    session = await env.client.create_session(env.cluster_id, "shop", "s")
    with pytest.raises(api.ApiError, match="at most"):
        await env.client.session_chat2data(session.session_id, TEN_MB)
    with pytest.raises(api.ApiError, match="feedback"):
        await env.client.refine_sql(env.cluster_id, "shop", "SELECT 1", TEN_MB)
    assert (table_digest(env.db_path), env.job_count()) == before


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "the question is empty"), ("  \t\n ", "the question is empty"), (TEN_MB, "the limit is 4000")],
    ids=["empty", "whitespace", "10MB"],
)
def test_the_cli_refuses_them_as_usage_errors(
    question: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", question]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and err.count("\n") == 1 and len(err) < 300


async def test_control_characters_other_scripts_and_injections_get_clear_answers(env: Env) -> None:
    before = table_digest(env.db_path)
    for question in [CONTROL, *SCRIPTS, *INJECTIONS]:
        _clear(await _ask(env, question))
    emoji = await _ask(env, "🙂🙂 how many users 🙂")
    assert emoji.ok and emoji.job.result["data"]["rows"] == [["3"]]
    assert table_digest(env.db_path) == before


async def test_injection_in_refine_feedback_and_sql_changes_nothing(env: Env) -> None:
    before = table_digest(env.db_path)
    for feedback in INJECTIONS:
        job = await env.client.refine_sql(env.cluster_id, "shop", "SELECT name FROM users LIMIT 20", feedback)
        _clear(await wait_for_job(env.client, job.job_id, deadline=60))
    job = await env.client.refine_sql(
        env.cluster_id, "shop", "SELECT 1; DROP TABLE companies", "only the first row"
    )
    _clear(await wait_for_job(env.client, job.job_id, deadline=60))
    session = await env.client.create_session(env.cluster_id, "shop", "injection")
    for question in INJECTIONS:
        job = await env.client.session_chat2data(session.session_id, question)
        _clear(await wait_for_job(env.client, job.job_id, deadline=60))
    assert table_digest(env.db_path) == before


# -- data --------------------------------------------------------------------------------------------


async def test_bytes_that_are_not_utf8_and_a_huge_cell_come_back_readable(env: Env) -> None:
    before = table_digest(env.db_path)
    outcome = await _ask(env, "show all blobs")
    assert outcome.ok, outcome.reason
    rows = [r[0] for r in outcome.job.result["data"]["rows"]]
    assert len(rows[0]) == HUGE_CELL
    assert rows[1] == NON_UTF8.decode("utf-8", "replace")  # replacement characters, not a crash
    assert table_digest(env.db_path) == before


def _view(columns: list[str], rows: list[list[Any]]) -> Any:
    result = {
        "type": "data_retrieval", "task_id": "0", "status": "done", "clarified_task": "Odd data\x1b[2J",
        "sql": "SELECT *\nFROM odd", "sql_error": None, "assumptions": [], "description": "",
        "data": {"columns": [{"col": c} for c in columns], "rows": rows}, "chart_options": None,
    }  # fmt: skip
    return answer_view("odd?\x07", {"job_id": "j", "status": "done", "reason": "", "result": result})


def test_100_columns_nulls_huge_and_hostile_cells_render_in_every_format(env: Env) -> None:
    db = Database(f"sqlite:///{env.db_path}")
    try:
        wide = db.execute("SELECT * FROM wide")
        nulls = db.execute("SELECT * FROM nulls")
        blobs = db.execute("SELECT * FROM blobs")
    finally:
        db.dispose()
    assert len(wide.columns) == WIDE_COLUMNS and wide.rows[0] == tuple(range(WIDE_COLUMNS))
    assert all(v is None for row in nulls.rows for v in row)
    for result in (wide, nulls, blobs):
        rows = [[payloads.cell(v) for v in r] for r in result.rows]
        rows.append(["\x1b]0;pwned\x07\x1b[2J" for _ in result.columns])
        view = _view(result.columns, rows)
        for fmt in ("table", "markdown", "json", "csv"):
            text = render(view, fmt)  # type: ignore[arg-type]
            assert text
            if fmt == "json":
                decoded = json.loads(text)
                assert len(decoded["columns"]) == len(result.columns)
            elif fmt != "csv":  # csv is data for programs; the others are for people at a terminal
                assert not TERMINAL_CONTROL.search(text), (fmt, TERMINAL_CONTROL.findall(text)[:5])
            if fmt == "table" and result is blobs:
                assert len(text) < HUGE_CELL  # long cells are cut in the table


CLI_CASES = {  # (question, exit code) per format: every format sees data and a failure
    "table": [("show all blobs", 0), ("show all nulls", 0), (CONTROL, 1)],
    "markdown": [("show the wide table", 0), ("有多少用户", 1)],
    "json": [("show all blobs", 0), ("'; DROP TABLE companies; --", 1)],
    "csv": [("show all nulls", 0)],
}


def test_ask_over_awkward_data_in_every_format(shop_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = shop_root / "shop.sqlite3"
    before = table_digest(db_path)
    url = f"sqlite:///{db_path}"
    for fmt, cases in CLI_CASES.items():
        for question, code in cases:
            assert main(["--database-url", url, "ask", question, "--format", fmt, "--new-session"]) == code
            out, err = capsys.readouterr()
            assert err.count("\n") <= 1, err  # at most one line on stderr
            if code:
                assert err.startswith("c2q-tui: ") and not TERMINAL_CONTROL.search(err), err
            if fmt == "json" and code == 0:
                assert json.loads(out)["status"] == "done"
            elif fmt in ("table", "markdown"):
                assert not TERMINAL_CONTROL.search(out), (fmt, TERMINAL_CONTROL.findall(out)[:5])
    assert table_digest(db_path) == before
