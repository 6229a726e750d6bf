"""Convert SQL between dialects with sqlglot, saying what may not carry over.

Warnings come from three places: sqlglot's own "unsupported" messages while generating, functions
sqlglot does not know (passed through unchanged, so the target may lack them), and a short list of
constructs sqlglot emits as-is although the target has no such thing (ARRAY_AGG on SQLite, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, SqlglotError

from c2q_tui.sqltools.common import dialect_label, first_line


@dataclass(frozen=True)
class Target:
    key: str  # what callers pass, e.g. "postgres"
    name: str  # what people read, e.g. "PostgreSQL"
    dialect: str  # sqlglot dialect
    chat2db: str  # Chat2DB's `destSqlType`


TARGETS: tuple[Target, ...] = (
    Target("mysql", "MySQL", "mysql", "MYSQL"),
    Target("tidb", "TiDB", "mysql", "TIDB"),  # TiDB speaks MySQL
    Target("postgres", "PostgreSQL", "postgres", "POSTGRESQL"),
    Target("sqlite", "SQLite", "sqlite", "SQLITE"),
    Target("duckdb", "DuckDB", "duckdb", "DUCKDB"),
    Target("bigquery", "BigQuery", "bigquery", "BIGQUERY"),
    Target("snowflake", "Snowflake", "snowflake", "SNOWFLAKE"),
    Target("tsql", "SQL Server", "tsql", "SQLSERVER"),
    Target("oracle", "Oracle", "oracle", "ORACLE"),
    Target("clickhouse", "ClickHouse", "clickhouse", "CLICKHOUSE"),
    Target("redshift", "Redshift", "redshift", "REDSHIFT"),
    Target("trino", "Trino", "trino", "TRINO"),
    Target("spark", "Spark SQL", "spark", "SPARK"),
)
_ALIASES = {
    "postgresql": "postgres",
    "pg": "postgres",
    "sqlserver": "tsql",
    "mssql": "tsql",
    "mariadb": "mysql",
}
# Constructs sqlglot passes through although these targets lack them: (node, targets, what to do)
_MISSING: tuple[tuple[type[exp.Expr], frozenset[str], str], ...] = (
    (
        exp.ArrayAgg,
        frozenset({"sqlite", "mysql", "tidb", "tsql", "oracle"}),
        "aggregate into a string instead",
    ),
    (exp.Unnest, frozenset({"sqlite", "mysql", "tidb", "tsql", "oracle"}), "join a numbers table instead"),
    (exp.GenerateSeries, frozenset({"sqlite", "mysql", "tidb", "tsql"}), "use a recursive CTE instead"),
    (exp.Explode, frozenset({"sqlite", "mysql", "tidb", "tsql", "oracle", "postgres"}), "rewrite as a join"),
)


def target(name: str) -> Target:
    """The target called `name` (key, display name or alias, any case); ValueError listing them."""
    wanted = _ALIASES.get(name.strip().lower(), name.strip().lower())
    for t in TARGETS:
        if wanted in (t.key, t.name.lower()):
            return t
    raise ValueError(f"unknown SQL dialect {name!r}; choose one of: {', '.join(t.name for t in TARGETS)}")


def sqlglot_dialect(name: str) -> str:
    """The sqlglot dialect for one of our names ("tidb" -> "mysql"); other names pass through."""
    try:
        return target(name).dialect
    except ValueError:
        return name


@dataclass(frozen=True)
class Conversion:
    target: Target
    sql: str | None  # None when the SQL could not be converted (see `error`)
    warnings: tuple[str, ...] = ()
    error: str | None = None

    @property
    def text(self) -> str:
        """What a panel shows: the converted SQL, then the warnings (or the error)."""
        if self.sql is None:
            return f"Could not convert to {self.target.name}: {self.error}"
        lines = [self.sql]
        if self.warnings:
            lines += ["", "Warnings:", *(f"- {w}" for w in self.warnings)]
        return "\n".join(lines)


def convert_sql(sql: str, source: str, to: str | Target, *, pretty: bool = True) -> Conversion:
    """`sql`, written in `source` (a sqlglot dialect or one of our names), rewritten for `to`."""
    goal = to if isinstance(to, Target) else target(to)
    text = sql.strip().rstrip(";").strip()
    if not text:
        return Conversion(goal, None, error="there is no SQL to convert")
    read = sqlglot_dialect(source)
    try:
        trees = [t for t in sqlglot.parse(text, read=read) if t is not None]
    except SqlglotError as e:
        label = dialect_label(source)
        return Conversion(goal, None, error=f"the SQL does not parse as {label}: {first_line(e)}")
    except ValueError as e:  # an unknown source dialect
        return Conversion(goal, None, error=first_line(e))
    warnings: dict[str, None] = {}
    out = []
    for tree in trees:
        generator = Dialect.get_or_raise(goal.dialect).generator(
            unsupported_level=ErrorLevel.IGNORE, pretty=pretty
        )
        try:
            out.append(generator.generate(tree, copy=True))
        except SqlglotError as e:
            return Conversion(goal, None, error=f"sqlglot cannot write this for {goal.name}: {first_line(e)}")
        for message in generator.unsupported_messages:
            warnings.setdefault(f"{message} in {goal.name}", None)
        for name in sorted({a.name.upper() for a in tree.find_all(exp.Anonymous)}):
            warnings.setdefault(
                f"{name}() is not a function sqlglot knows: check that {goal.name} has it", None
            )
        for kind, targets, advice in _MISSING:
            node = tree.find(kind)
            if node is not None and goal.key in targets:
                what = node.sql_name() if hasattr(node, "sql_name") else kind.__name__.upper()
                warnings.setdefault(f"{goal.name} has no {what}; {advice}", None)
    if read == goal.dialect:
        warnings.setdefault(f"the SQL is already {goal.name}: it was only reformatted", None)
    separator = ";\n\n" if pretty else "; "
    return Conversion(goal, separator.join(out), tuple(warnings))
