"""ResultGrid: type inference, clipboard helpers, and the widget driven through a pilot."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from textual.message import Message

from c2q_tui.tui.widgets.result_grid import (
    ResultGrid,
    build_table,
    cell_text,
    column_text,
    describe_result,
    infer_strings,
    result_tsv,
    row_tsv,
    table_rows,
)
from tests.tui.widget_apps import SMALL_COLUMNS, SMALL_ROWS, GridApp, screen_text

SIZE = (120, 40)


def strings(*values: str | None) -> pa.Array:
    return pa.array(values, type=pa.string())


# ---------------------------------------------------------------- type inference


def test_integer_strings_become_int64() -> None:
    typed = infer_strings(strings("1", "-20", None, "300"))
    assert typed.type == pa.int64()
    assert typed.to_pylist() == [1, -20, None, 300]


def test_decimal_strings_keep_their_digits() -> None:
    typed = infer_strings(strings("3.50", "12", None, "-0.25"))
    assert pa.types.is_decimal(typed.type)
    assert typed.to_pylist() == [Decimal("3.50"), Decimal("12.00"), None, Decimal("-0.25")]


def test_exponents_and_long_fractions_become_floats() -> None:
    assert infer_strings(strings("1e5", "2.5")).type == pa.float64()
    assert infer_strings(strings("0.30000000000000004", "1")).to_pylist() == [0.30000000000000004, 1.0]


@pytest.mark.parametrize(
    "values",
    [
        ("1", "abc"),  # mixed
        ("007", "12"),  # a leading zero is a code, not a number
        ("", "1"),
        ("2024-01-01", "2024-02-01"),
        ("1" * 45,),  # too wide for any exact number type
    ],
)
def test_anything_else_stays_text(values: tuple[str, ...]) -> None:
    typed = infer_strings(strings(*values))
    assert typed.type == pa.string()
    assert typed.to_pylist() == list(values)


def test_all_null_column_is_text() -> None:
    assert infer_strings(strings(None, None)).type == pa.string()


def test_build_table_from_api_strings() -> None:
    table = build_table(["id", "name", "score"], [["1", "a", "1.5"], ["2", None, None]])
    assert table.schema.types[0] == pa.int64()
    assert table.schema.types[1] == pa.string()
    assert pa.types.is_decimal(table.schema.types[2])
    assert table.num_rows == 2


def test_build_table_from_native_and_mixed_values() -> None:
    table = build_table(
        ["n", "mixed", "flag", "big"],
        [(1, "x", True, 2**70), (2, 3, False, 1), (None, None, None, None)],
    )
    assert table.schema.types[0] == pa.int64()
    assert table.column("mixed").to_pylist() == ["x", "3", None]
    assert table.schema.types[2] == pa.bool_()
    assert table.column("big").to_pylist() == [Decimal(2**70), Decimal(1), None]


def test_build_table_survives_ragged_rows_and_duplicate_names() -> None:
    table = build_table(["a", "a", "b"], [["1", "2"], ["3", "4", "5", "extra"]])
    assert table.column_names == ["a", "a", "b"]
    assert table.column(2).to_pylist() == [None, 5]


def test_build_table_accepts_rows_keyed_by_column() -> None:
    table = build_table(["a", "b"], [{"a": "1", "b": "x"}, {"a": "2"}])  # type: ignore[list-item]
    assert table.to_pylist() == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]


def test_build_table_without_rows() -> None:
    table = build_table(["a", "b"], [])
    assert table.num_rows == 0
    assert table.column_names == ["a", "b"]


# ---------------------------------------------------------------- clipboard helpers


def test_cell_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(Decimal("3.50")) == "3.50"
    assert cell_text(0.1) == "0.1"
    assert cell_text(True) == "true"
    assert cell_text("[bold]x[/]") == "[bold]x[/]"


def test_tsv_quotes_tabs_newlines_and_quotes() -> None:
    line = row_tsv(["a\tb", "two\nlines", 'say "hi"', None, 7])
    assert line == '"a\tb"\t"two\nlines"\t"say ""hi"""\t\t7'
    # and a spreadsheet-style reader gets the values back
    parsed = next(csv.reader(io.StringIO(line), dialect="excel-tab"))
    assert parsed == ["a\tb", "two\nlines", 'say "hi"', "", "7"]


