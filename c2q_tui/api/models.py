"""Shared pydantic models: the base model, both envelopes and the chat2data answer payloads.

Every model keeps unknown fields (`extra="allow"`): the real service adds fields without notice and
a client that drops them would hide them from the debug view. JSON is parsed with the stdlib
(`json.loads`), whose ints are exact, so ids such as cluster_id 10939961583884005252 sent as a JSON
number survive digit for digit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @property
    def extras(self) -> dict[str, Any]:
        """Fields the server sent that this model does not declare."""
        return dict(self.__pydantic_extra__ or {})


class RequestModel(BaseModel):
    """Request bodies: unknown keyword fields are sent as given (e.g. undocumented `creator`)."""

    model_config = ConfigDict(extra="allow")

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def _digits_to_str(value: Any) -> Any:
    # v3 sends cluster ids as strings, v2 as (big) JSON numbers; one str type keeps them exact.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _to_str(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


ClusterId = Annotated[str, BeforeValidator(_digits_to_str)]
"""A cluster (or org/project) id: always `str`, even when the server sent a JSON number."""

LooseStr = Annotated[str, BeforeValidator(_to_str)]
"""A string field some sources send as a number (task ids, org ids)."""


def unwrap_list(value: Any, keys: Iterable[str]) -> list[Any]:
    """Accept a bare list or an object wrapping it under one of `keys` (list shapes are INF)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in keys:
            inner = value.get(key)
            if isinstance(inner, list):
                return inner
        lists = [v for v in value.values() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0]
    raise TypeError(f"expected a list or an object holding one (keys {', '.join(keys)})")


class Ack(ApiModel):
    """The answer of a call whose result shape is undocumented (updates, resets, deletes).

    Everything the server sent is kept as extra fields; `job_id` is set when it answered with a job.
    """

    job_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value):
            return {}
        if not isinstance(value, dict):
            return {"value": value}
        return value


# -- envelopes ---------------------------------------------------------------------------------


class Chat2QueryEnvelope(ApiModel):
    """`{"code": 200, "msg": "", "result": ...}`: every v2/v3 endpoint."""

    code: int
    msg: str = ""
    result: Any = None


class DataServiceColumn(ApiModel):
    col: str
    data_type: str | None = None
    nullable: bool | None = None


class DataServiceResult(ApiModel):
    code: int
    message: str = ""
    start_ms: int | str | None = None
    end_ms: int | str | None = None
    latency: str = ""
    row_count: int = 0
    row_affect: int = 0
    limit: int = 0
    sql: str | None = None
    ai_latency: str | None = None


class DataServiceData(ApiModel):
    columns: list[DataServiceColumn] = Field(default_factory=list)
    rows: list[dict[str, Any]] = Field(default_factory=list)
    result: DataServiceResult


class DataServiceEnvelope(ApiModel):
    """`{"type": ..., "data": {"columns", "rows", "result": {"code", "message", ...}}}`.

    Used by v1 chat2data and by gateway-level errors (bad key, rate limit) on every path.
    """

    type: str = ""
    data: DataServiceData

    @property
    def sql(self) -> str | None:
        return self.data.result.sql

    def rows_as_lists(self) -> list[list[Any]]:
        names = [c.col for c in self.data.columns]
        return [[row.get(name) for name in names] for row in self.data.rows]


V1Chat2DataResult = DataServiceEnvelope
"""The deprecated synchronous `/v1/chat2data` answer (rows are objects keyed by column name)."""


# -- chat2data answers (job payloads) ----------------------------------------------------------


class Assumption(ApiModel):
    concept: str = ""
    explanation: str = ""


class ChartOptions(ApiModel):
    """`chart_name` is Table, BarChart, LineChart or PieChart; `option` holds x/y/pivot_column or columns."""

    chart_name: str = "Table"
    title: str = ""
    option: dict[str, Any] = Field(default_factory=dict)

    @field_validator("option", mode="before")
    @classmethod
    def _none_option(cls, value: Any) -> Any:
        return {} if value is None else value


class ColumnRef(ApiModel):
    col: str

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, value: Any) -> Any:
        # some samples print columns as bare names; accept them
        return {"col": value} if isinstance(value, str) else value


class ResultData(ApiModel):
    """Rows are lists in column order. Object rows (the v1 shape) are converted on input."""

    columns: list[ColumnRef] | None = None
    rows: list[list[Any]] | None = None

    @model_validator(mode="before")
    @classmethod
    def _object_rows(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        rows = value.get("rows")
        if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows):
            cols = value.get("columns") or [{"col": k} for k in rows[0]]
            names = [c if isinstance(c, str) else c.get("col") for c in cols]
            value = {**value, "columns": cols, "rows": [[r.get(n) for n in names] for r in rows]}
        return value

    @property
    def column_names(self) -> list[str]:
        return [c.col for c in self.columns or []]


class _TaskResult(ApiModel):
    task_id: LooseStr = "0"
    status: str = "done"
    clarified_task: str = ""
    description: str = ""
    assumptions: list[Assumption] = Field(default_factory=list)

    @field_validator("assumptions", mode="before")
    @classmethod
    def _none_list(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("description", "clarified_task", mode="before")
    @classmethod
    def _none_str(cls, value: Any) -> Any:
        return "" if value is None else value


class DataRetrievalResult(_TaskResult):
    """One resolved answer (`type: "data_retrieval"`), the whole answer of `direct` mode.

    A failed SQL execution is still a done answer: `sql_error` is set and `data` is empty or null.
    """

    type: Literal["data_retrieval"] = "data_retrieval"
    chart_options: ChartOptions | None = None
    data: ResultData | None = None
    sql: str | None = None
    sql_error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.sql_error


class BreakdownResult(_TaskResult):
    """The root of an `auto_breakdown` answer; `sub_tasks` fill in while the job is running."""

    type: Literal["breakdown"] = "breakdown"
    sub_tasks: list[DataRetrievalResult] = Field(default_factory=list)

    @field_validator("sub_tasks", mode="before")
    @classmethod
    def _none_subtasks(cls, value: Any) -> Any:
        return [] if value is None else value

    def done_sub_tasks(self) -> list[DataRetrievalResult]:
        return [t for t in self.sub_tasks if t.status == "done"]


class RefineResult(ApiModel):
    """The refineSql job result (tisqleditor's captured output is the only source)."""

    rewritten_sql: str
    solution: str = ""


class V2TaskNode(ApiModel):
    task_id: LooseStr = "0"
    task: str = ""
    clarified_task: str = ""
    description: str = ""
    sequence_no: int = 0
    sql: str | None = None
    sql_error: str | None = None
    columns: list[ColumnRef] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    raw_generated_sql: str | None = None
    refine_note: str | None = None


class V2Chat2DataResult(ApiModel):
    """The v2 chat2data job result: a map of task id to node, usually just "0"."""

    question_id: str = ""
    raw_question: str = ""
    task_tree: dict[str, V2TaskNode] = Field(default_factory=dict)
    time_elapsed: float | None = None

    @property
    def root(self) -> V2TaskNode | None:
        if "0" in self.task_tree:
            return self.task_tree["0"]
        return next(iter(self.task_tree.values()), None)
