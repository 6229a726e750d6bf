"""The `sp500insight` sample database and the `shopdb` test database."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from c2q_tui.local import sample
from c2q_tui.local.sample_data import COMPANIES, DOW_30, SECTORS
from tests.fixtures.shopdb import build_shopdb

TOP_30 = {
    "AAPL", "MSFT", "NVDA", "GOOGL", "AMZN", "META", "BRK.B", "AVGO", "TSLA", "LLY", "JPM", "V", "UNH",
    "XOM", "WMT", "MA", "PG", "JNJ", "COST", "HD", "ORCL", "ABBV", "MRK", "CVX", "BAC", "KO", "NFLX",
    "CRM", "AMD", "PEP",
}  # fmt: skip

REAL_DOW_30 = {
    "AAPL", "AMGN", "AMZN", "AXP", "BA", "CAT", "CRM", "CSCO", "CVX", "DIS", "GS", "HD", "HON", "IBM",
    "JNJ", "JPM", "KO", "MCD", "MMM", "MRK", "MSFT", "NKE", "NVDA", "PG", "SHW", "TRV", "UNH", "V",
    "VZ", "WMT",
}  # fmt: skip

EXPECTED_KEYS = {
    "companies": (["stock_symbol"], []),
    "indexes": (["index_symbol"], []),
    "index_compositions": (
        ["index_symbol", "stock_symbol"],
        [("index_symbol", "indexes", "index_symbol"), ("stock_symbol", "companies", "stock_symbol")],
    ),
    "stock_quote_histories": (
        ["stock_symbol", "record_date"],
        [("stock_symbol", "companies", "stock_symbol")],
    ),
    "users": (["user_id"], []),
    "user_stock_selections": (
        ["user_id", "stock_symbol"],
        [("stock_symbol", "companies", "stock_symbol"), ("user_id", "users", "user_id")],
    ),
}


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample.build_sample(tmp_path_factory.mktemp("sample") / "sp500insight.sqlite3")


@pytest.fixture
def db(sample_path: Path) -> Iterator[sqlite3.Connection]:
    with contextlib.closing(sqlite3.connect(f"{sample_path.as_uri()}?mode=ro", uri=True)) as conn:
        yield conn


def _digest(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        h = hashlib.sha256()
        for line in conn.iterdump():
            h.update(line.encode())
        return h.hexdigest()


def _scalar(conn: sqlite3.Connection, sql: str) -> Any:
    return conn.execute(sql).fetchone()[0]


# --- sp500insight --------------------------------------------------------------------------------------


def test_schema_keys_and_foreign_keys(db: sqlite3.Connection) -> None:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(EXPECTED_KEYS) <= tables
    assert not tables - set(EXPECTED_KEYS) - {"sqlite_stat1"}
    for table, (pk, fks) in EXPECTED_KEYS.items():
        info = db.execute(f"PRAGMA table_info({table})").fetchall()
        assert [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])] == pk, table
        found = sorted((r[3], r[2], r[4]) for r in db.execute(f"PRAGMA foreign_key_list({table})"))
        assert found == fks, table
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert _scalar(db, "PRAGMA user_version") == sample.SCHEMA_VERSION
    indexed = {r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index'") if r[0]}
    assert (
        "CREATE INDEX idx_user_stock_selections_stock_symbol ON user_stock_selections (stock_symbol)"
        in indexed
    )
    assert "CREATE INDEX idx_index_compositions_stock_symbol ON index_compositions (stock_symbol)" in indexed
    types = {r[1]: r[2] for r in db.execute("PRAGMA table_info(companies)")}
    assert types["market_cap"] == "INTEGER" and types["founded_year"] == "INTEGER"


def test_build_is_deterministic_and_atomic(sample_path: Path, tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    other = sample.build_sample(tmp_path / "again.sqlite3", on_progress=lambda m, f: seen.append((m, f)))
    assert _digest(other) == _digest(sample_path)
    assert [p.name for p in tmp_path.iterdir()] == ["again.sqlite3"]  # no temp file left behind
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(isinstance(m, str) and m for m, _ in seen)


def test_companies(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT * FROM companies").fetchall()
    assert 100 <= len(rows) <= 140
    by_symbol = {r[0]: r for r in rows}
    assert set(by_symbol) >= TOP_30
    sectors = dict(db.execute("SELECT sector, count(*) FROM companies GROUP BY sector").fetchall())
    assert set(sectors) == set(SECTORS) and len(sectors) == 11
    assert all(n >= 3 for n in sectors.values())
    for (
        symbol, name, exchange, _sector, industry, city, state, country, founded, employees, cap, rev, ni,
    ) in rows:  # fmt: skip
        assert exchange in ("NASDAQ", "NYSE"), symbol
        assert name and industry and city
        assert len(country) == 2 and country.isupper()
        assert (state is None) == (country != "US"), symbol
        assert state is None or (len(state) == 2 and state.isupper())
        assert 1800 <= founded <= 2022 and employees > 0
        assert isinstance(cap, int) and cap > 1e10 and rev > 1e9 and abs(ni) < rev
    aapl = by_symbol["AAPL"]
    assert aapl[1] == "Apple Inc." and aapl[2] == "NASDAQ" and aapl[3] == "Information Technology"
    assert 2e12 < aapl[10] < 5e12 and 3e11 < aapl[11] < 5e11
    assert by_symbol["XOM"][1] == "Exxon Mobil Corporation" and by_symbol["XOM"][6] == "TX"
    assert by_symbol["ACN"][7] == "IE" and by_symbol["ACN"][6] is None
    assert _scalar(db, "SELECT count(*) FROM companies WHERE market_cap > 1000000000000") >= 5
    assert _scalar(db, "SELECT count(*) FROM companies WHERE employees > 100000") >= 10
    assert _scalar(db, "SELECT count(*) FROM companies WHERE founded_year BETWEEN 2000 AND 2010") >= 5
    states = {r[0] for r in db.execute("SELECT DISTINCT state_code FROM companies")}
    assert {"CA", "TX", "NY", "WA"} <= states


def test_indexes_and_compositions(db: sqlite3.Connection) -> None:
    assert db.execute("SELECT * FROM indexes ORDER BY index_symbol").fetchall() == [
        ("DJI", "Dow Jones Industrial Average"),
        ("NDX", "Nasdaq-100"),
        ("SP500", "S&P 500"),
    ]
    members: dict[str, set[str]] = {}
    for index_symbol, stock_symbol in db.execute("SELECT index_symbol, stock_symbol FROM index_compositions"):
        members.setdefault(index_symbol, set()).add(stock_symbol)
    assert members["SP500"] == {c.symbol for c in COMPANIES}
    assert members["DJI"] == REAL_DOW_30 == set(DOW_30)
    nasdaq = {r[0] for r in db.execute("SELECT stock_symbol FROM companies WHERE exchange_symbol = 'NASDAQ'")}
    assert members["NDX"] <= nasdaq and len(members["NDX"]) >= 30
    sums = db.execute("SELECT index_symbol, sum(weight) FROM index_compositions GROUP BY 1").fetchall()
    for index_symbol, total in sums:
        assert total == pytest.approx(1.0, abs=1e-4), index_symbol
    # Weights follow market cap: the largest member has the largest weight.
    top = db.execute(
        "SELECT ic.stock_symbol FROM index_compositions ic JOIN companies c USING (stock_symbol)"
        " WHERE ic.index_symbol = 'SP500' ORDER BY ic.weight DESC LIMIT 1"
    ).fetchone()[0]
    assert top == _scalar(db, "SELECT stock_symbol FROM companies ORDER BY market_cap DESC LIMIT 1")
    bad_dates = db.execute(
        "SELECT ic.index_symbol, ic.stock_symbol"
        " FROM index_compositions ic JOIN companies c USING (stock_symbol)"
        " WHERE CAST(substr(ic.added_date, 1, 4) AS INTEGER) < c.founded_year"
        " OR ic.added_date > '2024-12-31' OR date(ic.added_date) IS NOT ic.added_date"
    ).fetchall()
    assert bad_dates == []


def test_quotes_cover_every_weekday(db: sqlite3.Connection) -> None:
    weekdays = [d.isoformat() for d in sample.trading_days()]
    assert len(weekdays) == 522 and weekdays[0] == "2023-01-02" and weekdays[-1] == "2024-12-31"
    got = [r[0] for r in db.execute(
        "SELECT record_date FROM stock_quote_histories WHERE stock_symbol = 'AAPL' ORDER BY record_date"
    )]  # fmt: skip
    assert got == weekdays
    assert _scalar(db, "SELECT count(*) FROM stock_quote_histories") == 522 * len(COMPANIES)
    assert _scalar(db, "SELECT count(DISTINCT stock_symbol) FROM stock_quote_histories") == len(COMPANIES)
    weekend = "SELECT count(*) FROM stock_quote_histories WHERE strftime('%w', record_date) IN ('0', '6')"
    assert _scalar(db, weekend) == 0
    broken = (
        "SELECT count(*) FROM stock_quote_histories WHERE low <= 0 OR high < open OR high < close"
        " OR low > open OR low > close OR volume <= 0 OR typeof(volume) != 'integer'"
        " OR round(close, 2) != close OR date(record_date) IS NOT record_date"
    )
    assert _scalar(db, broken) == 0
    nvda = "SELECT close FROM stock_quote_histories WHERE stock_symbol = 'NVDA' ORDER BY record_date DESC"
    last = _scalar(db, nvda)
    assert last == pytest.approx(134.29, abs=0.01)


def test_users_and_selections(db: sqlite3.Connection) -> None:
    assert _scalar(db, "SELECT count(*) FROM users") == 200
    assert _scalar(db, "SELECT count(DISTINCT username) FROM users") == 200
    assert _scalar(db, "SELECT count(DISTINCT email) FROM users") == 200
    assert _scalar(db, "SELECT count(DISTINCT country_code) FROM users") >= 8
    assert _scalar(db, "SELECT min(signup_date) FROM users") >= "2022-01-01"
    assert _scalar(db, "SELECT max(signup_date) FROM users") <= "2024-12-31"
    n = _scalar(db, "SELECT count(*) FROM user_stock_selections")
    assert isinstance(n, int) and 900 <= n <= 1100
    pairs = "SELECT count(*) FROM (SELECT DISTINCT user_id, stock_symbol FROM user_stock_selections)"
    assert _scalar(db, pairs) == n
    early = (
        "SELECT count(*) FROM user_stock_selections s JOIN users u USING (user_id)"
        " WHERE s.selected_at <= u.signup_date OR date(s.selected_at) IS NOT s.selected_at"
        " OR s.selected_at > '2024-12-31'"
    )
    assert _scalar(db, early) == 0
    popular = [r[0] for r in db.execute(
        "SELECT stock_symbol FROM user_stock_selections GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 5"
    )]  # fmt: skip
    assert "NVDA" in popular[:2] and {"AAPL", "TSLA"} <= set(popular)


def test_ensure_sample_builds_once(
    sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "data" / "sp500insight.sqlite3"
    target.parent.mkdir()
    shutil.copyfile(sample_path, target)
    before = target.stat()
    calls: list[float] = []
    assert sample.ensure_sample(target, on_progress=lambda m, f: calls.append(f)) == target
    after = target.stat()
    assert calls == [] and (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)

    # An older schema version is rebuilt, for real.
    with contextlib.closing(sqlite3.connect(target)) as conn:
        conn.execute("PRAGMA user_version = 0")
        conn.commit()
    assert sample.schema_version(target) == 0
    assert sample.ensure_sample(target, on_progress=lambda m, f: calls.append(f)) == target
    assert calls and calls[-1] == 1.0 and sample.schema_version(target) == sample.SCHEMA_VERSION

    # Missing files and files that are not databases are built; the default location is paths.sample_db().
    built: list[Path] = []

    def fake_build(path: Path, *, on_progress: sample.ProgressCallback | None = None) -> Path:
        built.append(path)
        return path

    monkeypatch.setattr(sample, "build_sample", fake_build)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database")
    assert sample.schema_version(junk) is None
    sample.ensure_sample(junk)
    sample.ensure_sample(tmp_path / "missing.sqlite3")
    monkeypatch.setenv("C2Q_HOME", str(tmp_path / "home"))
    from c2q_tui import paths

    assert sample.ensure_sample() == paths.sample_db()
    assert built == [junk, tmp_path / "missing.sqlite3", paths.sample_db()]


def test_sample_module_is_headless() -> None:
    code = "import sys, c2q_tui.local.sample; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- shopdb --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_shopdb(tmp_path_factory.mktemp("shop") / "shopdb.sqlite3")


def test_shopdb(shop_path: Path, tmp_path: Path) -> None:
    assert _digest(build_shopdb(tmp_path / "again.sqlite3")) == _digest(shop_path)
    with contextlib.closing(sqlite3.connect(shop_path)) as db:
        counts = {
            t: _scalar(db, f"SELECT count(*) FROM {t}")
            for t in ("customers", "products", "orders", "order_items", "shipments", "suppliers")
        }
        assert counts["customers"] == 300 and counts["products"] == 80 and counts["orders"] == 3000
        assert counts["order_items"] > counts["orders"] and counts["suppliers"] >= 5
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        fks = {(t, r[2]) for t in counts for r in db.execute(f"PRAGMA foreign_key_list({t})")}
        assert fks == {
            ("orders", "customers"), ("order_items", "orders"), ("order_items", "products"),
            ("shipments", "orders"), ("products", "suppliers"),
        }  # fmt: skip
        assert {r[0] for r in db.execute("SELECT DISTINCT segment FROM customers")} == {
            "Consumer", "Corporate", "Home Office",
        }  # fmt: skip
        assert {r[0] for r in db.execute("SELECT DISTINCT status FROM orders")} == {
            "pending", "shipped", "delivered", "cancelled", "returned",
        }  # fmt: skip
        assert {r[0] for r in db.execute("SELECT DISTINCT channel FROM orders")} == {"web", "store", "phone"}
        carriers = {r[0] for r in db.execute("SELECT DISTINCT carrier FROM shipments")}
        assert carriers == {"UPS", "FedEx", "DHL", "USPS"}
        span = db.execute("SELECT min(order_date), max(order_date) FROM orders").fetchone()
        assert span[0] >= "2023-01-01" and span[1] <= "2024-12-31"
        assert _scalar(db, "SELECT count(*) FROM products WHERE discontinued = 1") > 0
        idle = "SELECT count(*) FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM orders)"
        assert _scalar(db, idle) > 0
        early = "SELECT count(*) FROM orders JOIN customers USING (customer_id) WHERE order_date < joined_on"
        assert _scalar(db, early) == 0
        unshipped = (
            "SELECT count(*) FROM orders o LEFT JOIN shipments s USING (order_id)"
            " WHERE (s.shipment_id IS NULL) != (o.status IN ('pending', 'cancelled'))"
            " OR (s.delivered_on IS NULL) != (o.status IN ('pending', 'cancelled', 'shipped'))"
            " OR s.shipped_on < o.order_date OR s.delivered_on < s.shipped_on"
        )
        assert _scalar(db, unshipped) == 0
        empty = "SELECT count(*) FROM orders WHERE order_id NOT IN (SELECT order_id FROM order_items)"
        assert _scalar(db, empty) == 0
        first = _scalar(db, "SELECT product_name FROM products WHERE product_id = 1")
        assert first == "Ergonomic Office Chair"
