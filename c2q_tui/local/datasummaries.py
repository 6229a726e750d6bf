"""Data summaries: records, their API shapes (v3 and v2), generation jobs and user edits.

Choices where the reference is silent (INF):
- Status: `inited` (queued, TiInsight's word) -> `running` -> `done` | `failed` (then `reason` is set).
  GET of a summary that is not done answers 200 with that status and empty tables.
- `GET /v3/dataSummaries` -> `{"data_summaries": [...]}`, each item the summary object without
  `tables` and `relationships` (GET one for those). `GET /v2/dataSummaries` -> `{"data_summaries":
  [<v2 GET shape>...]}`.
- `default`: omitted means true (the new summary becomes the database's default once created). The
  first summary of a database is always the default. Questions use the newest *done* default summary,
  else the newest done one, so a database stays answerable while a new summary is generated.
- `reuse: true` returns the database's done summary at once as a job that is already done (its result
  is the summary), or the summary being generated with its running job, else starts a new one.
- A question about a database with no summary at all starts generating its default summary and is
  answered "not ready", so a client with a SQL-only key is not stuck.
- `PUT /v3/dataSummaries/{id}` body: any of `{description, summary, keywords, tables: {<t>:
  {description, columns: {<c>: <desc>}}}}`; answers the updated summary object. `PUT .../tables/{t}`
  body `{description}` (`columns` allowed too) answers `{description}`; `PUT .../tables/{t}/columns`
  body `{<c>: <desc>}` (or `{"columns": {...}}`) answers the map it applied. An unknown table in
  the path is 404, in a body 400.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from c2q_tui.local.backend import ORG_ID, Backend
from c2q_tui.local.envelopes import ApiError, NotFound, ParamError
from c2q_tui.local.jobs import Job, JobFailed, JobHandle
from c2q_tui.local.store import Row

NOT_READY = "Data summary is not ready, please wait for a while and retry"
IN_PROGRESS = ("inited", "running")
KIND = "data_summary"
KIND_UPDATE = "data_summary_update"


def not_ready(detail: str = "") -> ApiError:
    return ApiError(400, NOT_READY + (f" ({detail})" if detail else ""))


def visible(backend: Backend, summary_id: int) -> Row:
    """The summary with this id if it belongs to this cluster and a served database, else 404."""
    row = backend.store.summary(summary_id)
    if (
        row is None
        or row["cluster_id"] != backend.cluster_id
        or row["database"] not in backend.databases.urls
    ):
        raise NotFound(f"data summary {summary_id}")
    return row


def summary_object(backend: Backend, row: Row, *, compact: bool = False) -> dict[str, Any]:
    """The v3 DataSummaryObject (reference §3.2), relationships in array form."""
    body: dict[str, Any] = dict(row["summary"] or {}) if row["status"] == "done" else {}
    obj: dict[str, Any] = {
        "cluster_id": backend.cluster_id,
        "data_summary_id": row["id"],
        "database": row["database"],
        "default": bool(row["is_default"]),
        "status": row["status"],
        "description": body.get("description") or {"system": "", "user": row["description"]},
        "keywords": body.get("keywords") or [],
        "relationships": body.get("relationships") or {},
        "summary": body.get("summary") or "",
        "tables": body.get("tables") or {},
    }
    obj.update({k: v for k, v in body.items() if k not in obj})
    if row["status"] == "failed":
        obj["reason"] = row["reason"]
    if compact:
        del obj["tables"], obj["relationships"]
    return obj


def v2_object(backend: Backend, row: Row) -> dict[str, Any]:
    """GET /v2/dataSummaries/{id} (reference §3.8); ids inside `data` are JSON numbers there."""
    from c2q_tui.local.summaries import to_v2

    cluster = int(backend.cluster_id)
    if row["status"] == "done":
        data = to_v2(row["summary"] or {}, cluster_id=cluster, database=row["database"])
    else:
        data = {
            "cluster_id": cluster,
            "db_name": row["database"],
            "db_schema": {},
            "entity": {},
            "short_summary": "",
            "status": row["status"],
            "summary": "",
            "summary_keywords": [],
            "table_relationship": {},
        }
    data.update({"org_id": int(ORG_ID), "project_id": 1})
    return {
        "created_at": int(row["created_at"]),
        "creator": row["creator"],
        "data": data,
        "id": row["id"],
        "name": "data-context",
        "org_id": int(ORG_ID),
        "type": "data",
        "updated_at": int(row["updated_at"]),
    }


def list_rows(backend: Backend) -> list[Row]:
    rows = backend.store.summaries(backend.cluster_id)
    return [r for r in rows if r["database"] in backend.databases.urls]


def _pick_done(rows: list[Row]) -> Row | None:
    done = [r for r in rows if r["status"] == "done"]
    return max(done, key=lambda r: (bool(r["is_default"]), r["id"])) if done else None


def create(
    backend: Backend,
    database: str,
    *,
    description: str = "",
    reuse: bool = False,
    default: bool | None = None,
    creator: str = "",
    api: str = "v3",
) -> tuple[int, Job]:
    """Start (or reuse) a summary of `database`: (data_summary_id, job)."""
    store = backend.store
    rows = store.summaries(backend.cluster_id, database)
    if reuse:
        done = _pick_done(rows)
        if done is not None:
            result = summary_object(backend, done) if api == "v3" else v2_object(backend, done)["data"]
            return done["id"], backend.jobs.finished(KIND, result)
        running = [r for r in rows if r["status"] in IN_PROGRESS and r["job_id"]]
        job = backend.jobs.get(running[-1]["job_id"]) if running else None
        if running and job is not None and not job.ended:
            return running[-1]["id"], job
    make_default = default is not False or not rows
    summary_id = store.add_summary(
        cluster_id=backend.cluster_id,
        database=database,
        description=description,
        is_default=0,
        status="inited",
        creator=creator,
    )
    if make_default:
        store.make_default_summary(summary_id, backend.cluster_id, database)

    async def work(handle: JobHandle) -> Any:
        return await _generate(backend, summary_id, database, description, api)

    job = backend.jobs.submit(KIND, work)
    store.update_summary(summary_id, job_id=job.job_id)
    return summary_id, job


async def _generate(backend: Backend, summary_id: int, database: str, description: str, api: str) -> Any:
    from c2q_tui.local.summaries import build_summary

    def progress(_message: str, _fraction: float) -> None:
        if backend.closing.is_set():
            raise JobFailed("the backend is shutting down")

    store = backend.store
    store.update_summary(summary_id, status="running")
    try:
        db = await backend.databases.get(database)
        summary = await asyncio.to_thread(build_summary, db, description=description, on_progress=progress)
    except ApiError as e:
        store.update_summary(summary_id, status="failed", reason=e.msg)
        raise JobFailed(e.msg) from None
    except Exception as e:
        store.update_summary(summary_id, status="failed", reason=str(e) or type(e).__name__)
        raise
    store.update_summary(summary_id, status="done", summary=summary, reason="")
    row = store.summary(summary_id)
    assert row is not None
    return summary_object(backend, row) if api == "v3" else v2_object(backend, row)["data"]


def done_for(backend: Backend, database: str) -> Row | None:
    """The summary questions about `database` use, if one is done (never starts one)."""
    return _pick_done(backend.store.summaries(backend.cluster_id, database))


def for_question(backend: Backend, database: str) -> Row:
    """The done summary questions about `database` use; 400 "not ready" otherwise."""
    rows = backend.store.summaries(backend.cluster_id, database)
    done = _pick_done(rows)
    if done is not None:
        return done
    if any(r["status"] in IN_PROGRESS for r in rows):
        raise not_ready()
    if rows:
        last = rows[-1]
        raise not_ready(
            f"generating the data summary of {database} failed: {last['reason'] or 'unknown reason'}; "
            "create it again with POST /v3/dataSummaries"
        )
    create(backend, database, creator="chat2data")
    raise not_ready(f"started generating the data summary of {database}")


def by_id_for_question(backend: Backend, summary_id: int) -> Row:
    row = visible(backend, summary_id)
    if row["status"] != "done":
        raise not_ready()
    return row


# -- edits -----------------------------------------------------------------------------------------


def _done(backend: Backend, summary_id: int) -> Row:
    row = visible(backend, summary_id)
    if row["status"] != "done":
        raise not_ready()
    return row


def _apply_tables(summary: dict[str, Any], tables: dict[str, Any], *, in_path: bool = False) -> None:
    from c2q_tui.local.summaries import apply_column_descriptions, apply_table_description

    for table, change in tables.items():
        try:
            if change.get("description") is not None:
                apply_table_description(summary, table, str(change["description"]))
            if change.get("columns"):
                apply_column_descriptions(
                    summary, table, {str(k): str(v) for k, v in change["columns"].items()}
                )
        except KeyError as e:
            detail = e.args[0] if e.args else str(e)
            if in_path and "unknown table" in detail:
                raise NotFound(f"table {table!r} in this data summary") from None
            raise ParamError(detail) from None


def _save(backend: Backend, summary_id: int, summary: dict[str, Any]) -> Row:
    backend.store.update_summary(summary_id, summary=summary)
    row = backend.store.summary(summary_id)
    assert row is not None
    return row


def update(backend: Backend, summary_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """PUT /v3/dataSummaries/{id}: edit descriptions, summary text, keywords; all or nothing."""
    row = _done(backend, summary_id)
    summary = copy.deepcopy(row["summary"] or {})
    desc = body.get("description")
    if isinstance(desc, str):
        summary.setdefault("description", {})["user"] = desc
    elif isinstance(desc, dict):
        summary.setdefault("description", {}).update(
            {k: str(v) for k, v in desc.items() if k in ("user", "system")}
        )
    if isinstance(body.get("summary"), str):
        summary["summary"] = body["summary"]
    if isinstance(body.get("keywords"), list):
        summary["keywords"] = [str(k) for k in body["keywords"]]
    _apply_tables(summary, body.get("tables") or {})
    row = _save(backend, summary_id, summary)
    if isinstance(desc, str):
        backend.store.update_summary(summary_id, description=desc)
    return summary_object(backend, row)


def update_table(
    backend: Backend, summary_id: int, table: str, description: str | None, columns: dict[str, str] | None
) -> dict[str, Any]:
    row = _done(backend, summary_id)
    summary = copy.deepcopy(row["summary"] or {})
    _apply_tables(summary, {table: {"description": description, "columns": columns}}, in_path=True)
    _save(backend, summary_id, summary)
    out: dict[str, Any] = {"description": description}
    if columns:
        out["columns"] = columns
    return out


def update_columns(backend: Backend, summary_id: int, table: str, columns: dict[str, str]) -> dict[str, str]:
    row = _done(backend, summary_id)
    summary = copy.deepcopy(row["summary"] or {})
    _apply_tables(summary, {table: {"columns": columns}}, in_path=True)
    _save(backend, summary_id, summary)
    return columns


def update_v2(backend: Backend, summary_id: int, tables: dict[str, Any]) -> Job:
    """PUT /v2/dataSummaries/{id}: the edits apply at once; the job (result null) reports them."""
    row = _done(backend, summary_id)
    summary = copy.deepcopy(row["summary"] or {})
    _apply_tables(summary, tables)
    _save(backend, summary_id, summary)

    async def work(handle: JobHandle) -> None:
        return None

    return backend.jobs.submit(KIND_UPDATE, work)
