"""Knowledge bases and their data (reference §3.5): few-shot examples, term sheets, instructions.

Knowledge is per database: questions about a database see the items of all its knowledge bases.
Choices where the reference is silent (INF):
- Create answers exactly `{default, description, knowledge_base_id}`; the first base of a database
  is its default. GET one and PUT (`{description}`, optionally `default`) answer the base object
  `{cluster_id, database, default, description, knowledge_base_id, created_at, updated_at}`.
  `GET /v3/knowledgeBases` -> `{"knowledge_bases": [...]}`.
- Add data answers `{knowledge_data_id}`; PUT data takes the add body and answers the item
  `{knowledge_data_id, knowledge_base_id, type, meta_data, raw_data, created_at, updated_at}`;
  `GET .../data` -> `{"knowledge_data": [...]}`; DELETE answers `{knowledge_data_id}`.
- raw_data is checked by type: few-shot `{question, answer}`, term-sheet `{term: [..], description}`
  (a single string term is taken as a list), instruction `{instruction}` of at most 512 characters.
  Anything else is 400 "param check failed! ...".
"""

from __future__ import annotations

from typing import Any

from c2q_tui.local.backend import Backend
from c2q_tui.local.engines.base import KnowledgeItem
from c2q_tui.local.envelopes import NotFound, ParamError
from c2q_tui.local.store import Row

TYPES = ("few-shot", "term-sheet", "instruction")
INSTRUCTION_MAX_CHARS = 512


def _text(raw: dict[str, Any], key: str, kind: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ParamError(f"raw_data.{key} must be a non-empty string for {kind} knowledge")
    return value


def clean_raw_data(kind: str, raw: Any) -> dict[str, Any]:
    """The raw_data of one item, checked for its type (only the known keys are kept)."""
    if kind not in TYPES:
        raise ParamError(f"type must be one of {', '.join(TYPES)}, not {kind!r}")
    if not isinstance(raw, dict):
        raise ParamError("raw_data must be an object")
    if kind == "few-shot":
        return {"question": _text(raw, "question", kind), "answer": _text(raw, "answer", kind)}
    if kind == "term-sheet":
        terms = raw.get("term")
        if isinstance(terms, str):
            terms = [terms]
        if (
            not isinstance(terms, list)
            or not terms
            or not all(isinstance(t, str) and t.strip() for t in terms)
        ):
            raise ParamError("raw_data.term must be a non-empty list of strings for term-sheet knowledge")
        return {"term": terms, "description": _text(raw, "description", kind)}
    instruction = _text(raw, "instruction", kind)
    if len(instruction) > INSTRUCTION_MAX_CHARS:
        raise ParamError(
            f"raw_data.instruction is limited to {INSTRUCTION_MAX_CHARS} characters (got {len(instruction)})"
        )
    return {"instruction": instruction}


def base_object(row: Row) -> dict[str, Any]:
    return {
        "cluster_id": row["cluster_id"],
        "created_at": int(row["created_at"]),
        "database": row["database"],
        "default": bool(row["is_default"]),
        "description": row["description"],
        "knowledge_base_id": row["id"],
        "updated_at": int(row["updated_at"]),
    }


def data_object(row: Row) -> dict[str, Any]:
    return {
        "created_at": int(row["created_at"]),
        "knowledge_base_id": row["knowledge_base_id"],
        "knowledge_data_id": row["id"],
        "meta_data": row["meta_data"] or {},
        "raw_data": row["raw_data"],
        "type": row["type"],
        "updated_at": int(row["updated_at"]),
    }


def visible_base(backend: Backend, kb_id: int) -> Row:
    row = backend.store.knowledge_base(kb_id)
    if (
        row is None
        or row["cluster_id"] != backend.cluster_id
        or row["database"] not in backend.databases.urls
    ):
        raise NotFound(f"knowledge base {kb_id}")
    return row


def visible_item(backend: Backend, kb_id: int, data_id: int) -> Row:
    visible_base(backend, kb_id)
    row = backend.store.knowledge_item(kb_id, data_id)
    if row is None:
        raise NotFound(f"knowledge data {data_id} in knowledge base {kb_id}")
    return row


def create_base(backend: Backend, database: str, description: str) -> dict[str, Any]:
    first = not backend.store.knowledge_bases(backend.cluster_id, database)
    kb_id = backend.store.add_knowledge_base(
        cluster_id=backend.cluster_id, database=database, description=description, is_default=int(first)
    )
    return {"default": first, "description": description, "knowledge_base_id": kb_id}


def list_bases(backend: Backend) -> list[dict[str, Any]]:
    rows = backend.store.knowledge_bases(backend.cluster_id)
    return [base_object(r) for r in rows if r["database"] in backend.databases.urls]


def update_base(
    backend: Backend, kb_id: int, description: str | None, default: bool | None
) -> dict[str, Any]:
    row = visible_base(backend, kb_id)
    values: dict[str, Any] = {}
    if description is not None:
        values["description"] = description
    if default is not None:
        values["is_default"] = int(default)
        if default:  # one default base per database
            for other in backend.store.knowledge_bases(backend.cluster_id, row["database"]):
                if other["id"] != kb_id and other["is_default"]:
                    backend.store.update_knowledge_base(other["id"], is_default=0)
    backend.store.update_knowledge_base(kb_id, **values)
    return base_object(visible_base(backend, kb_id))


def add_data(backend: Backend, kb_id: int, kind: str, raw: Any, meta: dict[str, Any]) -> dict[str, Any]:
    visible_base(backend, kb_id)
    clean = clean_raw_data(kind, raw)
    data_id = backend.store.add_knowledge_data(
        knowledge_base_id=kb_id, type=kind, meta_data=meta, raw_data=clean
    )
    return {"knowledge_data_id": data_id}


def list_data(backend: Backend, kb_id: int) -> list[dict[str, Any]]:
    visible_base(backend, kb_id)
    return [data_object(r) for r in backend.store.knowledge_data([kb_id])]


def update_data(
    backend: Backend, kb_id: int, data_id: int, kind: str | None, raw: Any, meta: dict[str, Any] | None
) -> dict[str, Any]:
    row = visible_item(backend, kb_id, data_id)
    kind = kind or row["type"]
    values: dict[str, Any] = {
        "type": kind,
        "raw_data": clean_raw_data(kind, raw if raw is not None else row["raw_data"]),
    }
    if meta is not None:
        values["meta_data"] = meta
    backend.store.update_knowledge_data(data_id, **values)
    return data_object(visible_item(backend, kb_id, data_id))


def delete_data(backend: Backend, kb_id: int, data_id: int) -> dict[str, Any]:
    visible_item(backend, kb_id, data_id)
    backend.store.delete_knowledge_data(data_id)
    return {"knowledge_data_id": data_id}


def items_for(backend: Backend, database: str) -> list[KnowledgeItem]:
    """What the engine gets as `EngineContext.knowledge` for questions about `database`."""
    kb_ids = [r["id"] for r in backend.store.knowledge_bases(backend.cluster_id, database)]
    return [
        KnowledgeItem(kind=r["type"], raw_data=r["raw_data"])
        for r in backend.store.knowledge_data(kb_ids)
        if r["type"] in TYPES
    ]
