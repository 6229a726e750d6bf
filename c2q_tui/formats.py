"""Answers as text: a flat view of a chat2data job result, and the formats `ask` prints.

Works on the job's JSON (`GET /v2/jobs/{id}` → `result`), for both `data_retrieval` and `breakdown`
results, so it serves the CLI and the app's export alike.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Format = Literal["table", "csv", "json", "markdown"]
MAX_CELL = 60


@dataclass
class TaskView:
    task_id: str
    clarified_task: str
    sql: str | None
    sql_error: str | None
    columns: list[str]
    rows: list[list[Any]]
    assumptions: list[dict[str, str]] = field(default_factory=list)
    chart_options: dict[str, Any] | None = None
    description: str = ""


@dataclass
class AnswerView:
    question: str
    session_id: int | None
    job_id: str | None
    status: str
    reason: str
    requests_spent: int
    main: TaskView
    sub_tasks: list[TaskView] = field(default_factory=list)

    def tasks(self) -> list[TaskView]:
        """What carries rows: the sub-tasks of a breakdown, else the answer itself."""
        return self.sub_tasks or [self.main]

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "session_id": self.session_id,
            "job_id": self.job_id,
            "status": self.status,
            "clarified_task": self.main.clarified_task,
            "assumptions": self.main.assumptions,
            "sql": self.main.sql,
            "sql_error": self.main.sql_error,
            "columns": self.main.columns,
            "rows": self.main.rows,
            "chart_options": self.main.chart_options,
            "sub_tasks": [asdict(t) for t in self.sub_tasks],
            "reason": self.reason,
            "requests_spent": self.requests_spent,
        }


def _task(raw: dict[str, Any]) -> TaskView:
    data = raw.get("data") or {}
    cols = data.get("columns") or []
    columns = [str(c.get("col", "")) if isinstance(c, dict) else str(c) for c in cols]
    rows_raw = data.get("rows") or []
    rows = [list(r.values()) if isinstance(r, dict) else list(r) for r in rows_raw]
    assumptions = [
        {"concept": str(a.get("concept", "")), "explanation": str(a.get("explanation", ""))}
        for a in raw.get("assumptions") or []
        if isinstance(a, dict)
    ]
    return TaskView(
        task_id=str(raw.get("task_id", "0")),
        clarified_task=str(raw.get("clarified_task") or ""),
        sql=raw.get("sql") or None,
        sql_error=raw.get("sql_error") or None,
        columns=columns,
        rows=rows,
        assumptions=assumptions,
        chart_options=raw.get("chart_options") if isinstance(raw.get("chart_options"), dict) else None,
        description=str(raw.get("description") or ""),
    )


def answer_view(
    question: str,
    job: dict[str, Any],
    *,
    session_id: int | None = None,
    requests_spent: int = 0,
) -> AnswerView:
    """Flatten a job (`{job_id, status, reason, result, ...}`) into an AnswerView."""
    result = job.get("result")
    result = result if isinstance(result, dict) else {}
    subs = [_task(s) for s in result.get("sub_tasks") or [] if isinstance(s, dict)]
    return AnswerView(
        question=question,
        session_id=session_id,
        job_id=job.get("job_id"),
        status=str(job.get("status") or ""),
        reason=str(job.get("reason") or ""),
        requests_spent=requests_spent,
        main=_task(result),
        sub_tasks=subs,
    )


# -- rendering -------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return "NULL"
    text = str(value)
    # control characters would move the cursor or ring the bell in the user's terminal
    return "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, limit: int = MAX_CELL) -> str:
    if _width(text) <= limit:
        return text
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > limit - 1:
            break
        out += ch
        used += w
    return out + "…"


def text_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = [_fit(cell_text(c)) for c in columns]
    body = [[_fit(cell_text(v)) for v in r] for r in rows]
    widths = [_width(h) for h in head]
    for r in body:
        for i, v in enumerate(r[: len(widths)]):
            widths[i] = max(widths[i], _width(v))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(cells)).rstrip()

    out = [line(head), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in body)
    return "\n".join(out)


def csv_text(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(columns)
    w.writerows([["" if v is None else v for v in r] for r in rows])
    return buf.getvalue()


def _md_cell(value: Any) -> str:
    return cell_text(value).replace("|", "\\|")


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    if not columns:
        return "_(no rows)_"
    out = ["| " + " | ".join(_md_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    out.extend("| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows)
    return "\n".join(out)


def _task_markdown(t: TaskView, heading: str) -> list[str]:
    out = [heading, "", t.clarified_task or "", ""]
    for a in t.assumptions:
        out.append(f"- *{a['concept']}*: {a['explanation']}")
    if t.assumptions:
        out.append("")
    if t.sql:
        out += ["```sql", t.sql, "```", ""]
    if t.sql_error:
        out += [f"**SQL error:** {t.sql_error}", ""]
    else:
        out += [markdown_table(t.columns, t.rows), ""]
    return out


def terminal_safe(text: str) -> str:
    """Control characters other than newlines (ESC, BEL, backspace, C1 codes) as U+FFFD: server
    text (a clarified task echoing the question, an error) must not drive the user's terminal."""
    return "".join(
        "\N{REPLACEMENT CHARACTER}" if ch != "\n" and unicodedata.category(ch) == "Cc" else ch for ch in text
    )


def render(view: AnswerView, fmt: Format) -> str:
    if fmt in ("table", "markdown"):
        return terminal_safe(_render(view, fmt))
    return _render(view, fmt)


def _render(view: AnswerView, fmt: Format) -> str:
    if fmt == "json":
        return json.dumps(view.to_json(), ensure_ascii=False, indent=2)
    if fmt == "csv":
        blocks = [csv_text(t.columns, t.rows) for t in view.tasks() if t.columns]
        return "\n".join(blocks).rstrip("\n")
    if fmt == "markdown":
        lines = [f"## {view.question}", ""]
        if view.sub_tasks:
            lines += [view.main.clarified_task, ""]
            for i, t in enumerate(view.sub_tasks, 1):
                lines += _task_markdown(t, f"### Task {i}")
        else:
            lines += _task_markdown(view.main, "### Answer")
        return "\n".join(lines).rstrip()
    # table
    parts: list[str] = []
    if view.sub_tasks:
        parts.append(view.main.clarified_task)
    for i, t in enumerate(view.tasks(), 1):
        head = f"[{i}] {t.clarified_task}" if view.sub_tasks else t.clarified_task
        block = [head] if head else []
        block += [f"  assumption: {a['concept']}: {a['explanation']}" for a in t.assumptions]
        if t.sql:
            block.append(f"  SQL: {' '.join(t.sql.split())}")
        if t.sql_error:
            block.append(f"  SQL error: {t.sql_error}")
        elif t.columns:
            count = f"({len(t.rows)} row{'s' if len(t.rows) != 1 else ''})"
            block += ["", text_table(t.columns, t.rows), count]
        parts.append("\n".join(block))
    return "\n\n".join(p for p in parts if p)
