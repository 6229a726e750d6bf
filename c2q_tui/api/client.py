"""`Chat2QueryClient`: one typed async method per Chat2Query endpoint (reference §2, 30 routes).

Calls that start a job return its id (and whatever else the service sends); poll it with
`get_job` or, better, `polling.wait_for_job`. Where a shape is undocumented (INF) the method's
docstring says which shape is expected; the others listed there are accepted too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from c2q_tui.api.core import CoreClient
from c2q_tui.api.errors import BadResponse
from c2q_tui.api.models import Ack, DataServiceEnvelope, RequestModel, unwrap_list
from c2q_tui.api.models_jobs import (
    KIND_BREAKDOWN,
    KIND_CHAT2DATA,
    KIND_CHAT2DATA_V2,
    KIND_DATA_SUMMARY,
    KIND_REFINE,
    KIND_SUGGEST,
    KIND_SUMMARY_UPDATE,
    Chat2DataJob,
    Chat2DataRequest,
    Chat2DataV1Request,
    Chat2DataV2Request,
    DataSummaryJob,
    Job,
    JobSubmitted,
    RefineSqlJob,
    RefineSqlRequest,
    SessionChat2DataRequest,
    SqlGenerateMode,
    SuggestQuestionsJob,
    SuggestQuestionsRequest,
)
from c2q_tui.api.models_knowledge import (
    KnowledgeBase,
    KnowledgeBaseCreate,
    KnowledgeData,
    KnowledgeDataWrite,
    KnowledgeRaw,
)
from c2q_tui.api.models_session import Session, SessionCreate, SessionMeta, SessionRename
from c2q_tui.api.models_summary import (
    DataSummary,
    DataSummaryCreate,
    DataSummaryUpdate,
    DataSummaryV2,
    DataSummaryV2Create,
    DataSummaryV2Update,
    TableUpdate,
)

M = TypeVar("M", bound=BaseModel)
J = TypeVar("J", bound=JobSubmitted)

V1Path = Literal["v1", "legacy"]


def _seg(value: int | str) -> str:
    return quote(str(value), safe="")


def _shape_error(label: str, model: type[BaseModel], exc: ValidationError, result: Any) -> BadResponse:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "result"
    return BadResponse(
        f"unexpected {model.__name__} in the answer to {label}: {where}: {first['msg']}",
        body=repr(result),
        request=label,
    )


def _mode_kind(mode: SqlGenerateMode | None) -> str:
    return KIND_BREAKDOWN if mode == "auto_breakdown" else KIND_CHAT2DATA


class Chat2QueryClient(CoreClient):
    """Async client of one Chat2Query Data App; use `async with` or call `aclose()`.

    `Chat2QueryClient(base_url, public_key=..., private_key=...)` or
    `Chat2QueryClient(region="us-east-1", app_id="chat2query-XXXX", ...)`. `transport` points it at
    anything httpx can reach, e.g. `httpx.ASGITransport(local_app)` for the embedded backend.
    Pass `ledger=QuotaLedger()` to count requests against the daily quota (None counts nothing).
    """

    # -- plumbing ------------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        body: RequestModel | Mapping[str, Any] | None = None,
        *,
        creates_job: bool = False,
    ) -> M:
        payload = body.body() if isinstance(body, RequestModel) else None if body is None else dict(body)
        result = await self._request(method, path, json=payload, creates_job=creates_job)
        return self._parse(model, result, f"{method} /{path}")

    async def _call_list(self, path: str, model: type[M], keys: Iterable[str]) -> list[M]:
        label = f"GET /{path}"
        result = await self._request("GET", path)
        try:
            items = unwrap_list(result, tuple(keys))
        except TypeError as exc:
            raise BadResponse(
                f"unexpected answer to {label}: {exc}", body=repr(result), request=label
            ) from exc
        return [self._parse(model, item, label) for item in items]

    def _parse(self, model: type[M], result: Any, label: str) -> M:
        try:
            return model.model_validate(result)
        except ValidationError as exc:
            raise _shape_error(label, model, exc, result) from exc

    async def _submit(self, path: str, model: type[J], body: RequestModel, kind: str) -> J:
        with self.count_requests() as counter:
            job = await self._call("POST", path, model, body)
        self._remember_job(job.job_id, kind, counter.count)
        return job

    # -- v3 data summaries ---------------------------------------------------------------------

    async def create_data_summary(
        self,
        cluster_id: str | None,
        database: str | None,
        *,
        description: str = "",
        reuse: bool = False,
        default: bool | None = None,
        database_uri: str | None = None,
        **extra: Any,
    ) -> DataSummaryJob:
        """POST /v3/dataSummaries; a job (kind data_summary) whose result is the DataSummary."""
        body = DataSummaryCreate(
            cluster_id=cluster_id,
            database=database,
            description=description,
            reuse=reuse,
            default=default,
            database_uri=database_uri,
            **extra,
        )
        return await self._submit("v3/dataSummaries", DataSummaryJob, body, KIND_DATA_SUMMARY)

    async def list_data_summaries(self) -> list[DataSummary]:
        """GET /v3/dataSummaries. INF: a bare list is expected; `{data_summaries|dataSummaries|items:
        [...]}` is accepted too."""
        return await self._call_list(
            "v3/dataSummaries", DataSummary, ("data_summaries", "dataSummaries", "items", "list")
        )

    async def get_data_summary(self, data_summary_id: int) -> DataSummary:
        """GET /v3/dataSummaries/{id}; 200 with a non-"done" status while it is generating."""
        return await self._call("GET", f"v3/dataSummaries/{_seg(data_summary_id)}", DataSummary)

    async def update_data_summary(self, data_summary_id: int, update: DataSummaryUpdate) -> Ack:
        """PUT /v3/dataSummaries/{id}. INF body (see DataSummaryUpdate); the answer is kept as an Ack
        (its `job_id` is set if the service answers with a job)."""
        return await self._call("PUT", f"v3/dataSummaries/{_seg(data_summary_id)}", Ack, update)

    async def update_table_description(self, data_summary_id: int, table: str, description: str) -> Ack:
        """PUT /v3/dataSummaries/{id}/tables/{table}. INF body: `{"description": ...}`."""
        path = f"v3/dataSummaries/{_seg(data_summary_id)}/tables/{_seg(table)}"
        return await self._call("PUT", path, Ack, TableUpdate(description=description))

    async def update_column_descriptions(
        self, data_summary_id: int, table: str, columns: Mapping[str, str]
    ) -> Ack:
        """PUT /v3/dataSummaries/{id}/tables/{table}/columns. INF body: `{"<column>": "<description>"}`."""
        path = f"v3/dataSummaries/{_seg(data_summary_id)}/tables/{_seg(table)}/columns"
        return await self._call("PUT", path, Ack, columns)

    # -- knowledge bases -----------------------------------------------------------------------

    async def create_knowledge_base(
        self, cluster_id: str, database: str, description: str = ""
    ) -> KnowledgeBase:
        """POST /v3/knowledgeBases."""
        body = KnowledgeBaseCreate(cluster_id=cluster_id, database=database, description=description)
        return await self._call("POST", "v3/knowledgeBases", KnowledgeBase, body)

    async def list_knowledge_bases(self) -> list[KnowledgeBase]:
        """GET /v3/knowledgeBases. INF: a bare list; `{knowledge_bases|knowledgeBases|items: [...]}` too."""
        return await self._call_list(
            "v3/knowledgeBases", KnowledgeBase, ("knowledge_bases", "knowledgeBases", "items", "list")
        )

    async def get_knowledge_base(self, knowledge_base_id: int) -> KnowledgeBase:
        """GET /v3/knowledgeBases/{id}. INF: the creation shape."""
        return await self._call("GET", f"v3/knowledgeBases/{_seg(knowledge_base_id)}", KnowledgeBase)

    async def update_knowledge_base(self, knowledge_base_id: int, *, description: str) -> KnowledgeBase:
        """PUT /v3/knowledgeBases/{id}. INF body `{description}`; an empty answer yields the id and the
        new description."""
        path = f"v3/knowledgeBases/{_seg(knowledge_base_id)}"
        result = await self._request("PUT", path, json={"description": description})
        merged = {"knowledge_base_id": knowledge_base_id, "description": description}
        if isinstance(result, dict):
            merged.update(result)
        return self._parse(KnowledgeBase, merged, f"PUT /{path}")

    async def add_knowledge_data(
        self, knowledge_base_id: int, data: KnowledgeRaw, *, meta_data: Mapping[str, Any] | None = None
    ) -> KnowledgeData:
        """POST /v3/knowledgeBases/{id}/data with a FewShot, TermSheet or Instruction.

        INF answer: `{knowledge_data_id}` (the item echoed back is accepted too); the returned item
        combines the answer with what was sent.
        """
        body = KnowledgeDataWrite.of(data, dict(meta_data or {}))
        path = f"v3/knowledgeBases/{_seg(knowledge_base_id)}/data"
        result = await self._request("POST", path, json=body.body())
        return self._merge_knowledge(body, result, None, f"POST /{path}")

    async def list_knowledge_data(self, knowledge_base_id: int) -> list[KnowledgeData]:
        """GET /v3/knowledgeBases/{id}/data. INF: a bare list; `{knowledge_data|data|items: [...]}` too."""
        return await self._call_list(
            f"v3/knowledgeBases/{_seg(knowledge_base_id)}/data",
            KnowledgeData,
            ("knowledge_data", "knowledgeData", "data", "items", "list"),
        )

    async def update_knowledge_data(
        self,
        knowledge_base_id: int,
        knowledge_data_id: int,
        data: KnowledgeRaw,
        *,
        meta_data: Mapping[str, Any] | None = None,
    ) -> KnowledgeData:
        """PUT /v3/knowledgeBases/{id}/data/{data_id}. INF: the add-data body; any answer is merged."""
        body = KnowledgeDataWrite.of(data, dict(meta_data or {}))
        path = f"v3/knowledgeBases/{_seg(knowledge_base_id)}/data/{_seg(knowledge_data_id)}"
        result = await self._request("PUT", path, json=body.body())
        return self._merge_knowledge(body, result, knowledge_data_id, f"PUT /{path}")

    async def delete_knowledge_data(self, knowledge_base_id: int, knowledge_data_id: int) -> Ack:
        """DELETE /v3/knowledgeBases/{id}/data/{data_id} (the docs print `DEL`)."""
        path = f"v3/knowledgeBases/{_seg(knowledge_base_id)}/data/{_seg(knowledge_data_id)}"
        return await self._call("DELETE", path, Ack)

    def _merge_knowledge(
        self, body: KnowledgeDataWrite, result: Any, data_id: int | None, label: str
    ) -> KnowledgeData:
        merged: dict[str, Any] = body.body()
        if data_id is not None:
            merged["knowledge_data_id"] = data_id
        if isinstance(result, dict):
            merged.update(result)
        elif isinstance(result, int) and not isinstance(result, bool):
            merged["knowledge_data_id"] = result
        return self._parse(KnowledgeData, merged, label)

    # -- sessions ------------------------------------------------------------------------------

    async def create_session(
        self, cluster_id: str | None, database: str | None, name: str = "", *, database_uri: str | None = None
    ) -> Session:
        """POST /v3/sessions."""
        body = SessionCreate(cluster_id=cluster_id, database=database, name=name, database_uri=database_uri)
        return await self._call("POST", "v3/sessions", Session, body)

    async def list_sessions(self) -> list[Session]:
        """GET /v3/sessions. INF: `{"sessions": [...]}` (TiInsight's type names); a bare list too."""
        return await self._call_list("v3/sessions", Session, ("sessions", "items", "list"))

    async def get_session(self, session_id: int) -> Session:
        """GET /v3/sessions/{id}. INF: the creation shape with `messages` filled."""
        return await self._call("GET", f"v3/sessions/{_seg(session_id)}", Session)

    async def rename_session(self, session_id: int, name: str) -> Session:
        """PUT /v3/sessions/{id} with `{name}` (INF). If the answer is not a session, the result holds
        just the id and the new name."""
        path = f"v3/sessions/{_seg(session_id)}"
        result = await self._request("PUT", path, json=SessionRename(name=name).body())
        if isinstance(result, dict) and ("session_id" in result or "meta" in result):
            return self._parse(Session, {"session_id": session_id, **result}, f"PUT /{path}")
        return Session(session_id=session_id, meta=SessionMeta(name=name))

    update_session = rename_session

    async def reset_session(self, session_id: int) -> Ack:
        """PUT /v3/sessions/{id}/reset with an empty object (INF): forget the conversation context."""
        return await self._call("PUT", f"v3/sessions/{_seg(session_id)}/reset", Ack, {})

    async def session_chat2data(
        self,
        session_id: int,
        question: str,
        *,
        sql_generate_mode: SqlGenerateMode = "direct",
        feedback_answer_id: str = "",
        feedback_task_id: str = "",
    ) -> Chat2DataJob:
        """POST /v3/sessions/{id}/chat2data; a job (`{job_id, session_id}`)."""
        body = SessionChat2DataRequest(
            question=question,
            sql_generate_mode=sql_generate_mode,
            feedback_answer_id=feedback_answer_id,
            feedback_task_id=feedback_task_id,
        )
        path = f"v3/sessions/{_seg(session_id)}/chat2data"
        job = await self._submit(path, Chat2DataJob, body, _mode_kind(sql_generate_mode))
        if job.session_id is None:
            job.session_id = session_id
        return job

    # -- v3 chat2data, refine, suggest ---------------------------------------------------------

    async def chat2data(
        self,
        question: str,
        *,
        cluster_id: str | None = None,
        database: str | None = None,
        data_summary_id: int | None = None,
        sql_generate_mode: SqlGenerateMode | None = None,
    ) -> Chat2DataJob:
        """POST /v3/chat2data; a job plus the session it opened (`session_id`).

        `data_summary_id` only counts when cluster_id and database are absent. Raises NotReady while
        the data summary is still generating. The mode defaults to the service's (direct).
        """
        body = Chat2DataRequest(
            question=question,
            cluster_id=cluster_id,
            database=database,
            data_summary_id=data_summary_id,
            sql_generate_mode=sql_generate_mode,
        )
        return await self._submit("v3/chat2data", Chat2DataJob, body, _mode_kind(sql_generate_mode))

    async def refine_sql(self, cluster_id: str, database: str, sql: str, feedback: str) -> RefineSqlJob:
        """POST /v3/refineSql; a job whose result is `{rewritten_sql, solution}`."""
        body = RefineSqlRequest(cluster_id=cluster_id, database=database, sql=sql, feedback=feedback)
        return await self._submit("v3/refineSql", RefineSqlJob, body, KIND_REFINE)

    async def suggest_questions(
        self, cluster_id: str | None = None, database: str | None = None, *, database_uri: str | None = None
    ) -> SuggestQuestionsJob:
        """POST /v3/suggestQuestions; a job whose result is `string[]`. A synchronous
        `{questions: [...]}` answer (third-party spec) lands in `.questions` with no job id."""
        body = SuggestQuestionsRequest(cluster_id=cluster_id, database=database, database_uri=database_uri)
        label = "POST /v3/suggestQuestions"
        with self.count_requests() as counter:
            result = await self._request("POST", "v3/suggestQuestions", json=body.body())
        if isinstance(result, list):
            result = {"questions": result}
        job = self._parse(SuggestQuestionsJob, result, label)
        if job.job_id is None and job.questions is None:
            raise BadResponse(f"the answer to {label} has neither job_id nor questions", body=repr(result))
        if job.job_id is not None:
            self._remember_job(job.job_id, KIND_SUGGEST, counter.count)
        return job

    # -- v2 ------------------------------------------------------------------------------------

    async def create_data_summary_v2(
        self, cluster_id: str | None, database: str | None, *, database_uri: str | None = None
    ) -> DataSummaryJob:
        """POST /v2/dataSummaries; a job (kind data_summary)."""
        body = DataSummaryV2Create(cluster_id=cluster_id, database=database, database_uri=database_uri)
        return await self._submit("v2/dataSummaries", DataSummaryJob, body, KIND_DATA_SUMMARY)

    async def list_data_summaries_v2(self) -> list[DataSummaryV2]:
        """GET /v2/dataSummaries. INF: a bare list; wrapped lists are accepted."""
        return await self._call_list(
            "v2/dataSummaries", DataSummaryV2, ("data_summaries", "dataSummaries", "items", "list")
        )

    async def get_data_summary_v2(self, data_summary_id: int) -> DataSummaryV2:
        """GET /v2/dataSummaries/{id}."""
        return await self._call("GET", f"v2/dataSummaries/{_seg(data_summary_id)}", DataSummaryV2)

    async def update_data_summary_v2(
        self, data_summary_id: int, tables: Mapping[str, TableUpdate]
    ) -> JobSubmitted:
        """PUT /v2/dataSummaries/{id}; a job whose result is null."""
        body = DataSummaryV2Update(tables=dict(tables))
        path = f"v2/dataSummaries/{_seg(data_summary_id)}"
        with self.count_requests() as counter:
            job = await self._call("PUT", path, JobSubmitted, body, creates_job=True)
        self._remember_job(job.job_id, KIND_SUMMARY_UPDATE, counter.count)
        return job

    async def chat2data_v2(
        self, data_summary_id: int, raw_question: str, *, evidence: str | None = None
    ) -> JobSubmitted:
        """POST /v2/chat2data (`raw_question`, not `question`); the job result has a `task_tree`."""
        body = Chat2DataV2Request(
            data_summary_id=data_summary_id, raw_question=raw_question, evidence=evidence
        )
        return await self._submit("v2/chat2data", JobSubmitted, body, KIND_CHAT2DATA_V2)

    async def get_job(self, job_id: str) -> Job:
        """GET /v2/jobs/{id}: the one status endpoint for every kind of job (there is no v3 one)."""
        return await self._call("GET", f"v2/jobs/{_seg(job_id)}", Job)

    # -- v1 (deprecated, synchronous) ----------------------------------------------------------

    async def chat2data_v1(
        self,
        cluster_id: str,
        database: str,
        instruction: str,
        *,
        tables: list[str] | None = None,
        path: V1Path = "v1",
    ) -> DataServiceEnvelope:
        """POST /v1/chat2data (or the 2023 path /chat2data with `path="legacy"`).

        Synchronous: generates and runs the SQL, answering with the Data Service envelope (rows are
        objects keyed by column). A non-200 `data.result.code` raises like any other error.
        """
        body = Chat2DataV1Request(
            cluster_id=cluster_id, database=database, instruction=instruction, tables=tables
        )
        route = "v1/chat2data" if path == "v1" else "chat2data"
        result = await self._request("POST", route, json=body.body(), expect="data_service")
        return self._parse(DataServiceEnvelope, result, f"POST /{route}")
