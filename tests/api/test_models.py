"""Models: unknown fields kept, big ints exact, INF shapes accepted, job results typed by shape."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from c2q_tui.api import (
    BadResponse,
    BreakdownResult,
    DataRetrievalResult,
    DataSummary,
    DataSummaryV2Data,
    Job,
    KnowledgeData,
    RefineResult,
    ResultData,
    Session,
    V2Chat2DataResult,
    parse_job_result,
)

DIRECT: dict[str, Any] = {
    "assumptions": [],
    "chart_options": {
        "chart_name": "Table",
        "option": {"columns": ["total_users"]},
        "title": "Total Number of Users",
    },
    "clarified_task": "Count the total number of users in the database.",
    "data": {"columns": [{"col": "total_users"}], "rows": [["1"]]},
    "description": "",
    "sql": "SELECT COUNT(`user_id`) AS total_users FROM `users`;",
    "sql_error": None,
    "status": "done",
    "task_id": "0",
    "type": "data_retrieval",
}

V2_RESULT = {
    "question_id": "8c4c15cf-a808-45b8-bff7-2ca819a1b6d5",
    "raw_question": "count the users",
    "task_tree": {
        "0": {
            "clarified_task": "count the users",
            "description": "",
            "columns": [{"col": "user_count"}],
            "rows": [["1"]],
            "sequence_no": 0,
            "sql": "SELECT COUNT(`user_id`) AS `user_count` FROM `users`;",
            "task": "count the users",
            "task_id": "0",
        }
    },
    "time_elapsed": 3.854671001434326,
}


def test_import_leaves_textual_out() -> None:
    code = "import sys, c2q_tui.api; sys.exit(1 if 'textual' in sys.modules else 0)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_direct_answer() -> None:
    answer = parse_job_result(DIRECT)
    assert isinstance(answer, DataRetrievalResult) and answer.ok
    assert answer.chart_options is not None and answer.chart_options.option == {"columns": ["total_users"]}
    assert (
        answer.data is not None
        and answer.data.column_names == ["total_users"]
        and answer.data.rows == [["1"]]
    )


def test_unknown_fields_are_kept_at_every_level() -> None:
    raw = {**DIRECT, "new_top": {"x": 1}, "data": {**DIRECT["data"], "total": 99}}
    answer = DataRetrievalResult.model_validate(raw)
    assert answer.extras == {"new_top": {"x": 1}}
    assert answer.data is not None and answer.data.extras == {"total": 99}
    assert answer.model_dump()["new_top"] == {"x": 1}


def test_big_integers_survive_exactly() -> None:
    text = '{"cluster_id": 10939961583884005252, "db_name": "x", "huge": 123456789012345678901234567890}'
    data = DataSummaryV2Data.model_validate(json.loads(text))
    assert data.cluster_id == "10939961583884005252"
    assert data.extras["huge"] == 123456789012345678901234567890
    assert json.dumps(data.model_dump(mode="json")["huge"]) == "123456789012345678901234567890"


def test_sql_error_answer_and_null_chart() -> None:
    answer = parse_job_result(
        {**DIRECT, "sql_error": "Error 1146: table not found", "data": None, "chart_options": None}
    )
    assert isinstance(answer, DataRetrievalResult) and not answer.ok and answer.data is None


def test_breakdown_with_progressive_sub_tasks() -> None:
    root = {
        "type": "breakdown",
        "task_id": "0",
        "status": "running",
        "clarified_task": "Compare sectors",
        "description": "",
        "assumptions": [{"concept": "sector", "explanation": "GICS sector"}],
        "sub_tasks": [
            {**DIRECT, "task_id": "0-0"},
            {"task_id": "0-1", "status": "running", "type": "data_retrieval"},
        ],
    }
    answer = parse_job_result(root)
    assert isinstance(answer, BreakdownResult)
    assert [t.task_id for t in answer.done_sub_tasks()] == ["0-0"]
    assert answer.assumptions[0].concept == "sector"


@pytest.mark.parametrize(
    ("result", "kind", "expected"),
    [
        (None, None, type(None)),
        (["What is the biggest company?", "Which sector grew most?"], None, list),
        ({"questions": ["a?"]}, "suggest_questions", list),
        ({"rewritten_sql": "SELECT 1", "solution": "s"}, None, RefineResult),
        (V2_RESULT, None, V2Chat2DataResult),
        ({"data_summary_id": 1, "status": "done", "tables": {}}, None, DataSummary),
        ({"db_name": "x", "db_schema": {}}, None, DataSummaryV2Data),
        ({"something": "else"}, None, dict),
    ],
)
def test_parse_job_result_by_shape(result: Any, kind: str | None, expected: type) -> None:
    assert isinstance(parse_job_result(result, kind), expected)


def test_v2_task_tree() -> None:
    answer = parse_job_result(V2_RESULT)
    assert isinstance(answer, V2Chat2DataResult) and answer.root is not None
    assert answer.root.sql == "SELECT COUNT(`user_id`) AS `user_count` FROM `users`;"
    assert answer.time_elapsed == pytest.approx(3.85, abs=0.01)


def test_known_shape_with_wrong_types_is_a_bad_response() -> None:
    with pytest.raises(BadResponse, match=r"unexpected shape: data\.rows"):
        parse_job_result({**DIRECT, "data": {"columns": [], "rows": "nope"}})


def test_object_rows_become_lists() -> None:
    data = ResultData.model_validate({"columns": [{"col": "a"}, {"col": "b"}], "rows": [{"b": 2, "a": 1}]})
    assert data.rows == [[1, 2]]


def test_relationships_accept_object_array_and_flat_list() -> None:
    rel = {
        "referencing_table": "t",
        "referencing_table_column": "c",
        "referenced_table": "u",
        "referenced_table_column": "id",
    }
    for shape in ({"t": rel}, {"t": [rel]}, [rel]):
        summary = DataSummary.model_validate({"data_summary_id": 1, "relationships": shape})
        assert summary.relationships["t"][0].referenced_table == "u"


def test_summary_description_as_plain_string_and_columns_as_list() -> None:
    summary = DataSummary.model_validate(
        {
            "data_summary_id": "304823",  # TiInsight types the id as a string
            "description": "just text",
            "tables": {"t": {"columns": [{"name": "a", "description": "A"}]}, "u": {"columns": {"b": "B"}}},
        }
    )
    assert summary.data_summary_id == 304823 and str(summary.description) == "just text"
    assert summary.tables["t"].columns["a"].description == "A"
    assert summary.tables["u"].columns["b"].description == "B"


def test_job_status_is_normalised_and_reason_defaults() -> None:
    job = Job.model_validate(
        {"job_id": "x", "status": "RUNNING", "reason": None, "result": None, "ended_at": 0}
    )
    assert job.status == "running" and job.reason == "" and not job.finished


def test_knowledge_data_with_malformed_raw_keeps_the_mapping() -> None:
    item = KnowledgeData.model_validate({"id": 3, "type": "few-shot", "raw_data": {"question": "only"}})
    assert item.knowledge_data_id == 3 and item.raw_data == {"question": "only"}


def test_session_id_alias_and_message_strings() -> None:
    session = Session.model_validate({"id": 5, "name": "n", "messages": ["hello"]})
    assert session.session_id == 5 and session.name == "n" and session.messages[0].content == "hello"
