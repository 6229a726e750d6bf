"""Data summaries: real profiling of a small SQLite database (and the sample, when it is built)."""

from __future__ import annotations

import contextlib
import copy
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from c2q_tui.local import profiling
from c2q_tui.local.database import Database
from c2q_tui.local.schema import ColumnInfo, TableInfo
from c2q_tui.local.summaries import (
    apply_column_descriptions,
    apply_table_description,
    build_summary,
    entity,
    human,
    to_v2,
)
from tests.local.databases import mariadb_database, mariadb_url, on_both

REAL = {"sqlite": "REAL", "mariadb": "DOUBLE"}  # the salary column's type as each database names it
LINK_KEYS = {"referencing_table", "referencing_table_column", "referenced_table", "referenced_table_column"}


def make_small_db(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE departments (dept_id INTEGER PRIMARY KEY, dept_name VARCHAR(40) NOT NULL, region TEXT);
        CREATE TABLE employees (
            emp_id INTEGER PRIMARY KEY,
            dept_id INTEGER NOT NULL REFERENCES departments (dept_id),
            full_name TEXT NOT NULL,
            hired_on DATE,
            salary REAL,
            market_cap BIGINT,
            active BOOLEAN,
            note TEXT
        );
        CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);
        -- no declared foreign keys: emp_id and team_id are inferred
        CREATE TABLE assignments (employee_ref INTEGER, team_id INTEGER, emp_id INTEGER, hours INTEGER);
        CREATE TABLE archive (id INTEGER PRIMARY KEY, payload TEXT);
        """
    )
    regions = ["North", "South", "North", "East", "North", "South"]
    con.executemany(
        "INSERT INTO departments VALUES (?, ?, ?)", [(i, f"Dept {i}", r) for i, r in enumerate(regions, 1)]
    )
    con.executemany(
        "INSERT INTO employees VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i,
                (i % 6) + 1,
                f"Person {i:02d}",
                f"2020-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}",
                None if i % 10 == 0 else 1000.0 + i * 12.5,
                12_000_000_000 + i * 80_000_000_000,
                i % 3 == 0,
                None if i % 4 else "note",
            )
            for i in range(1, 41)
        ],
    )
    # a cell whose bytes are not UTF-8, stored as TEXT
    con.execute("UPDATE employees SET note = CAST(X'FFFE4142' AS TEXT) WHERE emp_id = 7")
    con.executemany("INSERT INTO teams VALUES (?, ?)", [(1, "Red"), (2, "Blue")])
    con.executemany(
        "INSERT INTO assignments VALUES (?, ?, ?, ?)", [(i, (i % 2) + 1, i, i * 3) for i in range(1, 21)]
    )
    con.commit()
    con.close()


def mariadb_small_db(tmp_path: Path) -> list[str]:
    """The same tables and rows for MariaDB; the non-UTF-8 cell arrives as U+FFFD (utf8mb4 text
    refuses the raw bytes), which the profile then reports as SQLite's does."""
    statements = [
        "CREATE TABLE departments (dept_id INT PRIMARY KEY, dept_name VARCHAR(40) NOT NULL, region TEXT)",
        "CREATE TABLE employees (emp_id INT PRIMARY KEY, dept_id INT NOT NULL, full_name TEXT NOT NULL, "
        "hired_on DATE, salary DOUBLE, market_cap BIGINT, active BOOLEAN, note TEXT, "
        "FOREIGN KEY (dept_id) REFERENCES departments (dept_id))",
        "CREATE TABLE teams (id INT PRIMARY KEY, name TEXT)",
        "CREATE TABLE assignments (employee_ref INT, team_id INT, emp_id INT, hours INT)",
        "CREATE TABLE archive (id INT PRIMARY KEY, payload TEXT)",
    ]
    make_small_db(tmp_path / "source.db")
    src = sqlite3.connect(tmp_path / "source.db")
    src.text_factory = lambda b: b.decode("utf-8", "replace")
    try:
        for table in ("departments", "employees", "teams", "assignments"):
            for row in src.execute(f"SELECT * FROM {table}"):
                values = ", ".join("NULL" if v is None else repr(v) for v in row)  # ints, floats, 'text'
                statements.append(f"INSERT INTO {table} VALUES ({values})")
    finally:
        src.close()
    return statements


