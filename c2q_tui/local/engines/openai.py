"""NL-to-SQL through any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp).

Every SQL statement the model proposes is checked before it is returned: it must parse in the
database's dialect, be one read statement, reference only tables and columns that exist, and run
(read-only, one row). A failure goes back to the model as a repair request, at most `max_repairs`
times; then the engine gives up with the last error as the reason.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
import sqlglot
from pydantic import SecretStr
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import Scope, traverse_scope

from c2q_tui.local import sqlguard
from c2q_tui.local.database import SqlError
from c2q_tui.local.engines import prompting
from c2q_tui.local.engines.base import (
    Answer,
    Breakdown,
    EngineContext,
    EngineError,
    Mode,
    Refinement,
)
from c2q_tui.local.schema import SchemaInfo, TableInfo

T = TypeVar("T")

_SYSTEM_SCHEMAS = {"information_schema", "pg_catalog"}
_SYSTEM_TABLES = {"sqlite_master", "sqlite_schema", "sqlite_sequence", "dual"}
_PSEUDO_COLUMNS = {"rowid", "oid", "_rowid_"}
_WRITES = {"INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATETABLE", "INTO"}
_KEY_PATTERN = re.compile(r"\b(sk|key|token)-[A-Za-z0-9_\-]{6,}")


class SqlValidationError(ValueError):
    """The SQL does not fit the database; the message is what the model is asked to fix."""


# -- validation --------------------------------------------------------------------------------


def validate_sql(sql: str, schema: SchemaInfo) -> str:
    """The statement (no trailing semicolon) if it is one read over known tables and columns."""
    try:
        c = sqlguard.classify(sql, schema.dialect)
    except sqlguard.SqlGuardError as e:
        raise SqlValidationError(str(e)) from None
    if c.kind != "read":
        if c.statement in _WRITES:
            raise SqlValidationError(f"{c.statement} changes data; write one SELECT statement instead")
        raise SqlValidationError(f"not a SELECT statement: {_shorten(c.sql, 80)}")
    try:
        tree = sqlglot.parse_one(c.sql, read=schema.dialect)
    except SqlglotError as e:
        raise SqlValidationError(f"could not parse SQL: {str(e).splitlines()[0]}") from None
    problems = _unknown_tables(tree, schema) or _unknown_columns(tree, schema)
    if problems:
        raise SqlValidationError("; ".join(list(dict.fromkeys(problems))[:5]))
    return c.sql


def _hint(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name.lower(), [c.lower() for c in choices], n=2, cutoff=0.6)
    named = [c for c in choices if c.lower() in close]
    return f"; did you mean {' or '.join(repr(c) for c in named)}?" if named else ""


def _real_table(table: exp.Table, schema: SchemaInfo) -> TableInfo | None:
    """The schema table behind a FROM item, or None for system tables and table functions."""
    if not isinstance(table.this, exp.Identifier):
        return None
    if table.db.lower() in _SYSTEM_SCHEMAS or table.name.lower() in _SYSTEM_TABLES:
        return None
    return schema.table(table.name)


def _unknown_tables(tree: exp.Expr, schema: SchemaInfo) -> list[str]:
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    problems = []
    for t in tree.find_all(exp.Table):
        if not isinstance(t.this, exp.Identifier) or (not t.db and t.name.lower() in ctes):
            continue
        if (
            _real_table(t, schema) is None
            and t.db.lower() not in _SYSTEM_SCHEMAS
            and t.name.lower() not in _SYSTEM_TABLES
        ):
            names = schema.table_names
            hint = _hint(t.name, names) or f"; tables: {prompting.schema_names(schema)}"
            problems.append(f"unknown table {t.name!r}{hint}")
    return problems


def _outputs(scope: Scope) -> set[str] | None:
    """Column names a CTE / derived table produces, or None when unknown (SELECT *)."""
    alias = scope.expression.parent.args.get("alias") if scope.expression.parent else None
    if isinstance(alias, exp.TableAlias) and alias.columns:
        return {c.name.lower() for c in alias.columns}
    names = [n.lower() for n in getattr(scope.expression, "named_selects", [])]
    return None if "*" in names or "" in names else set(names)


def _chain(scope: Scope) -> Iterator[Scope]:
    s: Scope | None = scope
    while s is not None:
        yield s
        s = s.parent


def _aliases(scope: Scope, col: exp.Column) -> set[str]:
    if not isinstance(scope.expression, exp.Select):
        return set()
    owner = col.find_ancestor(exp.Alias)
    return {
        e.alias.lower() for e in scope.expression.expressions if isinstance(e, exp.Alias) and e is not owner
    }


def _check_column(col: exp.Column, scope: Scope, schema: SchemaInfo) -> str | None:
    name = col.name
    if not name or isinstance(col.this, exp.Star):
        return None
    qualifier = col.table
    if qualifier:
        for s in _chain(scope):
            source = next((v for k, v in s.sources.items() if k.lower() == qualifier.lower()), None)
            if source is not None:
                break
        else:
            if any(
                isinstance(v, exp.Table) and (t := _real_table(v, schema)) and t.column(qualifier)
                for s in _chain(scope)
                for v in s.sources.values()
            ):
                return None  # struct field access on a column, not a table
            return f"unknown table or alias {qualifier!r} in {col.sql()}"
        if isinstance(source, exp.Table):
            table = _real_table(source, schema)
            if table is None or table.column(name):
                return None
            hint = _hint(name, [c.name for c in table.columns])
            return f"unknown column {name!r} in table {table.name}{hint}"
        outputs = _outputs(source)
        if outputs is None or name.lower() in outputs:
            return None
        return f"unknown column {name!r} in {qualifier}"
    if name.lower() in _aliases(scope, col) or name.lower() in _PSEUDO_COLUMNS:
        return None
    in_scope: list[str] = []
    tables: dict[str, None] = {}
    for s in _chain(scope):
        for source in s.sources.values():
            if isinstance(source, exp.Table):
                table = _real_table(source, schema)
                if table is None or table.column(name):
                    return None
                in_scope += [c.name for c in table.columns]
                tables.setdefault(table.name, None)
            else:
                outputs = _outputs(source)
                if outputs is None or name.lower() in outputs:
                    return None
                in_scope += sorted(outputs)
    elsewhere = [t.name for t in schema.tables if t.column(name)]
    hint = f"; it is a column of {', '.join(elsewhere)}" if elsewhere else _hint(name, in_scope)
    if not hint and isinstance(col.this, exp.Identifier) and col.this.quoted:
        hint = "; write string values in single quotes"
    where = f" in table{'s' if len(tables) > 1 else ''} {', '.join(tables)}" if tables else ""
    return f"unknown column {name!r}{where}{hint}"


def _unknown_columns(tree: exp.Expr, schema: SchemaInfo) -> list[str]:
    try:
        scopes = traverse_scope(tree)
    except SqlglotError:
        return []  # a construct sqlglot can't scope: the test run will still catch real errors
    problems = []
    seen: set[int] = set()
    # Innermost scopes come first. A parent scope lists its subqueries' unqualified columns again
    # (as possibly correlated), so each column is judged once, where it is written.
    for scope in scopes:
        for col in scope.columns:
            if id(col) in seen:
                continue
            seen.add(id(col))
            problem = _check_column(col, scope, schema)
            if problem:
                problems.append(problem)
    return problems


# -- the engine --------------------------------------------------------------------------------


class _Invalid(Exception):
    """A proposed statement failed validation or its test run; the model gets to repair it."""


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class OpenAIEngine:
    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: SecretStr | None = None,
        *,
        timeout: float = 60,
        max_repairs: int = 2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.model = model
        self.timeout = timeout
        self.max_repairs = max_repairs
        self._api_key = api_key
        url = httpx.URL(base_url)
        port = f":{url.port}" if url.port else ""
        self.base_url = f"{url.scheme}://{url.host}{port}{url.path.rstrip('/')}"  # no credentials or query
        self._json_mode = True  # dropped for servers that reject response_format
        self._client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return f"OpenAIEngine(base_url={self.base_url!r}, model={self.model!r}, api_key={key})"

    def close(self) -> None:
        self._client.close()

    # -- Engine protocol ----------------------------------------------------------------------

    def answer(self, question: str, ctx: EngineContext, mode: Mode) -> Answer | Breakdown:
        messages = prompting.answer_messages(question, ctx, mode)
        return self._converse(messages, lambda reply: self._answer_from(reply, ctx, mode, question))

    def refine(self, sql: str, feedback: str, ctx: EngineContext) -> Refinement:
        def build(reply: dict[str, Any]) -> Refinement:
            rewritten = reply.get("rewritten_sql") or reply.get("sql")
            if not isinstance(rewritten, str) or not rewritten.strip():
                raise _Invalid('the reply has no "rewritten_sql"')
            checked, _ = self._check(rewritten, ctx)
            solution = reply.get("solution") or reply.get("explanation") or f"Rewrote the SQL: {feedback}"
            return Refinement(rewritten_sql=checked, solution=str(solution))

        return self._converse(prompting.refine_messages(sql, feedback, ctx), build)

    def suggest(self, ctx: EngineContext, limit: int = 5) -> list[str]:
        content, _ = self._chat(prompting.suggest_messages(ctx, limit))
        questions = prompting.clean_questions(content, limit)
        if not questions:
            raise EngineError(f"the model suggested no questions: {_shorten(content) or '(empty reply)'}")
        return questions

    # -- conversation with repairs ------------------------------------------------------------

    def _converse(self, messages: list[dict[str, str]], build: Callable[[dict[str, Any]], T]) -> T:
        error = ""
        for _attempt in range(self.max_repairs + 1):
            content, finish = self._chat(messages)
            try:
                reply = prompting.parse_reply(content)
            except prompting.NotSql:
                if finish == "length":
                    raise EngineError("the model's answer was cut off before it was complete") from None
                said = _shorten(content) or "(empty reply)"
                raise EngineError(f"the model did not return SQL: {said}") from None
            if reply.get("error") and not (reply.get("sql") or reply.get("breakdown")):
                raise EngineError(f"the model could not answer: {_shorten(str(reply['error']))}")
            try:
                return build(reply)
            except _Invalid as e:
                error = str(e)
            messages = [
                *messages,
                {"role": "assistant", "content": content},
                {"role": "user", "content": prompting.repair_message(error)},
            ]
        raise EngineError(f"no valid SQL after {self.max_repairs} repair attempts: {error}")

    def _check(self, sql: str, ctx: EngineContext) -> tuple[str, list[str]]:
        """Validated SQL and its result columns (from a read-only, one-row test run)."""
        try:
            checked = validate_sql(sql, ctx.schema)
            result = ctx.db.execute(checked, limit=1)
        except (SqlValidationError, SqlError) as e:
            raise _Invalid(str(e)) from None
        return checked, result.columns

    def _task(self, item: dict[str, Any], ctx: EngineContext, fallback_task: str) -> Answer:
        sql = item.get("sql")
        if not isinstance(sql, str) or not sql.strip():
            raise _Invalid('the reply has no "sql"')
        checked, columns = self._check(sql, ctx)
        task = str(item.get("clarified_task") or fallback_task)
        chart, intent = prompting.chart_from(item.get("chart"), columns, task)
        return Answer(
            sql=checked,
            clarified_task=task,
            assumptions=prompting.assumptions_from(item.get("assumptions")),
            description=str(item.get("description") or ""),
            chart=chart,
            chart_intent=intent,
        )

    def _answer_from(
        self, reply: dict[str, Any], ctx: EngineContext, mode: Mode, question: str
    ) -> Answer | Breakdown:
        parts = [p for p in reply.get("breakdown") or [] if isinstance(p, dict)]
        task = str(reply.get("clarified_task") or question)
        if mode == "auto_breakdown" and len(parts) > 1:
            subs, errors = [], []
            for i, part in enumerate(parts, 1):
                try:
                    subs.append(self._task(part, ctx, task))
                except _Invalid as e:
                    errors.append(f"sub-task {i}: {e}")
            if errors:
                raise _Invalid("; ".join(errors))
            return Breakdown(
                clarified_task=task,
                sub_tasks=subs,
                assumptions=prompting.assumptions_from(reply.get("assumptions")),
                description=str(reply.get("description") or ""),
            )
        if not reply.get("sql") and parts:  # a one-part breakdown, or one in direct mode
            return self._task(parts[0], ctx, task)
        return self._task(reply, ctx, question)

    # -- HTTP ---------------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        if self._api_key and self._api_key.get_secret_value():
            text = text.replace(self._api_key.get_secret_value(), "***")
        return _KEY_PATTERN.sub(r"\1-***", text)

    def _chat(self, messages: list[dict[str, str]]) -> tuple[str, str]:
        """(content, finish_reason) of the first choice; EngineError with one clear line otherwise."""
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0}
        if self._json_mode:
            body["response_format"] = {"type": "json_object"}
        headers = {"Authorization": f"Bearer {self._api_key.get_secret_value()}"} if self._api_key else {}
        where = f"the language model at {self.base_url}"
        try:
            resp = self._client.post("chat/completions", json=body, headers=headers)
        except httpx.TimeoutException:
            raise EngineError(f"{where} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as e:
            detail = self._scrub(_shorten(str(e) or type(e).__name__, 120))
            raise EngineError(f"cannot reach {where}: {detail}") from None
        if resp.status_code in (400, 422) and self._json_mode and "response_format" in resp.text:
            self._json_mode = False
            return self._chat(messages)
        if resp.status_code >= 400:
            raise EngineError(f"{where} answered HTTP {resp.status_code}: {self._scrub(_error_detail(resp))}")
        try:
            data = resp.json()
        except ValueError:
            status = resp.status_code
            raise EngineError(f"{where} returned a response that is not JSON (HTTP {status})") from None
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            raise EngineError(f"{where} returned an unexpected response (no choices)") from None
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str) or not content.strip():
            refusal = message.get("refusal") if isinstance(message, dict) else None
            if refusal:
                raise EngineError(f"the model refused: {_shorten(str(refusal))}")
            raise EngineError(f"{where} returned an empty answer")
        return content, str(choice.get("finish_reason") or "")


def _error_detail(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return _shorten(resp.text) or resp.reason_phrase
    if isinstance(data, dict):
        err = data.get("error", data.get("detail", data.get("message")))
        if isinstance(err, dict):
            err = err.get("message")
        if err:
            return _shorten(str(err))
    return resp.reason_phrase
