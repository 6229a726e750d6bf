"""The text of an explain / optimize / convert answer, split for the assist panel: prose, and the SQL in
it (to highlight, copy and put back in the SQL viewer). Pure functions, no widgets.

Answers come in three shapes: a model's Markdown with ```sql fences (OpenAI-compatible, Chat2DB), bare
SQL followed by notes (offline convert, often Chat2DB's SQL_2_SQL), and the offline optimizer's report,
whose rewritten query follows a "sqlglot's optimizer ...:" line. Fences are recognised while the text
is still streaming (an unclosed fence is SQL so far); the other two only once the answer is complete,
since a half-arrived statement would be misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PieceKind = Literal["prose", "sql", "code"]

# fence languages that hold SQL; any other language (```text, ```json) is shown as plain code
SQL_LANGUAGES = frozenset(
    {"", "sql", "mysql", "tidb", "postgres", "postgresql", "pgsql", "sqlite", "duckdb", "bigquery",
     "snowflake", "tsql", "oracle", "plsql", "clickhouse", "redshift", "trino", "spark", "sparksql"}
)  # fmt: skip
_FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*(?:\n|\Z)(.*?)(?:```|\Z)", re.S)
_OPTIMIZED = re.compile(r"^sqlglot's optimizer [^\n]*:\n(.+?)(?=\n\n|\Z)", re.S | re.M)


@dataclass(frozen=True)
class Piece:
    kind: PieceKind
    text: str


def _bare_sql_span(text: str, action: str) -> tuple[int, int] | None:
    """Where the answer's unfenced statement is, for a complete convert or optimize answer."""
    if action == "optimize":
        found = _OPTIMIZED.search(text)
        return found.span(1) if found else None
    if action != "convert":
        return None
    from c2q_tui.sqltools.assist import sql_in

    sql = sql_in(text)
    if not sql:
        return None
    start = text.find(sql)
    return (start, start + len(sql)) if start >= 0 else None


def split_answer(text: str, action: str, *, complete: bool) -> list[Piece]:
    """The answer as prose, SQL and other code pieces, in order (fence markers dropped)."""
    out: list[Piece] = []
    at = 0
    fenced_sql = False
    for match in _FENCE.finditer(text):
        if match.start() > at:
            out.append(Piece("prose", text[at : match.start()]))
        kind: PieceKind = "sql" if match.group(1).lower() in SQL_LANGUAGES else "code"
        fenced_sql = fenced_sql or kind == "sql"
        out.append(Piece(kind, match.group(2)))
        at = match.end()
    if at < len(text):
        out.append(Piece("prose", text[at:]))
    if fenced_sql or not complete:
        return [p for p in out if p.text.strip() or (p.kind == "prose" and p.text)]
    span = _bare_sql_span(text, action) if len(out) == 1 and out[0].kind == "prose" else None
    if span is None:
        return out
    start, end = span
    bare = [Piece("prose", text[:start]), Piece("sql", text[start:end]), Piece("prose", text[end:])]
    return [p for p in bare if p.text]


def answer_sql(text: str, action: str) -> str | None:
    """The statement an optimize or convert answer offers (the first SQL in it), or None."""
    if action not in ("optimize", "convert"):
        return None
    for piece in split_answer(text, action, complete=True):
        if piece.kind == "sql" and piece.text.strip():
            return piece.text.strip()
    return None
