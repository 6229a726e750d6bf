"""Optimization advice for one query, offline: sqlglot's optimizer, a read of the query's filters, and
(when there is a connection) the database's own plan and indexes.

Findings say what happens ("full scan of stock_quote_histories (67,860 rows); an index on
(stock_symbol, record_date) exists but the filter on close can't use it"); suggestions say what to do
(an index to create, a filter to rewrite). The optimizer's rewrite is offered only when one of its
substantive rules changed the query, with what it did. Never raises: unparseable or non-query SQL
gives an `Optimization` whose `error` says why.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer import RULES

from c2q_tui.local import sqlguard
from c2q_tui.local.database import Database, SqlError
from c2q_tui.local.schema import SchemaInfo
from c2q_tui.sqltools import plans
from c2q_tui.sqltools.common import dialect_label, first_line, is_statement, statement_arg
from c2q_tui.sqltools.filters import Filter, aliases_of, conjuncts, find_filters, table_scopes

BIG_TABLE = 10_000  # rows from which reading everything is worth a remark
_EFFECTS = {
    "pushdown_projections": "dropped columns nothing uses",
    "normalize": "normalised the boolean logic",
    "unnest_subqueries": "turned a subquery into a join",
    "pushdown_predicates": "moved filters next to the tables they apply to",
    "optimize_joins": "reordered the joins",
    "eliminate_subqueries": "turned nested subqueries into common table expressions",
    "merge_subqueries": "merged derived tables into the outer query",
    "eliminate_joins": "removed a join that does not change the result",
    "eliminate_ctes": "removed unused common table expressions",
    "simplify": "simplified conditions and expressions",
}


@dataclass(frozen=True)
class Optimization:
    sql: str
    dialect: str
    findings: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    rewritten: str | None = None  # sqlglot's optimized query, when it changed something of substance
    rewrite_notes: tuple[str, ...] = ()  # what the optimizer did
    plan: plans.Plan | None = None
    error: str | None = None

    @property
    def text(self) -> str:
        if self.error:
            return self.error
        parts = []
        if self.findings:
            parts.append("Findings\n" + "\n".join(f"- {f}" for f in self.findings))
        if self.suggestions:
            parts.append("Suggestions\n" + "\n".join(f"- {s}" for s in self.suggestions))
        if not parts:
            parts.append(
                "Nothing to improve found: the query reads only what it needs, as far as this can tell."
            )
        if self.rewritten:
            did = _and(list(self.rewrite_notes)) or "rewrote the query"
            parts.append(f"sqlglot's optimizer {did}:\n{self.rewritten}")
        if self.plan and self.plan.lines:
            parts.append(f"Plan ({self.plan.title})\n" + "\n".join(f"  {line}" for line in self.plan.lines))
        return "\n\n".join(parts)


def optimize_sql(
    sql: str, dialect: str = "mysql", *, db: Database | None = None, schema: SchemaInfo | None = None
) -> Optimization:
    """Advice for `sql` (in the sqlglot `dialect`); with `db`, its plan and indexes too. Blocking."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        return Optimization(sql, dialect, error="There is no SQL to optimize.")
    try:
        trees = [t for t in sqlglot.parse(text, read=dialect) if t is not None]
    except SqlglotError as e:
        label = dialect_label(dialect)
        return Optimization(
            sql, dialect, error=f"This SQL could not be parsed as {label}: {first_line(e).rstrip('.')}."
        )
    if len(trees) != 1:
        return Optimization(sql, dialect, error="Optimize works on one statement at a time.")
    tree = trees[0]
    if not is_statement(tree):
        return Optimization(sql, dialect, error=f"This does not look like a SQL statement: {text[:60]}")
    if not isinstance(tree, exp.Query):
        return Optimization(
            sql, dialect, error=f"Only queries can be optimized here, not {tree.key.upper()}."
        )
    if db is not None and schema is None:
        try:
            schema = db.schema()
        except SqlError:
            schema = None
    findings: list[str] = []
    suggestions: list[str] = []
    rewritten, notes = _rewrite(tree, dialect, schema, findings)
    aliases = aliases_of(tree)
    filters = find_filters(tree, schema, dialect)
    _lint(tree, filters, findings, suggestions)
    plan = None
    if db is not None:
        try:
            plan = plans.database_plan(db, text)
        except (SqlError, sqlguard.SqlGuardError) as e:
            findings.append(f"the database could not plan this query: {first_line(e)}")
        else:
            _read_plan(plan, db, tree, schema, aliases, filters, findings, suggestions)
    _filter_advice(filters, suggestions)
    return Optimization(
        sql,
        dialect,
        tuple(dict.fromkeys(findings)),
        tuple(dict.fromkeys(suggestions)),
        rewritten,
        notes,
        plan,
    )


