"""The row filters of a query, each judged by whether an index on its column could serve it.

A filter compares a bare column with values (`close > 100`, `sector IN (...)`): an index can serve it.
It can't when the column is wrapped in a function or arithmetic (`strftime('%Y', record_date) = '2024'`),
when a LIKE pattern starts with a wildcard, when it is negative, or when it is one side of an OR across
different columns. Those filters carry a concrete rewrite as `advice` where one exists (a year test
becomes a date range).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlglot import exp

from c2q_tui.local.schema import SchemaInfo
from c2q_tui.sqltools.common import statement_arg

_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike, exp.Is)


@dataclass(frozen=True)
class Filter:
    table: str | None  # the real table the column belongs to, when it can be told
    column: str
    usable: bool  # an index on the column could serve this filter
    equality: bool = False  # =, IN, IS NULL: the column can lead a composite index
    text: str = ""  # the condition, as SQL
    why: str = ""  # why an index can't serve it
    advice: str = ""  # how to rewrite it so one can
    scope: int = 0  # which SELECT of the statement it belongs to (see `table_scopes`)


def aliases_of(tree: exp.Expr) -> dict[str, str]:
    """alias (or name), lower-cased -> real table name, for every table in the statement."""
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    out: dict[str, str] = {}
    for t in tree.find_all(exp.Table):
        if isinstance(t.this, exp.Identifier) and not (not t.db and t.name.lower() in ctes):
            out[t.alias_or_name.lower()] = t.name
            out.setdefault(t.name.lower(), t.name)
    return out


def _selects(tree: exp.Expr) -> list[exp.Select]:
    return list(tree.find_all(exp.Select, bfs=False))  # document order, like the plans list them


def table_scopes(tree: exp.Expr) -> dict[str, list[int]]:
    """real table name -> the SELECTs (by `Filter.scope`) that read it, in document order."""
    out: dict[str, list[int]] = {}
    for i, select in enumerate(_selects(tree)):
        for name in dict.fromkeys(_local_tables(select).values()):
            out.setdefault(name, []).append(i)
    return out


def find_filters(tree: exp.Expr, schema: SchemaInfo | None, dialect: str = "") -> list[Filter]:
    out: list[Filter] = []
    for scope, select in enumerate(_selects(tree)):
        local = _local_tables(select)
        conditions: list[exp.Expr] = []
        where = statement_arg(select, "where")
        if where is not None:
            conditions.append(where.this)
        conditions += [j.args["on"] for j in select.args.get("joins") or [] if j.args.get("on") is not None]
        for condition in conditions:
            for part in conjuncts(condition):
                out += [replace(f, scope=scope) for f in _judge(part, local, schema, dialect)]
    return list({(f.table, f.column.lower(), f.text, f.scope): f for f in out}.values())


def _local_tables(select: exp.Select) -> dict[str, str]:
    sources = []
    from_ = statement_arg(select, "from")
    if from_ is not None:
        sources.append(from_.this)
    sources += [j.this for j in select.args.get("joins") or []]
    return {t.alias_or_name.lower(): t.name for t in sources if isinstance(t, exp.Table)}


def conjuncts(node: exp.Expr) -> list[exp.Expr]:
    node = node.unnest()
    if isinstance(node, exp.And):
        return [p for part in node.flatten() for p in conjuncts(part)]
    return [node]


def _owner(col: exp.Column, local: dict[str, str], schema: SchemaInfo | None) -> str | None:
    if col.table:
        return local.get(col.table.lower())
    if schema is not None:
        owners = [name for name in local.values() if (t := schema.table(name)) and t.column(col.name)]
        return owners[0] if len(owners) == 1 else None
    return next(iter(local.values())) if len(set(local.values())) == 1 else None


def _columns(node: exp.Expr) -> list[exp.Column]:
    """Columns of this condition, not those of a subquery inside it (judged with their own SELECT)."""
    out = []
    for c in node.find_all(exp.Column):
        up: exp.Expr | None = c
        while up is not None and up is not node and not isinstance(up, exp.Query):
            up = up.parent
        if up is node and not isinstance(c.this, exp.Star):
            out.append(c)
    return out


def _judge(part: exp.Expr, local: dict[str, str], schema: SchemaInfo | None, dialect: str) -> list[Filter]:
    text = " ".join(part.sql(dialect=dialect or None).split())
    if isinstance(part, exp.Or):
        cols = {(c.table.lower(), c.name.lower()): c for c in _columns(part)}
        if len(cols) <= 1:  # `a = 1 OR a = 2` is an IN list in disguise
            return [
                Filter(
                    _owner(c, local, schema),
                    c.name,
                    True,
                    all(isinstance(p, exp.EQ) for p in part.flatten()),
                    text,
                )
                for c in cols.values()
            ]
        advice = f"split `{_short(text)}` into a UNION ALL of queries that can each use an index"
        why = "it is one side of an OR across different columns"
        return [
            Filter(_owner(c, local, schema), c.name, False, text=text, why=why, advice=advice)
            for c in cols.values()
        ]
    if isinstance(part, exp.Not):
        return [
            Filter(
                _owner(c, local, schema),
                c.name,
                False,
                text=text,
                why="a negative condition matches most rows",
            )
            for c in _columns(part)
        ]
    if not isinstance(part, (*_COMPARISONS, exp.Between, exp.In)):
        return []
    subject: exp.Expr = part.this
    values = [v for k, v in part.args.items() if k != "this" and isinstance(v, exp.Expr)]
    values += [v for v in part.expressions]
    if not _columns(subject) and isinstance(part, exp.Binary) and _columns(part.expression):
        subject, values = part.expression, [part.this]  # `100 < close`
    if any(_columns(v) for v in values) or (part.args.get("query") is not None and not _columns(subject)):
        return []  # a join condition, or a correlation
    if isinstance(subject, exp.Column):
        return [_plain(part, subject, _owner(subject, local, schema), text)]
    inner = _columns(subject)
    if len(inner) != 1:
        return []
    col = inner[0]
    why = f"{col.sql()} is wrapped in {_short(subject.sql(dialect=dialect or None), 40)}"
    return [
        Filter(
            _owner(col, local, schema),
            col.name,
            False,
            text=text,
            why=why,
            advice=_unwrap_advice(part, subject, col, text),
        )
    ]


def _plain(part: exp.Expr, col: exp.Column, table: str | None, text: str) -> Filter:
    if isinstance(part, exp.NEQ) or part.args.get("negate"):
        return Filter(table, col.name, False, text=text, why="a negative condition matches most rows")
    if isinstance(part, exp.ILike):
        why = "ILIKE ignores case, which a plain index can't serve"
        return Filter(table, col.name, False, text=text, why=why)
    if isinstance(part, exp.Like):
        pattern = part.expression
        if isinstance(pattern, exp.Literal) and pattern.is_string and pattern.this[:1] in ("%", "_"):
            advice = (
                f"`{_short(text)}` starts with a wildcard, so it reads every row: match a prefix "
                "('abc%') or use a full-text index"
            )
            return Filter(
                table,
                col.name,
                False,
                text=text,
                why="the LIKE pattern starts with a wildcard",
                advice=advice,
            )
    equality = isinstance(part, exp.EQ | exp.Is) or (
        isinstance(part, exp.In) and part.args.get("query") is None
    )
    return Filter(table, col.name, True, equality, text)


def _unwrap_advice(part: exp.Expr, subject: exp.Expr, col: exp.Column, text: str) -> str:
    name = col.sql()
    other = part.expression if isinstance(part, exp.EQ) and part.this is subject else None
    year = re.fullmatch(r"'?(\d{4})'?", other.sql()) if isinstance(other, exp.Literal) else None
    if year and is_year_of(subject):
        y = int(year.group(1))
        return (
            f"write `{_short(text)}` as `{name} >= '{y}-01-01' AND {name} < '{y + 1}-01-01'` "
            f"so an index on {col.name} can be used"
        )
    return (
        f"compare {name} itself (for example as a range) instead of `{_short(text)}`, "
        f"so an index on {col.name} can be used"
    )


def is_year_of(node: exp.Expr) -> bool:
    if isinstance(node, exp.Year):
        return True
    if isinstance(node, exp.Extract):
        return str(node.this.name).upper() == "YEAR"
    if isinstance(node, exp.TimeToStr):
        fmt = node.args.get("format")
        return isinstance(fmt, exp.Literal) and fmt.this in ("%Y", "YYYY", "yyyy")
    return False


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