@pytest.fixture
def small_db(tmp_path: Path, db_kind: str) -> Iterator[Database]:
    with contextlib.ExitStack() as stack:
        if db_kind == "mariadb":
            url = stack.enter_context(mariadb_database(mariadb_small_db(tmp_path)))
        else:
            path = tmp_path / "staff.db"
            make_small_db(path)
            url = f"sqlite:///{path}"
        db = Database(url)
        stack.callback(db.dispose)
        yield db


@pytest.fixture
def summary(small_db: Database) -> dict[str, Any]:
    return build_summary(small_db, description="Staff and teams")


@on_both
def test_top_level_shape_is_a_v3_data_summary(summary: dict[str, Any]) -> None:
    assert {"description", "summary", "keywords", "relationships", "tables"} <= set(summary)
    assert summary["description"]["user"] == "Staff and teams"
    assert summary["description"]["system"].startswith(summary["summary"])
    assert all(isinstance(k, str) for k in summary["keywords"])
    assert set(summary["tables"]) == {"archive", "assignments", "departments", "employees", "teams"}
    json.dumps(summary, allow_nan=False)  # everything is JSON, including the non-UTF-8 cell
    assert summary["statistics"] == {"tables_count": 5, "columns_count": 19, "rows_count": 68}


@on_both
def test_row_counts_and_keys(summary: dict[str, Any], small_db: Database) -> None:
    for name, table in summary["tables"].items():
        assert table["name"] == name
        expected = small_db.query(f"SELECT COUNT(*) FROM {small_db.quote(name)}")[0][0]
        assert table["row_count"] == expected
    employees = summary["tables"]["employees"]
    assert employees["primary_key"] == ["emp_id"]
    assert employees["foreign_keys"] == [
        {"columns": ["dept_id"], "referenced_table": "departments", "referenced_columns": ["dept_id"]}
    ]
    assert summary["tables"]["assignments"]["primary_key"] == []


@on_both
def test_relationships_are_arrays_per_table_with_inferred_links(summary: dict[str, Any]) -> None:
    rel = summary["relationships"]
    assert set(rel) == set(summary["tables"])
    assert all(isinstance(v, list) for v in rel.values())
    declared = {
        "referencing_table": "employees",
        "referencing_table_column": "dept_id",
        "referenced_table": "departments",
        "referenced_table_column": "dept_id",
    }
    assert declared in rel["employees"] and declared in rel["departments"]  # listed under both ends
    inferred = [link for links in rel.values() for link in links if link.get("inferred")]
    pairs = {
        (i["referencing_table_column"], i["referenced_table"], i["referenced_table_column"]) for i in inferred
    }
    assert pairs == {("emp_id", "employees", "emp_id"), ("team_id", "teams", "id")}
    assert all(set(link) - {"inferred"} == LINK_KEYS for links in rel.values() for link in links)
    assert "inferred" not in declared and rel["archive"] == []
    assert summary["tables"]["assignments"]["columns"]["team_id"]["references"] == "teams.id"


@on_both
def test_column_statistics(summary: dict[str, Any], db_kind: str) -> None:
    cols = summary["tables"]["employees"]["columns"]
    salary = cols["salary"]
    assert salary["data_type"] == REAL[db_kind] and salary["nullable"] is True
    assert salary["null_count"] == 4 and salary["distinct_count"] == 36
    assert (salary["min"], salary["max"]) == (1012.5, 1487.5)
    assert (cols["hired_on"]["min"], cols["hired_on"]["max"]) == ("2020-01-10", "2020-12-24")
    assert cols["full_name"]["distinct_count"] == 40 and "frequent_values" not in cols["full_name"]
    assert cols["full_name"]["sample_values"] == ["Person 01", "Person 02", "Person 03"]
    region = summary["tables"]["departments"]["columns"]["region"]
    assert region["frequent_values"] == [
        {"value": "North", "count": 3},
        {"value": "South", "count": 2},
        {"value": "East", "count": 1},
    ]
    note = cols["note"]
    assert note["null_count"] == 29
    assert any("\ufffd" in v["value"] for v in note["frequent_values"])  # undecodable bytes survive
    assert summary["tables"]["archive"]["columns"]["payload"]["null_count"] == 0


