"""Answering questions: the chat2data jobs (v3, sessions, v2), refineSql, suggestQuestions, and v1.

A chat2data job builds the engine's context (schema, the summary with user edits, the database's
knowledge, the session's answered turns with their engine state), asks the engine in a worker thread,
then runs the SQL with the key's write permission. An engine that cannot answer fails the job with its
reason; SQL that fails (error, timeout, a write under a read-only key) ends the job `done` with
`sql_error` set and empty data, as the real service does. Breakdowns publish each sub-task as soon as
its SQL has run.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from c2q_tui.local import datasummaries, knowledge, payloads, sessions
from c2q_tui.local.backend import Backend
from c2q_tui.local.database import Database, SqlError
from c2q_tui.local.engines.base import Answer, Breakdown, EngineContext, Mode
from c2q_tui.local.envelopes import ParamError
from c2q_tui.local.jobs import Job, JobHandle, failure_reason
from c2q_tui.local.schema import SchemaInfo
from c2q_tui.local.store import Row

KIND_CHAT = "chat2data"
KIND_CHAT_V2 = "chat2data_v2"
KIND_REFINE = "refine_sql"
KIND_SUGGEST = "suggest_questions"


async def context(
    backend: Backend,
    database: str,
    *,
    summary_id: int | None = None,
    session_id: int | None = None,
    tables: list[str] | None = None,
) -> EngineContext:
    db = await backend.databases.get(database)
    schema = await asyncio.to_thread(db.schema)
    if tables:
        schema = _only(schema, tables)
    row = (
        backend.store.summary(summary_id)
        if summary_id is not None
        else datasummaries.done_for(backend, database)
    )
    summary = row["summary"] if row is not None and row["status"] == "done" else None
    return EngineContext(
        db=db,
        schema=schema,
        summary=summary,
        knowledge=knowledge.items_for(backend, database),
        history=sessions.history(backend, session_id) if session_id is not None else [],
    )


def _only(schema: SchemaInfo, tables: list[str]) -> SchemaInfo:
    wanted = {t.lower() for t in tables}
    unknown = sorted(wanted - {t.name.lower() for t in schema.tables})
    if unknown:
        raise ParamError(f"unknown tables: {', '.join(unknown)}; tables: {', '.join(schema.table_names)}")
    kept = tuple(t for t in schema.tables if t.name.lower() in wanted)
    return SchemaInfo(database=schema.database, dialect=schema.dialect, tables=kept)


async def execute(db: Database, answer: Answer, *, allow_write: bool, task_id: str = "0") -> dict[str, Any]:
    try:
        result = await asyncio.to_thread(db.execute, answer.sql, allow_write=allow_write)
    except SqlError as e:
        return payloads.data_retrieval(answer, None, task_id=task_id, sql_error=str(e))
    return payloads.data_retrieval(answer, result, task_id=task_id)


async def answer_question(
    backend: Backend,
    handle: JobHandle | None,
    ctx: EngineContext,
    question: str,
    mode: Mode,
    *,
    allow_write: bool,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(job payload, what the session turn keeps)."""
    answer = await asyncio.to_thread(backend.engine.answer, question, ctx, mode)
    if isinstance(answer, Answer):
        payload = await execute(ctx.db, answer, allow_write=allow_write)
        return payload, _turn(answer.clarified_task, payload, answer.state)
    subs: list[dict[str, Any]] = []
    if handle is not None:
        handle.partial(payloads.breakdown(answer, subs, done=False))
    count = len(answer.sub_tasks)
    for i, sub in enumerate(answer.sub_tasks):
        subs.append(await execute(ctx.db, sub, allow_write=allow_write, task_id=payloads.sub_task_id(i)))
        if handle is not None:
            await handle.pace(1 / (count + 1))
            handle.partial(payloads.breakdown(answer, subs, done=False))
    payload = payloads.breakdown(answer, subs, done=True)
    last = subs[-1] if subs else None
    return payload, _turn(answer.clarified_task, last, answer.state)


def _turn(
    clarified_task: str, payload: dict[str, Any] | None, state: dict[str, Any] | None
) -> dict[str, Any]:
    data = payload["data"] if payload else {"columns": [], "rows": []}
    return {
        "clarified_task": clarified_task,
        "sql": payload["sql"] if payload else None,
        "sql_error": payload["sql_error"] if payload else None,
        "columns": [c["col"] for c in data["columns"]],
        "row_count": len(data["rows"]),
        "state": state,
    }


def submit_chat(
    backend: Backend,
    *,
    database: str,
    question: str,
    mode: Mode,
    session_id: int,
    summary_id: int,
    allow_write: bool,
) -> Job:
    """A chat2data job answering `question` in a session; its turn is recorded at once."""
    store = backend.store

    async def work(handle: JobHandle) -> Any:
        job_id = handle.job.job_id
        try:
            ctx = await context(backend, database, summary_id=summary_id, session_id=session_id)
            # this turn is in the session already; the engine must see only the earlier ones
            ctx.history = ctx.history[: _position(store.turns(session_id), job_id)]
            payload, turn = await answer_question(
                backend, handle, ctx, question, mode, allow_write=allow_write
            )
        except Exception as e:
            store.update_turn(job_id, status="failed", reason=failure_reason(e), ended_at=time.time())
            raise
        store.update_turn(job_id, status="done", ended_at=time.time(), **turn)
        store.update_session(session_id)
        return payload

    job = backend.jobs.submit(KIND_CHAT, work)
    store.add_turn(session_id=session_id, job_id=job.job_id, question=question, mode=mode, status="running")
    store.update_session(session_id)
    return job


def _position(turns: list[Row], job_id: str) -> int:
    """How many answered turns precede the one of `job_id`."""
    count = 0
    for t in turns:
        if t["job_id"] == job_id:
            break
        count += t["status"] == "done"
    return count


def submit_chat_v2(backend: Backend, *, summary: Row, question: str, allow_write: bool) -> Job:
    async def work(handle: JobHandle) -> Any:
        started = time.perf_counter()
        ctx = await context(backend, summary["database"], summary_id=summary["id"])
        payload, _ = await answer_question(backend, None, ctx, question, "direct", allow_write=allow_write)
        if payload["type"] == "breakdown":  # v2 has one task per question: keep the last sub-task
            payload = payload["sub_tasks"][-1]
        return payloads.v2_result(question, payload, time.perf_counter() - started)

    return backend.jobs.submit(KIND_CHAT_V2, work)


def submit_refine(backend: Backend, *, database: str, sql: str, feedback: str, session_id: int | None) -> Job:
    async def work(handle: JobHandle) -> Any:
        ctx = await context(backend, database, session_id=session_id)
        refined = await asyncio.to_thread(backend.engine.refine, sql, feedback, ctx)
        return {"rewritten_sql": refined.rewritten_sql, "solution": refined.solution}

    return backend.jobs.submit(KIND_REFINE, work)


def submit_suggest(backend: Backend, *, database: str, limit: int) -> Job:
    async def work(handle: JobHandle) -> Any:
        ctx = await context(backend, database)
        return list(await asyncio.to_thread(backend.engine.suggest, ctx, limit))

    return backend.jobs.submit(KIND_SUGGEST, work)


def pick_answer(answer: Answer | Breakdown) -> Answer | None:
    """v1 answers one task: a breakdown contributes its first sub-task."""
    if isinstance(answer, Answer):
        return answer
    return answer.sub_tasks[0] if answer.sub_tasks else None
