"""Prompts for chat-completion models, and tolerant parsing of what they reply.

The system prompt carries the dialect, the data summary, CREATE TABLE-like DDL annotated with the
summary's (user-editable) descriptions and frequent values, and the knowledge base: instructions as
rules, term sheets as a glossary, few-shot pairs as examples. Earlier turns of the session go in as
user/assistant message pairs so follow-ups read naturally. Replies are asked for as one JSON object;
fenced JSON, a bare ```sql block or plain SQL are accepted too.
"""

from __future__ import annotations

import json
import re
from typing import Any

from c2q_tui.local import charts
from c2q_tui.local.engines.base import Assumption, EngineContext, KnowledgeItem, Mode
from c2q_tui.local.schema import SchemaInfo, TableInfo

ALL_TABLES_MAX = 15  # up to this many tables (or ALL_COLUMNS_MAX columns) the whole schema goes in
ALL_COLUMNS_MAX = 200
LINKED_TABLES_MAX = 10
HISTORY_TURNS = 5
DESCRIPTION_MAX = 160

_CHARTS = {"bar": "BarChart", "line": "LineChart", "pie": "PieChart", "table": "Table"}
_INTENTS: dict[str, charts.Intent] = {"PieChart": "share", "LineChart": "trend", "Table": "table"}
DIALECT_NAMES = {"sqlite": "SQLite", "mysql": "MySQL", "postgres": "PostgreSQL", "duckdb": "DuckDB"}

_ANSWER_FORMAT = """Reply with one JSON object and nothing else:
{"clarified_task": "<the question restated as a precise task>",
 "assumptions": [{"concept": "<term from the question>", "explanation": "<how you interpreted it>"}],
 "sql": "<one SQL statement>",
 "chart": {"chart_name": "BarChart" | "LineChart" | "PieChart" | "Table", "x": "<result column>",
           "y": "<result column>"} or null}"""

_BREAKDOWN_FORMAT = """If the question asks for several different things, split it into 2 to 5 sub-tasks
and add "breakdown": [{"clarified_task": ..., "assumptions": [...], "sql": ..., "chart": ...}, ...]
(the top-level "sql" may then be null). A question about one thing gets one "sql" and no breakdown."""


class NotSql(ValueError):
    """The model replied with prose (a refusal or an explanation) instead of SQL."""


def dialect_name(dialect: str) -> str:
    return DIALECT_NAMES.get(dialect, dialect or "SQL")


