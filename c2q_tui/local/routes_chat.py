"""Question routes and job polling: #21-23, #28-30 of reference §2.

v1 (`/v1/chat2data` and its 2023 path `/chat2data`) is synchronous and answers in the Data Service
envelope. Choices (INF): an engine that cannot answer gives HTTP 400 with `result.code` 400 and its
reason; SQL that fails gives HTTP 200 with `result.code` 1105 (TiDB's generic error code), the error
as `message` and the SQL, as Data Service SQL endpoints report SQL failures. Column types are read
off the values (see `payloads.v1_columns`). v1 needs no data summary; it uses one if it is done.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from c2q_tui.local import bodies, chat, datasummaries, payloads, sessions
from c2q_tui.local.auth import CHAT_ROLES, WRITE_ROLES, check_role
from c2q_tui.local.backend import Backend
from c2q_tui.local.database import ROW_LIMIT, SqlError
from c2q_tui.local.engines.base import EngineError
from c2q_tui.local.envelopes import JSON, V1_TYPE, ApiError, NotFound, data_service, data_service_result, ok
from c2q_tui.local.jobs import Job
from c2q_tui.local.routing import backend_of, caller, key_of
from c2q_tui.local.settings import KeySpec

router = APIRouter()
ASK = "call chat2data, refineSql or suggestQuestions"
SQL_ERROR_CODE = 1105


@router.post("/v3/chat2data", openapi_extra=bodies.openapi(bodies.Chat2Data))
async def chat2data(request: Request) -> Response:
    backend, key = caller(request, CHAT_ROLES, ASK)
    body = await bodies.read(request, bodies.Chat2Data)
    if body.database is None and body.database_uri is None and body.data_summary_id is not None:
        backend.check_cluster(body.cluster_id)
        summary = datasummaries.by_id_for_question(backend, body.data_summary_id)
        database = summary["database"]
    else:
        database = backend.target(body.cluster_id, body.database, body.database_uri)
        summary = datasummaries.for_question(backend, database)
    session = sessions.create(backend, database, sessions.name_from_question(body.question), key.public_key)
    job = chat.submit_chat(
        backend,
        database=database,
        question=body.question,
        mode=body.sql_generate_mode or "direct",
        session_id=session["id"],
        summary_id=summary["id"],
        allow_write=key.role in WRITE_ROLES,
    )
    result = {
        "cluster_id": backend.cluster_id,
        "database": database,
        "job_id": job.job_id,
        "session_id": session["id"],
    }
    return ok(result)


@router.post("/v3/refineSql", openapi_extra=bodies.openapi(bodies.RefineSql))
async def refine_sql(request: Request) -> Response:
    """Answers `{job_id, session_id}`; `session_id` is the one sent (its turns give the engine
    context), else null. The job result is `{rewritten_sql, solution}`."""
    backend, _ = caller(request, CHAT_ROLES, ASK)
    body = await bodies.read(request, bodies.RefineSql)
    database = backend.target(body.cluster_id, body.database, body.database_uri)
    if body.session_id is not None and sessions.visible(backend, body.session_id)["database"] != database:
        raise ApiError(400, f"session {body.session_id} is about another database")
    job = chat.submit_refine(
        backend, database=database, sql=body.sql, feedback=body.feedback, session_id=body.session_id
    )
    return ok({"job_id": job.job_id, "session_id": body.session_id})


@router.post("/v3/suggestQuestions", openapi_extra=bodies.openapi(bodies.SuggestQuestions))
async def suggest_questions(request: Request) -> Response:
    """Answers `{job_id}`; the job result is a list of question strings (`limit`, default 5)."""
    backend, _ = caller(request, CHAT_ROLES, ASK)
    body = await bodies.read(request, bodies.SuggestQuestions)
    database = backend.target(body.cluster_id, body.database, body.database_uri)
    job = chat.submit_suggest(backend, database=database, limit=body.limit)
    return ok({"job_id": job.job_id})


@router.post("/v2/chat2data", openapi_extra=bodies.openapi(bodies.Chat2DataV2))
async def chat2data_v2(request: Request) -> Response:
    backend, key = caller(request, CHAT_ROLES, ASK)
    body = await bodies.read(request, bodies.Chat2DataV2)
    summary = datasummaries.by_id_for_question(backend, body.data_summary_id)
    job = chat.submit_chat_v2(
        backend, summary=summary, question=body.raw_question, allow_write=key.role in WRITE_ROLES
    )
    return ok({"job_id": job.job_id})


JOBS_PATH = "/v2/jobs/"  # the gateway answers polls here itself, before the router (gateway.py)


def readable_job(backend: Backend, key: KeySpec, job_id: str) -> Job:
    """The job `key` may poll: NotFound, or a GatewayError 403 for a role that may not read it."""
    job = backend.jobs.get(job_id)
    if job is None:
        raise NotFound(f"job {job_id}")
    if job.kind not in (datasummaries.KIND, datasummaries.KIND_UPDATE):
        check_role(key, CHAT_ROLES, "read the jobs of chat2data, refineSql or suggestQuestions")
    return job


@router.get(JOBS_PATH + "{job_id}")
async def get_job(request: Request, job_id: str) -> Response:
    """Every kind of job. A Data Summary Management key may poll data-summary jobs only."""
    job = readable_job(backend_of(request), key_of(request), job_id)
    return Response(job.envelope(), media_type=JSON)


@router.post("/v1/chat2data", openapi_extra=bodies.openapi(bodies.Chat2DataV1))
@router.post("/chat2data", openapi_extra=bodies.openapi(bodies.Chat2DataV1))
async def chat2data_v1(request: Request) -> Response:
    backend, key = caller(request, CHAT_ROLES, "call v1 chat2data")
    body = await bodies.read(request, bodies.Chat2DataV1)
    database = backend.target(body.cluster_id, body.database)
    start_ms = int(time.time() * 1000)
    ctx = await chat.context(backend, database, tables=body.tables)
    ai_started = time.perf_counter()
    try:
        answer = chat.pick_answer(
            await asyncio.to_thread(backend.engine.answer, body.instruction, ctx, "direct")
        )
    except EngineError as e:
        return _v1_failure(400, str(e), start_ms, status=400)
    if answer is None:
        return _v1_failure(400, "the question gave no SQL to run", start_ms, status=400)
    ai_latency = time.perf_counter() - ai_started
    try:
        result = await asyncio.to_thread(ctx.db.execute, answer.sql, allow_write=key.role in WRITE_ROLES)
    except SqlError as e:
        return _v1_failure(SQL_ERROR_CODE, str(e), start_ms, sql=answer.sql, ai_latency=ai_latency)
    end_ms = int(time.time() * 1000)
    summary = data_service_result(
        200,
        "Query OK!",
        start_ms=start_ms,
        end_ms=end_ms,
        latency=payloads.seconds_text((end_ms - start_ms) / 1000),
        row_count=len(result.rows),
        row_affect=result.rows_affected,
        limit=ROW_LIMIT,
        sql=answer.sql,
        ai_latency=payloads.seconds_text(ai_latency),
    )
    return data_service(
        summary, columns=payloads.v1_columns(result), rows=payloads.v1_rows(result), type_=V1_TYPE
    )


def _v1_failure(
    code: int,
    message: str,
    start_ms: int,
    *,
    status: int = 200,
    sql: str = "",
    ai_latency: float | None = None,
) -> Response:
    end_ms = int(time.time() * 1000)
    extra: dict[str, Any] = {"sql": sql} if sql else {}
    if ai_latency is not None:
        extra["ai_latency"] = payloads.seconds_text(ai_latency)
    result = data_service_result(
        code,
        message,
        start_ms=start_ms,
        end_ms=end_ms,
        latency=payloads.seconds_text((end_ms - start_ms) / 1000),
        limit=ROW_LIMIT,
        **extra,
    )
    return data_service(result, type_=V1_TYPE, status=status)
