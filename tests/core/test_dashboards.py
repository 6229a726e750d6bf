"""Dashboards without a terminal: storage (migration 3 of the history), the chart each item gets,
and the HTML and Markdown reports."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from c2q_tui.dashboards import BREAKDOWN, CUSTOM, PINNED, Dashboard, DashboardItem, DashboardStore
from c2q_tui.export import ExportExists
from c2q_tui.formats import TaskView
from c2q_tui.history import _MIGRATIONS, SCHEMA_VERSION, History
from c2q_tui.report import dashboard_html, dashboard_markdown, export_dashboard
from c2q_tui.svgcharts import chart_plan, chart_svg

SECTORS = [["Energy", "12.5"], ["Financials", "30"], ["Health Care", "7"]]


def task(task_id: str = "0", title: str = "Revenue by sector", **kw: object) -> TaskView:
    fields: dict[str, object] = {
        "task_id": task_id,
        "clarified_task": title,
        "sql": "SELECT sector, SUM(revenue) FROM companies GROUP BY 1",
        "sql_error": None,
        "columns": ["sector", "revenue"],
        "rows": [list(r) for r in SECTORS],
        "chart_options": {"chart_name": "BarChart", "option": {"x": "sector", "y": "revenue"}},
    }
    fields.update(kw)
    return TaskView(**fields)  # type: ignore[arg-type]


def test_a_version_2_file_gets_the_dashboard_tables_and_keeps_its_turns(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.executescript(_MIGRATIONS[1])
        db.executescript(_MIGRATIONS[2])
        db.execute("INSERT INTO meta VALUES ('schema_version', '2')")
        db.execute(
            "INSERT INTO turns (profile, session_id, question, status, result_json, created_at, updated_at) "
            "VALUES ('p', 7, 'old question', 'done', '{\"sql\": \"SELECT 1\"}', 1, 2)"
        )
    history = History(path)
    assert SCHEMA_VERSION == 3
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "3"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"dashboards", "dashboard_items"} <= tables
    [turn] = history.turns("p", 7)
    assert turn.result == {"sql": "SELECT 1"}
    store = DashboardStore(history)
    assert store.toggle_pin("p", turn.turn_id, -1, task(), turn.question) is True
    History(path)  # opening it again migrates nothing twice
    assert store.pinned("p").item_count == 1


def test_pins_toggle_and_keep_a_copy_that_outlives_the_session() -> None:
    history = History()
    history.upsert_session("p", 5, database="db", name="s")
    turn_id = history.add_turn("p", 5, "revenue by sector", "direct")
    store = DashboardStore(history)
    assert store.pinned("p").items == [] and store.pinned("p").kind == PINNED
    assert store.toggle_pin("p", turn_id, -1, task(), "revenue by sector")
    assert store.toggle_pin("p", turn_id, 2, task("2", "Another"), "revenue by sector")
    assert store.pinned_keys("p") == {(turn_id, "0"), (turn_id, "2")}
    assert store.toggle_pin("p", turn_id, -1, task(), "revenue by sector") is False  # unpinned
    history.forget_session("p", 5)
    [item] = store.pinned("p").items
    assert (item.title, item.question, item.task_index, item.rows) == (
        "Another",
        "revenue by sector",
        2,
        SECTORS,
    )
    assert item.chart_options is not None and item.chart_options["chart_name"] == "BarChart"
    assert [d.kind for d in store.dashboards("p")] == [PINNED] and store.dashboards("other") == []


def test_a_breakdown_dashboard_is_made_once_and_can_be_renamed_copied_trimmed_and_deleted() -> None:
    store = DashboardStore(History())
    tasks = [(0, task("1", "Count")), (1, task("2", "By sector"))]
    board = store.from_breakdown("p", 9, "count and split", tasks)
    assert (board.kind, board.name, board.turn_id, [i.title for i in board.items]) == (
        BREAKDOWN,
        "count and split",
        9,
        ["Count", "By sector"],
    )
    assert store.from_breakdown("p", 9, "count and split", tasks).dashboard_id == board.dashboard_id
    store.remove_item(board.items[0].item_id)
    store.rename(board.dashboard_id, "Renamed")
    again = store.load(board.dashboard_id)
    assert again is not None and again.name == "Renamed" and [i.title for i in again.items] == ["By sector"]
    copy = store.save_copy(board.dashboard_id, "Mine")
    saved = store.load(copy)
    assert saved is not None and (saved.kind, saved.name, saved.item_count) == (CUSTOM, "Mine", 1)
    store.delete(board.dashboard_id)
    assert store.load(board.dashboard_id) is None
    assert [d.name for d in store.dashboards("p")] == ["Mine"]


def test_chart_plans_follow_the_answer_or_fall_back_to_a_table() -> None:
    plan = chart_plan(["sector", "revenue"], SECTORS, {"chart_name": "PieChart", "option": {"y": "revenue"}})
    assert plan is not None and (plan.kind, plan.x, plan.y) == ("pie", "sector", "revenue")
    negative = chart_plan(["k", "v"], [["a", "-1"], ["b", "2"]], {"chart_name": "PieChart"})
    assert negative is not None and negative.kind == "bar"  # no shares of a whole: bars instead
    months = chart_plan(["month", "n"], [["2024-01", 3], ["2024-02", 5]], {"chart_name": "Table"})
    assert months is not None and months.kind == "line"
    assert chart_plan(["n"], [["130"]], None) is None  # one figure: a table says it better
    assert chart_plan(["a", "b"], [["x", "y"], ["z", "w"]], None) is None  # nothing numeric
    for kind in ("BarChart", "LineChart", "PieChart"):
        p = chart_plan(["sector", "revenue"], SECTORS, {"chart_name": kind})
        assert p is not None
        ET.fromstring(chart_svg(p, ["sector", "revenue"], SECTORS))  # each is well-formed SVG


def board(*items: DashboardItem, name: str = "Sales <2024>") -> Dashboard:
    return Dashboard(1, "p", name, CUSTOM, None, 0.0, 0.0, len(items), list(items))


def item(n: int, **kw: object) -> DashboardItem:
    fields: dict[str, object] = {
        "item_id": n,
        "position": n,
        "title": f"Item {n}",
        "question": "q",
        "sql": f"SELECT {n}",
        "sql_error": None,
        "columns": ["sector", "revenue"],
        "rows": [list(r) for r in SECTORS],
    }
    fields.update(kw)
    return DashboardItem(**fields)  # type: ignore[arg-type]


def test_the_html_report_is_self_contained_well_formed_and_escapes_everything() -> None:
    evil = "<script>alert('x')</script>"
    items = (
        item(1, chart_options={"chart_name": "LineChart"}),
        item(2, title=evil, rows=[[evil, "1"], ["b & c", "2"]], chart_options={"chart_name": "PieChart"}),
        item(3, columns=["n"], rows=[["130"]]),
        item(4, sql="SELECT nope", sql_error="no such column: nope", columns=[], rows=[]),
        item(5, columns=["x", evil], rows=[["a", "1"], ["b", "2"]]),
    )
    text = dashboard_html(board(*items), generated_at=0)
    root = ET.fromstring(text.split("\n", 1)[1])  # strict XML parse (after the doctype)
    assert "<script" not in text and "&lt;script&gt;" in text
    assert "src=" not in text and "href=" not in text and "<link" not in text  # nothing external
    sections = root.findall(".//{*}section") or root.findall(".//section")
    assert len(sections) == len(items)
    for i in items:
        assert f"SELECT {i.item_id}" in text or (i.sql or "") in text
    assert text.count("<svg") == 3  # line, pie and bar; the single figure and the error are not charted
    assert "no such column: nope" in text and "Sales &lt;2024&gt;" in text


def test_the_markdown_report_has_each_items_sql_and_table() -> None:
    items = (item(1), item(2, sql="SELECT '```' AS ticks", rows=[["a|b", "1"]]), item(3, sql_error="bad"))
    text = dashboard_markdown(board(*items), generated_at=0)
    assert text.startswith("# Sales <2024>\n")
    assert "## 1. Item 1" in text and "## 3. Item 3" in text
    assert "```sql\nSELECT 1\n```" in text and "````sql\nSELECT '```' AS ticks\n````" in text
    assert "| sector | revenue |" in text and "a\\|b" in text and "**SQL error:** bad" in text


def test_export_writes_the_file_and_will_not_overwrite_unasked(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    report = export_dashboard(board(item(1), item(2)), target, "html")
    assert report.items == 2 and target.read_text().startswith("<!DOCTYPE html>")
    assert "2 items as HTML report" in report.message()
    with pytest.raises(ExportExists):
        export_dashboard(board(item(1)), target, "html")
    export_dashboard(board(item(1)), target, "html", overwrite=True)
    md = export_dashboard(board(item(1)), tmp_path / "report.md", "markdown")
    assert md.path.read_text().startswith("# Sales")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_the_dashboard_model_and_reports_never_import_textual() -> None:
    code = (
        "import sys, c2q_tui.dashboards, c2q_tui.report, c2q_tui.svgcharts; "
        "sys.exit(1 if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
