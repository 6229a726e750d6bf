"""Knowledge bases and their data (few-shot examples, term sheets, instructions).

Only creation and the add-data bodies are documented. INF choices: get/update answer with the
knowledge base object; add/update answer with `{knowledge_data_id}` or the full item; lists are bare
arrays or wrapped in an object (`knowledge_bases` / `knowledge_data` / `items` / ...), all accepted.
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from c2q_tui.api.models import ApiModel, ClusterId, RequestModel

KnowledgeType = Literal["few-shot", "term-sheet", "instruction"]

INSTRUCTION_MAX_CHARS = 512


class KnowledgeBase(ApiModel):
    knowledge_base_id: int
    description: str = ""
    default: bool = False
    cluster_id: ClusterId | None = None
    database: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _id_alias(cls, value: Any) -> Any:
        if isinstance(value, dict) and "knowledge_base_id" not in value and "id" in value:
            value = {**value, "knowledge_base_id": value["id"]}
        return value


class KnowledgeBaseCreate(RequestModel):
    cluster_id: str
    database: str
    description: str = ""


class FewShot(ApiModel):
    """A question with the SQL that answers it."""

    KIND: ClassVar[KnowledgeType] = "few-shot"
    question: str
    answer: str


class TermSheet(ApiModel):
    """Terms (synonyms of one concept) and what they mean."""

    KIND: ClassVar[KnowledgeType] = "term-sheet"
    term: list[str]
    description: str

    @field_validator("term", mode="before")
    @classmethod
    def _one_term(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Instruction(ApiModel):
    """A rule for SQL generation; the service limits it to 512 characters."""

    KIND: ClassVar[KnowledgeType] = "instruction"
    instruction: str


KnowledgeRaw = FewShot | TermSheet | Instruction
_RAW_BY_TYPE: dict[str, type[KnowledgeRaw]] = {m.KIND: m for m in (FewShot, TermSheet, Instruction)}


class KnowledgeData(ApiModel):
    """One knowledge item. `raw_data` is typed by `type`; unknown types keep the raw mapping."""

    knowledge_data_id: int | None = None
    type: str = ""
    meta_data: dict[str, Any] = Field(default_factory=dict)
    raw_data: FewShot | TermSheet | Instruction | dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _typed_raw(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        if "knowledge_data_id" not in value and "id" in value:
            value = {**value, "knowledge_data_id": value["id"]}
        model = _RAW_BY_TYPE.get(str(value.get("type", "")))
        raw = value.get("raw_data")
        if model is not None and isinstance(raw, dict):
            # a malformed item keeps its mapping rather than hiding the rest of a list
            with contextlib.suppress(ValueError):
                value = {**value, "raw_data": model.model_validate(raw)}
        if value.get("meta_data") is None:
            value = {**value, "meta_data": {}}
        return value


class KnowledgeDataWrite(RequestModel):
    """POST /v3/knowledgeBases/{id}/data and (INF) the PUT on one item: the same body."""

    type: KnowledgeType
    meta_data: dict[str, Any] = Field(default_factory=dict)
    raw_data: dict[str, Any]

    @classmethod
    def of(cls, raw: KnowledgeRaw, meta_data: dict[str, Any] | None = None) -> KnowledgeDataWrite:
        return cls(type=raw.KIND, meta_data=meta_data or {}, raw_data=raw.model_dump(mode="json"))