# -- sqlglot's optimizer --------------------------------------------------------------------------


def _mapping(schema: SchemaInfo | None, dialect: str) -> dict[str, dict[str, str]] | None:
    if schema is None:
        return None
    out: dict[str, dict[str, str]] = {}
    for t in schema.tables:
        cols = {}
        for c in t.columns:
            try:  # a type sqlglot can't read would make the whole schema unusable
                exp.DataType.build(c.type or "TEXT", dialect=dialect)
                cols[c.name] = c.type or "TEXT"
            except (SqlglotError, ValueError):
                cols[c.name] = "UNKNOWN"
        out[t.name] = cols
    return out


def _rewrite(
    tree: exp.Expr, dialect: str, schema: SchemaInfo | None, findings: list[str]
) -> tuple[str | None, tuple[str, ...]]:
    """Apply sqlglot's rules one by one, noting which substantive ones changed the query."""
    mapping = _mapping(schema, dialect)
    options = {
        "schema": mapping,
        "dialect": dialect,
        "identify": False,
        "validate_qualify_columns": mapping is not None,
    }
    current = tree.copy()
    changed: list[str] = []
    before, shape, size = "", _shape(current), 0
    for rule in RULES:
        name = getattr(rule, "__name__", "")
        accepted = inspect.signature(rule).parameters
        try:
            current = rule(current, **{k: v for k, v in options.items() if k in accepted})
        except SqlglotError as e:
            if name == "qualify":
                findings.append(f"sqlglot could not resolve the query against the schema: {first_line(e)}")
            return None, ()
        except Exception:  # the optimizer has rough edges on exotic SQL; advice goes on without it
            return None, ()
        after, new_shape = current.sql(dialect=dialect), _shape(current)
        if name == "qualify":
            size = _size(current)  # the baseline: the query as written, only qualified
        # only changes of substance count: not swapped operands, nor BETWEEN spelled as two comparisons
        substantive = new_shape != shape or (name == "simplify" and _size(current) < size)
        if before and after != before and name in _EFFECTS and substantive:
            changed.append(_EFFECTS[name])
        before, shape = after, new_shape
    if not changed:
        return None, ()
    return current.sql(dialect=dialect, pretty=True), tuple(dict.fromkeys(changed))


def _shape(tree: exp.Expr) -> tuple[object, ...]:
    """What a rewrite of substance changes: the SELECTs, joins, CTEs, columns, and which columns each
    SELECT filters on (WHERE and ON together: moving a filter into an inner join's ON is no news)."""
    selects = list(tree.find_all(exp.Select))
    filters = []
    for s in selects:
        conditions = [w.this] if (w := statement_arg(s, "where")) is not None else []
        conditions += [j.args["on"] for j in s.args.get("joins") or [] if j.args.get("on") is not None]
        filters.append(frozenset().union(*(_columns_of(c) for c in conditions)))
    return (
        len(selects),
        sum(len(s.args.get("joins") or []) for s in selects),
        len(list(tree.find_all(exp.CTE))),
        tuple(len(s.expressions) for s in selects),
        tuple(filters),
    )


def _columns_of(condition: exp.Expr) -> frozenset[str]:
    """Which columns a condition tests (not how: BETWEEN and two comparisons are the same filter)."""
    return frozenset(c.name.lower() for part in conjuncts(condition) for c in part.find_all(exp.Column))


