"""RowsBackend: the grid converts only the rows it draws, typed from a sample, and must still
show, sort and copy exactly what typing the whole result (build_table) gives."""

from __future__ import annotations

from typing import Any

import pytest

from c2q_tui.tui.widgets.grid_backend import RowsBackend, sample_indices
from c2q_tui.tui.widgets.grid_types import typed_column, typed_column_in_parts
from c2q_tui.tui.widgets.result_grid import build_table, column_text
from tests.tui.conftest import wait_for
from tests.tui.widget_apps import GridApp, screen_text

SIZE = (120, 40)
N = 20_000  # large enough that the types come from a sample


def outside_sample(count: int) -> int:
    """A row the sample does not contain, so only drawing it can reveal its value."""
    picked = sample_indices(count)
    assert picked is not None
    return next(index for index in range(count // 2, count) if index not in set(picked))


def shown(backend: RowsBackend) -> list[list[Any]]:
    return [list(backend.get_row_at(index)) for index in range(backend.row_count)]


def expected(columns: list[str], rows: list[Any]) -> list[list[Any]]:
    table = build_table(columns, rows)
    return [list(row.values()) for row in table.to_pylist()]


def with_odd_value(odd: Any, usual: Any, count: int = N) -> list[list[Any]]:
    rows: list[list[Any]] = [[index, usual(index)] for index in range(count)]
    rows[outside_sample(count)][1] = odd
    return rows


@pytest.mark.parametrize(
    ("odd", "usual"),
    [
        ("abc", lambda i: str(i)),  # numbers as text, then a word: the column is text
        ("2.125", lambda i: f"{i}.50"),  # decimals of 2 places, then 3: the column is float
        ("1e5", lambda i: str(i)),  # ints, then an exponent: float
        (1.5, lambda i: i),  # native ints, then a float: float
        ("x", lambda i: i),  # native ints, then text: mixed, shown as text
        (2**70, lambda i: i),  # beyond int64
        ("7", lambda i: None),  # a sample of NULLs, then a number
    ],
)
def test_a_misleading_sample_is_corrected_when_the_odd_row_is_drawn(odd: Any, usual: Any) -> None:
    rows = with_odd_value(odd, usual)
    backend = RowsBackend(rows, column_names=["id", "v"])
    redraws: list[bool] = []
    backend.on_replan = lambda column: redraws.append(column == 1)
    backend.get_row_at(0)  # drawn under the sample's type
    backend.get_row_at(outside_sample(N))  # the odd row: the column is re-typed from every value
    assert redraws == [True]  # ...and the grid told to draw again
    assert shown(backend) == expected(["id", "v"], rows)


def test_a_sample_that_is_right_needs_no_retyping() -> None:
    rows = [[str(index), f"{index}.25", f"name {index}", None] for index in range(N)]
    backend = RowsBackend(rows, column_names=["id", "price", "name", "empty"])
    backend.on_replan = lambda column: pytest.fail("re-typed a column its sample had right")
    assert shown(backend) == expected(["id", "price", "name", "empty"], rows)


def test_ragged_and_keyed_rows() -> None:
    ragged: list[Any] = [[index, "x", "extra"] if index % 2 else [index] for index in range(N)]
    assert shown(RowsBackend(ragged, column_names=["a", "b"])) == expected(["a", "b"], ragged)
    keyed: list[Any] = [{"a": str(index), "b": "y"} for index in range(N)]
    assert shown(RowsBackend(keyed, column_names=["a", "b"])) == expected(["a", "b"], keyed)


def test_sorting_matches_a_stable_arrow_sort_with_nulls_last() -> None:
    rows = [[str(index % 97) if index % 13 else None, f"{index % 7}.5", index] for index in range(N)]
    backend = RowsBackend(rows, column_names=["a", "b", "n"])
    backend.sort([("a", "descending")])
    backend.sort([("b", "ascending")])  # ties keep the previous order, as the Arrow backend's do
    table = build_table(["a", "b", "n"], rows).sort_by([("a", "descending")]).sort_by([("b", "ascending")])
    assert shown(backend) == [list(row.values()) for row in table.to_pylist()]
    assert backend.to_table().equals(table)


def test_whole_column_and_rows_in_sorted_order() -> None:
    rows = [[index, f"v{index}"] for index in range(N)]
    backend = RowsBackend(rows, column_names=["id", "v"])
    backend.sort([("id", "descending")])
    assert backend.get_column_at(0) == list(range(N - 1, -1, -1))
    assert list(backend.iter_rows(N - 2, N, [1, 0])) == [("v1", 1), ("v0", 0)]


def test_sort_order_leaves_the_backend_alone_until_applied() -> None:
    rows = with_odd_value("x", lambda i: i)  # the sort re-types the column: ints, then text
    backend = RowsBackend(rows, column_names=["id", "v"])
    assert backend.sort_order([("v", "ascending")], stopped=lambda: True) is None
    result = backend.sort_order([("v", "ascending")])
    assert result is not None
    assert backend.get_row_at(1) == [1, 1]  # the same order, and still the sample's type
    retyped: list[int] = []
    backend.on_replan = retyped.append
    backend.apply_order(result)
    assert retyped == [1]
    table = build_table(["id", "v"], rows).sort_by([("v", "ascending")])
    assert shown(backend) == [list(row.values()) for row in table.to_pylist()]


@pytest.mark.parametrize(
    "parts",
    [
        [[1, 2], [None, None], [3]],  # a part of NULLs takes the others' type
        [[1, 2], [2.5]],  # parts that disagree are typed as one column: floats
        [["1", "2"], ["3.5"]],
        [[1], ["x"]],  # mixed: text
        [[None], [None]],
        [[2**70], [1]],
    ],
)
def test_typing_in_parts_is_typing_the_whole(parts: list[list[Any]]) -> None:
    typed, source = typed_column_in_parts(parts)
    whole, whole_source = typed_column([value for part in parts for value in part])
    assert (typed.type, source) == (whole.type, whole_source) and typed.equals(whole)


# ---------------------------------------------------------------- the widget on big results


def million_rows() -> list[tuple[int, str, float]]:
    return [(index, f"name {index}", index / 4) for index in range(1_000_000)]


async def test_scrolling_to_the_end_of_a_million_rows_shows_the_last_row() -> None:
    app = GridApp(["id", "name", "share"], million_rows())
    async with app.run_test(size=SIZE) as pilot:
        table = app.grid.table
        assert table is not None and table.row_count == 1_000_000
        assert app.grid.status_text == "1,000,000 rows · 3 columns"
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert table.cursor_row == 999_999 and table.scroll_y == table.max_scroll_y
        last_line = screen_text(app).splitlines()[-2].split()
        assert last_line == ["999999", "name", "999999", "249999.75"]  # floats show every digit


async def test_sorting_a_million_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    app = GridApp(["id", "name", "share"], million_rows())
    async with app.run_test(size=SIZE) as pilot:
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        table = app.grid.table
        assert table is not None
        await pilot.press("s", "s")  # by id, then reversed: in a worker (test_grid_sort)
        await wait_for(pilot, lambda: app.grid.sort_state is not None)
        await pilot.pause()
        assert app.grid.sort_state == ("id", True)
        assert table.get_row_at(0) == [999_999, "name 999999", 249_999.75]
        assert "name 999999" in screen_text(app) and "name 0" not in screen_text(app)
        await pilot.press("y")
        assert copied == ["999999\tname 999999\t249999.75"]


async def test_copying_a_large_sorted_column_follows_the_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[str(index), f"{index % 10}.5"] for index in range(N)]
    app = GridApp(["id", "half"], rows)
    async with app.run_test(size=SIZE) as pilot:
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        await pilot.press("right", "s", "s", "v")
        values = sorted((float(half) for _, half in rows), reverse=True)
        assert copied == [column_text(values)]
        assert app.grid.sort_state == ("half", True)


async def test_a_word_deep_in_a_numeric_column_turns_the_column_to_text_on_screen() -> None:
    rows = with_odd_value("n/a", str)
    odd = outside_sample(N)
    app = GridApp(["id", "v"], rows)
    async with app.run_test(size=SIZE) as pilot:
        table = app.grid.table
        assert table is not None
        assert table.get_row_at(0) == [0, 0]  # the sample says numbers
        table.move_cursor(row=odd)
        await pilot.pause()
        assert "n/a" in screen_text(app)
        assert table.get_row_at(0) == [0, "0"]  # the whole column is text now, as build_table says
        await pilot.press("ctrl+home")
        await pilot.pause()
        header, first = screen_text(app).splitlines()[:2]
        assert first.split() == ["0", "0"]
        assert first.rindex("0") == header.index("v")  # left-aligned under its header, as text is
