"""Session routes: #15-20 of reference §2 (shapes: see `sessions`)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from c2q_tui.local import bodies, chat, datasummaries, sessions
from c2q_tui.local.auth import CHAT_ROLES, WRITE_ROLES
from c2q_tui.local.envelopes import ok
from c2q_tui.local.routing import caller

router = APIRouter()
USE = "use sessions or chat2data"


@router.post("/v3/sessions", openapi_extra=bodies.openapi(bodies.SessionCreate))
async def create(request: Request) -> Response:
    backend, key = caller(request, CHAT_ROLES, USE)
    body = await bodies.read(request, bodies.SessionCreate)
    database = backend.target(body.cluster_id, body.database, body.database_uri)
    row = sessions.create(backend, database, body.name, key.public_key)
    return ok(sessions.session_object(backend, row))


@router.get("/v3/sessions")
async def list_all(request: Request) -> Response:
    backend, _ = caller(request, CHAT_ROLES, USE)
    return ok({"sessions": sessions.list_sessions(backend)})


@router.get("/v3/sessions/{session_id}")
async def get(request: Request, session_id: int) -> Response:
    backend, _ = caller(request, CHAT_ROLES, USE)
    return ok(sessions.session_object(backend, sessions.visible(backend, session_id)))


@router.put("/v3/sessions/{session_id}", openapi_extra=bodies.openapi(bodies.SessionRename))
async def rename(request: Request, session_id: int) -> Response:
    backend, _ = caller(request, CHAT_ROLES, USE)
    body = await bodies.read(request, bodies.SessionRename)
    return ok(sessions.rename(backend, session_id, body.name))


@router.put("/v3/sessions/{session_id}/reset")
async def reset(request: Request, session_id: int) -> Response:
    backend, _ = caller(request, CHAT_ROLES, USE)
    return ok(sessions.reset(backend, session_id))


@router.post("/v3/sessions/{session_id}/chat2data", openapi_extra=bodies.openapi(bodies.SessionChat))
async def chat2data(request: Request, session_id: int) -> Response:
    backend, key = caller(request, CHAT_ROLES, USE)
    body = await bodies.read(request, bodies.SessionChat)
    row = sessions.visible(backend, session_id)
    summary = datasummaries.for_question(backend, row["database"])
    job = chat.submit_chat(
        backend,
        database=row["database"],
        question=body.question,
        mode=body.sql_generate_mode or "direct",
        session_id=session_id,
        summary_id=summary["id"],
        allow_write=key.role in WRITE_ROLES,
    )
    return ok({"job_id": job.job_id, "session_id": session_id})
