"""Request bodies of every endpoint, and reading them with "param check failed!" errors.

Bodies are parsed as JSON whatever the Content-Type says (curl's `-d` sends form-urlencoded unless
told otherwise). Unknown keys are accepted and ignored: PingCAP's own clients send undocumented ones
(`default`, `creator`, `evidence`, ...). `cluster_id` may be a string or a number (the v2 docs print
numbers).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from starlette.requests import Request

from c2q_tui.local.envelopes import ParamError

Mode = Literal["direct", "auto_breakdown"]
B = TypeVar("B", bound="Body")


def _cluster(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _mode(value: Any) -> Any:
    return None if value == "" else value


ClusterId = Annotated[str | None, BeforeValidator(_cluster)]
ModeField = Annotated[Mode | None, BeforeValidator(_mode)]
Text = Annotated[str, Field(min_length=1)]
# Plain-language input goes to the engine, whose work grows with its length: a 10 MB question kept a
# worker thread busy for minutes. `c2q-tui ask` has the same limit.
MAX_QUESTION_CHARS = 4000
MAX_SQL_CHARS = 65536
Question = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUESTION_CHARS)
]
Sql = Annotated[str, Field(min_length=1, max_length=MAX_SQL_CHARS)]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Target(Body):
    cluster_id: ClusterId = None
    database: str | None = None
    database_uri: str | None = None


class DataSummaryCreate(Target):
    description: str = ""
    reuse: bool = False
    default: bool | None = None
    creator: str = ""


class TableEdit(Body):
    description: str | None = None
    columns: dict[str, str] | None = None


class DataSummaryEdit(Body):
    description: str | dict[str, str] | None = None
    summary: str | None = None
    keywords: list[str] | None = None
    tables: dict[str, TableEdit] | None = None


class DataSummaryV2Edit(Body):
    tables: dict[str, TableEdit]


class KnowledgeBaseCreate(Target):
    description: str = ""


class KnowledgeBaseEdit(Body):
    description: str | None = None
    default: bool | None = None


class KnowledgeDataWrite(Body):
    type: str
    meta_data: dict[str, Any] | None = None
    raw_data: dict[str, Any]


class KnowledgeDataEdit(Body):
    type: str | None = None
    meta_data: dict[str, Any] | None = None
    raw_data: dict[str, Any] | None = None


class SessionCreate(Target):
    name: str = ""


class SessionRename(Body):
    name: Text


class SessionChat(Body):
    question: Question
    sql_generate_mode: ModeField = None
    feedback_answer_id: str | int | None = None
    feedback_task_id: str | int | None = None


class Chat2Data(Target):
    question: Question
    data_summary_id: int | None = None
    sql_generate_mode: ModeField = None


class RefineSql(Target):
    sql: Sql
    feedback: Question
    session_id: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _instruction(cls, value: Any) -> Any:
        # one public script sends `instruction` instead of `feedback`
        if isinstance(value, dict) and "feedback" not in value and "instruction" in value:
            value = {**value, "feedback": value["instruction"]}
        return value


class SuggestQuestions(Target):
    limit: int = Field(default=5, ge=1, le=50)


class Chat2DataV2(Body):
    """`raw_question` as documented; `question` is accepted too (S1 says the steps are the same)."""

    data_summary_id: int
    raw_question: Question

    @model_validator(mode="before")
    @classmethod
    def _question(cls, value: Any) -> Any:
        if isinstance(value, dict) and "raw_question" not in value and "question" in value:
            value = {**value, "raw_question": value["question"]}
        return value


class Chat2DataV1(Body):
    cluster_id: ClusterId = None
    database: str
    instruction: Question
    tables: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _question(cls, value: Any) -> Any:
        if isinstance(value, dict) and "instruction" not in value and "question" in value:
            value = {**value, "instruction": value["question"]}
        return value


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def openapi(model: type[Body] | None = None, *, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` declaring a route's JSON body (routes read bodies themselves, see `read`), so
    the app's OpenAPI document lists every body; `None` declares a free-form JSON object."""
    if model is None:
        schema: dict[str, Any] = {"type": "object", "additionalProperties": True}
    else:
        raw = model.model_json_schema()
        schema = _inline(raw, raw.get("$defs", {}))
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}}


def describe(errors: list[Any]) -> str:
    """A short account of pydantic/FastAPI validation errors, for "param check failed! ..."."""
    parts: list[str] = []
    for err in errors[:3]:
        loc = [str(x) for x in err.get("loc", ()) if x != "body"]
        where = ".".join(loc[1:]) + " in the path" if loc[:1] == ["path"] else ".".join(loc)
        msg = str(err.get("msg", "invalid"))
        parts.append(f"{where}: {msg}" if where else msg)
    more = len(errors) - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


async def read(request: Request, model: type[B], *, optional: bool = False) -> B:
    raw = await request.body()
    if not raw.strip():
        if not optional:
            raise ParamError("a JSON object body is required")
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ParamError(f"the body is not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise ParamError(f"the body must be a JSON object, not {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise ParamError(describe(e.errors())) from None


async def read_map(request: Request) -> dict[str, Any]:
    """A body that is a free-form JSON object (PUT .../columns)."""
    raw = await request.body()
    try:
        data = json.loads(raw) if raw.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ParamError(f"the body is not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise ParamError("the body must be a JSON object")
    return data
