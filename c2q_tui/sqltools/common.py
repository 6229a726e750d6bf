"""Small helpers shared by explain / optimize / convert: dialect names, tables of a tree, args."""

from __future__ import annotations

from sqlglot import exp

from c2q_tui.local.engines.prompting import DIALECT_NAMES

# sqlglot renamed some Select args ("from" -> "from_", "with" -> "with_"); accept both spellings
_OTHER_STATEMENTS = {
    "Describe",
    "Show",
    "Set",
    "Use",
    "Pragma",
    "Transaction",
    "Commit",
    "Rollback",
    "Analyze",
}
_ARG_SPELLINGS = {"from": ("from_", "from"), "with": ("with_", "with")}


def dialect_label(dialect: str) -> str:
    """'PostgreSQL' for 'postgres', 'TiDB' for 'tidb'; the dialect itself when there is no nicer name."""
    from c2q_tui.sqltools.convert import target

    try:
        return target(dialect).name
    except ValueError:
        return DIALECT_NAMES.get(dialect, dialect or "SQL")


def first_line(e: BaseException | str) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else (type(e).__name__ if isinstance(e, BaseException) else "")


def statement_arg(node: exp.Expr, name: str) -> exp.Expr | None:
    for key in _ARG_SPELLINGS.get(name, (name,)):
        value = node.args.get(key)
        if isinstance(value, exp.Expr):
            return value
    return None


def query_tables(tree: exp.Expr) -> list[str]:
    """Names of the real tables a statement touches, in order, without CTE names or duplicates."""
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    out: dict[str, None] = {}
    for t in tree.find_all(exp.Table):
        if isinstance(t.this, exp.Identifier) and not (not t.db and t.name.lower() in ctes):
            out.setdefault(t.name, None)
    return list(out)


def is_statement(tree: exp.Expr) -> bool:
    """False for what sqlglot parses from a typo as a bare expression (`SELEC` is a column)."""
    if isinstance(
        tree, exp.Query | exp.Command | exp.DDL | exp.DML | exp.Drop | exp.Alter | exp.TruncateTable
    ):
        return True
    return type(tree).__name__ in _OTHER_STATEMENTS
