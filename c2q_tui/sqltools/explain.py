"""Explain a SQL statement in plain English from its sqlglot syntax tree, with no model and no database.

The explanation walks the query the way a person reads it: temporary results (WITH) first, then where
the rows come from, how tables are joined, which rows are kept, how they are grouped and summarised,
what is returned, the order and the row limit. Conditions are phrased as sentences ("sector is
'Technology'", "company_name starts with 'A'"); anything without a phrasing is shown as SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from c2q_tui.sqltools.common import dialect_label, first_line, is_statement, query_tables, statement_arg
from c2q_tui.sqltools.phrasing import Phrases, and_list

_MAX_COLUMNS = 8
_RANKING: dict[type[exp.Expr], str] = {
    exp.RowNumber: "the row's position",
    exp.Rank: "the rank",
    exp.DenseRank: "the dense rank",
}
_AGGREGATES: dict[type[exp.Expr], str] = {
    exp.Sum: "the total of {}",
    exp.Avg: "the average of {}",
    exp.Min: "the smallest {}",
    exp.Max: "the largest {}",
}


@dataclass(frozen=True)
class Explanation:
    text: str  # paragraphs of sentences, separated by blank lines
    tables: tuple[str, ...] = ()  # the tables the statement reads or changes
    parsed: bool = True  # False: the SQL could not be parsed and `text` says why


def explain_sql(sql: str, dialect: str = "mysql") -> Explanation:
    """Plain-English explanation of `sql` (written in the sqlglot `dialect`); never raises."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        return Explanation("There is no SQL to explain.", parsed=False)
    try:
        statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except SqlglotError as e:
        return Explanation(
            f"This SQL could not be parsed as {dialect_label(dialect)}: {first_line(e).rstrip('.')}. "
            "Check the syntax, or pick the dialect it is written in.",
            parsed=False,
        )
    if not statements:
        return Explanation("There is no SQL to explain.", parsed=False)
    if not all(is_statement(t) for t in statements):
        shown = text if len(text) <= 60 else text[:59] + "…"
        return Explanation(f"This does not look like a SQL statement: {shown}", parsed=False)
    paragraphs = [f"This script has {len(statements)} statements."] if len(statements) > 1 else []
    tables: dict[str, None] = {}
    for i, tree in enumerate(statements, 1):
        lead = f"Statement {i}" if len(statements) > 1 else "This statement"
        paragraphs.append(_Explainer(dialect).statement(tree, lead))
        tables.update(dict.fromkeys(query_tables(tree)))
    return Explanation("\n\n".join(paragraphs), tuple(tables))


