# ruff: noqa: E501  (gold SQL strings are kept whole)
"""Questions on `sp500insight` with hand-written gold SQL (SQLite), tagged by shape.

Each item: shape, q, gold, ordered (compare row order). A conversation is a list of turns; every turn
after the first is scored with shape "followup". Gold SQL selects the columns an analyst needs; the
scorer accepts extra columns in the engine's answer (see scoring.py).
"""

from __future__ import annotations

from typing import Any

Q = dict[str, Any]


def q(shape: str, question: str, gold: str, ordered: bool = False) -> Q:
    return {"shape": shape, "q": question, "gold": gold, "ordered": ordered}


DOW = "(SELECT stock_symbol FROM index_compositions WHERE index_symbol = 'DJI')"

QUESTIONS: list[Q] = [
    # counts
    q("count", "how many companies are there", "SELECT COUNT(*) FROM companies"),
    q("count", "How many users do we have?", "SELECT COUNT(*) FROM users"),
    q("count", "count the stock selections", "SELECT COUNT(*) FROM user_stock_selections"),
    q("count", "number of indexes", "SELECT COUNT(*) FROM indexes"),
    q(
        "count",
        "How many companies are in the Health Care sector?",
        "SELECT COUNT(*) FROM companies WHERE sector = 'Health Care'",
    ),
    q(
        "count",
        "how many companies are listed on the NASDAQ",
        "SELECT COUNT(*) FROM companies WHERE exchange_symbol = 'NASDAQ'",
    ),
    q("count", "How many users are from Germany?", "SELECT COUNT(*) FROM users WHERE country_code = 'DE'"),
    # lists
    q("list", "list the companies in Texas", "SELECT company_name FROM companies WHERE state_code = 'TX'"),
    q("list", "Show me all Energy companies", "SELECT company_name FROM companies WHERE sector = 'Energy'"),
    q(
        "list",
        "which companies are headquartered in California",
        "SELECT company_name FROM companies WHERE state_code = 'CA'",
    ),
    q("list", "list all sectors", "SELECT DISTINCT sector FROM companies"),
    q(
        "list",
        "Which companies are based outside the US?",
        "SELECT company_name FROM companies WHERE country_code <> 'US'",
    ),
    q(
        "list",
        "show the users who signed up in 2024",
        "SELECT username FROM users WHERE signup_date >= '2024-01-01' AND signup_date < '2025-01-01'",
    ),
    q(
        "list",
        "List the stocks in the Dow Jones",
        f"SELECT company_name FROM companies WHERE stock_symbol IN {DOW}",
    ),
    q(
        "list",
        "what industries are there in the Utilities sector?",
        "SELECT DISTINCT industry FROM companies WHERE sector = 'Utilities'",
    ),
    # look-ups
    q("lookup", "what is Apple's market cap", "SELECT market_cap FROM companies WHERE stock_symbol = 'AAPL'"),
    q(
        "lookup",
        "How many employees does Microsoft have?",
        "SELECT employees FROM companies WHERE stock_symbol = 'MSFT'",
    ),
    q("lookup", "When was Nvidia founded?", "SELECT founded_year FROM companies WHERE stock_symbol = 'NVDA'"),
    q("lookup", "which sector is Exxon Mobil in", "SELECT sector FROM companies WHERE stock_symbol = 'XOM'"),
    q(
        "lookup",
        "What is the revenue of Walmart?",
        "SELECT revenue FROM companies WHERE stock_symbol = 'WMT'",
    ),
    q(
        "lookup",
        "in which city is Tesla headquartered",
        "SELECT city FROM companies WHERE stock_symbol = 'TSLA'",
    ),
    q(
        "lookup",
        "net income of JPMorgan Chase",
        "SELECT net_income FROM companies WHERE stock_symbol = 'JPM'",
    ),
    # aggregates
    q("aggregate", "What is the total market cap of all companies?", "SELECT SUM(market_cap) FROM companies"),
    q("aggregate", "average revenue of companies", "SELECT AVG(revenue) FROM companies"),
    q("aggregate", "What's the highest revenue of any company?", "SELECT MAX(revenue) FROM companies"),
    q("aggregate", "lowest number of employees", "SELECT MIN(employees) FROM companies"),
    q(
        "aggregate",
        "average net income in the Financials sector",
        "SELECT AVG(net_income) FROM companies WHERE sector = 'Financials'",
    ),
    q(
        "aggregate",
        "total revenue of companies in the Information Technology sector",
        "SELECT SUM(revenue) FROM companies WHERE sector = 'Information Technology'",
    ),
    q(
        "aggregate",
        "what is the mean market capitalization of NYSE companies",
        "SELECT AVG(market_cap) FROM companies WHERE exchange_symbol = 'NYSE'",
    ),
    q(
        "aggregate",
        "What is the maximum closing price of Apple stock?",
        "SELECT MAX(close) FROM stock_quote_histories WHERE stock_symbol = 'AAPL'",
    ),
    q(
        "aggregate",
        "the average trading volume of NVDA in 2024",
        "SELECT AVG(volume) FROM stock_quote_histories WHERE stock_symbol = 'NVDA' "
        "AND record_date >= '2024-01-01' AND record_date < '2025-01-01'",
    ),
    q("aggregate", "sum of employees across all companies", "SELECT SUM(employees) FROM companies"),
    q(
        "aggregate",
        "What is the smallest market cap in the Real Estate sector?",
        "SELECT MIN(market_cap) FROM companies WHERE sector = 'Real Estate'",
    ),
    # count distinct
    q(
        "count_distinct",
        "how many different sectors are there",
        "SELECT COUNT(DISTINCT sector) FROM companies",
    ),
    q(
        "count_distinct",
        "How many distinct industries are represented?",
        "SELECT COUNT(DISTINCT industry) FROM companies",
    ),
    q(
        "count_distinct",
        "How many distinct states are the companies located in?",
        "SELECT COUNT(DISTINCT state_code) FROM companies",
    ),
    q(
        "count_distinct",
        "how many different users have selected a stock",
        "SELECT COUNT(DISTINCT user_id) FROM user_stock_selections",
    ),
    q(
        "count_distinct",
        "how many unique countries do our users come from",
        "SELECT COUNT(DISTINCT country_code) FROM users",
    ),
    # grouping
    q("group", "average revenue per sector", "SELECT sector, AVG(revenue) FROM companies GROUP BY sector"),
    q(
        "group",
        "number of companies by state",
        "SELECT state_code, COUNT(*) FROM companies GROUP BY state_code",
    ),
    q(
        "group",
        "for each index, the number of members",
        "SELECT i.index_name, COUNT(*) FROM index_compositions ic JOIN indexes i "
        "ON i.index_symbol = ic.index_symbol GROUP BY i.index_name",
    ),
    q("group", "total market cap by sector", "SELECT sector, SUM(market_cap) FROM companies GROUP BY sector"),
    q(
        "group",
        "How many users signed up each year?",
        "SELECT CAST(strftime('%Y', signup_date) AS INT), COUNT(*) FROM users GROUP BY 1",
    ),
    q(
        "group",
        "count of companies per exchange",
        "SELECT exchange_symbol, COUNT(*) FROM companies GROUP BY exchange_symbol",
    ),
    q(
        "group",
        "maximum employees in each sector",
        "SELECT sector, MAX(employees) FROM companies GROUP BY sector",
    ),
    q(
        "group",
        "average weight of index members per index",
        "SELECT i.index_name, AVG(ic.weight) FROM index_compositions ic JOIN indexes i "
        "ON i.index_symbol = ic.index_symbol GROUP BY i.index_name",
    ),
    q(
        "group",
        "number of users per country",
        "SELECT country_code, COUNT(*) FROM users GROUP BY country_code",
    ),
    q(
        "group",
        "monthly average closing price of Apple in 2024",
        "SELECT strftime('%Y-%m', record_date), AVG(close) FROM stock_quote_histories WHERE stock_symbol = 'AAPL' "
        "AND record_date >= '2024-01-01' AND record_date < '2025-01-01' GROUP BY 1",
    ),
    q(
        "group",
        "what is the average market cap for each exchange?",
        "SELECT exchange_symbol, AVG(market_cap) FROM companies GROUP BY exchange_symbol",
    ),
    # top-N and superlatives
    q(
        "topn",
        "top 5 companies by revenue",
        "SELECT company_name, revenue FROM companies ORDER BY revenue DESC LIMIT 5",
        True,
    ),
    q(
        "topn",
        "the 3 smallest companies by employees",
        "SELECT company_name, employees FROM companies ORDER BY employees ASC LIMIT 3",
        True,
    ),
    q(
        "topn",
        "What are the 10 largest companies by market cap?",
        "SELECT company_name FROM companies ORDER BY market_cap DESC LIMIT 10",
        True,
    ),
    q(
        "topn",
        "Which 5 companies have the most employees?",
        "SELECT company_name FROM companies ORDER BY employees DESC LIMIT 5",
        True,
    ),
    q(
        "topn",
        "bottom 5 companies by net income",
        "SELECT company_name FROM companies ORDER BY net_income ASC LIMIT 5",
        True,
    ),
    q(
        "topn",
        "Which company has the highest revenue?",
        "SELECT company_name FROM companies ORDER BY revenue DESC LIMIT 1",
    ),
    q(
        "topn",
        "Which sector has the most companies?",
        "SELECT sector FROM companies GROUP BY sector ORDER BY COUNT(*) DESC LIMIT 1",
    ),
    q(
        "topn",
        "what is the largest company",
        "SELECT company_name FROM companies ORDER BY market_cap DESC LIMIT 1",
    ),
    q(
        "topn",
        "top 3 sectors by total revenue",
        "SELECT sector, SUM(revenue) FROM companies GROUP BY sector ORDER BY 2 DESC LIMIT 3",
        True,
    ),
    q(
        "topn",
        "which stock was selected by the most users",
        "SELECT c.company_name FROM user_stock_selections s JOIN companies c ON c.stock_symbol = s.stock_symbol "
        "GROUP BY c.stock_symbol ORDER BY COUNT(*) DESC LIMIT 1",
    ),
    q("topn", "the oldest company", "SELECT company_name FROM companies ORDER BY founded_year ASC LIMIT 1"),
    q(
        "topn",
        "which sector has the highest average net income?",
        "SELECT sector FROM companies GROUP BY sector ORDER BY AVG(net_income) DESC LIMIT 1",
    ),
    # ordering
    q(
        "order",
        "list companies sorted by founding year",
        "SELECT company_name, founded_year FROM companies ORDER BY founded_year, stock_symbol",
        False,
    ),
    q(
        "order",
        "show all companies in the Utilities sector ordered by market cap descending",
        "SELECT company_name FROM companies WHERE sector = 'Utilities' ORDER BY market_cap DESC",
        True,
    ),
    q(
        "order",
        "list the users alphabetically by username",
        "SELECT username FROM users ORDER BY username",
        True,
    ),
    q(
        "order",
        "Energy companies ranked by revenue",
        "SELECT company_name FROM companies WHERE sector = 'Energy' ORDER BY revenue DESC",
        True,
    ),
    # filters on values
    q(
        "filter_value",
        "how many companies are in the Financials sector and based in New York",
        "SELECT COUNT(*) FROM companies WHERE sector = 'Financials' AND state_code = 'NY'",
    ),
    q(
        "filter_value",
        "list the Nasdaq companies in the Consumer Discretionary sector",
        "SELECT company_name FROM companies WHERE exchange_symbol = 'NASDAQ' AND sector = 'Consumer Discretionary'",
    ),
    q(
        "filter_value",
        "What is the market cap of Alphabet",
        "SELECT market_cap FROM companies WHERE stock_symbol = 'GOOGL'",
    ),
    q(
        "filter_value",
        "show the companies in the Semiconductors industry",
        "SELECT company_name FROM companies WHERE industry = 'Semiconductors & Semiconductor Equipment'",
    ),
    q("filter_value", "companies in Ireland", "SELECT company_name FROM companies WHERE country_code = 'IE'"),
    q(
        "filter_value",
        "which Energy or Utilities companies are in Texas",
        "SELECT company_name FROM companies WHERE sector IN ('Energy', 'Utilities') AND state_code = 'TX'",
    ),
    # comparisons
    q(
        "filter_compare",
        "which companies have more than 100000 employees",
        "SELECT company_name FROM companies WHERE employees > 100000",
    ),
    q(
        "filter_compare",
        "companies with market cap over 1 trillion",
        "SELECT company_name FROM companies WHERE market_cap > 1000000000000",
    ),
    q(
        "filter_compare",
        "list companies founded between 2000 and 2010",
        "SELECT company_name FROM companies WHERE founded_year BETWEEN 2000 AND 2010",
    ),
    q(
        "filter_compare",
        "How many companies have revenue above 200 billion?",
        "SELECT COUNT(*) FROM companies WHERE revenue > 200000000000",
    ),
    q(
        "filter_compare",
        "companies with fewer than 20,000 employees",
        "SELECT company_name FROM companies WHERE employees < 20000",
    ),
    q(
        "filter_compare",
        "companies with a net income below 0",
        "SELECT company_name FROM companies WHERE net_income < 0",
    ),
    q(
        "filter_compare",
        "companies founded before 1900",
        "SELECT company_name FROM companies WHERE founded_year < 1900",
    ),
    q(
        "filter_compare",
        "how many companies have a market cap of at least 500 billion",
        "SELECT COUNT(*) FROM companies WHERE market_cap >= 500000000000",
    ),
    # dates
    q(
        "filter_date",
        "How many users signed up in 2024?",
        "SELECT COUNT(*) FROM users WHERE signup_date >= '2024-01-01' AND signup_date < '2025-01-01'",
    ),
    q(
        "filter_date",
        "how many stocks were selected in March 2023",
        "SELECT COUNT(DISTINCT stock_symbol) FROM user_stock_selections "
        "WHERE selected_at >= '2023-03-01' AND selected_at < '2023-04-01'",
    ),
    q(
        "filter_date",
        "Apple closing prices after 2024-06-30",
        "SELECT record_date, close FROM stock_quote_histories WHERE stock_symbol = 'AAPL' AND record_date > '2024-06-30'",
    ),
    q(
        "filter_date",
        "the average closing price of Microsoft over the last 30 days",
        "SELECT AVG(close) FROM stock_quote_histories WHERE stock_symbol = 'MSFT' AND record_date > '2024-12-01'",
    ),
    q(
        "filter_date",
        "users who signed up since 2024-06-01",
        "SELECT username FROM users WHERE signup_date >= '2024-06-01'",
    ),
    q(
        "filter_date",
        "how many quotes were recorded in December 2024",
        "SELECT COUNT(*) FROM stock_quote_histories WHERE record_date >= '2024-12-01' AND record_date < '2025-01-01'",
    ),
    q(
        "filter_date",
        "companies added to the S&P 500 after 2020",
        "SELECT c.company_name FROM companies c JOIN index_compositions ic ON ic.stock_symbol = c.stock_symbol "
        "WHERE ic.index_symbol = 'SP500' AND ic.added_date >= '2021-01-01'",
    ),
    # combinations
    q(
        "combo",
        "average revenue of Energy companies with more than 10000 employees",
        "SELECT AVG(revenue) FROM companies WHERE sector = 'Energy' AND employees > 10000",
    ),
    q(
        "combo",
        "how many NYSE companies in the Financials sector have a market cap over 100 billion",
        "SELECT COUNT(*) FROM companies WHERE exchange_symbol = 'NYSE' AND sector = 'Financials' "
        "AND market_cap > 100000000000",
    ),
    q(
        "combo",
        "top 3 Health Care companies by net income",
        "SELECT company_name FROM companies WHERE sector = 'Health Care' ORDER BY net_income DESC LIMIT 3",
        True,
    ),
    q(
        "combo",
        "number of companies per sector with revenue above 100 billion",
        "SELECT sector, COUNT(*) FROM companies WHERE revenue > 100000000000 GROUP BY sector",
    ),
    q(
        "combo",
        "list Texas companies founded after 1980 sorted by revenue",
        "SELECT company_name FROM companies WHERE state_code = 'TX' AND founded_year > 1980 ORDER BY revenue DESC",
        True,
    ),
    q(
        "combo",
        "average closing price per month for NVDA in 2023",
        "SELECT strftime('%Y-%m', record_date), AVG(close) FROM stock_quote_histories WHERE stock_symbol = 'NVDA' "
        "AND record_date >= '2023-01-01' AND record_date < '2024-01-01' GROUP BY 1",
    ),
    # joins
    q(
        "join",
        "which users selected NVDA",
        "SELECT u.username FROM users u JOIN user_stock_selections s ON s.user_id = u.user_id "
        "WHERE s.stock_symbol = 'NVDA'",
    ),
    q(
        "join",
        "average closing price of companies in the Dow Jones",
        f"SELECT AVG(close) FROM stock_quote_histories WHERE stock_symbol IN {DOW}",
    ),
    q(
        "join",
        "how many selections per sector",
        "SELECT c.sector, COUNT(*) FROM user_stock_selections s JOIN companies c ON c.stock_symbol = s.stock_symbol "
        "GROUP BY c.sector",
    ),
    q(
        "join",
        "How many companies are in the Nasdaq-100?",
        "SELECT COUNT(*) FROM index_compositions WHERE index_symbol = 'NDX'",
    ),
    q(
        "join",
        "list the members of the Dow Jones Industrial Average",
        f"SELECT company_name FROM companies WHERE stock_symbol IN {DOW}",
    ),
    q(
        "join",
        "which companies did mohammed.smith select",
        "SELECT c.company_name FROM companies c JOIN user_stock_selections s ON s.stock_symbol = c.stock_symbol "
        "JOIN users u ON u.user_id = s.user_id WHERE u.username = 'mohammed.smith'",
    ),
    q(
        "join",
        "number of users who picked Apple",
        "SELECT COUNT(DISTINCT user_id) FROM user_stock_selections WHERE stock_symbol = 'AAPL'",
    ),
    q(
        "join",
        "total trading volume of Energy stocks in 2024",
        "SELECT SUM(q.volume) FROM stock_quote_histories q JOIN companies c ON c.stock_symbol = q.stock_symbol "
        "WHERE c.sector = 'Energy' AND q.record_date >= '2024-01-01' AND q.record_date < '2025-01-01'",
    ),
    q(
        "join",
        "Which users from the United States selected Tesla?",
        "SELECT u.username FROM users u JOIN user_stock_selections s ON s.user_id = u.user_id "
        "WHERE u.country_code = 'US' AND s.stock_symbol = 'TSLA'",
    ),
    q(
        "join",
        "the index with the most members",
        "SELECT i.index_name FROM indexes i JOIN index_compositions ic ON ic.index_symbol = i.index_symbol "
        "GROUP BY i.index_symbol ORDER BY COUNT(*) DESC LIMIT 1",
    ),
    q(
        "join",
        "average market cap of companies in the S&P 500 by sector",
        "SELECT c.sector, AVG(c.market_cap) FROM companies c JOIN index_compositions ic "
        "ON ic.stock_symbol = c.stock_symbol WHERE ic.index_symbol = 'SP500' GROUP BY c.sector",
    ),
    q(
        "join",
        "how many stocks has each user selected",
        "SELECT u.username, COUNT(*) FROM users u JOIN user_stock_selections s ON s.user_id = u.user_id "
        "GROUP BY u.user_id",
    ),
    q(
        "join",
        "users with more than 10 selections",
        "SELECT u.username FROM users u JOIN user_stock_selections s ON s.user_id = u.user_id "
        "GROUP BY u.user_id HAVING COUNT(*) > 10",
    ),
    q(
        "join",
        "highest closing price per company in 2024",
        "SELECT c.company_name, MAX(q.close) FROM stock_quote_histories q JOIN companies c "
        "ON c.stock_symbol = q.stock_symbol WHERE q.record_date >= '2024-01-01' AND q.record_date < '2025-01-01' "
        "GROUP BY c.stock_symbol",
    ),
    q(
        "join",
        "Which country do most users come from?",
        "SELECT country_code FROM users GROUP BY country_code ORDER BY COUNT(*) DESC LIMIT 1",
    ),
]


