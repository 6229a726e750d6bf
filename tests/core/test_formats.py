from __future__ import annotations

import csv
import io
import json

from c2q_tui.formats import answer_view, render

DIRECT_JOB = {
    "job_id": "20f7577088154d7889964f1a5b12cb26",
    "status": "done",
    "reason": "",
    "ended_at": 1718785006,
    "result": {
        "type": "data_retrieval",
        "task_id": "0",
        "clarified_task": "Count the total number of users in the database.",
        "assumptions": [{"concept": "users", "explanation": "mapped to table users"}],
        "chart_options": {"chart_name": "Table", "option": {"columns": ["total_users"]}, "title": "Users"},
        "data": {"columns": [{"col": "total_users"}], "rows": [["200"]]},
        "sql": "SELECT COUNT(`user_id`) AS total_users FROM `users`;",
        "sql_error": None,
        "status": "done",
        "description": "",
    },
}

BREAKDOWN_JOB = {
    "job_id": "a" * 32,
    "status": "done",
    "reason": "",
    "result": {
        "type": "breakdown",
        "task_id": "0",
        "clarified_task": "Compare sectors",
        "sub_tasks": [
            {**DIRECT_JOB["result"], "task_id": "0-0", "clarified_task": "first"},  # type: ignore[dict-item]
            {
                "type": "data_retrieval",
                "task_id": "0-1",
                "clarified_task": "second",
                "sql": "SELECT 1",
                "sql_error": None,
                "data": {"columns": [{"col": "a|b"}, {"col": "c"}], "rows": [["x|y", None]]},
            },
        ],
    },
}


def test_json_has_the_documented_keys() -> None:
    view = answer_view("count the users", DIRECT_JOB, session_id=305685, requests_spent=3)
    obj = json.loads(render(view, "json"))
    assert list(obj) == [
        "question", "session_id", "job_id", "status", "clarified_task", "assumptions", "sql",
        "sql_error", "columns", "rows", "chart_options", "sub_tasks", "reason", "requests_spent",
    ]
    assert obj["columns"] == ["total_users"]
    assert obj["rows"] == [["200"]]
    assert obj["session_id"] == 305685 and obj["requests_spent"] == 3


def test_table_csv_markdown() -> None:
    view = answer_view("count the users", DIRECT_JOB)
    table = render(view, "table")
    assert "Count the total number of users" in table and "total_users" in table and "(1 row)" in table
    assert list(csv.reader(io.StringIO(render(view, "csv")))) == [["total_users"], ["200"]]
    md = render(view, "markdown")
    assert "```sql" in md and "| total_users |" in md


def test_breakdown_renders_every_sub_task() -> None:
    view = answer_view("compare", BREAKDOWN_JOB)
    assert [t.task_id for t in view.tasks()] == ["0-0", "0-1"]
    table = render(view, "table")
    assert "[1] first" in table and "[2] second" in table and "NULL" in table
    md = render(view, "markdown")
    assert "a\\|b" in md and "x\\|y" in md
    obj = json.loads(render(view, "json"))
    assert [s["task_id"] for s in obj["sub_tasks"]] == ["0-0", "0-1"]


def test_cells_are_data_not_terminal_control() -> None:
    job = {"status": "done", "result": {"data": {"columns": [{"col": "c"}], "rows": [["\x1b[31mred\x07"]]}}}
    assert "\x1b" not in render(answer_view("q", job), "table")
