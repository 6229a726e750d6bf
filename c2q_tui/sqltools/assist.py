"""Explain / optimize / convert for a panel: one async entry point per action, any provider.

A provider turns an `AssistRequest` into text chunks as they arrive:

- `OfflineProvider`: the sqlglot cores (explain.py, optimize.py with the database's plan when there is a
  connection, convert.py), in a worker thread; the whole text comes as one chunk. TiDB Cloud profiles
  use it, so explaining a TiDB Cloud answer costs no API request.
- `OpenAIProvider`: an OpenAI-compatible chat completion with `stream: true` (a server that answers with
  one JSON completion instead works too), grounded with the tables' DDL and the offline analysis.
- `Chat2DBProvider`: Chat2DB's SQL_EXPLAIN / SQL_OPTIMIZER / SQL_2_SQL (`destSqlType`) through
  prompt_a + chat_a, streamed as the SSE chunks arrive.

Every failure is an `AssistError` with one line to show; chunks already yielded stay valid (a stream cut
off halfway yields what came, then raises). Nothing here imports Textual.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import httpx
from pydantic import SecretStr

from c2q_tui.local.engines import DEFAULT_LLM_BASE_URL, DEFAULT_LLM_MODEL
from c2q_tui.local.engines.base import EngineError
from c2q_tui.local.engines.chat2db import CUT_OFF, Chat2DBClient, QuestionType, database_type, extract_sql
from c2q_tui.local.engines.sse import SseParser, chunk_text
from c2q_tui.sqltools.common import dialect_label, first_line
from c2q_tui.sqltools.convert import Target, convert_sql, sqlglot_dialect, target
from c2q_tui.sqltools.explain import explain_sql
from c2q_tui.sqltools.optimize import optimize_sql

if TYPE_CHECKING:
    from c2q_tui.config import Profile
    from c2q_tui.local.database import Database

Action = Literal["explain", "optimize", "convert"]
ACTIONS: tuple[Action, ...] = ("explain", "optimize", "convert")
ProviderKind = Literal["offline", "openai", "chat2db"]
_QUESTION_TYPES: dict[Action, QuestionType] = {
    "explain": "SQL_EXPLAIN",
    "optimize": "SQL_OPTIMIZER",
    "convert": "SQL_2_SQL",
}


class AssistError(Exception):
    """The action failed; the message is one line for the panel (never an API key)."""


@dataclass(frozen=True)
class AssistRequest:
    action: Action
    sql: str
    dialect: str = "mysql"  # what the SQL is written in: a sqlglot dialect, or "tidb"
    target: str | None = None  # convert: a key or name from convert.TARGETS
    db: Database | None = None  # a connection: plans for optimize, table DDL for the models

    @property
    def read(self) -> str:
        return sqlglot_dialect(self.dialect)

    def goal(self) -> Target:
        if not self.target:
            raise AssistError("choose a dialect to convert to")
        try:
            return target(self.target)
        except ValueError as e:
            raise AssistError(str(e)) from None


class Provider(Protocol):
    @property
    def kind(self) -> ProviderKind: ...

    @property
    def label(self) -> str:
        """For the panel title, e.g. "Chat2DB" or "gpt-4o-mini (OpenAI-compatible)"."""
        ...

    def stream(self, request: AssistRequest) -> AsyncGenerator[str, None]: ...


# -- entry points -----------------------------------------------------------------------------


def explain(
    sql: str, provider: Provider, *, dialect: str = "mysql", db: Database | None = None
) -> AsyncGenerator[str, None]:
    """The explanation of `sql`, chunk by chunk."""
    return provider.stream(AssistRequest("explain", sql, dialect, db=db))


def optimize(
    sql: str, provider: Provider, *, dialect: str = "mysql", db: Database | None = None
) -> AsyncGenerator[str, None]:
    """Optimization advice for `sql` (with the database's plan when `db` is given), chunk by chunk."""
    return provider.stream(AssistRequest("optimize", sql, dialect, db=db))


def convert(
    sql: str, to: str, provider: Provider, *, dialect: str = "mysql", db: Database | None = None
) -> AsyncGenerator[str, None]:
    """`sql` converted to the dialect `to` (see convert.TARGETS), chunk by chunk."""
    return provider.stream(AssistRequest("convert", sql, dialect, target=to, db=db))


async def run(
    request: AssistRequest, provider: Provider, on_chunk: Callable[[str], None] | None = None
) -> str:
    """The whole answer; `on_chunk` sees each piece as it arrives (callback style for the TUI)."""
    parts = []
    async with aclosing(provider.stream(request)) as chunks:
        async for piece in chunks:
            parts.append(piece)
            if on_chunk is not None:
                on_chunk(piece)
    return "".join(parts)


def sql_in(text: str) -> str | None:
    """The SQL statement in a model's answer (e.g. a conversion), or None."""
    return extract_sql(text)[0]


def provider_for(profile: Profile, *, env: Mapping[str, str] | None = None) -> Provider:
    """The provider a profile's actions use: its engine's model, else offline (TiDB Cloud included)."""
    environ = os.environ if env is None else env
    if profile.kind == "local" and profile.engine == "openai":
        key = environ.get(profile.llm_api_key_env)
        return OpenAIProvider(
            profile.llm_base_url or DEFAULT_LLM_BASE_URL,
            profile.llm_model or DEFAULT_LLM_MODEL,
            SecretStr(key) if key else None,
        )
    if profile.kind == "local" and profile.engine == "chat2db":
        key = environ.get(profile.chat2db_api_key_env)
        return Chat2DBProvider(
            profile.chat2db_api_base, SecretStr(key) if key else None, api_key_env=profile.chat2db_api_key_env
        )
    return OfflineProvider()


# -- offline ------------------------------------------------------------------------------------


def offline_text(request: AssistRequest) -> str:
    """The offline answer (blocking: optimize may run EXPLAIN on `request.db`)."""
    if request.action == "explain":
        return explain_sql(request.sql, request.read).text
    if request.action == "optimize":
        return optimize_sql(request.sql, request.read, db=request.db).text
    return convert_sql(request.sql, request.read, request.goal()).text


class OfflineProvider:
    kind: ProviderKind = "offline"
    label = "offline (sqlglot)"

    async def stream(self, request: AssistRequest) -> AsyncGenerator[str, None]:
        if request.action == "convert":
            request.goal()  # a clear AssistError for a missing or unknown target
        try:
            text = await asyncio.to_thread(offline_text, request)
        except AssistError:
            raise
        except Exception as e:  # e.g. the database went away while reading its schema
            raise AssistError(f"offline {request.action} failed: {first_line(e)}") from None
        yield text


# -- context for the models ----------------------------------------------------------------------


def _schema_ddl(request: AssistRequest) -> str:
    """CREATE TABLE statements of the tables the SQL reads, when there is a connection."""
    if request.db is None:
        return ""
    import sqlglot
    from sqlglot.errors import SqlglotError

    from c2q_tui.local.database import SqlError
    from c2q_tui.local.engines.base import EngineContext
    from c2q_tui.local.engines.prompting import table_ddl
    from c2q_tui.sqltools.common import query_tables

    try:
        schema = request.db.schema()
        names = query_tables(sqlglot.parse_one(request.sql, read=request.read))
    except (SqlError, SqlglotError, ValueError):
        return ""
    ctx = EngineContext(db=request.db, schema=schema)
    tables = [t for n in names if (t := schema.table(n)) is not None]
    return "\n\n".join(table_ddl(ctx, t) for t in tables)


def _table_schemas(request: AssistRequest) -> list[str]:
    ddl = _schema_ddl(request)
    return ddl.split("\n\n") if ddl else []


def chat_messages(request: AssistRequest) -> list[dict[str, str]]:
    """The chat for an OpenAI-compatible model (blocking: reads the schema and, for optimize, the plan)."""
    source = dialect_label(request.dialect)
    if request.action == "explain":
        task = (
            f"Explain what this {source} query does, in plain English for an analyst: first one sentence "
            "on the question it answers, then the tables, joins, filters, grouping, ordering and limits. "
            "Be concise and do not rewrite the query."
        )
        context = ""
    elif request.action == "optimize":
        task = (
            f"Suggest concrete optimizations for this {source} query: indexes to create, filters or joins "
            "to rewrite, and why. Base them on the plan and findings below; reply as a short list."
        )
        context = "Offline analysis (sqlglot and the database's plan):\n" + offline_text(request)
    else:
        goal = request.goal()
        task = (
            f"Convert this {source} query to {goal.name}. Reply with the converted SQL in one ```sql block, "
            "then list anything that does not translate exactly."
        )
        context = f"sqlglot's conversion, for reference:\n{convert_sql(request.sql, request.read, goal).text}"
    user = f"```sql\n{request.sql.strip()}\n```"
    ddl = _schema_ddl(request)
    if ddl:
        user += f"\n\nTables:\n{ddl}"
    if context:
        user += f"\n\n{context}"
    system = f"You are a senior database engineer. {task}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


# -- OpenAI-compatible ---------------------------------------------------------------------------


class OpenAIProvider:
    kind: ProviderKind = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: SecretStr | None = None,
        *,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.label = f"{model} (OpenAI-compatible)"
        self._api_key = api_key
        self._transport = transport

    def _scrub(self, text: str) -> str:
        key = self._api_key.get_secret_value() if self._api_key else ""
        return text.replace(key, "***") if key else text

    async def stream(self, request: AssistRequest) -> AsyncGenerator[str, None]:
        messages = await asyncio.to_thread(chat_messages, request)
        body = {"model": self.model, "messages": messages, "temperature": 0, "stream": True}
        headers = {"Authorization": f"Bearer {self._api_key.get_secret_value()}"} if self._api_key else {}
        where = f"the language model at {self.base_url}"
        try:
            async with (
                httpx.AsyncClient(timeout=self.timeout, transport=self._transport) as client,
                client.stream(
                    "POST", f"{self.base_url}/chat/completions", json=body, headers=headers
                ) as resp,
            ):
                if resp.status_code >= 400:
                    await resp.aread()
                    raise AssistError(
                        f"{where} answered HTTP {resp.status_code}: {self._scrub(_detail(resp))}"
                    )
                if "text/event-stream" not in resp.headers.get("content-type", ""):
                    await resp.aread()  # not streamed: one whole completion
                    yield _whole_completion(resp, where)
                    return
                parser = SseParser()
                async for line in resp.aiter_lines():
                    event = parser.feed(line)
                    if event is None:
                        continue
                    if event.done:
                        return
                    try:
                        piece = chunk_text(json.loads(event.data))
                    except ValueError:
                        continue
                    if piece:
                        yield piece
        except httpx.TimeoutException:
            raise AssistError(f"{where} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as e:
            raise AssistError(
                f"cannot reach {where}: {self._scrub(first_line(e) or type(e).__name__)}"
            ) from None


def _detail(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return first_line(resp.text)[:200] or resp.reason_phrase
    err = data.get("error", data.get("detail", data.get("message"))) if isinstance(data, dict) else None
    if isinstance(err, dict):
        err = err.get("message")
    return first_line(str(err))[:200] if err else resp.reason_phrase


def _whole_completion(resp: httpx.Response, where: str) -> str:
    try:
        text = chunk_text(resp.json())
    except ValueError:
        raise AssistError(f"{where} returned a response that is not JSON") from None
    if not text.strip():
        raise AssistError(f"{where} returned an empty answer")
    return text


# -- Chat2DB --------------------------------------------------------------------------------------


class _Stopped(Exception):
    """The reader of the stream went away; ends the worker thread's read."""


class Chat2DBProvider:
    kind: ProviderKind = "chat2db"
    label = "Chat2DB"

    def __init__(
        self,
        api_base: str,
        api_key: SecretStr | None,
        *,
        api_key_env: str = "C2Q_CHAT2DB_API_KEY",
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_base = api_base
        self.api_key_env = api_key_env
        self.timeout = timeout
        self._api_key = api_key
        self._transport = transport

    async def stream(self, request: AssistRequest) -> AsyncGenerator[str, None]:
        dest = request.goal().chat2db if request.action == "convert" else None
        schemas = await asyncio.to_thread(_table_schemas, request)
        client = Chat2DBClient(
            self.api_base, api_key=self._api_key, api_key_env=self.api_key_env, timeout=self.timeout,
            transport=self._transport,
        )  # fmt: skip
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stopped = threading.Event()

        def post(item: tuple[str, Any]) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is gone (the app quit): nobody is listening any more
                stopped.set()

        def on_chunk(piece: str) -> None:
            if stopped.is_set():
                raise _Stopped
            post(("chunk", piece))

        def work() -> None:
            # A daemon thread, not asyncio.to_thread: a reader that goes away must not hold up shutdown
            # while the blocking read waits for its timeout.
            try:
                result = client.ask(
                    _QUESTION_TYPES[request.action],
                    request.sql.strip(),
                    database_type(request.read),
                    schemas,
                    dest_sql_type=dest,
                    on_chunk=on_chunk,
                )
                outcome: tuple[str, Any] = ("end", result.complete)
            except _Stopped:
                outcome = ("end", True)
            except EngineError as e:
                outcome = ("error", str(e))
            except Exception as e:  # a bug must reach the panel, not vanish with the thread
                outcome = ("error", f"Chat2DB request failed: {first_line(e)}")
            finally:
                client.close()
            post(outcome)

        threading.Thread(target=work, name="chat2db-assist", daemon=True).start()
        try:
            while True:
                kind, value = await queue.get()
                if kind == "chunk":
                    yield value
                elif kind == "error":
                    raise AssistError(value)
                else:
                    if not value:
                        raise AssistError(CUT_OFF)
                    return
        finally:
            stopped.set()
