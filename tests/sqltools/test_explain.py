"""Offline explanations from the syntax tree: clear sentences, and a message (not a crash) for bad SQL."""

from __future__ import annotations

import pytest

from c2q_tui.sqltools import explain_sql

TOP_SECTORS = (
    "SELECT c.sector, AVG(h.close) AS avg_close FROM stock_quote_histories h "
    "JOIN companies c ON c.stock_symbol = h.stock_symbol "
    "WHERE strftime('%Y', h.record_date) = '2024' AND c.country_code IN ('US', 'CA') "
    "GROUP BY c.sector HAVING COUNT(*) > 100 ORDER BY avg_close DESC LIMIT 5"
)


def test_a_join_with_filters_groups_order_and_limit() -> None:
    result = explain_sql(TOP_SECTORS, "sqlite")
    assert result.parsed and result.tables == ("stock_quote_histories", "companies")
    assert result.text == (
        "This query reads from stock_quote_histories (as h). "
        "It joins companies (as c), matching rows where c.stock_symbol matches h.stock_symbol, "
        "keeping only rows that match on both sides. "
        "It keeps only rows where the year of h.record_date is '2024' "
        "and c.country_code is one of 'US', 'CA'. "
        "It groups the rows by c.sector, and computes for each group the average of h.close (as avg_close). "
        "It keeps only the groups where COUNT(*) is greater than 100. "
        "It returns c.sector and the average of h.close (as avg_close). "
        "It sorts the results by avg_close (highest first). "
        "It returns at most 5 rows."
    )


@pytest.mark.parametrize(
    ("sql", "dialect", "expected"),
    [
        (
            "SELECT COUNT(*) FROM users",
            "sqlite",
            "It summarises all the rows it keeps into one row: the number of rows.",
        ),
        ("SELECT DISTINCT sector FROM companies", "sqlite", "It returns sector, without duplicate rows."),
        (
            "SELECT u.username FROM users u LEFT JOIN user_stock_selections s ON s.user_id = u.user_id "
            "WHERE s.user_id IS NULL",
            "sqlite",
            "keeping every row from the left even when user_stock_selections has no match. "
            "It keeps only rows where s.user_id is empty (NULL).",
        ),
        (
            "SELECT * FROM companies WHERE company_name LIKE 'A%' OR sector = 'Energy'",
            "sqlite",
            "It keeps only rows where either company_name starts with 'A' or sector is 'Energy'.",
        ),
        (
            "SELECT * FROM companies WHERE employees BETWEEN 10 AND 20 AND state_code IS NOT NULL",
            "mysql",
            "employees is between 10 and 20 and state_code is not empty (NULL).",
        ),
        (
            "SELECT * FROM companies WHERE company_name NOT LIKE '%Inc%'",
            "sqlite",
            "company_name does not contain 'Inc'",
        ),
        (
            "SELECT TOP 3 company_name FROM companies ORDER BY market_cap DESC",
            "tsql",
            "It returns at most 3 rows.",
        ),
        (
            "SELECT * FROM users LIMIT 10 OFFSET 20",
            "sqlite",
            "It returns at most 10 rows, after skipping the first 20.",
        ),
        (
            "SELECT sector, RANK() OVER (PARTITION BY sector ORDER BY market_cap DESC) AS r FROM companies",
            "postgres",
            "the rank computed over a window (within each sector, ordered by market_cap descending) (as r)",
        ),
        (
            "SELECT username FROM users WHERE user_id IN (SELECT user_id FROM user_stock_selections)",
            "sqlite",
            "user_id is among the values returned by a subquery over user_stock_selections",
        ),
        (
            "SELECT * FROM users u WHERE NOT EXISTS "
            "(SELECT 1 FROM user_stock_selections s WHERE s.user_id = u.user_id)",
            "sqlite",
            "a matching row does not exist in user_stock_selections",
        ),
        (
            "SELECT * FROM companies c, users u",
            "sqlite",
            "It pairs every row with every row of users (as u) (a cross join).",
        ),
        (
            "SELECT `c`.`sector` AS b, COUNT(*) FROM `companies` AS `c` GROUP BY 1 ORDER BY 2 DESC",
            "mysql",
            "It groups the rows by b, and computes for each group the number of rows. "
            "It returns c.sector (as b) and the number of rows. "
            "It sorts the results by COUNT(*) (highest first).",
        ),
        (
            "SELECT 1 + 1 AS two",
            "sqlite",
            "This query computes values without reading any table. It returns 1 + 1 (as two).",
        ),
    ],
)
def test_phrasings(sql: str, dialect: str, expected: str) -> None:
    assert expected in explain_sql(sql, dialect).text


def test_ctes_and_set_operations() -> None:
    text = explain_sql(
        "WITH recent AS (SELECT * FROM users WHERE signup_date >= '2024-06-01') "
        "SELECT username FROM recent UNION ALL SELECT username FROM users WHERE country_code = 'DE'",
        "sqlite",
    ).text
    assert text.startswith(
        "First it defines a temporary result named recent: it reads from users. "
        "It keeps only rows where signup_date is at least '2024-06-01'. It returns every column."
    )
    assert "Then the main query stacks the rows of 2 queries, keeping duplicates (UNION ALL)." in text
    assert "Query 2: it reads from users. It keeps only rows where country_code is 'DE'." in text
    assert explain_sql("WITH r AS (SELECT 1) SELECT * FROM r").tables == ()


def test_statements_that_change_data_and_scripts() -> None:
    assert explain_sql("DELETE FROM users").text == (
        "This statement deletes rows from users — every row, as there is no WHERE; it changes data."
    )
    assert explain_sql("UPDATE users SET country_code = 'US' WHERE user_id = 3").text == (
        "This statement updates users, setting country_code to 'US' in rows where user_id is 3; "
        "it changes data."
    )
    assert (
        "inserts rows into archive; it changes data. The rows come from a query that reads from users."
        in (explain_sql("INSERT INTO archive SELECT * FROM users").text)
    )
    assert explain_sql("CREATE TABLE t (a INT)").text == "This statement creates the table t."
    script = explain_sql("SELECT 1; DROP TABLE users", "sqlite")
    assert (
        script.text.startswith("This script has 2 statements.")
        and "Statement 2 drops the table users." in script.text
    )


@pytest.mark.parametrize("sql", ["SELEC x FROM", "SELECT (1", "", "   ;  "])
def test_unparseable_sql_gives_a_clear_message(sql: str) -> None:
    result = explain_sql(sql, "postgres")
    assert not result.parsed
    assert result.text.startswith(
        ("This SQL could not be parsed as PostgreSQL:", "There is no SQL to explain.")
    )
