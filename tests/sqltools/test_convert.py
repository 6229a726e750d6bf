"""Dialect conversion with sqlglot: targets by name, converted SQL, warnings for what may not carry over."""

from __future__ import annotations

import pytest

from c2q_tui.local.database import Database
from c2q_tui.sqltools import TARGETS, convert_sql, target


def test_targets_have_keys_display_names_and_chat2db_types() -> None:
    names = [t.name for t in TARGETS]
    for wanted in ("MySQL", "TiDB", "PostgreSQL", "SQLite", "DuckDB", "BigQuery", "Snowflake", "SQL Server"):
        assert wanted in names
    assert target("postgresql") == target("PostgreSQL") == target("postgres")
    assert (target("tidb").dialect, target("tidb").chat2db) == ("mysql", "TIDB")
    assert target("mssql").key == "tsql"
    with pytest.raises(ValueError, match="unknown SQL dialect 'cobol'; choose one of: MySQL, TiDB"):
        target("cobol")


def test_sqlite_to_postgres_and_mysql(db: Database) -> None:
    sql = (
        "SELECT strftime('%Y', record_date) AS year, AVG(close) AS avg_close FROM stock_quote_histories "
        "WHERE stock_symbol = 'AAPL' GROUP BY year ORDER BY year LIMIT 3"
    )
    pg = convert_sql(sql, "sqlite", "postgres")
    assert pg.error is None and pg.warnings == ()
    assert pg.sql is not None and "TO_CHAR(CAST(record_date AS TIMESTAMP), 'YYYY') AS year" in pg.sql
    my = convert_sql(sql, "sqlite", "TiDB", pretty=False)
    assert my.sql is not None and my.sql.startswith("SELECT DATE_FORMAT(record_date, '%Y') AS year")
    # converting to the database's own dialect gives SQL that still runs there
    same = convert_sql(sql, "sqlite", "sqlite")
    assert same.sql is not None and same.warnings == ("the SQL is already SQLite: it was only reformatted",)
    assert db.execute(same.sql).rows == db.execute(sql).rows


@pytest.mark.parametrize(
    ("sql", "source", "to", "in_sql", "warning"),
    [
        ("SELECT * FROM t LIMIT 5", "mysql", "tsql", "SELECT TOP 5 *", None),
        ("SELECT * FROM t LIMIT 5", "mysql", "oracle", "FETCH FIRST 5 ROWS ONLY", None),
        ("SELECT ARRAY_AGG(x) FROM t", "postgres", "sqlite", "ARRAY_AGG(x)", "SQLite has no ARRAY_AGG"),
        (
            "SELECT my_udf(x) FROM t",
            "postgres",
            "bigquery",
            "my_udf(x)",
            "MY_UDF() is not a function sqlglot knows",
        ),
        ("SELECT * FROM t WHERE a = 1 FOR UPDATE", "postgres", "sqlite", "SELECT", "not supported in SQLite"),
        ("SELECT GROUP_CONCAT(x SEPARATOR ',') FROM t", "mysql", "snowflake", "LISTAGG(x, ',')", None),
        ("SELECT * FROM t QUALIFY ROW_NUMBER() OVER (ORDER BY a) = 1", "duckdb", "mysql", "_w = 1", None),
    ],
)
def test_conversions_and_warnings(sql: str, source: str, to: str, in_sql: str, warning: str | None) -> None:
    result = convert_sql(sql, source, to, pretty=False)
    assert result.sql is not None and in_sql in result.sql
    if warning is None:
        assert result.warnings == ()
    else:
        assert any(warning in w for w in result.warnings), result.warnings
        assert "Warnings:" in result.text


def test_bad_input_is_a_message_not_a_crash() -> None:
    broken = convert_sql("SELEC FROM", "mysql", "postgres")
    assert broken.sql is None and broken.text.startswith(
        "Could not convert to PostgreSQL: the SQL does not parse"
    )
    assert convert_sql("  ", "mysql", "duckdb").error == "there is no SQL to convert"
    two = convert_sql("SELECT 1; SELECT 2", "mysql", "postgres", pretty=False)
    assert two.sql == "SELECT 1; SELECT 2"
