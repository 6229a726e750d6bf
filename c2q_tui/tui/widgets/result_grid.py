"""The result grid: a query result in textual-fastdatatable over Arrow, with sort and copy.

Rows arrive as Python sequences of strings (the Chat2Query API) or of native values (the
embedded backend). They become one Arrow table, built column by column in C, so nothing
scales per row in Python at show time; the grid renders only the visible cells, which keeps
100k rows as fast as 100 (performance.md §2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain, zip_longest
from typing import Any, ClassVar, Literal, Self, cast

import pyarrow as pa

# imported here, at app start, not on the first result: its lazy import costs ~50 ms (§2)
import pyarrow.compute as pc
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import AwaitMount, Widget
from textual.widgets import Static
from textual_fastdatatable import ArrowBackend, DataTable

from c2q_tui.export import plain_text
from c2q_tui.tui.widgets.clip import copy

CopyKind = Literal["cell", "row", "column", "selection", "result"]

# Numbers are recognised only in their canonical spelling: "007" or "+1" stay text, since a
# leading zero usually means a code (zip, account) whose zeros matter.
_INT = r"^-?(0|[1-9][0-9]*)$"
_DECIMAL = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"
_FLOAT = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
# Above this scale Decimal prints small values and zero in exponent form ("0E-8"); such columns
# are usually DOUBLE anyway, and read better as floats.
_MAX_DECIMAL_SCALE = 6
_MAX_DECIMAL_PRECISION = 38


# ---------------------------------------------------------------- building the table


def infer_strings(array: pa.Array) -> pa.Array:
    """A string column as int64, decimal or float64 when every non-null value is such a
    number, else unchanged. Runs in Arrow compute, never per value in Python."""
    present = array.drop_null()
    if len(present) == 0:
        return array
    # one value decides whether a column is worth scanning: a text column then costs nothing
    first = present[0].as_py()
    if not re.match(_FLOAT, first):
        return array

    def all_match(pattern: str) -> bool:
        return bool(pc.all(pc.match_substring_regex(present, pattern)).as_py())

    integral = re.match(_INT, first) is not None and all_match(_INT)
    if integral:
        try:
            return pc.cast(array, pa.int64())
        except pa.ArrowInvalid:  # beyond int64: try an exact decimal below
            pass
    if integral or all_match(_DECIMAL):
        typed = _as_decimal(array, present)
        if typed is not None:
            return typed
    if not integral and all_match(_FLOAT):
        try:
            return pc.cast(array, pa.float64())
        except pa.ArrowInvalid:
            pass
    return array


def _as_decimal(array: pa.Array, present: pa.Array) -> pa.Array | None:
    """Decimal keeps what the database printed ("3.50" stays 3.50) and sorts exactly.

    Only for columns whose fractions all have one number of places (money, DECIMAL(p, s));
    varying places (an AVG) would all be padded to the longest, so they read better as floats.
    """
    length = pc.utf8_length(present)
    dot = pc.find_substring(present, ".")
    no_dot = pc.less(dot, 0)
    places = pc.if_else(no_dot, 0, pc.subtract(pc.subtract(length, dot), 1))
    scale = pc.max(places).as_py()
    fractional = pc.filter(places, pc.invert(no_dot))
    if len(fractional) and pc.min(fractional).as_py() != scale:
        return None
    sign = pc.cast(pc.starts_with(present, "-"), pa.int32())
    digits = pc.max(pc.subtract(pc.if_else(no_dot, length, dot), sign)).as_py()
    if scale > _MAX_DECIMAL_SCALE or digits + scale > _MAX_DECIMAL_PRECISION:
        return None
    try:
        return pc.cast(array, pa.decimal128(max(digits + scale, 1), scale))
    except pa.ArrowInvalid:
        return None


def _string_columns(rows: Sequence[Sequence[Any]], width: int) -> list[pa.Array] | None:
    """Fast path for all-string rows: one conversion to a list array, then a column each.

    None when a value is not a string (or None), or a row is short or missing.
    """
    try:
        nested = pa.array(rows, type=pa.list_(pa.string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    if nested.null_count or pc.min(pc.list_value_length(nested)).as_py() < width:
        return None
    return [infer_strings(pc.list_element(nested, index)) for index in range(width)]


def _object_column(values: Sequence[Any]) -> pa.Array:
    try:
        array = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        # mixed types: show every value as text rather than fail
        array = pa.array([None if v is None else cell_text(v) for v in values], type=pa.string())
    if pa.types.is_null(array.type):
        return array.cast(pa.string())
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return infer_strings(array)
    return array


def build_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> pa.Table:
    """An Arrow table of `rows` under `columns`, with a type inferred for each column.

    Never fails on data: ragged rows are padded with NULL (or cut to the columns), mixed
    columns become text. Duplicate column names are kept as they are.
    """
    names = [str(name) for name in columns]
    if not names and rows:
        names = [f"column_{index + 1}" for index in range(max(len(row) for row in rows))]
    width = len(names)
    if not rows:
        return pa.Table.from_arrays([pa.array([], pa.string()) for _ in names], names=names)
    if isinstance(rows[0], Mapping):  # v1-style rows keyed by column name
        keyed = cast(Sequence[Mapping[str, Any]], rows)
        rows = [[row.get(name) for name in names] for row in keyed]
    arrays = _string_columns(rows, width)
    if arrays is None:
        transposed = list(zip_longest(*rows))[:width]
        transposed += [(None,) * len(rows)] * (width - len(transposed))
        arrays = [_object_column(values) for values in transposed]
    return pa.Table.from_arrays(arrays, names=names)


# ---------------------------------------------------------------- text for the clipboard


cell_text = plain_text  # one rule for every place a value becomes text


def _field(text: str) -> str:
    # the quoting spreadsheets use on paste: a value with a tab, line break or quote is quoted
    if "\t" in text or "\n" in text or "\r" in text or '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv(rows: Iterable[Iterable[Any]]) -> str:
    return "\n".join("\t".join(_field(cell_text(value)) for value in row) for row in rows)


def row_tsv(values: Sequence[Any]) -> str:
    """One row as a TSV line."""
    return _tsv([values])


def column_text(values: Iterable[Any]) -> str:
    """A column's values, one per line (TSV-quoted where a value has a tab or newline)."""
    return _tsv([value] for value in values)


