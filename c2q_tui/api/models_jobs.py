"""Jobs: the calls that start them, `GET /v2/jobs/{id}`, and typed job results."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationError, field_validator, model_validator

from c2q_tui.api.errors import BadResponse
from c2q_tui.api.models import (
    ApiModel,
    BreakdownResult,
    ClusterId,
    DataRetrievalResult,
    RefineResult,
    RequestModel,
    V2Chat2DataResult,
)
from c2q_tui.api.models_summary import DataSummary, DataSummaryV2Data

SqlGenerateMode = Literal["direct", "auto_breakdown"]

JOB_STATUSES = ("init", "running", "done", "failed")
TERMINAL_STATUSES = frozenset({"done", "failed"})

# Job kinds name what a job does; polling keeps a duration history per kind.
KIND_CHAT2DATA = "chat2data"
KIND_BREAKDOWN = "chat2data_breakdown"
KIND_CHAT2DATA_V2 = "chat2data_v2"
KIND_REFINE = "refine_sql"
KIND_SUGGEST = "suggest_questions"
KIND_DATA_SUMMARY = "data_summary"
KIND_SUMMARY_UPDATE = "data_summary_update"


# -- submissions -------------------------------------------------------------------------------


class JobSubmitted(ApiModel):
    """`{job_id}`: the answer of v2 chat2data, v2 summary updates and suggestQuestions."""

    job_id: str


class Chat2DataJob(JobSubmitted):
    """POST /v3/chat2data (`cluster_id`, `database`, `job_id`, `session_id`) and the session variant."""

    session_id: int | None = None
    cluster_id: ClusterId | None = None
    database: str | None = None


class RefineSqlJob(JobSubmitted):
    # tisqleditor's comment prints "yyy" here; real ids are integers, either is kept
    session_id: int | str | None = None


class DataSummaryJob(JobSubmitted):
    data_summary_id: int


class SuggestQuestionsJob(ApiModel):
    """suggestQuestions answers with a job whose result is `string[]` (TiInsight).

    INF: a third-party spec says it answers synchronously `{"questions": [...]}`; if a server does,
    the questions are in `questions` and `job_id` is None.
    """

    job_id: str | None = None
    questions: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _suggestions(cls, value: Any) -> Any:
        if (
            isinstance(value, dict)
            and "questions" not in value
            and isinstance(value.get("suggestions"), list)
        ):
            value = {**value, "questions": value["suggestions"]}
        return value


class Chat2DataRequest(RequestModel):
    """POST /v3/chat2data. `data_summary_id` only counts when cluster_id and database are absent."""

    question: str
    cluster_id: str | None = None
    database: str | None = None
    data_summary_id: int | None = None
    sql_generate_mode: SqlGenerateMode | None = None


class SessionChat2DataRequest(RequestModel):
    question: str
    feedback_answer_id: str = ""
    feedback_task_id: str = ""
    sql_generate_mode: SqlGenerateMode = "direct"


class RefineSqlRequest(RequestModel):
    cluster_id: str
    database: str
    sql: str
    feedback: str


class SuggestQuestionsRequest(RequestModel):
    cluster_id: str | None = None
    database: str | None = None
    database_uri: str | None = None


class Chat2DataV2Request(RequestModel):
    data_summary_id: int
    raw_question: str
    evidence: str | None = None


class Chat2DataV1Request(RequestModel):
    cluster_id: str
    database: str
    instruction: str
    tables: list[str] | None = None


# -- GET /v2/jobs/{id} -------------------------------------------------------------------------

JobPayload = (
    DataRetrievalResult
    | BreakdownResult
    | RefineResult
    | list[str]
    | DataSummary
    | DataSummaryV2Data
    | V2Chat2DataResult
    | dict[str, Any]
    | list[Any]
    | None
)
"""What a job's `result` parses into; unknown shapes stay plain JSON (dict or list)."""


class Job(ApiModel):
    """`{ended_at, job_id, reason, result, status}`; status is init, running, done or failed.

    `ended_at` is UNIX seconds once the job ended (0 or null before). `result` stays raw JSON here;
    `payload()` parses it (it may be partial while running, for breakdowns).
    """

    job_id: str
    status: str
    ended_at: int | float | None = None
    reason: str = ""
    result: Any = None

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: Any) -> Any:
        return "" if value is None else value

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def payload(self, kind: str | None = None) -> JobPayload:
        return parse_job_result(self.result, kind)


def _looks_like(value: dict[str, Any], *keys: str) -> bool:
    return any(k in value for k in keys)


def parse_job_result(result: Any, kind: str | None = None) -> JobPayload:
    """Parse a job's `result` by its `type` or shape; `kind` (e.g. "suggest_questions") breaks ties.

    data_retrieval / breakdown by `type`; `{rewritten_sql}` is a refinement; `string[]` (or
    `{questions|suggestions: [...]}`) suggested questions; `{task_tree}` a v2 answer; a summary object
    (`data_summary_id` + `tables`/`summary`) a v3 data summary, `db_schema` a v2 one; null stays None.
    A known shape that fails validation raises BadResponse; an unknown shape is returned as is.
    """
    if result is None:
        return None
    try:
        if isinstance(result, list):
            if all(isinstance(q, str) for q in result):
                return list(result)
            return result
        if not isinstance(result, dict):
            raise BadResponse(f"job result is a {type(result).__name__}, not an object or a list")
        rtype = result.get("type")
        if rtype == "data_retrieval":
            return DataRetrievalResult.model_validate(result)
        if rtype == "breakdown" or (rtype is None and "sub_tasks" in result):
            return BreakdownResult.model_validate(result)
        if _looks_like(result, "rewritten_sql"):
            return RefineResult.model_validate(result)
        for key in ("questions", "suggestions"):
            if isinstance(result.get(key), list) and (kind in (None, KIND_SUGGEST)):
                return [str(q) for q in result[key]]
        if _looks_like(result, "task_tree"):
            return V2Chat2DataResult.model_validate(result)
        if _looks_like(result, "db_schema", "db_name"):
            return DataSummaryV2Data.model_validate(result)
        if "data_summary_id" in result and _looks_like(result, "tables", "summary", "status"):
            return DataSummary.model_validate(result)
        if rtype is None and _looks_like(result, "sql", "sql_error", "clarified_task"):
            return DataRetrievalResult.model_validate(result)
        return result
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "result"
        raise BadResponse(
            f"job result has an unexpected shape: {where}: {first['msg']}", body=repr(result)
        ) from exc
