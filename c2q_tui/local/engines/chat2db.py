"""NL-to-SQL through Chat2DB's REST API in its "own schema" mode (reference §9).

Three steps per question: optionally `mapping_a` (Chat2DB's table matching, when a dataset id is set;
otherwise our own schema linking picks the tables), `prompt_a` with the question, the database type and
the DDL of those tables (returns a token), then `chat_a?token=...&stream=true`, read as Server-Sent
Events of `{"role","content"}` chunks until `[DONE]`. The SQL in the reply is validated like the OpenAI
engine's (sqlglot, known tables and columns, a read-only one-row test run); one failed check goes back
to Chat2DB as a repair request. Envelope errors (`success: false`) become `EngineError` with Chat2DB's
`errorMessage`; the API key never appears in a message.

`Chat2DBClient` is also what `c2q_tui.sqltools.assist` uses for SQL_EXPLAIN / SQL_OPTIMIZER / SQL_2_SQL.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from c2q_tui.local.database import SqlError
from c2q_tui.local.engines import prompting
from c2q_tui.local.engines.base import Answer, EngineContext, EngineError, Mode, Refinement
from c2q_tui.local.engines.openai import SqlValidationError, validate_sql
from c2q_tui.local.engines.sse import SseEvent, SseParser, chunk_text, raw_event

QuestionType = Literal["NL_2_SQL", "SQL_EXPLAIN", "SQL_OPTIMIZER", "SQL_2_SQL", "TEXT_GENERATION"]
OnChunk = Callable[[str], None]

DEFAULT_API_BASE = "https://api.chat2db-ai.com"
DEFAULT_APP_BASE = "https://app.chat2db-ai.com"
DEFAULT_API_KEY_ENV = "C2Q_CHAT2DB_API_KEY"
CUT_OFF = "the Chat2DB stream ended before the answer was complete"
_REST = "/api/ai/rest"
# Chat2DB's DbTypeEnum names for our sqlglot dialects (TiDB speaks MySQL)
DATABASE_TYPES = {"sqlite": "SQLITE", "mysql": "MYSQL", "postgres": "POSTGRESQL", "duckdb": "DUCKDB"}
# any statement, so a write is refused by validation (and repaired) rather than called "not SQL"
_SQL_START = re.compile(
    r"^[ \t]*(?:SELECT|WITH|INSERT|UPDATE|DELETE|REPLACE|MERGE|CREATE|DROP|ALTER|TRUNCATE)\b", re.I | re.M
)
# after a blank line, SQL goes on only with a clause keyword; anything else is Chat2DB's prose
_SQL_CONTINUES = re.compile(
    r"\s*(?:SELECT|FROM|WHERE|GROUP|ORDER|HAVING|LIMIT|OFFSET|UNION|EXCEPT|INTERSECT|WITH|AND|OR|ON|"
    r"JOIN|LEFT|RIGHT|INNER|OUTER|CROSS|FULL|WINDOW|QUALIFY|--|\(|\))",
    re.I,
)


def database_type(dialect: str) -> str:
    return DATABASE_TYPES.get(dialect, dialect.upper() or "MYSQL")


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class StreamResult:
    text: str
    complete: bool  # True once `[DONE]` (or a whole non-streaming answer) arrived


@dataclass(frozen=True)
class MatchedTable:
    name: str
    ddl: str  # Chat2DB's `tableSchema`; may be empty


class Chat2DBClient:
    """Blocking HTTP client for the three REST calls; one line of `EngineError` for every failure."""

    def __init__(
        self,
        api_base: str = DEFAULT_API_BASE,
        app_base: str = DEFAULT_APP_BASE,
        api_key: SecretStr | None = None,
        *,
        api_key_env: str = DEFAULT_API_KEY_ENV,
        language: str = "EN",
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.app_base = app_base.rstrip("/")
        self.api_key_env = api_key_env
        self.language = language
        self.timeout = timeout
        self._api_key = api_key
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return f"Chat2DBClient(api_base={self.api_base!r}, app_base={self.app_base!r}, api_key={key})"

    def close(self) -> None:
        self._client.close()

    # -- the REST calls -----------------------------------------------------------------------

    def match_tables(self, text: str, dataset_id: str, table_size: int = 10) -> list[MatchedTable]:
        """Chat2DB's table matching over an AI dataset (`dataSourceCollectionId`)."""
        collection: int | str = int(dataset_id) if dataset_id.isdigit() else dataset_id
        body = {"input": text, "tableSize": table_size, "dataSourceCollectionId": collection}
        data = self._call("POST", f"{self.app_base}{_REST}/mapping_a", json=body)
        items = data if isinstance(data, list) else data.get("list") if isinstance(data, dict) else None
        return [
            MatchedTable(str(item["tableName"]), str(item.get("tableSchema") or ""))
            for item in items or []
            if isinstance(item, dict) and item.get("tableName")
        ]

    def prompt(
        self,
        question_type: QuestionType,
        text: str,
        db_type: str,
        table_schemas: list[str],
        *,
        dest_sql_type: str | None = None,
    ) -> str:
        body: dict[str, Any] = {
            "questionType": question_type,
            "input": text,
            "databaseType": db_type,
            "tableSchemas": table_schemas,
            "language": self.language,
        }
        if dest_sql_type:
            body["destSqlType"] = dest_sql_type  # INF: the open-source server's name for the target
        data = self._call("POST", f"{self.api_base}{_REST}/prompt_a", json=body)
        token = data.get("token") if isinstance(data, dict) else data
        if not isinstance(token, str) or not token:
            raise EngineError("Chat2DB's prompt_a answer has no token")
        return token

    def chat(self, token: str, *, stream: bool = True, on_chunk: OnChunk | None = None) -> StreamResult:
        """The answer to a prompt token. `on_chunk` sees each piece as it arrives (and may raise to
        stop reading); a stream that ends without `[DONE]` comes back with `complete=False`."""
        params = {
            "token": token,
            "stream": "true" if stream else "false",
            "timeout": str(max(1, math.ceil(self.timeout / 60))),  # minutes, server side
        }
        parts: list[str] = []

        def take(piece: str) -> None:
            if piece:
                parts.append(piece)
                if on_chunk is not None:
                    on_chunk(piece)

        deadline = time.monotonic() + self.timeout
        headers = {**self._headers(), "Accept": "text/event-stream"}
        try:
            with self._client.stream(
                "GET", f"{self.api_base}{_REST}/chat_a", params=params, headers=headers
            ) as resp:
                if resp.status_code >= 400 or "json" in resp.headers.get("content-type", ""):
                    resp.read()
                    data = self._unwrap(resp)
                    take(chunk_text(data))
                    return StreamResult("".join(parts), complete=True)
                parser = SseParser()
                for line in resp.iter_lines():
                    event = raw_event(line) or parser.feed(line)
                    if event is not None and self._handle(event, take):
                        return StreamResult("".join(parts), complete=True)
                    if time.monotonic() > deadline:
                        raise EngineError(f"Chat2DB did not finish its answer within {self.timeout:g} s")
                tail = parser.finish()
                if tail is not None and self._handle(tail, take):
                    return StreamResult("".join(parts), complete=True)
        except httpx.TimeoutException:
            raise EngineError(f"Chat2DB did not answer within {self.timeout:g} s") from None
        except (httpx.RemoteProtocolError, httpx.ReadError):
            pass  # the connection dropped mid-stream: a cut-off answer, judged by the caller
        except httpx.HTTPError as e:
            raise EngineError(f"cannot reach Chat2DB at {self.api_base}: {self._detail(e)}") from None
        return StreamResult("".join(parts), complete=False)

    def ask(
        self,
        question_type: QuestionType,
        text: str,
        db_type: str,
        table_schemas: list[str],
        *,
        dest_sql_type: str | None = None,
        on_chunk: OnChunk | None = None,
    ) -> StreamResult:
        token = self.prompt(question_type, text, db_type, table_schemas, dest_sql_type=dest_sql_type)
        return self.chat(token, on_chunk=on_chunk)

    # -- plumbing -----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        if not self._api_key or not self._api_key.get_secret_value():
            raise EngineError(f"no Chat2DB API key: set the environment variable {self.api_key_env}")
        return {"Authorization": f"Bearer {self._api_key.get_secret_value()}"}

    def _scrub(self, text: str) -> str:
        if self._api_key and self._api_key.get_secret_value():
            text = text.replace(self._api_key.get_secret_value(), "***")
        return text

    def _detail(self, e: Exception) -> str:
        return self._scrub(_shorten(str(e) or type(e).__name__, 120))

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = self._headers()
        try:
            resp = self._client.request(method, url, headers=headers, **kwargs)
        except httpx.TimeoutException:
            raise EngineError(f"Chat2DB did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as e:
            host = httpx.URL(url).host
            raise EngineError(f"cannot reach Chat2DB at {host}: {self._detail(e)}") from None
        return self._unwrap(resp)

    def _unwrap(self, resp: httpx.Response) -> Any:
        """The envelope's `data`; EngineError with `errorMessage` when `success` is false."""
        try:
            body = resp.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and "success" in body:
            if body.get("success") is False or resp.status_code >= 400:
                raise EngineError(self._envelope_error(body, resp.status_code))
            return body.get("data")
        if resp.status_code >= 400:
            hint = f"; check the API key in {self.api_key_env}" if resp.status_code in (401, 403) else ""
            raise EngineError(f"Chat2DB answered HTTP {resp.status_code}{hint}")
        if body is None:
            raise EngineError(f"Chat2DB returned a response that is not JSON (HTTP {resp.status_code})")
        return body

    def _envelope_error(self, body: dict[str, Any], status: int) -> str:
        message = _shorten(str(body.get("errorMessage") or body.get("errorDetail") or ""))
        code = body.get("errorCode")
        text = f"Chat2DB: {message or f'request failed (HTTP {status})'}"
        return self._scrub(f"{text} ({code})" if code and str(code) not in text else text)

    def _handle(self, event: SseEvent, take: OnChunk) -> bool:
        """Deliver one event's content; True at `[DONE]`."""
        if event.done:
            return True
        try:
            value = json.loads(event.data)
        except ValueError:
            if event.complete:
                take(event.data)  # plain-text chunk
            return False  # else: half an object left by a cut-off stream
        if isinstance(value, dict) and value.get("success") is False:
            raise EngineError(self._envelope_error(value, 200))
        take(chunk_text(value))
        return False


# -- SQL from a reply ----------------------------------------------------------------------------


def _cut_statement(text: str) -> str:
    """The first statement: up to a `;` outside quotes, or a blank line followed by prose."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == ";" or (text.startswith("\n\n", i) and not _SQL_CONTINUES.match(text[i:])):
            return text[:i].strip()
    return text.strip()


def extract_sql(text: str) -> tuple[str | None, str]:
    """(the SQL in a Chat2DB reply, the prose around it) — SQL from JSON, a fence or plain text."""
    try:
        reply = prompting.parse_reply(text)
    except prompting.NotSql:
        reply = {}
    sql = reply.get("sql") or reply.get("rewritten_sql")
    if not isinstance(sql, str) or not sql.strip():
        match = _SQL_START.search(text.replace("```sql", "").replace("```", ""))
        sql = match.string[match.start() :] if match else None
    if not sql:
        return None, text.strip()
    sql = _cut_statement(sql)
    prose = re.sub(r"```[a-zA-Z]*\s*.*?```", " ", text, flags=re.S)
    prose = re.sub(re.escape(sql) + r"\s*;?", " ", prose)
    return sql, _shorten(prose, 400) if prose.strip() else ""


class _Invalid(Exception):
    """Chat2DB's SQL failed validation or its test run; it gets one chance to repair it."""


class Chat2DBEngine:
    name = "chat2db"

    def __init__(
        self,
        api_base: str = DEFAULT_API_BASE,
        app_base: str = DEFAULT_APP_BASE,
        api_key: SecretStr | None = None,
        *,
        api_key_env: str = DEFAULT_API_KEY_ENV,
        dataset_id: str | None = None,
        timeout: float = 60.0,
        max_repairs: int = 1,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.client = Chat2DBClient(
            api_base, app_base, api_key, api_key_env=api_key_env, timeout=timeout, transport=transport
        )
        self.dataset_id = dataset_id or None
        self.max_repairs = max_repairs

    def __repr__(self) -> str:
        return f"Chat2DBEngine({self.client!r}, dataset_id={self.dataset_id!r})"

    def close(self) -> None:
        self.client.close()

    # -- Engine protocol ----------------------------------------------------------------------

    def answer(self, question: str, ctx: EngineContext, mode: Mode) -> Answer:
        text = _with_context(question, ctx)
        schemas = self.table_schemas(" ".join([question, *(t.question for t in ctx.history[-2:])]), ctx)
        sql, prose = self._generate(text, schemas, ctx)
        return Answer(sql=sql, clarified_task=question, description=prose)

    def refine(self, sql: str, feedback: str, ctx: EngineContext) -> Refinement:
        text = (
            "Rewrite this SQL as asked, changing nothing else, and reply with the complete SQL.\n"
            f"Request: {feedback}\nSQL:\n{sql}"
        )
        rewritten, prose = self._generate(text, self.table_schemas(f"{sql} {feedback}", ctx), ctx)
        return Refinement(rewritten_sql=rewritten, solution=prose or f"Rewrote the SQL as asked: {feedback}")

    def suggest(self, ctx: EngineContext, limit: int = 5) -> list[str]:
        text = (
            f"Suggest {limit} varied questions an analyst could ask about these tables; each must be "
            "answerable with one SQL query. Reply with one question per line and nothing else."
        )
        result = self.client.ask(
            "TEXT_GENERATION", text, database_type(ctx.schema.dialect), self.table_schemas("", ctx)
        )
        questions = prompting.clean_questions(result.text, limit)
        if not questions:
            if not result.complete:
                raise EngineError(CUT_OFF)
            raise EngineError(f"Chat2DB suggested no questions: {_shorten(result.text) or '(empty reply)'}")
        return questions

    # -- helpers ------------------------------------------------------------------------------

    def table_schemas(self, text: str, ctx: EngineContext) -> list[str]:
        """DDL of the tables that matter: Chat2DB's matches when a dataset is configured (only those
        that exist here), else our own schema linking."""
        if self.dataset_id and text.strip():
            ddls = []
            for match in self.client.match_tables(text, self.dataset_id):
                table = ctx.schema.table(match.name)
                if table is not None:
                    ddls.append(match.ddl or prompting.table_ddl(ctx, table))
            if ddls:
                return ddls
        return [prompting.table_ddl(ctx, t) for t in prompting.select_tables(ctx, text)]

    def _generate(self, text: str, schemas: list[str], ctx: EngineContext) -> tuple[str, str]:
        db_type = database_type(ctx.schema.dialect)
        error = ""
        for _attempt in range(self.max_repairs + 1):
            result = self.client.ask("NL_2_SQL", text, db_type, schemas)
            sql, prose = extract_sql(result.text)
            if not result.complete and (sql is None or result.text.count("```") % 2 == 1):
                raise EngineError(CUT_OFF)  # nothing usable, or cut inside a code fence
            if sql is None:
                raise EngineError(f"Chat2DB did not return SQL: {_shorten(result.text) or '(empty reply)'}")
            try:
                return self._check(sql, ctx), prose
            except _Invalid as e:
                if not result.complete:
                    raise EngineError(CUT_OFF) from None
                error = str(e)
            text = (
                f"{text}\n\nThis SQL does not work on this database: {error}\n{sql}\n"
                "Fix it using only the tables and columns given, and reply with the complete SQL."
            )
        raise EngineError(f"Chat2DB's SQL does not fit the database: {error}")

    @staticmethod
    def _check(sql: str, ctx: EngineContext) -> str:
        try:
            checked = validate_sql(sql, ctx.schema)
            ctx.db.execute(checked, limit=1)
        except (SqlValidationError, SqlError) as e:
            raise _Invalid(str(e)) from None
        return checked


def _with_context(question: str, ctx: EngineContext) -> str:
    """The question, preceded by earlier turns and the knowledge base when there are any."""
    parts = []
    turns = [t for t in ctx.history[-prompting.HISTORY_TURNS :] if t.sql]
    if turns:
        lines = [f"- {t.question}\n  SQL: {t.sql}" for t in turns]
        intro = "Earlier questions in this conversation (the new one may refer to them):"
        parts.append("\n".join([intro, *lines]))
    knowledge = prompting.knowledge_sections(ctx.knowledge)
    if knowledge:
        parts.append(knowledge)
    if not parts:
        return question
    return "\n\n".join([*parts, f"Question: {question}"])