class _Explainer(Phrases):
    # -- statements ---------------------------------------------------------------------------

    def statement(self, tree: exp.Expr, lead: str) -> str:
        if isinstance(tree, exp.Query):
            return " ".join(self.query(tree, "This query" if lead == "This statement" else lead))
        if isinstance(tree, exp.Insert):
            target = self.sql(tree.this.this if isinstance(tree.this, exp.Schema) else tree.this)
            source = tree.expression
            if isinstance(source, exp.Values):
                how = f"{len(source.expressions)} row(s) of literal values"
                return f"{lead} inserts {how} into {target}; it changes data."
            if isinstance(source, exp.Query):
                inner = " ".join(self.query(source, "The rows come from a query that"))
                return f"{lead} inserts rows into {target}; it changes data. {inner}"
            return f"{lead} inserts rows into {target}; it changes data."
        if isinstance(tree, exp.Update):
            sets = and_list(
                [
                    f"{self.sql(e.this)} to {self.sql(e.expression)}"
                    for e in tree.expressions
                    if isinstance(e, exp.EQ)
                ]
            )
            where = statement_arg(tree, "where")
            scope = (
                f"in rows where {self.condition(where.this)}"
                if where is not None
                else "in every row (no WHERE)"
            )
            return (
                f"{lead} updates {self.sql(tree.this)}, setting {sets or 'columns'} {scope}; it changes data."
            )
        if isinstance(tree, exp.Delete):
            where = statement_arg(tree, "where")
            scope = (
                f"where {self.condition(where.this)}"
                if where is not None
                else "— every row, as there is no WHERE"
            )
            return f"{lead} deletes rows from {self.sql(tree.this)} {scope}; it changes data."
        if isinstance(tree, exp.Create | exp.Drop | exp.Alter):
            verb = {"create": "creates", "drop": "drops", "alter": "alters"}[tree.key]
            kind = str(tree.args.get("kind") or "object").lower()
            name = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
            names = [name] if name is not None else list(tree.args.get("tables") or [])  # DROP TABLE a, b
            return f"{lead} {verb} the {kind} {and_list([self.sql(n) for n in names])}".rstrip() + "."
        if isinstance(tree, exp.Describe):
            return f"{lead} describes {self.sql(tree.this)}: its columns and their types."
        return f"{lead} is a {tree.key.upper()} command, not a query, so there is little to explain."

    # -- queries --------------------------------------------------------------------------------

    def query(self, query: exp.Expr, subject: str) -> list[str]:
        out: list[str] = []
        with_ = statement_arg(query, "with")
        for cte in with_.expressions if with_ is not None else ():
            inner = " ".join(self.query(cte.this, "it"))
            out.append(f"First it defines a temporary result named {cte.alias}: {inner}")
            subject = "Then the main query"
        if isinstance(query, exp.Subquery):
            return out + self.query(query.this, subject)
        if isinstance(query, exp.SetOperation):
            return out + self.set_operation(query, subject)
        if isinstance(query, exp.Select):
            return out + self.select(query, subject)
        return [*out, f"{subject} is {self.sql(query)}."]

    def set_operation(self, node: exp.SetOperation, subject: str) -> list[str]:
        parts: list[exp.Expr] = []

        def flatten(n: exp.Expr) -> None:
            if isinstance(n, type(node)) and n.args.get("distinct") == node.args.get("distinct"):
                flatten(n.this)
                flatten(n.expression)
            else:
                parts.append(n)

        flatten(node)
        distinct = node.args.get("distinct") is not False
        n = len(parts)
        how = {
            exp.Union: f"stacks the rows of {n} queries"
            + (", removing duplicate rows (UNION)" if distinct else ", keeping duplicates (UNION ALL)"),
            exp.Intersect: f"keeps only the rows that all {n} queries return (INTERSECT)",
            exp.Except: f"keeps the rows of the first of {n} queries that the others don't return (EXCEPT)",
        }.get(type(node), f"combines {n} queries with {node.key.upper()}")
        out = [f"{subject} {how}."]
        for i, part in enumerate(parts, 1):
            out.append(f"Query {i}: " + " ".join(self.query(part, "it")))
        return out

    def select(self, select: exp.Select, subject: str) -> list[str]:
        out = [f"{subject} {self.sources(select)}."]
        for join in select.args.get("joins") or []:
            out.append(self.join(join))
        where = statement_arg(select, "where")
        if where is not None:
            out.append(f"It keeps only rows where {self.condition(where.this)}.")
        projections = select.expressions
        aggregates = [p for p in projections if _has_aggregate(p)]
        group = statement_arg(select, "group")
        if group and group.expressions:
            keys = and_list([self.sql(_positional(select, e)) for e in group.expressions])
            computed = and_list([self.describe(p) for p in aggregates])
            per = f", and computes for each group {computed}" if computed else ""
            out.append(f"It groups the rows by {keys}{per}.")
        elif aggregates and not any(p.find(exp.Window) for p in aggregates):
            computed = and_list([self.describe(p) for p in aggregates])
            out.append(f"It summarises all the rows it keeps into one row: {computed}.")
        having = statement_arg(select, "having")
        if having is not None:
            out.append(f"It keeps only the groups where {self.condition(having.this)}.")
        out.append(self.returns(select))
        order = statement_arg(select, "order")
        if order is not None and order.expressions:
            sort_keys = [self.order_key(o) for o in order.expressions]
            out.append(f"It sorts the results by {and_list(sort_keys, 'then')}.")
        limit, offset = statement_arg(select, "limit"), statement_arg(select, "offset")
        count = limit.expression if isinstance(limit, exp.Limit) else None
        if count is not None:
            rows = "1 row" if count.sql() == "1" else f"{self.sql(count)} rows"
            out.append(
                f"It returns at most {rows}"
                + (
                    f", after skipping the first {self.sql(offset.expression)}."
                    if isinstance(offset, exp.Offset)
                    else "."
                )
            )
        elif isinstance(offset, exp.Offset):
            out.append(f"It skips the first {self.sql(offset.expression)} rows.")
        return out

    def source(self, node: exp.Expr) -> str:
        alias = node.alias
        if isinstance(node, exp.Table):
            if node.this is not None and not isinstance(node.this, exp.Identifier):
                return f"the table function {self.sql(node.this, 60)}"
            name = ".".join(p for p in (node.catalog, node.db, node.name) if p)
            return name + (f" (as {alias})" if alias and alias != node.name else "")
        if isinstance(node, exp.Subquery):
            tables = query_tables(node.this)
            over = f" over {and_list(tables)}" if tables else ""
            return f"a subquery{over}" + (f" (as {alias})" if alias else "")
        return self.sql(node, 60)

    def sources(self, select: exp.Select) -> str:
        from_ = statement_arg(select, "from")
        if from_ is None:
            return "computes values without reading any table"
        return f"reads from {self.source(from_.this)}"

    def join(self, join: exp.Join) -> str:
        target = self.source(join.this)
        bare = join.this.name if isinstance(join.this, exp.Table) else target
        side, kind = (join.side or "").upper(), (join.kind or "").upper()
        on, using = join.args.get("on"), join.args.get("using")
        if on is not None:
            how = f"matching rows where {self.condition(on)}"
        elif using:
            how = f"matching rows on {and_list([self.sql(u) for u in using])}"
        else:
            return f"It pairs every row with every row of {target} (a cross join)."
        keep = {
            "LEFT": f"keeping every row from the left even when {bare} has no match",
            "RIGHT": f"keeping every row of {bare} even without a match on the left",
            "FULL": "keeping unmatched rows from both sides",
        }.get(side, "keeping only rows that match on both sides")
        if kind in ("SEMI", "ANTI"):
            keep = "keeping rows that have a match" if kind == "SEMI" else "keeping rows without a match"
        return f"It joins {target}, {how}, {keep}."

    def returns(self, select: exp.Select) -> str:
        items = [self.describe(p) for p in select.expressions]
        shown = items[:_MAX_COLUMNS]
        more = len(items) - len(shown)
        listed = and_list(shown) + (f" and {more} more column{'s' if more > 1 else ''}" if more else "")
        distinct = ", without duplicate rows" if select.args.get("distinct") else ""
        return f"It returns {listed}{distinct}."

    def describe(self, node: exp.Expr) -> str:
        """A result column in words: 'the average of h.close (as avg_close)'."""
        alias = node.alias if isinstance(node, exp.Alias) else ""
        inner = node.this if isinstance(node, exp.Alias) else node
        said = self.term(inner)
        return f"{said} (as {alias})" if alias and alias != said else said

    def term(self, node: exp.Expr) -> str:
        if isinstance(node, exp.Star):
            return "every column"
        if isinstance(node, exp.Column) and isinstance(node.this, exp.Star):
            return f"every column of {node.table}"
        if isinstance(node, exp.Count):
            arg = node.this
            if arg is None or isinstance(arg, exp.Star):
                return "the number of rows"
            if isinstance(arg, exp.Distinct):
                return f"the number of distinct {and_list([self.sql(e) for e in arg.expressions])}"
            return f"the number of rows with a {self.sql(arg)}"
        for kind, phrase in _AGGREGATES.items():
            if isinstance(node, kind):
                return phrase.format(self.sql(node.this))
        if isinstance(node, exp.Window):
            return self.window(node)
        if isinstance(node, exp.Subquery):
            return "the result of a subquery"
        if isinstance(node, exp.Case):
            n = len(node.args.get("ifs") or [])
            return f"a value chosen by a CASE expression ({n} condition{'s' if n != 1 else ''})"
        return self.sql(node)

    def window(self, w: exp.Window) -> str:
        what = _RANKING.get(type(w.this)) or self.term(w.this)
        parts = []
        if w.args.get("partition_by"):
            parts.append("within each " + and_list([self.sql(p) for p in w.args["partition_by"]]))
        order = w.args.get("order")
        if isinstance(order, exp.Order) and order.expressions:
            keys = [self.order_key(o, brief=True) for o in order.expressions]
            parts.append("ordered by " + and_list(keys, "then"))
        return f"{what} computed over a window" + (f" ({', '.join(parts)})" if parts else "")

    def order_key(self, o: exp.Expr, *, brief: bool = False) -> str:
        if not isinstance(o, exp.Ordered):
            return self.sql(o)
        key = self.sql(o.this)
        if isinstance(o.this, exp.Literal) and not o.this.is_string:
            select = o.find_ancestor(exp.Select)
            named = _positional(select, o.this) if select is not None else o.this
            key = self.sql(named) if named is not o.this else f"column {key}"
        if brief:
            return f"{key} descending" if o.args.get("desc") else key
        return f"{key} ({'highest first' if o.args.get('desc') else 'lowest first'})"


def _positional(select: exp.Select, node: exp.Expr) -> exp.Expr:
    """`GROUP BY 1` / `ORDER BY 2` name a result column: that column's alias or expression."""
    if isinstance(node, exp.Literal) and not node.is_string and str(node.this).isdigit():
        i = int(node.this) - 1
        if 0 <= i < len(select.expressions):
            item: exp.Expr = select.expressions[i]
            return exp.to_identifier(item.alias) if item.alias else item.copy()
    return node


def _has_aggregate(node: exp.Expr) -> bool:
    return any(isinstance(n, exp.AggFunc) for n in node.walk())
