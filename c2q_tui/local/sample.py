"""Build the `sp500insight` sample database (design section 5) with the standard library's sqlite3.

The build is deterministic: every random choice comes from `random.Random` seeded with a constant, and
nothing depends on the current date, the locale or hash randomisation, so two builds are identical row
for row. It writes to a temporary file next to the target and moves it into place with `os.replace`,
so a reader never sees a half-built database. `PRAGMA user_version` records `SCHEMA_VERSION`;
`ensure_sample` rebuilds a file whose version is older (or which is not a readable database).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import random
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from c2q_tui.local.sample_data import (
    COMPANIES,
    DOW_30,
    NDX_ADDED,
    NDX_EXCLUDED,
    NDX_START,
    POPULARITY,
    CompanyRow,
)

__all__ = [
    "FIRST_QUOTE_DATE",
    "INDEXES",
    "LAST_QUOTE_DATE",
    "SCHEMA_VERSION",
    "SEED",
    "ProgressCallback",
    "build_sample",
    "ensure_sample",
    "index_members",
    "schema_version",
    "trading_days",
]

ProgressCallback = Callable[[str, float], None]

SCHEMA_VERSION = 1
SEED = 500
FIRST_QUOTE_DATE = dt.date(2023, 1, 2)
LAST_QUOTE_DATE = dt.date(2024, 12, 31)
USER_COUNT = 200
SELECTION_COUNT = 1000
SIGNUP_START = dt.date(2022, 1, 1)
SIGNUP_END = dt.date(2024, 12, 20)
SELECTION_END = dt.date(2024, 12, 31)

INDEXES: tuple[tuple[str, str], ...] = (
    ("SP500", "S&P 500"),
    ("NDX", "Nasdaq-100"),
    ("DJI", "Dow Jones Industrial Average"),
)

SCHEMA = """
CREATE TABLE companies (
    stock_symbol     TEXT NOT NULL PRIMARY KEY,
    company_name     TEXT NOT NULL,
    exchange_symbol  TEXT NOT NULL,
    sector           TEXT NOT NULL,
    industry         TEXT NOT NULL,
    city             TEXT NOT NULL,
    state_code       TEXT,
    country_code     TEXT NOT NULL,
    founded_year     INTEGER NOT NULL,
    employees        INTEGER NOT NULL,
    market_cap       INTEGER NOT NULL,
    revenue          INTEGER NOT NULL,
    net_income       INTEGER NOT NULL
);
CREATE TABLE indexes (
    index_symbol  TEXT NOT NULL PRIMARY KEY,
    index_name    TEXT NOT NULL
);
CREATE TABLE index_compositions (
    index_symbol  TEXT NOT NULL REFERENCES indexes (index_symbol),
    stock_symbol  TEXT NOT NULL REFERENCES companies (stock_symbol),
    weight        REAL NOT NULL,
    added_date    TEXT NOT NULL,
    PRIMARY KEY (index_symbol, stock_symbol)
);
CREATE TABLE stock_quote_histories (
    stock_symbol  TEXT NOT NULL REFERENCES companies (stock_symbol),
    record_date   TEXT NOT NULL,
    open          REAL NOT NULL,
    high          REAL NOT NULL,
    low           REAL NOT NULL,
    close         REAL NOT NULL,
    volume        INTEGER NOT NULL,
    PRIMARY KEY (stock_symbol, record_date)
);
CREATE TABLE users (
    user_id       INTEGER NOT NULL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL UNIQUE,
    country_code  TEXT NOT NULL,
    signup_date   TEXT NOT NULL
);
CREATE TABLE user_stock_selections (
    user_id       INTEGER NOT NULL REFERENCES users (user_id),
    stock_symbol  TEXT NOT NULL REFERENCES companies (stock_symbol),
    selected_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, stock_symbol)
);
"""

# Indexes on foreign-key columns not already leading a primary key, plus the usual filter columns.
INDEX_DDL = """
CREATE INDEX idx_index_compositions_stock_symbol ON index_compositions (stock_symbol);
CREATE INDEX idx_stock_quote_histories_record_date ON stock_quote_histories (record_date);
CREATE INDEX idx_user_stock_selections_stock_symbol ON user_stock_selections (stock_symbol);
CREATE INDEX idx_companies_sector ON companies (sector);
"""


def schema_version(path: Path) -> int | None:
    """`PRAGMA user_version` of the database at `path`; None if it is missing or not a database."""
    if not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            row = conn.execute("PRAGMA user_version").fetchone()
            conn.execute("SELECT count(*) FROM companies").fetchone()
    except sqlite3.Error:
        return None
    return int(row[0])


def ensure_sample(path: Path | None = None, on_progress: ProgressCallback | None = None) -> Path:
    """Return the sample database's path, building it first if it is missing or out of date."""
    if path is None:
        from c2q_tui import paths

        path = paths.sample_db()
    version = schema_version(path)
    if version is not None and version >= SCHEMA_VERSION:
        return path
    return build_sample(path, on_progress=on_progress)