def conv(*turns: tuple[str, str] | tuple[str, str, bool]) -> list[Q]:
    out = []
    for i, t in enumerate(turns):
        out.append(q("followup" if i else "followup_start", t[0], t[1], bool(t[2]) if len(t) > 2 else False))
    return out


TX = "SELECT company_name FROM companies WHERE state_code = 'TX'"
CONVERSATIONS: list[list[Q]] = [
    conv(
        ("list the companies in Texas", TX),
        ("only in the Energy sector", TX + " AND sector = 'Energy'"),
        ("now sort by revenue", TX + " AND sector = 'Energy' ORDER BY revenue DESC", True),
        ("top 3 instead", TX + " AND sector = 'Energy' ORDER BY revenue DESC LIMIT 3", True),
    ),
    conv(
        ("what is Apple's market cap", "SELECT market_cap FROM companies WHERE stock_symbol = 'AAPL'"),
        ("what about Microsoft", "SELECT market_cap FROM companies WHERE stock_symbol = 'MSFT'"),
        ("and Nvidia?", "SELECT market_cap FROM companies WHERE stock_symbol = 'NVDA'"),
    ),
    conv(
        (
            "how many users signed up in 2023",
            "SELECT COUNT(*) FROM users WHERE signup_date >= '2023-01-01' AND signup_date < '2024-01-01'",
        ),
        (
            "and per month?",
            "SELECT strftime('%Y-%m', signup_date), COUNT(*) FROM users WHERE signup_date >= '2023-01-01' "
            "AND signup_date < '2024-01-01' GROUP BY 1",
        ),
        (
            "what about 2024",
            "SELECT strftime('%Y-%m', signup_date), COUNT(*) FROM users WHERE signup_date >= '2024-01-01' "
            "AND signup_date < '2025-01-01' GROUP BY 1",
        ),
    ),
    conv(
        ("average revenue per sector", "SELECT sector, AVG(revenue) FROM companies GROUP BY sector"),
        (
            "only for NYSE companies",
            "SELECT sector, AVG(revenue) FROM companies WHERE exchange_symbol = 'NYSE' GROUP BY sector",
        ),
        (
            "sort it from highest to lowest",
            "SELECT sector, AVG(revenue) FROM companies WHERE exchange_symbol = 'NYSE' GROUP BY sector ORDER BY 2 DESC",
            True,
        ),
    ),
    conv(
        (
            "top 5 companies by market cap",
            "SELECT company_name FROM companies ORDER BY market_cap DESC LIMIT 5",
            True,
        ),
        ("by revenue instead", "SELECT company_name FROM companies ORDER BY revenue DESC LIMIT 5", True),
        (
            "only Health Care companies",
            "SELECT company_name FROM companies WHERE sector = 'Health Care' ORDER BY revenue DESC LIMIT 5",
            True,
        ),
    ),
    conv(
        (
            "how many companies are in the Financials sector",
            "SELECT COUNT(*) FROM companies WHERE sector = 'Financials'",
        ),
        ("what about Utilities", "SELECT COUNT(*) FROM companies WHERE sector = 'Utilities'"),
        (
            "and in Information Technology?",
            "SELECT COUNT(*) FROM companies WHERE sector = 'Information Technology'",
        ),
    ),
    conv(
        (
            "average closing price of Apple in 2024",
            "SELECT AVG(close) FROM stock_quote_histories WHERE stock_symbol = 'AAPL' AND record_date >= '2024-01-01' "
            "AND record_date < '2025-01-01'",
        ),
        (
            "and per month?",
            "SELECT strftime('%Y-%m', record_date), AVG(close) FROM stock_quote_histories WHERE stock_symbol = 'AAPL' "
            "AND record_date >= '2024-01-01' AND record_date < '2025-01-01' GROUP BY 1",
        ),
        (
            "what about Microsoft",
            "SELECT strftime('%Y-%m', record_date), AVG(close) FROM stock_quote_histories WHERE stock_symbol = 'MSFT' "
            "AND record_date >= '2024-01-01' AND record_date < '2025-01-01' GROUP BY 1",
        ),
    ),
    conv(
        (
            "list companies with more than 100000 employees",
            "SELECT company_name FROM companies WHERE employees > 100000",
        ),
        ("show their revenue too", "SELECT company_name, revenue FROM companies WHERE employees > 100000"),
        (
            "only those on the NASDAQ",
            "SELECT company_name, revenue FROM companies WHERE employees > 100000 AND exchange_symbol = 'NASDAQ'",
        ),
    ),
    conv(
        ("number of companies by state", "SELECT state_code, COUNT(*) FROM companies GROUP BY state_code"),
        (
            "just the top 3",
            "SELECT state_code, COUNT(*) FROM companies GROUP BY state_code ORDER BY 2 DESC LIMIT 3",
            True,
        ),
    ),
    conv(
        (
            "which users selected NVDA",
            "SELECT u.username FROM users u JOIN user_stock_selections s ON s.user_id = u.user_id "
            "WHERE s.stock_symbol = 'NVDA'",
        ),
        ("how many are there?", "SELECT COUNT(*) FROM user_stock_selections WHERE stock_symbol = 'NVDA'"),
    ),
    conv(
        ("total market cap by sector", "SELECT sector, SUM(market_cap) FROM companies GROUP BY sector"),
        ("and the average?", "SELECT sector, AVG(market_cap) FROM companies GROUP BY sector"),
    ),
    conv(
        ("companies founded before 1900", "SELECT company_name FROM companies WHERE founded_year < 1900"),
        (
            "sorted by founding year",
            "SELECT company_name FROM companies WHERE founded_year < 1900 ORDER BY founded_year, stock_symbol",
        ),
        (
            "only the ones in New York",
            "SELECT company_name FROM companies WHERE founded_year < 1900 AND state_code = 'NY'",
        ),
    ),
]
