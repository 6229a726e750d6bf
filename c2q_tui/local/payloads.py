"""Job payloads built from an engine's answer and the rows its SQL returned (reference §4.2, §4.3, §3.9).

Cell values are strings, as the real service sends them: None stays null, floats use `repr` (shortest
round-trip form, no float noise), booleans are "true"/"false", dates and times are ISO (datetimes with a
space, like MySQL prints them), bytes are decoded as UTF-8 with replacement characters, JSON-like
values (lists, dicts) are JSON text.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Sequence
from typing import Any

from c2q_tui.local import charts
from c2q_tui.local.database import QueryResult
from c2q_tui.local.engines.base import Answer, Assumption, Breakdown


def cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def assumptions(items: Sequence[Assumption]) -> list[dict[str, str]]:
    return [{"concept": a.concept, "explanation": a.explanation} for a in items]


def data_retrieval(
    answer: Answer,
    result: QueryResult | None,
    *,
    task_id: str = "0",
    sql_error: str | None = None,
) -> dict[str, Any]:
    """One answered task: `type: data_retrieval`. Without a result, `sql_error` says why."""
    if result is None:
        data: dict[str, Any] = {"columns": [], "rows": []}
        chart: dict[str, Any] | None = None
    else:
        data = {
            "columns": [{"col": c} for c in result.columns],
            "rows": [[cell(v) for v in row] for row in result.rows],
        }
        chart = answer.chart or charts.choose_chart(
            result.columns, result.rows, title=answer.clarified_task, intent=answer.chart_intent
        )
    return {
        "assumptions": assumptions(answer.assumptions),
        "chart_options": chart,
        "clarified_task": answer.clarified_task,
        "data": data,
        "description": answer.description,
        "sql": answer.sql,
        "sql_error": sql_error,
        "status": "done",
        "task_id": task_id,
        "type": "data_retrieval",
    }


def breakdown(bd: Breakdown, sub_tasks: list[dict[str, Any]], *, done: bool) -> dict[str, Any]:
    """The root of an auto_breakdown answer; `sub_tasks` holds those answered so far."""
    return {
        "assumptions": assumptions(bd.assumptions),
        "clarified_task": bd.clarified_task,
        "description": bd.description,
        "status": "done" if done else "running",
        "sub_tasks": list(sub_tasks),
        "task_id": "0",
        "type": "breakdown",
    }


def sub_task_id(index: int) -> str:
    return f"0-{index}"


def v2_result(question: str, payload: dict[str, Any], elapsed: float) -> dict[str, Any]:
    """The v2 chat2data job result: a one-node `task_tree` (reference §4.3)."""
    node = {
        "clarified_task": payload["clarified_task"],
        "columns": payload["data"]["columns"],
        "description": payload["description"],
        "rows": payload["data"]["rows"],
        "sequence_no": 0,
        "sql": payload["sql"],
        "sql_error": payload["sql_error"],
        "task": question,
        "task_id": "0",
    }
    return {
        "question_id": str(uuid.uuid4()),
        "raw_question": question,
        "task_tree": {"0": node},
        "time_elapsed": round(elapsed, 6),
    }


_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "BOOLEAN"),
    (int, "BIGINT"),
    (float, "DOUBLE"),
    (decimal.Decimal, "DECIMAL"),
    (dt.datetime, "DATETIME"),
    (dt.date, "DATE"),
    (dt.time, "TIME"),
    (bytes, "BLOB"),
    (str, "VARCHAR"),
)


def _type_name(values: Sequence[Any]) -> str:
    sample = next((v for v in values if v is not None), None)
    if sample is None:
        return "NULL"
    return next((name for t, name in _TYPE_NAMES if isinstance(sample, t)), "VARCHAR")


def v1_columns(result: QueryResult) -> list[dict[str, Any]]:
    """v1 columns `{col, data_type, nullable}`. The result set carries no types, so they are read off
    the values (first non-null one), and `nullable` says whether a NULL occurred."""
    out = []
    for i, name in enumerate(result.columns):
        values = [r[i] for r in result.rows]
        out.append({"col": name, "data_type": _type_name(values), "nullable": any(v is None for v in values)})
    return out


def v1_rows(result: QueryResult) -> list[dict[str, str | None]]:
    return [{c: cell(v) for c, v in zip(result.columns, row, strict=True)} for row in result.rows]


def seconds_text(seconds: float) -> str:
    """Go-style durations, as the v1 `latency` field prints them ("3.609656403s")."""
    return f"{seconds:.9f}".rstrip("0").rstrip(".") + "s"