def build_sample(path: Path, *, on_progress: ProgressCallback | None = None) -> Path:
    """Build the sample database at `path` (replacing any file there) and return `path`."""

    def report(message: str, fraction: float) -> None:
        if on_progress is not None:
            on_progress(message, fraction)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            _build(conn, report)
        finally:
            conn.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    report("Sample database ready", 1.0)
    return path


# --- building ----------------------------------------------------------------------------------------


def _build(conn: sqlite3.Connection, report: ProgressCallback) -> None:
    rng = random.Random(SEED)
    report("Creating tables", 0.0)
    conn.execute("PRAGMA journal_mode = OFF")  # a temp file: a failed build is thrown away
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN")  # executescript would commit early, so statements run one by one
    for statement in _statements(SCHEMA):
        conn.execute(statement)

    report("Loading companies", 0.05)
    conn.executemany(
        "INSERT INTO companies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [_company_values(c) for c in COMPANIES],
    )
    conn.executemany("INSERT INTO indexes VALUES (?, ?)", INDEXES)
    conn.executemany(
        "INSERT INTO index_compositions VALUES (?, ?, ?, ?)", _index_compositions(random.Random(SEED + 1))
    )

    days = [d.isoformat() for d in trading_days()]
    total = len(COMPANIES)
    sql = "INSERT INTO stock_quote_histories VALUES (?, ?, ?, ?, ?, ?, ?)"
    for i, company in enumerate(COMPANIES):
        if i % 10 == 0:
            report(f"Generating stock quotes ({i}/{total})", 0.1 + 0.75 * i / total)
        conn.executemany(sql, _quotes(company, days, rng))

    report("Creating users", 0.87)
    users = _users(rng)
    conn.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?)", users)
    report("Creating stock selections", 0.9)
    conn.executemany(
        "INSERT INTO user_stock_selections VALUES (?, ?, ?)",
        _selections(rng, [(u[0], dt.date.fromisoformat(u[4])) for u in users]),
    )

    report("Creating indexes", 0.93)
    for statement in _statements(INDEX_DDL):
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("COMMIT")
    report("Analyzing", 0.97)
    conn.execute("ANALYZE")


def _statements(script: str) -> Iterator[str]:
    for part in script.split(";"):
        if part.strip():
            yield part.strip()


def _dollars(billions: float) -> int:
    return round(billions * 1_000_000_000)


def _company_values(c: CompanyRow) -> tuple[str | int | None, ...]:
    return (
        c.symbol,
        c.name,
        c.exchange,
        c.sector,
        c.industry,
        c.city,
        c.state,
        c.country,
        c.founded,
        c.employees,
        _dollars(c.market_cap_b),
        _dollars(c.revenue_b),
        _dollars(c.net_income_b),
    )


