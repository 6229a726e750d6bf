"""Offline optimization advice: sqlglot's optimizer, the query's filters, and the database's own plan."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from c2q_tui.local import sqlguard
from c2q_tui.local.database import Database
from c2q_tui.sqltools import optimize_sql
from c2q_tui.sqltools.plans import (
    database_plan,
    parse_duckdb_plan,
    parse_mysql_plan,
    parse_postgres_plan,
    parse_sqlite_plan,
)


def test_full_scan_with_an_index_the_filter_cannot_use(db: Database) -> None:
    result = optimize_sql("SELECT * FROM stock_quote_histories WHERE close > 100", "sqlite", db=db)
    rows = db.query("SELECT COUNT(*) FROM stock_quote_histories")[0][0]
    assert result.error is None and result.plan is not None
    assert result.plan.lines == ["SCAN stock_quote_histories"]
    assert result.findings == (
        f"full scan of stock_quote_histories ({rows:,} rows); indexes on (record_date) and "
        "(stock_symbol, record_date) exist but the filter on close can't use it",
    )
    assert result.suggestions == (
        "name the columns you need instead of SELECT *: less data is read and sent",
        "CREATE INDEX idx_stock_quote_histories_close ON stock_quote_histories (close) would let the "
        f"filter on close use an index instead of reading all {rows:,} rows",
    )
    text = result.text
    assert text.startswith("Findings\n- full scan of stock_quote_histories")
    assert "Plan (SQLite EXPLAIN QUERY PLAN)\n  SCAN stock_quote_histories" in text


def test_a_function_around_an_indexed_column(db: Database) -> None:
    sql = "SELECT record_date, close FROM stock_quote_histories WHERE strftime('%Y', record_date) = '2024'"
    result = optimize_sql(sql, "sqlite", db=db)
    assert any(
        f.startswith("full scan of stock_quote_histories")
        and "the filter STRFTIME('%Y', record_date) = '2024' can't use an index: record_date is wrapped in"
        in f
        for f in result.findings
    ), result.findings
    assert (
        "write `STRFTIME('%Y', record_date) = '2024'` as `record_date >= '2024-01-01' AND record_date < "
        "'2025-01-01'` so an index on record_date can be used"
    ) in result.suggestions
    # and the advice holds: the rewritten filter is served by the index
    better = optimize_sql(
        "SELECT record_date, close FROM stock_quote_histories "
        "WHERE record_date >= '2024-01-01' AND record_date < '2025-01-01'",
        "sqlite",
        db=db,
    )
    assert any("read through the index idx_stock_quote_histories_record_date" in f for f in better.findings)


def test_joins_sorts_and_lints(db: Database) -> None:
    sql = (
        "SELECT c.company_name, h.close FROM companies c JOIN stock_quote_histories h "
        "ON h.stock_symbol = c.stock_symbol WHERE c.company_name LIKE '%Tech%' ORDER BY h.close DESC"
    )
    result = optimize_sql(sql, "sqlite", db=db)
    text = "\n".join(result.findings)
    assert "read through the primary key / unique index (stock_symbol=?)" in text
    assert "can't use an index: the LIKE pattern starts with a wildcard" in text
    assert "SQLite sorts for ORDER BY with a temporary B-tree" in text
    assert any("starts with a wildcard, so it reads every row" in s for s in result.suggestions)

    lints = optimize_sql(
        "SELECT DISTINCT username FROM users "
        "WHERE user_id NOT IN (SELECT user_id FROM user_stock_selections) GROUP BY username "
        "UNION SELECT username FROM users",
        "sqlite",
    )
    assert lints.plan is None  # no connection: the query alone
    assert any(s.startswith("NOT IN (subquery) returns nothing") for s in lints.suggestions)
    assert any(s.startswith("DISTINCT is redundant with GROUP BY") for s in lints.suggestions)
    assert any(s.startswith("UNION removes duplicates") for s in lints.suggestions)
    cross = optimize_sql("SELECT * FROM companies, users", "sqlite")
    assert any("cartesian product" in f for f in cross.findings)


def test_sqlglot_rewrite_is_offered_with_what_it_did(db: Database) -> None:
    result = optimize_sql(
        "SELECT x.company_name FROM (SELECT * FROM companies) AS x WHERE x.sector = 'Energy' AND 1 = 1",
        "sqlite",
        db=db,
    )
    assert result.rewritten is not None and "FROM companies" in result.rewritten
    assert "merged derived tables into the outer query" in result.rewrite_notes
    assert "simplified conditions and expressions" in result.rewrite_notes
    assert "1 = 1" not in result.rewritten
    assert (
        db.execute(result.rewritten).rows
        == db.execute("SELECT company_name FROM companies WHERE sector = 'Energy'").rows
    )
    # operands swapped or BETWEEN spelled as two comparisons is no rewrite worth showing
    cosmetic = optimize_sql(
        "SELECT c.company_name FROM companies c JOIN index_compositions i ON i.stock_symbol = c.stock_symbol "
        "WHERE i.weight BETWEEN 0.1 AND 0.5",
        "sqlite",
        db=db,
    )
    assert cosmetic.rewritten is None
    plain = optimize_sql("SELECT company_name FROM companies WHERE sector = 'Energy'", "sqlite", db=db)
    assert plain.rewritten is None and plain.suggestions == ()
    assert plain.findings == ("companies is read through the index idx_companies_sector (sector=?)",)


def test_unknown_columns_unparseable_and_non_queries(db: Database) -> None:
    unknown = optimize_sql("SELECT sectr FROM companies", "sqlite", db=db)
    assert any(
        f.startswith("sqlglot could not resolve the query against the schema") for f in unknown.findings
    )
    assert any(
        f.startswith("the database could not plan this query: no such column: sectr")
        for f in unknown.findings
    )
    assert optimize_sql("SELEC 1 FROM", "sqlite", db=db).text.startswith(
        "This SQL could not be parsed as SQLite:"
    )
    assert optimize_sql("SELECT 1; SELECT 2", "sqlite").error == "Optimize works on one statement at a time."
    delete = optimize_sql("DELETE FROM users", "sqlite", db=db)
    assert delete.error == "Only queries can be optimized here, not DELETE."
    with pytest.raises(sqlguard.SqlGuardError):
        database_plan(db, "DELETE FROM users")
    assert db.query("SELECT COUNT(*) FROM users")[0][0] == 200


def test_duckdb_plan(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "q.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE quotes (symbol VARCHAR, close DOUBLE)")
    con.execute("INSERT INTO quotes SELECT 'S' || (i % 50), i * 1.5 FROM range(2000) t(i)")
    con.close()
    db = Database(f"duckdb:///{path}")
    try:
        result = optimize_sql("SELECT symbol FROM quotes WHERE close > 100", "duckdb", db=db)
    finally:
        db.dispose()
    assert result.plan is not None and result.plan.title == "DuckDB EXPLAIN"
    assert any(f.startswith("DuckDB reads quotes") and "sequential scan" in f for f in result.findings)


def test_plan_formats_of_servers_we_cannot_run_here() -> None:
    mysql = parse_mysql_plan(
        [
            (
                1,
                "SIMPLE",
                "h",
                None,
                "ALL",
                None,
                None,
                None,
                None,
                67860,
                33.3,
                "Using where; Using filesort",
            ),
            (
                1,
                "SIMPLE",
                "c",
                None,
                "eq_ref",
                "PRIMARY",
                "PRIMARY",
                "1022",
                "h.stock_symbol",
                1,
                100.0,
                None,
            ),
        ]
    )
    assert [(a.table, a.kind, a.index, a.rows) for a in mysql.accesses] == [
        ("h", "scan", None, 67860),
        ("c", "index", "PRIMARY", 1),
    ]
    assert mysql.notes == ["sorting the rows of h needs a filesort"]
    mariadb = parse_mysql_plan([(1, "SIMPLE", "users", "ALL", None, None, None, None, 200, "Using where")])
    assert mariadb.accesses[0].kind == "scan" and mariadb.accesses[0].rows == 200
    tidb = parse_mysql_plan(
        [
            ("Projection_4", "3333.33", "root", "", "test.h.close"),
            ("└─TableReader_7", "3333.33", "root", "", "data:Selection_6"),
            ("  └─Selection_6", "3333.33", "cop[tikv]", "", "gt(test.h.close, 100)"),
            ("    └─TableFullScan_5", "10000.00", "cop[tikv]", "table:h", "keep order:false"),
            ("IndexRangeScan_8", "10.00", "cop[tikv]", "table:c, index:idx_sector(sector)", "range:[a,a]"),
        ]
    )
    assert tidb.title == "TiDB EXPLAIN"
    assert [(a.table, a.kind, a.index, a.rows) for a in tidb.accesses] == [
        ("h", "scan", None, 10000),
        ("c", "index", "idx_sector", 10),
    ]
    pg = parse_postgres_plan(
        [
            ("Sort  (cost=10.0..11.0 rows=22620 width=40)",),
            ("  ->  Seq Scan on stock_quote_histories h  (cost=0.00..1234.00 rows=22620 width=40)",),
            ("        Filter: (close > '100'::double precision)",),
            ("  ->  Index Scan using companies_pkey on companies c  (cost=0.28..8.29 rows=1 width=20)",),
        ]
    )
    assert [(a.table, a.kind, a.index, a.rows) for a in pg.accesses] == [
        ("h", "scan", None, 22620),
        ("c", "index", "companies_pkey", 1),
    ]
    assert pg.notes == ["the result needs a sort"]
    sqlite = parse_sqlite_plan(
        [(3, 0, 0, "SCAN TABLE t AS x"), (5, 0, 0, "SEARCH u USING AUTOMATIC COVERING INDEX (a=?)")]
    )
    assert [(a.table, a.kind) for a in sqlite.accesses] == [("x", "scan"), ("u", "index")]
    assert sqlite.notes[0].startswith("SQLite builds a temporary index")
    duck = parse_duckdb_plan(
        [("physical_plan", "┌───────────┐\n│ SEQ_SCAN  │\n│ Table: t  │\n│ ~12 rows  │\n└───────────┘")]
    )
    assert [(a.table, a.rows) for a in duck.accesses] == [("t", 12)]


@pytest.mark.skipif(
    not os.environ.get("C2Q_TEST_MYSQL_URL"),
    reason='C2Q_TEST_MYSQL_URL is not set; start MariaDB with: eval "$(bash .ci/mariadb.sh)"',
)
def test_mysql_family_plan_and_indexes() -> None:
    db = Database(os.environ["C2Q_TEST_MYSQL_URL"], timeout=5)
    try:
        scan = optimize_sql("SELECT * FROM stock_quote_histories WHERE close > 100", "mysql", db=db)
        year = optimize_sql(
            "SELECT close FROM stock_quote_histories "
            "WHERE YEAR(record_date) = 2024 AND stock_symbol = 'AAPL'",
            "mysql",
            db=db,
        )
    finally:
        db.dispose()
    assert scan.plan is not None and scan.plan.title == "MySQL EXPLAIN"
    [finding] = scan.findings  # MySQL's row count is the planner's estimate
    assert re.fullmatch(
        r"full scan of stock_quote_histories \(about [\d,]+ rows\); indexes on \(stock_symbol, record_date\) "
        r"and \(record_date\) exist but the filter on close can't use it",
        finding,
    )
    assert year.findings[0].startswith("stock_quote_histories is read through the index PRIMARY")
    assert any("record_date >= '2024-01-01' AND record_date < '2025-01-01'" in s for s in year.suggestions)