@on_both
def test_descriptions_say_what_they_should(summary: dict[str, Any], db_kind: str) -> None:
    tables = summary["tables"]
    assert tables["employees"]["description"] == (
        "Employees: 40 rows, one per emp_id. Related to assignments, departments."
    )
    assert tables["archive"]["description"] == "Archive: empty."
    cols = tables["employees"]["columns"]
    assert cols["market_cap"]["description"] == "Market cap (BIGINT), from 9.2e10 to 3.2e12."
    salary = f"Salary ({REAL[db_kind]}), from 1012.5 to 1487.5; 4 of 40 missing."
    assert cols["salary"]["description"] == salary
    assert cols["dept_id"]["description"] == "Dept ID (INTEGER), refers to departments.dept_id."
    assert cols["emp_id"]["description"].startswith("Emp ID (INTEGER), the primary key")
    region = tables["departments"]["columns"]["region"]["description"]
    assert region == "Region, one of 3 values such as 'North', 'South'."
    assert "unique" in tables["departments"]["columns"]["dept_name"]["description"]
    assert "2020-01-10 to 2020-12-24" in summary["summary"]
    assert "employees" in summary["summary"] and "5 tables" in summary["summary"]
    assert "employees.dept_id -> departments.dept_id" in summary["description"]["system"]
    assert summary["keywords"][:5] == ["Archive", "Assignment", "Department", "Employee", "Team"]
    assert "Region" in summary["keywords"] and "Salary" in summary["keywords"]


def test_naming_helpers() -> None:
    assert entity("user_stock_selections") == "User_Stock_Selection"
    assert entity("companies") == "Company" and entity("indexes") == "Index"
    assert entity("stock_quote_histories") == "Stock_Quote_History"
    assert human("user_id") == "User ID" and human("marketCap") == "Market cap"


@on_both
def test_same_database_gives_the_same_summary(small_db: Database) -> None:
    first = build_summary(small_db)
    second = build_summary(small_db)
    assert first == second
    assert json.dumps(first, sort_keys=False) == json.dumps(second, sort_keys=False)