def test_column_text_and_result_tsv() -> None:
    assert column_text([1, None, "x"]) == "1\n\nx"
    assert result_tsv(["id", "name"], [(1, "a"), (2, None)]) == "id\tname\n1\ta\n2\t"


def test_table_rows_are_row_tuples() -> None:
    table = build_table(["a", "b"], [["1", "x"], ["2", None]])
    assert list(table_rows(table)) == [(1, "x"), (2, None)]


@pytest.mark.parametrize(
    ("shown", "total", "truncated", "expected"),
    [
        (3, None, False, "3 rows · 4 columns"),
        (1, None, False, "1 row · 4 columns"),
        (0, None, False, "No rows · 4 columns"),
        (1000, None, True, "Showing 1,000 of more than 1,000 rows · 4 columns"),
        (1000, 5234, True, "Showing 1,000 of 5,234 rows · 4 columns"),
        (1000, 5234, False, "Showing 1,000 of 5,234 rows · 4 columns"),
    ],
)
def test_describe_result(shown: int, total: int | None, truncated: bool, expected: str) -> None:
    assert describe_result(shown, 4, total=total, truncated=truncated) == expected


# ---------------------------------------------------------------- the widget


def posted(seen: list[Message], kind: type[Message]) -> list[Any]:
    """Each message once: the hook sees it again at every node it bubbles through."""
    return list({id(m): m for m in seen if isinstance(m, kind)}.values())


