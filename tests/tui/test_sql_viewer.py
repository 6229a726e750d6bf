"""SqlViewer and its pure helpers: pretty-printing, highlighting, diffs, copy and $EDITOR."""

from __future__ import annotations

import shlex
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from c2q_tui.tui.widgets.sql_text import (
    DiffLine,
    SqlPalette,
    diff_lines,
    highlight_sql,
    line_numbers,
    pretty_sql,
    render_unified,
    side_by_side,
    unified_diff,
)
from c2q_tui.tui.widgets.sql_viewer import SqlViewer
from tests.tui.widget_apps import ORDERS_SQL, REFINED_SQL, SqlApp, screen_text

SIZE = (120, 40)


def posted(seen: list[Message], kind: type[Message]) -> list[Any]:
    return list({id(m): m for m in seen if isinstance(m, kind)}.values())


# ---------------------------------------------------------------- pure helpers


def test_pretty_sql_formats_one_clause_per_line() -> None:
    assert pretty_sql("select a, count(*) from t where b > 1 group by a") == (
        "SELECT\n  a,\n  COUNT(*)\nFROM t\nWHERE\n  b > 1\nGROUP BY\n  a"
    )


def test_pretty_sql_keeps_mysql_backticks_and_several_statements() -> None:
    assert pretty_sql("select `order` from t; select 2;") == "SELECT\n  `order`\nFROM t;\n\nSELECT\n  2"


@pytest.mark.parametrize("sql", ["SELEC broken FROM (((", "this is not sql at all ) ("])
def test_unparseable_sql_is_shown_as_written(sql: str) -> None:
    assert pretty_sql(f"  {sql}\n") == sql


def test_unknown_dialect_falls_back_too() -> None:
    assert pretty_sql("select 1", dialect="no-such-dialect") == "select 1"


def test_empty_sql() -> None:
    assert pretty_sql("  \n") == ""


def test_highlight_keeps_the_text_and_colours_tokens() -> None:
    palette = SqlPalette(keyword="#010203", string="#040506")
    text = highlight_sql("SELECT 'x'\nFROM t", palette)
    assert text.plain == "SELECT 'x'\nFROM t"

    def style_at(index: int) -> str:
        return " ".join(str(span.style) for span in text.spans if span.start <= index < span.end)

    assert "#010203" in style_at(0)  # SELECT
    assert "#040506" in style_at(text.plain.index("x"))
    assert style_at(text.plain.index("t")) == ""  # a plain name keeps the widget's colour


def test_palette_from_theme_variables_skips_what_rich_cannot_use() -> None:
    palette = SqlPalette.from_variables(
        {"text-primary": "#112233", "foreground": "auto 87%", "error-muted": "rgba(255,0,0,0.5)",
         "background": "#000000"}
    )
    assert palette.keyword == "#112233"
    assert palette.text == SqlPalette().text  # "auto 87%" is CSS-only
    assert palette.error_background == "#7F0000"  # flattened onto the background


def test_line_numbers() -> None:
    assert line_numbers(10).splitlines()[0] == " 1"
    assert line_numbers(10).splitlines()[-1] == "10"


def test_diff_lines_mark_removed_and_added() -> None:
    lines = diff_lines("SELECT a\nFROM t", "SELECT a, b\nFROM t\nLIMIT 5")
    assert lines == [
        DiffLine("-", "SELECT a", 1, None),
        DiffLine("+", "SELECT a, b", None, 1),
        DiffLine(" ", "FROM t", 2, 2),
        DiffLine("+", "LIMIT 5", None, 3),
    ]


def test_unified_diff_text_and_side_by_side() -> None:
    assert unified_diff("a\nb", "a\nc").splitlines()[-2:] == ["-b", "+c"]
    rows = side_by_side("a\nb", "a\nc\nd")
    assert [tuple(row) for row in rows] == [("a", "a", False), ("b", "c", True), (None, "d", True)]


def test_render_unified_colours_changes() -> None:
    palette = SqlPalette(error="#aa0000", success="#00aa00")
    gutter, body = render_unified(diff_lines("SELECT a", "SELECT b"), palette)
    assert gutter == "1  \n  1"
    assert body.plain == "- SELECT a\n+ SELECT b"
    styles = [str(span.style) for span in body.spans]
    assert any("#aa0000" in style for style in styles)
    assert any("#00aa00" in style for style in styles)


# ---------------------------------------------------------------- the widget


def code_of(app: SqlApp) -> str:
    content = app.query_one("#sql-code", Static).content
    return content.plain if isinstance(content, Text) else str(content)


async def test_shows_pretty_sql_with_line_numbers() -> None:
    app = SqlApp(ORDERS_SQL)
    async with app.run_test(size=SIZE):
        viewer = app.viewer
        assert viewer.current_sql == ORDERS_SQL
        assert viewer.formatted_sql == pretty_sql(ORDERS_SQL)
        assert code_of(app) == viewer.formatted_sql
        text = screen_text(app)
        assert " 1  SELECT" in text
        assert "ORDER BY" in text


