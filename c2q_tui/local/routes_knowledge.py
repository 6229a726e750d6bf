"""Knowledge base routes: #7-14 of reference §2 (shapes: see `knowledge`)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from c2q_tui.local import bodies, knowledge
from c2q_tui.local.auth import ANY_ROLE, SUMMARY_ROLES
from c2q_tui.local.envelopes import ok
from c2q_tui.local.routing import caller

router = APIRouter()
MANAGE = "manage knowledge bases"
READ = "read knowledge bases"


@router.post("/v3/knowledgeBases", openapi_extra=bodies.openapi(bodies.KnowledgeBaseCreate))
async def create_base(request: Request) -> Response:
    backend, _ = caller(request, SUMMARY_ROLES, MANAGE)
    body = await bodies.read(request, bodies.KnowledgeBaseCreate)
    database = backend.target(body.cluster_id, body.database, body.database_uri)
    return ok(knowledge.create_base(backend, database, body.description))


@router.get("/v3/knowledgeBases")
async def list_bases(request: Request) -> Response:
    backend, _ = caller(request, ANY_ROLE, READ)
    return ok({"knowledge_bases": knowledge.list_bases(backend)})


@router.get("/v3/knowledgeBases/{knowledge_base_id}")
async def get_base(request: Request, knowledge_base_id: int) -> Response:
    backend, _ = caller(request, ANY_ROLE, READ)
    return ok(knowledge.base_object(knowledge.visible_base(backend, knowledge_base_id)))


@router.put("/v3/knowledgeBases/{knowledge_base_id}", openapi_extra=bodies.openapi(bodies.KnowledgeBaseEdit))
async def update_base(request: Request, knowledge_base_id: int) -> Response:
    backend, _ = caller(request, SUMMARY_ROLES, MANAGE)
    body = await bodies.read(request, bodies.KnowledgeBaseEdit)
    return ok(knowledge.update_base(backend, knowledge_base_id, body.description, body.default))


@router.post(
    "/v3/knowledgeBases/{knowledge_base_id}/data", openapi_extra=bodies.openapi(bodies.KnowledgeDataWrite)
)
async def add_data(request: Request, knowledge_base_id: int) -> Response:
    backend, _ = caller(request, SUMMARY_ROLES, MANAGE)
    body = await bodies.read(request, bodies.KnowledgeDataWrite)
    return ok(knowledge.add_data(backend, knowledge_base_id, body.type, body.raw_data, body.meta_data or {}))


@router.get("/v3/knowledgeBases/{knowledge_base_id}/data")
async def list_data(request: Request, knowledge_base_id: int) -> Response:
    backend, _ = caller(request, ANY_ROLE, READ)
    return ok({"knowledge_data": knowledge.list_data(backend, knowledge_base_id)})


@router.put(
    "/v3/knowledgeBases/{knowledge_base_id}/data/{knowledge_data_id}",
    openapi_extra=bodies.openapi(bodies.KnowledgeDataEdit),
)
async def update_data(request: Request, knowledge_base_id: int, knowledge_data_id: int) -> Response:
    backend, _ = caller(request, SUMMARY_ROLES, MANAGE)
    body = await bodies.read(request, bodies.KnowledgeDataEdit)
    item = knowledge.update_data(
        backend, knowledge_base_id, knowledge_data_id, body.type, body.raw_data, body.meta_data
    )
    return ok(item)


@router.delete("/v3/knowledgeBases/{knowledge_base_id}/data/{knowledge_data_id}")
async def delete_data(request: Request, knowledge_base_id: int, knowledge_data_id: int) -> Response:
    backend, _ = caller(request, SUMMARY_ROLES, MANAGE)
    return ok(knowledge.delete_data(backend, knowledge_base_id, knowledge_data_id))