def capture_clipboard(app: GridApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    return copied


async def test_show_move_and_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    app = GridApp(SMALL_COLUMNS, SMALL_ROWS, title="Revenue")
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        copied = capture_clipboard(app, monkeypatch)
        grid = app.grid
        assert grid.status_text == "Revenue · 3 rows · 4 columns"
        await pilot.press("down", "right", "c")
        assert copied == ["Utilities"]
        await pilot.press("y")
        assert copied[-1] == '10\tUtilities\t\t"tab\there"'
        await pilot.press("v")
        assert copied[-1] == "Energy\nUtilities\nTechnology"
        await pilot.press("t")
        assert copied[-1].splitlines()[0] == "id\tsector\trevenue\tnote"
        assert copied[-1].splitlines()[1] == "9\tEnergy\t1520.50\t[bold]not markup[/]"
        kinds = [m.kind for m in posted(seen, ResultGrid.Copied)]
        assert kinds == ["cell", "row", "column", "result"]


async def test_copy_selection_as_tsv(monkeypatch: pytest.MonkeyPatch) -> None:
    app = GridApp(SMALL_COLUMNS, SMALL_ROWS)
    async with app.run_test(size=SIZE) as pilot:
        copied = capture_clipboard(app, monkeypatch)
        await pilot.press("shift+down", "shift+right", "t")
        assert copied == ["9\tEnergy\n10\tUtilities"]
        await pilot.press("ctrl+c")  # the grid's own copy key goes through the same path
        assert copied[-1] == "9\tEnergy\n10\tUtilities"


async def test_sort_is_numeric_and_toggles() -> None:
    app = GridApp(SMALL_COLUMNS, SMALL_ROWS)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        grid = app.grid
        await pilot.press("s")
        data = grid.data
        assert data is not None
        assert data.column("id").to_pylist() == [2, 9, 10]  # 10 after 9, not after 1
        assert grid.sort_state == ("id", False)
        assert grid.status_text.endswith("sorted by id ↑")
        await pilot.press("s")
        data = grid.data
        assert data is not None
        assert data.column("id").to_pylist() == [10, 9, 2]
        assert grid.status_text.endswith("sorted by id ↓")
        await pilot.press("right", "right", "s")  # nulls go last
        data = grid.data
        assert data is not None
        assert data.column("revenue").to_pylist() == [Decimal("98.25"), Decimal("1520.50"), None]
        sorted_messages = [(m.column, m.descending) for m in posted(seen, ResultGrid.Sorted)]
        assert sorted_messages == [("id", False), ("id", True), ("revenue", False)]


async def test_cells_are_data_not_markup_and_nulls_read_null() -> None:
    app = GridApp(SMALL_COLUMNS, SMALL_ROWS)
    async with app.run_test(size=SIZE):
        text = screen_text(app)
        assert "[bold]not markup[/]" in text
        assert "NULL" in text


async def test_truncated_result_says_so() -> None:
    rows = [[str(i), f"name {i}"] for i in range(1000)]
    app = GridApp(["id", "name"], rows, truncated=True)
    async with app.run_test(size=SIZE):
        assert "Showing 1,000 of more than 1,000 rows" in app.grid.status_text
        assert "Showing 1,000 of more than 1,000 rows" in screen_text(app)


async def test_empty_result_and_clear() -> None:
    app = GridApp(["id", "name"], [])
    async with app.run_test(size=SIZE) as pilot:
        assert app.grid.table is None
        assert "No rows" in screen_text(app)
        await app.grid.clear("Ask a question to see rows")
        await pilot.pause()
        assert "Ask a question to see rows" in screen_text(app)
        assert app.grid.status_text == ""


async def test_a_new_result_replaces_the_old(monkeypatch: pytest.MonkeyPatch) -> None:
    app = GridApp(SMALL_COLUMNS, SMALL_ROWS)
    async with app.run_test(size=SIZE) as pilot:
        grid = app.grid
        grid.show(["x"], [["1"]])  # not awaited: a quick second answer must still win
        await grid.show(["total"], [["42"]])
        await pilot.pause()
        assert len(grid.query("DataTable")) == 1
        assert grid.columns == ["total"]
        assert "42" in screen_text(app)
        focus = [app.focused is grid.table]  # the keyboard stays on the grid...
        await grid.clear("Running…")
        await pilot.pause()
        focus.append(app.focused is grid)  # ...on the widget itself while it has no rows...
        await grid.show(["total"], [["43"]])
        await pilot.pause()
        focus.append(app.focused is grid.table)  # ...and back on the grid of a re-run
        assert focus == [True, True, True]


async def test_clicking_a_header_sorts_by_it() -> None:
    app = GridApp(SMALL_COLUMNS, SMALL_ROWS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click(ResultGrid, offset=(1, 0))  # the "id" header
        assert app.grid.sort_state == ("id", False)


async def test_100k_rows_mount_and_jump_to_the_end() -> None:
    rows: list[list[Any]] = [[str(i), f"{i}.50", f"name {i}"] for i in range(100_000)]
    app = GridApp(["id", "price", "name"], rows)
    async with app.run_test(size=SIZE) as pilot:
        table = app.grid.table
        assert table is not None
        assert table.row_count == 100_000
        await pilot.press("end")
        assert table.cursor_row == 99_999
        await pilot.press("ctrl+home", "ctrl+end")
        await pilot.pause()
        assert (table.cursor_row, table.cursor_column) == (99_999, 2)
        assert table.scroll_y == table.max_scroll_y
        assert "name 99999" in screen_text(app)


# ---------------------------------------------------------------- snapshots


def test_snapshot_small_result(snap_compare: Any) -> None:
    assert snap_compare(GridApp(SMALL_COLUMNS, SMALL_ROWS, title="Revenue by sector"), terminal_size=SIZE)


def test_snapshot_truncated_result(snap_compare: Any) -> None:
    rows = [[str(i), f"customer {i}", f"{i * 3}.25"] for i in range(1000)]
    app = GridApp(["id", "customer", "spent"], rows, truncated=True)
    assert snap_compare(app, terminal_size=SIZE, press=["s", "s"])


def test_fractions_of_varying_length_are_floats_not_padded_decimals() -> None:
    typed = infer_strings(strings("116979000000.0", "65250909090.90909", "21348333333.333332"))
    assert typed.type == pa.float64()