def _size(tree: exp.Expr) -> int:
    return sum(1 for _ in tree.walk())


# -- the query itself -----------------------------------------------------------------------------


def _lint(tree: exp.Expr, filters: list[Filter], findings: list[str], suggestions: list[str]) -> None:
    for select in tree.find_all(exp.Select):
        if any(isinstance(p, exp.Star) for p in select.expressions) and statement_arg(select, "from"):
            suggestions.append("name the columns you need instead of SELECT *: less data is read and sent")
        for join in select.args.get("joins") or []:
            # sqlglot reads `FROM a, b` as a CROSS JOIN too: both pair every row unless WHERE links them
            if not (join.args.get("on") or join.args.get("using")):
                where = statement_arg(select, "where")
                if where is None or not _links(where, join):
                    findings.append(
                        f"{join.this.sql()} is joined without a condition: every row is paired with every "
                        "row (a cartesian product)"
                    )
        if select.args.get("distinct") and statement_arg(select, "group"):
            suggestions.append("DISTINCT is redundant with GROUP BY: the groups are already distinct")
        for sub in select.expressions:
            if sub.find(exp.Subquery):
                suggestions.append(
                    "a subquery in the select list runs once per row: join the table and aggregate instead"
                )
                break
        order = statement_arg(select, "order")
        if order and select is not tree and not statement_arg(select, "limit"):
            suggestions.append("an ORDER BY inside a subquery without LIMIT has no effect: remove it")
    for node in tree.find_all(exp.Not):
        if isinstance(node.this, exp.In) and node.this.args.get("query") is not None:
            suggestions.append(
                "NOT IN (subquery) returns nothing if the subquery yields a NULL and is often slow: "
                "use NOT EXISTS"
            )
    for union in tree.find_all(exp.Union):
        if union.args.get("distinct") is not False:
            suggestions.append(
                "UNION removes duplicates with an extra sort: use UNION ALL if the parts can't overlap"
            )


def _links(where: exp.Expr, join: exp.Join) -> bool:
    alias = join.this.alias_or_name.lower()
    for eq in where.find_all(exp.EQ):
        sides = [eq.this, eq.expression]
        if all(isinstance(s, exp.Column) for s in sides) and any(
            s.table.lower() == alias for s in sides if isinstance(s, exp.Column)
        ):
            return True
    return False


def _filter_advice(filters: list[Filter], suggestions: list[str]) -> None:
    """Without a plan: what in the filters would keep any index from being used."""
    for f in filters:
        if not f.usable and f.advice:
            suggestions.append(f.advice)


# -- the database's plan --------------------------------------------------------------------------


def _read_plan(
    plan: plans.Plan,
    db: Database,
    tree: exp.Expr,
    schema: SchemaInfo | None,
    aliases: dict[str, str],
    filters: list[Filter],
    findings: list[str],
    suggestions: list[str],
) -> None:
    aggregated = any(isinstance(n, exp.AggFunc) for n in tree.walk())
    limited = statement_arg(tree, "limit") is not None
    scopes = table_scopes(tree)
    seen: dict[str, int] = {}
    for access in plan.accesses:
        table = aliases.get(access.table.lower(), access.table)
        if table.startswith("(") or (schema is not None and schema.table(table) is None):
            continue  # a CTE or subquery the plan reads back: its own tables are in the plan too
        # the n-th access to a table in the plan belongs to the n-th SELECT reading it (UNION parts)
        nth = seen[table] = seen.get(table, -1) + 1
        where = scopes.get(table, [])
        scope = where[nth] if nth < len(where) else None
        if access.kind == "index":
            how = f" ({access.detail})" if access.detail else ""
            findings.append(f"{table} is read through {_index_name(access.index)}{how}")
            continue
        counted = plans.table_rows(db, table)  # exact where cheap; else the planner's estimate
        rows = counted if counted is not None else access.rows
        about = "" if counted is not None else "about "
        size = f" ({about}{rows:,} rows)" if rows is not None else ""
        if db.backend == "duckdb":
            findings.append(
                f"DuckDB reads {table}{size} with a sequential scan, which is normal for a column store; "
                "filters are applied during the scan"
            )
            continue
        indexes = plans.table_indexes(db, table) + _rowid_index(db, schema, table)
        own = [f for f in filters if f.table == table and (scope is None or f.scope == scope)]
        via = f" through {_index_name(access.index)}" if access.index else ""
        head = f"full scan of {table}{size}{via}"
        if not own:
            findings.append(f"{head}: no condition narrows it down, so every row is read")
            if rows is not None and rows >= BIG_TABLE and not aggregated and not limited:
                suggestions.append(
                    f"add a WHERE condition or a LIMIT if you don't need all {rows:,} rows of {table}"
                )
            continue
        findings.append(f"{head}; {_why_scanned(own, indexes)}")
        _index_suggestions(table, own, indexes, rows, suggestions)
    findings.extend(plan.notes)