def _tokens(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


def _summary_table(ctx: EngineContext, name: str) -> dict[str, Any]:
    tables = (ctx.summary or {}).get("tables") or {}
    found = tables.get(name)
    return found if isinstance(found, dict) else {}


def select_tables(ctx: EngineContext, text: str) -> list[TableInfo]:
    """All tables of a small schema; otherwise the ones whose names and descriptions match best,
    plus the tables they reference so joins stay possible."""
    schema = ctx.schema
    if len(schema.tables) <= ALL_TABLES_MAX or sum(len(t.columns) for t in schema.tables) <= ALL_COLUMNS_MAX:
        return list(schema.tables)
    wanted = _tokens(text)
    scored: list[tuple[float, str]] = []
    for t in schema.tables:
        info = _summary_table(ctx, t.name)
        score: float = 3 * len(wanted & _tokens(t.name.replace("_", " ")))
        score += 2 * sum(len(wanted & _tokens(c.name.replace("_", " "))) for c in t.columns)
        score += 0.5 * len(wanted & _tokens(str(info.get("description", ""))))
        scored.append((score, t.name))
    ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
    chosen = [name for score, name in ranked if score > 0][:LINKED_TABLES_MAX]
    if not chosen:  # nothing matches: the largest tables are the likeliest subject
        by_size = sorted(
            schema.tables, key=lambda t: (-(_summary_table(ctx, t.name).get("row_count") or 0), t.name)
        )
        chosen = [t.name for t in by_size[:LINKED_TABLES_MAX]]
    for name in list(chosen):
        table = schema.table(name)
        for fk in table.foreign_keys if table else ():
            if fk.ref_table not in chosen and len(chosen) < LINKED_TABLES_MAX + 5:
                chosen.append(fk.ref_table)
    return [t for t in schema.tables if t.name in chosen]


def _short(text: str, limit: int = DESCRIPTION_MAX) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table_ddl(ctx: EngineContext, table: TableInfo) -> str:
    q = ctx.db.quote
    info = _summary_table(ctx, table.name)
    col_info: dict[str, Any] = info.get("columns") or {}
    lines = [f"-- {_short(info['description'])}"] if info.get("description") else []
    lines.append(f"CREATE TABLE {q(table.name)} (")
    body: list[tuple[str, str]] = []
    for c in table.columns:
        decl = f"  {q(c.name)} {c.type or 'TEXT'}".rstrip()
        if not c.nullable:
            decl += " NOT NULL"
        if table.primary_key == (c.name,):
            decl += " PRIMARY KEY"
        meta = col_info.get(c.name) or {}
        note = _short(meta.get("description", "")) if meta.get("description") else ""
        frequent = [f["value"] for f in meta.get("frequent_values") or [] if isinstance(f, dict)]
        if frequent:
            note += f" [values: {', '.join(repr(v) for v in frequent)}]"
        body.append((decl, note.strip()))
    if len(table.primary_key) > 1:
        body.append((f"  PRIMARY KEY ({', '.join(q(c) for c in table.primary_key)})", ""))
    for fk in table.foreign_keys:
        cols, refs = ", ".join(q(c) for c in fk.columns), ", ".join(q(c) for c in fk.ref_columns)
        body.append((f"  FOREIGN KEY ({cols}) REFERENCES {q(fk.ref_table)} ({refs})", ""))
    for i, (decl, note) in enumerate(body):
        comma = "," if i < len(body) - 1 else ""
        lines.append(f"{decl}{comma}" + (f"  -- {note}" if note else ""))
    lines.append(");")
    return "\n".join(lines)


def _inferred_joins(ctx: EngineContext, names: set[str]) -> list[str]:
    out: dict[str, None] = {}
    for links in ((ctx.summary or {}).get("relationships") or {}).values():
        for link in links if isinstance(links, list) else [links]:
            if isinstance(link, dict) and link.get("inferred") and link.get("referencing_table") in names:
                out.setdefault(
                    f"{link['referencing_table']}.{link['referencing_table_column']} = "
                    f"{link['referenced_table']}.{link['referenced_table_column']}",
                    None,
                )
    return list(out)


def schema_section(ctx: EngineContext, text: str) -> str:
    tables = select_tables(ctx, text)
    parts = [table_ddl(ctx, t) for t in tables]
    joins = _inferred_joins(ctx, {t.name for t in tables})
    if joins:
        parts.append("-- Also joinable (no declared foreign key): " + "; ".join(joins))
    left_out = [t.name for t in ctx.schema.tables if t not in tables]
    if left_out:
        parts.append("-- Other tables, not shown: " + ", ".join(left_out))
    return "\n\n".join(parts)


def knowledge_sections(knowledge: list[KnowledgeItem]) -> str:
    rules, glossary, examples = [], [], []
    for item in knowledge:
        raw = item.raw_data
        if item.kind == "instruction" and raw.get("instruction"):
            rules.append(f"- {_short(raw['instruction'], 600)}")
        elif item.kind == "term-sheet" and raw.get("description"):
            terms = raw.get("term")
            names = ", ".join(map(str, terms)) if isinstance(terms, list) else str(terms or "")
            glossary.append(f"- {names}: {_short(raw['description'], 600)}")
        elif item.kind == "few-shot" and raw.get("question") and raw.get("answer"):
            examples.append(f"Question: {raw['question']}\nSQL: {raw['answer']}")
    out = []
    if rules:
        out.append("## Rules\n" + "\n".join(rules))
    if glossary:
        out.append("## Glossary\n" + "\n".join(glossary))
    if examples:
        out.append("## Examples\n" + "\n\n".join(examples))
    return "\n\n".join(out)


def system_prompt(ctx: EngineContext, text: str, task: str) -> str:
    name = dialect_name(ctx.schema.dialect)
    summary = ctx.summary or {}
    parts = [
        f'You are an expert data analyst who writes {name} SQL for the database "{ctx.db.name}". {task}',
        f"Write SQL that runs on {name}. Use only the tables and columns in the schema below. Only read "
        "data: one SELECT statement (WITH ... SELECT is fine). Filter on the values shown in the schema, "
        "use single quotes for strings, and add ORDER BY and LIMIT for 'top' questions.",
    ]
    if summary.get("summary"):
        about = _short(str((summary.get("description") or {}).get("user") or ""), 400)
        parts.append("## Database\n" + str(summary["summary"]) + (f"\n{about}" if about else ""))
    parts.append("## Schema\n" + schema_section(ctx, text))
    knowledge = knowledge_sections(ctx.knowledge)
    if knowledge:
        parts.append(knowledge)
    return "\n\n".join(parts)


def _history(ctx: EngineContext) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = []
    for turn in ctx.history[-HISTORY_TURNS:]:
        if turn.sql:
            reply = {"clarified_task": turn.clarified_task, "sql": turn.sql}
            messages += [
                {"role": "user", "content": turn.question},
                {"role": "assistant", "content": json.dumps(reply)},
            ]
    return messages


def answer_messages(question: str, ctx: EngineContext, mode: Mode) -> list[dict[str, str]]:
    task = (
        "Turn the user's questions into SQL. If a question cannot be answered from this database, "
        'reply {"error": "<why, in one sentence>"}.'
    )
    fmt = _ANSWER_FORMAT + ("\n" + _BREAKDOWN_FORMAT if mode == "auto_breakdown" else "")
    context = " ".join([question, *(t.question for t in ctx.history[-2:])])
    system = system_prompt(ctx, context, task) + "\n\n## Reply format\n" + fmt
    return [{"role": "system", "content": system}, *_history(ctx), {"role": "user", "content": question}]


def refine_messages(sql: str, feedback: str, ctx: EngineContext) -> list[dict[str, str]]:
    task = "Rewrite SQL statements as the user asks, changing nothing else."
    fmt = (
        'Reply with one JSON object and nothing else: {"rewritten_sql": "<the SQL>", '
        '"solution": "<what you changed and why, in one or two sentences>"}'
    )
    system = system_prompt(ctx, f"{sql} {feedback}", task) + "\n\n## Reply format\n" + fmt
    user = f"SQL:\n```sql\n{sql}\n```\nFeedback: {feedback}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def suggest_messages(ctx: EngineContext, limit: int) -> list[dict[str, str]]:
    task = (
        f"Suggest {limit} varied questions an analyst could ask about this data; each must be "
        "answerable with one SQL query over this schema."
    )
    fmt = 'Reply with one JSON object and nothing else: {"questions": ["<question>", ...]}'
    system = system_prompt(ctx, "", task) + "\n\n## Reply format\n" + fmt
    return [{"role": "system", "content": system}, {"role": "user", "content": f"Suggest {limit} questions."}]


def repair_message(error: str) -> str:
    return (
        f"That SQL is not valid here: {error}\nFix it using only the tables and columns in the schema, "
        "and reply with the complete JSON object again."
    )


# -- replies -----------------------------------------------------------------------------------

_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)
_FENCE = re.compile(r"```([a-zA-Z]*)[ \t]*\n?(.*?)```", re.S)
_SQL_START = re.compile(r"^\s*(SELECT|WITH)\b", re.I)