def index_members() -> dict[str, list[str]]:
    """The stock symbols in each index, in the order of `COMPANIES`."""
    return {
        "SP500": [c.symbol for c in COMPANIES],
        "NDX": [c.symbol for c in COMPANIES if c.exchange == "NASDAQ" and c.symbol not in NDX_EXCLUDED],
        "DJI": [c.symbol for c in COMPANIES if c.symbol in DOW_30],
    }


def _index_compositions(rng: random.Random) -> list[tuple[str, str, float, str]]:
    """Weights proportional to market capitalisation within each index, summing to 1."""
    by_symbol = {c.symbol: c for c in COMPANIES}
    ndx_start = dt.date.fromisoformat(NDX_START)
    rows: list[tuple[str, str, float, str]] = []
    for index_symbol, members in index_members().items():
        total_cap = sum(by_symbol[s].market_cap_b for s in members)
        for symbol in members:
            company = by_symbol[symbol]
            weight = round(company.market_cap_b / total_cap, 6)
            if index_symbol == "SP500":
                added = company.sp500_added
            elif index_symbol == "DJI":
                added = DOW_30[symbol]
            elif symbol in NDX_ADDED:
                added = NDX_ADDED[symbol]
            else:
                # Plausible: on or after the index's start and two years after founding (a listing),
                # and no later than the S&P 500 entry.
                earliest = max(ndx_start, dt.date(company.founded + 2, 1, 1))
                latest = dt.date.fromisoformat(company.sp500_added)
                span = (latest - earliest).days
                day = earliest + dt.timedelta(days=rng.randint(0, span)) if span > 0 else earliest
                added = _next_weekday(day).isoformat()
            rows.append((index_symbol, symbol, weight, added))
    return rows


def _next_weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def trading_days(start: dt.date = FIRST_QUOTE_DATE, end: dt.date = LAST_QUOTE_DATE) -> list[dt.date]:
    """Every Monday to Friday from `start` to `end` inclusive (holidays are not skipped)."""
    days: list[dt.date] = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _quotes(
    company: CompanyRow, days: Sequence[str], rng: random.Random
) -> list[tuple[str, str, float, float, float, float, int]]:
    """A daily random walk from the end-2022 close to the end-2024 close (a log-space Brownian bridge)."""
    n = len(days)
    vol = rng.uniform(0.011, 0.026)  # daily volatility
    if company.sector in ("Utilities", "Consumer Staples"):
        vol *= 0.7
    gauss, exp = rng.gauss, math.exp
    steps = [gauss(0.0, vol) for _ in range(n)]
    start = math.log(company.price_start)
    drift_fix = (math.log(company.price_end) - start - sum(steps)) / n
    shares = company.market_cap_b * 1e9 / company.price_end
    turnover = rng.uniform(0.004, 0.012)
    symbol = company.symbol
    rows: list[tuple[str, str, float, float, float, float, int]] = []
    level = start
    prev_close = company.price_start
    for day, step in zip(days, steps, strict=True):
        level += step + drift_fix
        close = exp(level)
        open_ = prev_close * exp(gauss(0.0, vol * 0.35))
        high = max(open_, close) * (1.0 + abs(gauss(0.0, vol * 0.5)))
        low = min(open_, close) * (1.0 - min(0.5, abs(gauss(0.0, vol * 0.5))))
        o = max(round(open_, 2), 0.01)
        c = max(round(close, 2), 0.01)
        h = max(round(high, 2), o, c)
        lo = max(0.01, min(round(low, 2), o, c))
        surprise = abs(step) / vol
        volume = int(shares * turnover * exp(gauss(0.0, 0.3)) * (0.7 + 0.3 * surprise))
        rows.append((symbol, day, o, h, lo, c, max(volume, 1000)))
        prev_close = close
    return rows


