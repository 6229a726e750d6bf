"""Data summary routes: v3 #1-6 and v2 #24-27 of reference §2 (shapes: see `datasummaries`)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from c2q_tui.local import bodies, datasummaries
from c2q_tui.local.auth import ANY_ROLE, SUMMARY_ROLES
from c2q_tui.local.envelopes import ParamError, ok
from c2q_tui.local.routing import caller

router = APIRouter()
MANAGE = "generate or update data summaries"
READ = "read data summaries"


@router.post("/v3/dataSummaries", openapi_extra=bodies.openapi(bodies.DataSummaryCreate))
async def create_v3(request: Request) -> Response:
    backend, key = caller(request, SUMMARY_ROLES, MANAGE)
    body = await bodies.read(request, bodies.DataSummaryCreate)
    database = backend.target(body.cluster_id, body.database, body.database_uri)
    summary_id, job = datasummaries.create(
        backend,
        database,
        description=body.description,
        reuse=body.reuse,
        default=body.default,
        creator=body.creator or key.public_key,
    )
    return ok({"data_summary_id": summary_id, "job_id": job.job_id})


@router.get("/v3/dataSummaries")
async def list_v3(request: Request) -> Response:
    backend, _ = caller(request, ANY_ROLE, READ)
    rows = datasummaries.list_rows(backend)
    return ok({"data_summaries": [datasummaries.summary_object(backend, r, compact=True) for r in rows]})


@router.get("/v3/dataSummaries/{data_summary_id}")
async def get_v3(request: Request, data_summary_id: int) -> Response:
    backend, _ = caller(request, ANY_ROLE, READ)
    return ok(datasummaries.summary_object(backend, datasummaries.visible(backend, data_summary_id)))


@router.put("/v3/dataSummaries/{data_summary_id}", openapi_extra=bodies.openapi(bodies.DataSummaryEdit))
async def update_v3(request: Request, data_summary_id: int) -> Response:
    backend, _ = caller(request, SUMMARY_ROLES, MANAGE)
    body = await bodies.read(request, bodies.DataSummaryEdit)
    edit = body.model_dump(exclude_none=True)
    return ok(datasummaries.update(backend, data_summary_id, edit))


@router.put(
    "/v3/dataSummaries/{data_summary_id}/tables/{table_name}", openapi_extra=bodies.openapi(bodies.TableEdit)
)
async def update_table(request: Request, data_summary_id: int, table_name: str) -> Response:
    backend, _ = caller(request, SUMMARY_ROLES, MANAGE)
    body = await bodies.read(request, bodies.TableEdit)
    if body.description is None and not body.columns:
        raise ParamError("description is required")
    result = datasummaries.update_table(backend, data_summary_id, table_name, body.description, body.columns)
    return ok(result)


@router.put("/v3/dataSummaries/{data_summary_id}/tables/{table_name}/columns", openapi_extra=bodies.openapi())
async def update_columns(request: Request, data_summary_id: int, table_name: str) -> Response:
    backend, _ = caller(request, SUMMARY_ROLES, MANAGE)
    data = await bodies.read_map(request)
    if isinstance(data.get("columns"), dict) and len(data) == 1:
        data = data["columns"]
    if not data or not all(isinstance(v, str) for v in data.values()):
        raise ParamError('the body must map column names to descriptions: {"<column>": "<description>"}')
    columns = {str(k): str(v) for k, v in data.items()}
    return ok(datasummaries.update_columns(backend, data_summary_id, table_name, columns))


@router.post("/v2/dataSummaries", openapi_extra=bodies.openapi(bodies.Target))
async def create_v2(request: Request) -> Response:
    backend, key = caller(request, SUMMARY_ROLES, MANAGE)
    body = await bodies.read(request, bodies.Target)
    database = backend.target(body.cluster_id, body.database, body.database_uri)
    summary_id, job = datasummaries.create(backend, database, creator=key.public_key, api="v2")
    return ok({"data_summary_id": summary_id, "job_id": job.job_id})


@router.get("/v2/dataSummaries")
async def list_v2(request: Request) -> Response:
    backend, _ = caller(request, ANY_ROLE, READ)
    rows = datasummaries.list_rows(backend)
    return ok({"data_summaries": [datasummaries.v2_object(backend, r) for r in rows]})


@router.get("/v2/dataSummaries/{data_summary_id}")
async def get_v2(request: Request, data_summary_id: int) -> Response:
    backend, _ = caller(request, ANY_ROLE, READ)
    return ok(datasummaries.v2_object(backend, datasummaries.visible(backend, data_summary_id)))


@router.put("/v2/dataSummaries/{data_summary_id}", openapi_extra=bodies.openapi(bodies.DataSummaryV2Edit))
async def update_v2(request: Request, data_summary_id: int) -> Response:
    backend, _ = caller(request, SUMMARY_ROLES, MANAGE)
    body = await bodies.read(request, bodies.DataSummaryV2Edit)
    tables = {t: edit.model_dump(exclude_none=True) for t, edit in body.tables.items()}
    job = datasummaries.update_v2(backend, data_summary_id, tables)
    return ok({"job_id": job.job_id})
