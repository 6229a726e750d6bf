"""Statement classification with sqlglot, so a read-only key can never change data.

Only plain reads pass as read-only: SELECT / set operations / DESCRIBE / SHOW, with no data-modifying
expression anywhere inside (Postgres allows DELETE in a CTE; SELECT ... INTO creates a table).
Anything sqlglot cannot classify is treated as a write: refusing a read is safer than running a write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

# sqlglot logs a warning for each statement it falls back to parsing as a Command; we classify those
# as writes ourselves, so the warning is noise in the server log.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_READ_ROOTS: tuple[type[exp.Expression], ...] = (exp.Select, exp.SetOperation, exp.Describe, exp.Show)
_WRITE_NODES: tuple[type[exp.Expression], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Into,
    exp.Command,
)


class SqlGuardError(ValueError):
    """The statement can't run as asked; the message says why, in one line."""


@dataclass(frozen=True)
class Classified:
    sql: str  # the single statement, without a trailing semicolon
    kind: Literal["read", "write"]
    statement: str  # e.g. "SELECT", "DELETE"


def classify(sql: str, dialect: str) -> Classified:
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise SqlGuardError("empty SQL statement")
    try:
        statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except SqlglotError as e:
        first = str(e).splitlines()[0] if str(e) else "syntax error"
        raise SqlGuardError(f"could not parse SQL: {first}") from None
    if not statements:
        raise SqlGuardError("empty SQL statement")
    if len(statements) > 1:
        raise SqlGuardError("only one SQL statement can run at a time")
    tree = statements[0]
    writer = tree if isinstance(tree, _WRITE_NODES) else tree.find(*_WRITE_NODES)
    if isinstance(tree, _READ_ROOTS) and writer is None:
        return Classified(sql=text, kind="read", statement=tree.key.upper())
    node = writer or tree
    name = node.this if isinstance(node, exp.Command) and isinstance(node.this, str) else node.key
    return Classified(sql=text, kind="write", statement=name.upper())


def check(sql: str, dialect: str, *, allow_write: bool) -> Classified:
    """Classify and refuse writes when they are not allowed."""
    c = classify(sql, dialect)
    if c.kind == "write" and not allow_write:
        raise SqlGuardError(
            f"{c.statement} is not allowed with a read-only key: only SELECT statements can run"
        )
    return c