async def test_error_is_shown_under_the_sql() -> None:
    app = SqlApp()
    async with app.run_test(size=SIZE) as pilot:
        app.viewer.show_error("select nope from t", "Unknown column 'nope' in 'field list'")
        await pilot.pause()
        assert app.viewer.mode == "error"
        assert "SQL error: Unknown column 'nope' in 'field list'" in screen_text(app)
        assert code_of(app) == "SELECT\n  nope\nFROM t"


async def test_error_without_sql_shows_only_the_error() -> None:
    app = SqlApp()
    async with app.run_test(size=SIZE) as pilot:
        app.viewer.show_error("", "The question could not be answered from this database.")
        await pilot.pause()
        text = screen_text(app)
        assert "SQL error: The question could not be answered" in text
        assert " 1 " not in text.splitlines()[0]


async def test_diff_shows_explanation_and_changes_and_toggles() -> None:
    app = SqlApp(REFINED_SQL, old_sql=ORDERS_SQL, explanation="Added the country and kept the top 5.")
    async with app.run_test(size=SIZE) as pilot:
        text = screen_text(app)
        assert "Added the country and kept the top 5." in text
        code = code_of(app)
        assert "+   c.country," in code
        assert "- LIMIT 10" in code and "+ LIMIT 5" in code
        views = [app.viewer.diff_view]
        await pilot.press("v")
        views.append(app.viewer.diff_view)
        pairs = [tuple(side.strip() for side in line.split("│")) for line in code_of(app).splitlines()]
        assert ("LIMIT 10", "LIMIT 5") in pairs
        assert ("", "c.country,") in pairs
        await pilot.press("d")
        views.append(app.viewer.diff_view)
        assert code_of(app) == pretty_sql(REFINED_SQL)
        await pilot.press("d")
        views.append(app.viewer.diff_view)
        assert views == ["unified", "split", "new", "unified"]


async def test_diff_bindings_only_apply_to_a_diff() -> None:
    app = SqlApp(ORDERS_SQL)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d", "v")
        assert app.viewer.diff_view == "unified"
        assert app.viewer.check_action("toggle_diff", ()) is False


async def test_copy_sql(monkeypatch: pytest.MonkeyPatch) -> None:
    app = SqlApp(ORDERS_SQL)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        await pilot.press("c")
        assert copied == [pretty_sql(ORDERS_SQL)]
        assert [m.sql for m in posted(seen, SqlViewer.Copied)] == copied


async def test_clear_shows_the_placeholder() -> None:
    app = SqlApp(ORDERS_SQL)
    async with app.run_test(size=SIZE) as pilot:
        app.viewer.clear("Ask a question to see its SQL")
        await pilot.pause()
        assert app.viewer.current_sql == ""
        assert "Ask a question to see its SQL" in screen_text(app)


async def test_follows_the_theme() -> None:
    app = SqlApp(ORDERS_SQL)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        content = app.query_one("#sql-code", Static).content
        assert isinstance(content, Text)
        expected = SqlPalette.from_variables(app.theme_variables).keyword.lower()
        assert any(expected in str(span.style).lower() for span in content.spans)


# ---------------------------------------------------------------- $EDITOR


def fake_editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text("import pathlib, sys\npath = pathlib.Path(sys.argv[1])\n" + body)
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def record_notifications(app: SqlApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    notes: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: notes.append(message))
    monkeypatch.setattr(app, "suspend", nullcontext)  # the headless driver cannot suspend
    return notes


async def test_edit_posts_the_edited_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    replace = "path.write_text(path.read_text().replace('10', '20'))\n"
    monkeypatch.setenv("EDITOR", fake_editor(tmp_path, replace))
    app = SqlApp(ORDERS_SQL)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        record_notifications(app, monkeypatch)
        await pilot.press("e")
        await pilot.pause()
        edited = posted(seen, SqlViewer.Edited)
        assert [m.sql for m in edited] == [pretty_sql(ORDERS_SQL).replace("10", "20")]


async def test_edit_without_changes_posts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", fake_editor(tmp_path, "pass\n"))
    app = SqlApp(ORDERS_SQL)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        notes = record_notifications(app, monkeypatch)
        await pilot.press("e")
        assert posted(seen, SqlViewer.Edited) == []
        assert notes == ["The SQL was not changed."]


async def test_edit_reports_a_failing_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", fake_editor(tmp_path, "sys.exit(3)\n"))
    app = SqlApp(ORDERS_SQL)
    async with app.run_test(size=SIZE) as pilot:
        notes = record_notifications(app, monkeypatch)
        await pilot.press("e")
        assert len(notes) == 1 and "exited with status 3" in notes[0]


async def test_edit_without_an_editor_says_how_to_set_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = SqlApp(ORDERS_SQL)
    async with app.run_test(size=SIZE) as pilot:
        notes = record_notifications(app, monkeypatch)
        await pilot.press("e")
        assert notes == ["Set $EDITOR (or $VISUAL) to edit SQL in your editor."]


# ---------------------------------------------------------------- snapshots


def test_snapshot_sql(snap_compare: Any) -> None:
    assert snap_compare(SqlApp(ORDERS_SQL), terminal_size=SIZE)


def test_snapshot_diff(snap_compare: Any) -> None:
    app = SqlApp(REFINED_SQL, old_sql=ORDERS_SQL, explanation="Added the country and kept the top 5.")
    assert snap_compare(app, terminal_size=SIZE)
