"""Sessions: multi-round conversations about one database (reference §3.4).

Choices where the reference is silent (INF):
- A session object is the documented creation shape `{messages, meta: {created_at, creator, name,
  org_id, updated_at}, session_id}` plus `cluster_id` and `database`. `GET /v3/sessions` ->
  `{"sessions": [...]}` with the same items without `messages`, most recently active first.
- `messages` lists each turn as a user message then, once asked, an assistant message:
  `{"role": "user", "content": <question>, "job_id", "created_at"}` and
  `{"role": "assistant", "content": <clarified task, or the failure reason>, "job_id", "task_id": "0",
  "status": "running"|"done"|"failed", "sql", "sql_error", "columns": [...], "row_count",
  "created_at"}`.
- Rename is `PUT {name}`, reset is `PUT .../reset` (any or no body): both answer the session object;
  reset forgets the turns, so later questions start without history.
- `/v3/chat2data` without a session opens one named after the question.
- `feedback_answer_id` / `feedback_task_id` are accepted and ignored.
"""

from __future__ import annotations

from typing import Any

from c2q_tui.local.backend import ORG_ID, Backend
from c2q_tui.local.engines.base import PriorTurn
from c2q_tui.local.envelopes import NotFound
from c2q_tui.local.store import Row

NAME_MAX = 64


def name_from_question(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= NAME_MAX else text[: NAME_MAX - 1].rstrip() + "…"


def visible(backend: Backend, session_id: int) -> Row:
    row = backend.store.session(session_id)
    if (
        row is None
        or row["cluster_id"] != backend.cluster_id
        or row["database"] not in backend.databases.urls
    ):
        raise NotFound(f"session {session_id}")
    return row


def meta(row: Row) -> dict[str, Any]:
    return {
        "created_at": int(row["created_at"]),
        "creator": row["creator"],
        "name": row["name"],
        "org_id": ORG_ID,
        "updated_at": int(row["updated_at"]),
    }


def messages(turns: list[Row]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for t in turns:
        created = int(t["created_at"])
        out.append({"role": "user", "content": t["question"], "job_id": t["job_id"], "created_at": created})
        failed = t["status"] == "failed"
        out.append(
            {
                "role": "assistant",
                "content": t["reason"] if failed else t["clarified_task"],
                "job_id": t["job_id"],
                "task_id": "0",
                "status": t["status"],
                "sql": t["sql"],
                "sql_error": t["sql_error"],
                "columns": t["columns"] or [],
                "row_count": t["row_count"],
                "created_at": int(t["ended_at"] or t["created_at"]),
            }
        )
    return out


def session_object(backend: Backend, row: Row, *, with_messages: bool = True) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "cluster_id": row["cluster_id"],
        "database": row["database"],
        "meta": meta(row),
        "session_id": row["id"],
    }
    if with_messages:
        obj["messages"] = messages(backend.store.turns(row["id"]))
    return obj


def create(backend: Backend, database: str, name: str, creator: str) -> Row:
    session_id = backend.store.add_session(
        cluster_id=backend.cluster_id, database=database, name=name, creator=creator
    )
    row = backend.store.session(session_id)
    assert row is not None
    return row


def list_sessions(backend: Backend) -> list[dict[str, Any]]:
    rows = backend.store.sessions(backend.cluster_id)
    return [
        session_object(backend, r, with_messages=False)
        for r in rows
        if r["database"] in backend.databases.urls
    ]


def rename(backend: Backend, session_id: int, name: str) -> dict[str, Any]:
    visible(backend, session_id)
    backend.store.update_session(session_id, name=name)
    return session_object(backend, visible(backend, session_id))


def reset(backend: Backend, session_id: int) -> dict[str, Any]:
    visible(backend, session_id)
    backend.store.clear_turns(session_id)
    backend.store.update_session(session_id)
    return session_object(backend, visible(backend, session_id))


def history(backend: Backend, session_id: int) -> list[PriorTurn]:
    """The session's answered turns, oldest first, as the engine sees them."""
    return [
        PriorTurn(
            question=t["question"],
            clarified_task=t["clarified_task"],
            sql=t["sql"],
            columns=tuple(t["columns"] or ()),
            row_count=int(t["row_count"] or 0),
            state=t["state"],
        )
        for t in backend.store.turns(session_id)
        if t["status"] == "done"
    ]