def _index_name(index: str | None) -> str:
    if not index or index == "the primary key":
        return "the primary key"
    if index.startswith("sqlite_autoindex_"):
        return "the primary key / unique index"
    return f"the index {index}"


def _rowid_index(db: Database, schema: SchemaInfo | None, table: str) -> list[tuple[str, tuple[str, ...]]]:
    """SQLite's INTEGER PRIMARY KEY is the rowid: an index PRAGMA index_list does not show."""
    info = schema.table(table) if schema else None
    if db.backend != "sqlite" or info is None or len(info.primary_key) != 1:
        return []
    column = info.column(info.primary_key[0])
    return [("rowid", info.primary_key)] if column and column.type.upper() == "INTEGER" else []


def _describe_indexes(indexes: list[tuple[str, tuple[str, ...]]]) -> str:
    shown = [f"({', '.join(cols)})" for _, cols in indexes if cols][:3]
    if not shown:
        return "it has no index"
    return f"an index on {shown[0]} exists" if len(shown) == 1 else f"indexes on {_and(shown)} exist"


def _leading(indexes: list[tuple[str, tuple[str, ...]]]) -> set[str]:
    return {cols[0].lower() for _, cols in indexes if cols}


def _why_scanned(own: list[Filter], indexes: list[tuple[str, tuple[str, ...]]]) -> str:
    leading = _leading(indexes)
    reasons: list[str] = []
    plain = [f.column for f in own if f.usable and f.column.lower() not in leading]
    if plain:
        names = _and(list(dict.fromkeys(plain)))
        if indexes:
            reasons.append(f"{_describe_indexes(indexes)} but the filter on {names} can't use it")
        else:
            reasons.append(f"it has no index, so the filter on {names} checks every row")
    for f in own:
        if not f.usable:
            reasons.append(f"the filter {f.text} can't use an index: {f.why}")
    indexed = [f.column for f in own if f.usable and f.column.lower() in leading]
    if indexed and not reasons:
        reasons.append(
            f"an index on {_and(list(dict.fromkeys(indexed)))} exists but the planner preferred a full scan "
            "(the filter probably matches too many rows)"
        )
    return "; ".join(dict.fromkeys(reasons))


def _index_suggestions(
    table: str,
    own: list[Filter],
    indexes: list[tuple[str, tuple[str, ...]]],
    rows: int | None,
    suggestions: list[str],
) -> None:
    leading = _leading(indexes)
    wanted = [f for f in own if f.usable and f.column.lower() not in leading]
    equal = list(dict.fromkeys(f.column for f in wanted if f.equality))
    ranged = [f.column for f in wanted if not f.equality and f.column not in equal][:1]
    columns = equal + ranged
    if columns:
        name = f"idx_{table}_{'_'.join(columns)}"
        instead = f" instead of reading all {rows:,} rows" if rows else ""
        suggestions.append(
            f"CREATE INDEX {name} ON {table} ({', '.join(columns)}) would let the filter on "
            f"{_and(columns)} use an index{instead}"
        )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}" if items else ""