def _json_value(text: str) -> Any:
    """The first JSON object or array in the text, whole or fenced, or None."""
    fenced = [body.strip() for lang, body in _FENCE.findall(text) if lang.lower() in ("", "json")]
    candidates = [text.strip(), *fenced]
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            pass
    decoder = json.JSONDecoder()
    for m in re.finditer(r"[{\[]", text):
        try:
            return decoder.raw_decode(text[m.start() :])[0]
        except ValueError:
            continue
    return None


def _sql_text(text: str) -> str | None:
    for lang, body in _FENCE.findall(text):
        if lang.lower() == "sql" or (not lang and _SQL_START.match(body)):
            return str(body).strip()
    return text.strip() if _SQL_START.match(text) else None


def parse_reply(text: str) -> dict[str, Any]:
    """The reply as a dict with at least one of sql / breakdown / rewritten_sql / error / questions."""
    text = _THINK.sub("", text).strip()
    value = _json_value(text)
    if isinstance(value, dict):
        for alias in ("query", "sql_query"):
            if alias in value and "sql" not in value:
                value["sql"] = value[alias]
        if any(value.get(k) for k in ("sql", "breakdown", "rewritten_sql", "error", "questions")):
            return value
    sql = _sql_text(text)
    if sql:
        return {"sql": sql}
    raise NotSql(text)