def result_tsv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header line and then every row, as TSV."""
    return _tsv(chain([columns], rows))


def table_rows(table: pa.Table) -> Iterator[tuple[Any, ...]]:
    """The rows of an Arrow table as Python tuples, converted a column at a time."""
    return zip(*(column.to_pylist() for column in table.columns), strict=True)


def describe_result(shown: int, columns: int, *, total: int | None = None, truncated: bool = False) -> str:
    """The status line: "Showing X of Y rows" when cut short, else "N rows · M columns"."""
    cols = f"{columns:,} column{'' if columns == 1 else 's'}"
    if total is not None and total > shown:
        return f"Showing {shown:,} of {total:,} rows · {cols}"
    if truncated:
        return f"Showing {shown:,} of more than {shown:,} rows · {cols}"
    if shown == 0:
        return f"No rows · {cols}"
    return f"{shown:,} row{'' if shown == 1 else 's'} · {cols}"


# ---------------------------------------------------------------- the widget


class ResultGrid(Widget):
    """A query result: the grid, an empty state and a status line under it.

    Focus goes to the inner grid; the bindings below work while it has focus.
    """

    DEFAULT_CSS = """
    ResultGrid { height: 1fr; layout: vertical; }
    ResultGrid:focus { background-tint: $foreground 5%; }
    ResultGrid > DataTable { height: 1fr; max-height: 100%; }
    ResultGrid > #grid-empty { height: 1fr; width: 1fr; content-align: center middle; color: $text-muted; }
    ResultGrid > #grid-status { height: 1; padding: 0 1; color: $text-muted; background: $panel; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort", "Sort", id="grid-sort",
                tooltip="Sort by the cursor's column; press again to reverse the order."),
        Binding("c", "copy('cell')", "Copy cell", id="grid-copy-cell",
                tooltip="Copy the value under the cursor."),
        Binding("y", "copy('row')", "Copy row", id="grid-copy-row",
                tooltip="Copy the cursor's row as a line of TSV."),
        Binding("v", "copy('column')", "Copy column", id="grid-copy-column",
                tooltip="Copy every value of the cursor's column, one per line."),
        Binding("t", "copy('result')", "Copy TSV", id="grid-copy-tsv",
                tooltip="Copy the selection (shift+arrows), or the whole result with its header, as TSV."),
    ]

    class Sorted(Message):
        """The rows were sorted by a column."""

        def __init__(self, grid: ResultGrid, column: str, column_index: int, descending: bool) -> None:
            super().__init__()
            self.grid = grid
            self.column = column
            self.column_index = column_index
            self.descending = descending

        @property
        def control(self) -> ResultGrid:
            return self.grid

    class Copied(Message):
        """Text from the result was put on the clipboard."""

        def __init__(self, grid: ResultGrid, kind: CopyKind, text: str) -> None:
            super().__init__()
            self.grid = grid
            self.kind: CopyKind = kind
            self.text = text

        @property
        def control(self) -> ResultGrid:
            return self.grid

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._grid: DataTable | None = None
        self._empty = Static("", id="grid-empty", markup=False)
        self._status = Static("", id="grid-status", markup=False)
        self._columns: list[str] = []
        self._title = ""
        self._total: int | None = None
        self._truncated = False
        self._sort: tuple[int, bool] | None = None  # (column index, descending)
        self._status_plain = ""
        self._focus_pending = False

    def compose(self) -> ComposeResult:
        if self._grid is not None:  # show() was called before mounting
            yield self._grid
        yield self._empty
        yield self._status

    def on_mount(self) -> None:
        self._empty.display = self._grid is None
        self._refresh_status()

    # ------------------------------------------------------------ public API

    def show(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]] | pa.Table,
        *,
        total: int | None = None,
        truncated: bool = False,
        title: str = "",
    ) -> AwaitMount:
        """Replace the result. Await the return value to wait for the new grid to mount.

        `rows` may also be a ready `pa.Table` (e.g. from `build_table` in a thread worker,
        which takes ~100 ms for 100k rows of strings); `columns` then only relabels it.
        """
        table = rows if isinstance(rows, pa.Table) else build_table(columns, rows)
        labels = [str(name) for name in columns]
        self._columns = labels if len(labels) == table.num_columns else table.column_names
        self._title, self._total, self._truncated, self._sort = title, total, truncated, None
        grid = None
        if table.num_rows:
            # a fresh grid per result: fastdatatable cannot swap its data in place
            # (DataTable.clear raises), and mounting one is ~50 ms at any row count
            grid = DataTable(
                backend=ArrowBackend(table),
                column_labels=[Text(name) for name in self._columns],  # names are data, too
                render_markup=False,
                null_rep="[dim]NULL[/]",
                cursor_type="range",
                max_column_content_width=60,
            )
        return self._replace_grid(grid, "No rows")

    def clear(self, message: str = "") -> AwaitMount:
        """Remove the result, showing `message` in its place."""
        self._columns, self._title, self._total, self._truncated, self._sort = [], "", None, False, None
        return self._replace_grid(None, message)

    @property
    def table(self) -> DataTable | None:
        """The inner fastdatatable grid, None when there are no rows."""
        return self._grid

    @property
    def data(self) -> pa.Table | None:
        """The rows as shown, in their current sort order."""
        if self._grid is None or self._grid.backend is None:
            return None
        table: pa.Table = self._grid.backend.data
        return table

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def row_count(self) -> int:
        return self._grid.row_count if self._grid is not None else 0

    @property
    def sort_state(self) -> tuple[str, bool] | None:
        """(column name, descending) of the current sort, if any."""
        if self._sort is None:
            return None
        return self._columns[self._sort[0]], self._sort[1]

    @property
    def status_text(self) -> str:
        """The status line as plain text."""
        return self._status_plain

    def focus(self, scroll_visible: bool = True) -> Self:
        """Focus the grid, or this widget while it has no rows."""
        if self._grid is None:
            return super().focus(scroll_visible)
        self._grid.focus(scroll_visible)
        return self

    # ------------------------------------------------------------ internals

    def _replace_grid(self, grid: DataTable | None, empty_message: str) -> AwaitMount:
        keep_focus = self.is_mounted and (self._focus_pending or self.has_focus or self.has_focus_within)
        if self._grid is not None:
            self._grid.remove()
        self._grid = grid
        # Without a grid the widget takes focus itself, so a new answer (or clear() and then
        # show(), as a re-run does) keeps the keyboard in this pane instead of sending it away.
        self.can_focus = grid is None
        self._empty.update(empty_message)
        if not self.is_mounted:
            return AwaitMount(self, [])
        self._empty.display = grid is None
        self._refresh_status()
        self._focus_pending = keep_focus
        if keep_focus:
            self.call_later(self._restore_focus)
        return self.mount(grid, before=self._empty) if grid is not None else AwaitMount(self, [])

    def _restore_focus(self) -> None:
        if self._focus_pending:
            self._focus_pending = False
            self.focus(scroll_visible=False)

    def _refresh_status(self) -> None:
        status = Text()
        if self._title:
            status.append(self._title, "bold")
        if self._columns:
            shown = describe_result(
                self.row_count, len(self._columns), total=self._total, truncated=self._truncated
            )
            status.append(f" · {shown}" if self._title else shown)
        if self._sort is not None:
            index, descending = self._sort
            status.append(f" · sorted by {self._columns[index]} {'↓' if descending else '↑'}")
        self._status_plain = status.plain
        self._status.update(status)

    def _copy(self, kind: CopyKind, text: str, what: str) -> None:
        copy(self, text, what)
        self.post_message(self.Copied(self, kind, text))

    def action_sort(self) -> None:
        grid = self._grid
        if grid is None or grid.backend is None or not grid.row_count:
            return
        column = grid.cursor_column
        descending = self._sort is not None and self._sort[0] == column and not self._sort[1]
        # by the backend's name for the column: it renames duplicates, and sorts by name
        grid.sort(by=[(grid.backend.columns[column], "descending" if descending else "ascending")])
        self._sort = (column, descending)
        self._refresh_status()
        self.post_message(self.Sorted(self, self._columns[column], column, descending))

    def action_copy(self, kind: CopyKind) -> None:
        """Copy the cursor's cell, row or column, or (kind "result") the selection or everything."""
        grid = self._grid
        if grid is None or grid.backend is None or not grid.row_count:
            return
        backend, row, column = grid.backend, grid.cursor_row, grid.cursor_column
        if kind == "cell":
            self._copy(kind, cell_text(backend.get_cell_at(row, column)), "cell")
        elif kind == "row":
            self._copy(kind, row_tsv(backend.get_row_at(row)), f"row {row + 1:,}")
        elif kind == "column":
            text = column_text(backend.get_column_at(column))
            self._copy(kind, text, f"column {self._columns[column]} ({grid.row_count:,} values)")
        else:
            table: pa.Table = backend.data
            anchor = grid.selection_anchor_coordinate
            if anchor is None or (anchor.row, anchor.column) == (row, column):
                text = result_tsv(self._columns, table_rows(table))
                self._copy("result", text, f"{table.num_rows:,} rows as TSV")
                return
            top, bottom = sorted((anchor.row, row))
            left, right = sorted((anchor.column, column))
            part = table.slice(top, bottom - top + 1).select(list(range(left, right + 1)))
            cells = part.num_rows * part.num_columns
            self._copy("selection", _tsv(table_rows(part)), f"{cells:,} cells as TSV")

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        if self._grid is not None:
            self._grid.move_cursor(column=event.column_index)
            self.action_sort()

    @on(DataTable.SelectionCopied)
    def _selection_copied(self, event: DataTable.SelectionCopied) -> None:
        # the grid's own ctrl+c: it hands over the values, the clipboard is ours to fill
        event.stop()
        self._copy("selection", _tsv(event.values), f"{len(event.values):,} rows as TSV")