@on_both
def test_progress_per_table_and_cancel(small_db: Database) -> None:
    seen: list[tuple[str, float]] = []
    build_summary(small_db, on_progress=lambda m, f: seen.append((m, f)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    profiled = [m for m, _ in seen if m.startswith("Profiling table")]
    assert len(profiled) == 5 and "employees" in profiled[3]

    class Cancelled(Exception):
        pass

    def cancel(message: str, fraction: float) -> None:
        if fraction > 0.3:
            raise Cancelled

    with pytest.raises(Cancelled):
        build_summary(small_db, on_progress=cancel)


@on_both
def test_queries_per_table_are_bounded(small_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    original = small_db.query_many

    def recording(statements: list[str]) -> list[list[tuple[Any, ...]]]:
        calls.append(list(statements))
        return original(statements)

    monkeypatch.setattr(small_db, "query_many", recording)
    build_summary(small_db)
    # per non-empty table: row count, one aggregate pass, one batch of sample + frequent values
    assert len(calls) == 1 + 3 * 4
    aggregate = next(c[0] for c in calls if "COUNT(DISTINCT" in c[0] and "employees" in c[0])
    assert aggregate.count("FROM") == 1


@on_both
def test_big_tables_are_sampled(small_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profiling, "SAMPLE_ROWS", 10)
    summary = build_summary(small_db)
    employees = summary["tables"]["employees"]
    assert "profile_note" in employees and employees["row_count"] == 40
    assert employees["columns"]["emp_id"]["distinct_count"] == 10  # from the first 10 rows
    assert employees["columns"]["emp_id"]["max"] == 40  # min/max stay exact
    assert employees["columns"]["salary"]["null_count"] == 4
    assert "profile_note" not in summary["tables"]["departments"]


def test_edits_apply_and_unknown_names_raise(summary: dict[str, Any]) -> None:
    apply_table_description(summary, "employees", "People on the payroll.")
    assert summary["tables"]["employees"]["description"] == "People on the payroll."
    apply_table_description(summary, "TEAMS", "Teams.")  # names match case-insensitively
    assert summary["tables"]["teams"]["description"] == "Teams."
    apply_column_descriptions(summary, "employees", {"salary": "Yearly salary in USD.", "Note": "Free text."})
    cols = summary["tables"]["employees"]["columns"]
    assert cols["salary"]["description"] == "Yearly salary in USD."
    assert cols["note"]["description"] == "Free text."
    before = copy.deepcopy(summary)
    with pytest.raises(KeyError, match="unknown table 'staff'"):
        apply_table_description(summary, "staff", "x")
    with pytest.raises(KeyError, match="unknown column 'wage' in table 'employees'"):
        apply_column_descriptions(summary, "employees", {"full_name": "Name.", "wage": "x"})
    assert summary == before  # a failed edit changes nothing


@on_both
def test_v2_shape(summary: dict[str, Any], db_kind: str) -> None:
    v2 = to_v2(summary, cluster_id="10939961583884005252", database="staff")
    assert v2["cluster_id"] == "10939961583884005252" and v2["db_name"] == "staff"
    assert v2["status"] == "done" and v2["short_summary"] == summary["summary"]
    assert v2["summary"] == summary["description"]["system"]
    assert v2["summary_keywords"] == summary["keywords"]
    assert v2["table_relationship"] == summary["relationships"]
    employees = v2["db_schema"]["employees"]
    assert set(employees) == {
        "columns",
        "description",
        "key_attributes",
        "primary_key",
        "status",
        "table_name",
    }
    assert employees["primary_key"] == "emp_id" and employees["table_name"] == "employees"
    assert employees["key_attributes"][:2] == ["emp_id", "dept_id"]
    assert employees["columns"]["salary"] == {
        "default": None,
        "description": summary["tables"]["employees"]["columns"]["salary"]["description"],
        "name": "salary",
        "nullable": True,
        "type": REAL[db_kind],
    }
    assert v2["entity"]["employees"]["involved_tables"] == ["employees"]
    assert v2["entity"]["departments"]["attributes"] == ["dept_id", "region"]
    json.dumps(v2)


def test_profiling_sql_runs_on_duckdb(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("duckdb_engine")
    path = tmp_path / "t.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        'CREATE TABLE t (id INTEGER PRIMARY KEY, region VARCHAR, meta JSON, d DATE, "odd:name" VARCHAR)'
    )
    con.execute(
        "INSERT INTO t SELECT i, CASE WHEN i % 3 = 0 THEN 'North' ELSE 'South' END, NULL, "
        "DATE '2021-01-01' + i::INTEGER, 'x' FROM range(1, 30) r(i)"
    )
    con.close()
    db = Database(f"duckdb:///{path}")
    try:
        # introspected by hand: the profiler's SQL is what is under test here
        columns = (
            ColumnInfo("id", "INTEGER"),
            ColumnInfo("region", "VARCHAR"),
            ColumnInfo("meta", "JSON"),
            ColumnInfo("d", "DATE"),
            ColumnInfo("odd:name", "VARCHAR"),
        )
        prof = profiling.profile_table(db, TableInfo("t", columns, primary_key=("id",)))
    finally:
        db.dispose()
    by_name = {c.info.name: c for c in prof.columns}
    assert prof.row_count == 29 and prof.error is None
    assert by_name["region"].frequent == [("South", 20), ("North", 9)]
    assert (by_name["d"].min, by_name["d"].max) == ("2021-01-02", "2021-01-30")
    assert by_name["meta"].non_null == 0 and by_name["odd:name"].frequent == [("x", 29)]


@on_both
def test_sample_database_summary(tmp_path: Path, db_kind: str) -> None:
    from c2q_tui.local.sample import ensure_sample

    # on MariaDB: the copy `.ci/mariadb.sh` loaded
    url = mariadb_url("sp500insight") if db_kind == "mariadb" else None
    db = Database(url or f"sqlite:///{ensure_sample(tmp_path / 'sp500insight.db')}")
    try:
        summary = build_summary(db)
    finally:
        db.dispose()
    tables = summary["tables"]
    assert tables["users"]["row_count"] == 200
    companies = tables["companies"]
    assert companies["description"].startswith(f"Companies: {companies['row_count']} rows")
    assert tables["companies"]["description"].endswith(
        "one per stock_symbol. Related to index_compositions, stock_quote_histories, user_stock_selections."
    )
    links = {
        (link["referencing_table"], link["referencing_table_column"], link["referenced_table"])
        for link in summary["relationships"]["companies"]
    }
    assert links == {
        ("index_compositions", "stock_symbol", "companies"),
        ("stock_quote_histories", "stock_symbol", "companies"),
        ("user_stock_selections", "stock_symbol", "companies"),
    }
    assert not any(link.get("inferred") for links in summary["relationships"].values() for link in links)
    sector = tables["companies"]["columns"]["sector"]
    assert sector["distinct_count"] == 11
    assert "Information Technology" in [v["value"] for v in sector["frequent_values"]]
    assert sector["description"].startswith("Sector, one of 11 values such as")
    assert "Company" in summary["keywords"] and "Sector" in summary["keywords"]
    record_date = tables["stock_quote_histories"]["columns"]["record_date"]
    assert (record_date["min"], record_date["max"]) == ("2023-01-02", "2024-12-31")