_NUMBERING = re.compile(r"^\s*(?:[-*•]|\d+[.)]|Q\d+[:.)]|\(\d+\))\s*", re.I)


def clean_questions(text: str, limit: int) -> list[str]:
    """Questions from a JSON list (or {"questions": [...]}) or from prose, without numbering or dupes."""
    text = _THINK.sub("", text)
    value = _json_value(text)
    if isinstance(value, dict):
        value = value.get("questions") or value.get("suggestions") or []
    if isinstance(value, list):
        lines = [str(v) for v in value]
    else:  # prose: keep the lines that ask something, not the chatter around them
        lines = text.splitlines()
        asking = [line for line in lines if line.strip().rstrip("*").endswith("?")]
        lines = asking or lines
    out: dict[str, str] = {}
    for line in lines:
        q = _NUMBERING.sub("", line).strip().strip("\"'`").strip()
        q = re.sub(r"^\*\*(.*)\*\*$", r"\1", q).strip()
        if len(q) > 3 and not q.endswith(":") and q.lower() not in out:
            out[q.lower()] = q
    return list(out.values())[:limit]


def assumptions_from(raw: Any) -> list[Assumption]:
    out = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and (item.get("concept") or item.get("explanation")):
            concept, explanation = str(item.get("concept", "")), str(item.get("explanation", ""))
            out.append(Assumption(concept=concept, explanation=explanation))
        elif isinstance(item, str) and item.strip():
            out.append(Assumption(concept=item.strip(), explanation=""))
    return out


def chart_from(raw: Any, columns: list[str], title: str) -> tuple[dict[str, Any] | None, charts.Intent]:
    """chart_options from the model's hint, if it names real result columns; else the backend picks."""
    if not isinstance(raw, dict):
        return None, "auto"
    kind = str(raw.get("chart_name") or raw.get("type") or "").lower().removesuffix("chart").strip(" _")
    name = _CHARTS.get(kind)
    intent = _INTENTS.get(name or "", "auto")
    if name is None:
        return None, "auto"
    if name == "Table":
        return charts.table(title, columns), intent
    nested = raw.get("option")
    option: dict[str, Any] = nested if isinstance(nested, dict) else raw
    by_lower = {c.lower(): c for c in columns}
    x, y = option.get("x"), option.get("y")
    ys = y if isinstance(y, list) else [y]
    if (
        not isinstance(x, str)
        or x.lower() not in by_lower
        or not ys
        or not all(isinstance(v, str) and v.lower() in by_lower for v in ys)
    ):
        return None, intent
    y_cols = [by_lower[str(v).lower()] for v in ys]
    return {
        "chart_name": name,
        "title": title,
        "option": {"x": by_lower[x.lower()], "y": y_cols if isinstance(y, list) else y_cols[0]},
    }, intent


def schema_names(schema: SchemaInfo) -> str:
    return ", ".join(schema.table_names[:30]) + (" ..." if len(schema.tables) > 30 else "")