_FIRST_NAMES = (
    "James", "Mary", "Wei", "Priya", "Lucas", "Sofia", "Hiroshi", "Emma", "Mohammed", "Olivia",
    "Noah", "Ava", "Liam", "Mia", "Chen", "Ananya", "Mateo", "Isabella", "Yuki", "Hannah",
    "Daniel", "Chloe", "Arjun", "Grace", "Felix", "Lena", "Omar", "Zoe", "Ethan", "Nora",
    "Diego", "Ines", "Kenji", "Sara", "Ravi", "Julia", "Tom", "Elena", "Jin", "Amara",
)  # fmt: skip
_LAST_NAMES = (
    "Smith", "Johnson", "Wang", "Patel", "Garcia", "Muller", "Tanaka", "Brown", "Khan", "Rossi",
    "Martin", "Lee", "Kim", "Silva", "Nguyen", "Cohen", "Dubois", "Novak", "Singh", "Walker",
    "Lopez", "Schmidt", "Sato", "Clark", "Hughes", "Moreau", "Ahmed", "Berg", "Costa", "Young",
)  # fmt: skip
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")
_USER_COUNTRIES: tuple[tuple[str, int], ...] = (
    ("US", 90), ("CA", 12), ("GB", 14), ("DE", 10), ("FR", 7), ("IN", 16), ("JP", 8), ("AU", 7),
    ("SG", 6), ("BR", 6), ("CN", 8), ("KR", 5), ("NL", 4), ("ES", 4), ("MX", 3),
)  # fmt: skip


def _users(rng: random.Random) -> list[tuple[int, str, str, str, str]]:
    countries = [c for c, _ in _USER_COUNTRIES]
    weights = [w for _, w in _USER_COUNTRIES]
    span = (SIGNUP_END - SIGNUP_START).days
    signups = sorted(SIGNUP_START + dt.timedelta(days=rng.randint(0, span)) for _ in range(USER_COUNT))
    users: list[tuple[int, str, str, str, str]] = []
    taken: set[str] = set()
    for user_id, signup in enumerate(signups, start=1):
        first = rng.choice(_FIRST_NAMES)
        last = rng.choice(_LAST_NAMES)
        base = f"{first}.{last}".lower()
        username = base
        suffix = 1
        while username in taken:
            suffix += 1
            username = f"{base}{suffix}"
        taken.add(username)
        email = f"{username}@{rng.choice(_EMAIL_DOMAINS)}"
        country = rng.choices(countries, weights)[0]
        users.append((user_id, username, email, country, signup.isoformat()))
    return users


def _selections(rng: random.Random, users: Sequence[tuple[int, dt.date]]) -> list[tuple[int, str, str]]:
    """Exactly SELECTION_COUNT picks, skewed towards large and popular stocks, each after the signup."""
    symbols = [c.symbol for c in COMPANIES]
    weights = [math.sqrt(c.market_cap_b) * POPULARITY.get(c.symbol, 1.0) for c in COMPANIES]
    # How many stocks each user follows: a skewed 1..15, then scaled to the exact total.
    raw = [min(15, 1 + int(rng.expovariate(1 / 4.0))) for _ in users]
    counts = _scale_counts(raw, SELECTION_COUNT, 15, rng)
    rows: list[tuple[int, str, str]] = []
    for (user_id, signup), count in zip(users, counts, strict=True):
        chosen: list[str] = []
        while len(chosen) < count:
            symbol = rng.choices(symbols, weights)[0]
            if symbol not in chosen:
                chosen.append(symbol)
        span = max(1, (SELECTION_END - signup).days)
        for symbol in chosen:
            selected = signup + dt.timedelta(days=rng.randint(1, span))
            rows.append((user_id, symbol, selected.isoformat()))
    return rows


def _scale_counts(raw: list[int], total: int, cap: int, rng: random.Random) -> list[int]:
    counts = [max(1, min(cap, round(r * total / sum(raw)))) for r in raw]
    while sum(counts) != total:
        i = rng.randrange(len(counts))
        if sum(counts) < total and counts[i] < cap:
            counts[i] += 1
        elif sum(counts) > total and counts[i] > 1:
            counts[i] -= 1
    return counts
