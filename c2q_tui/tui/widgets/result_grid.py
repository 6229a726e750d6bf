"""The result grid: a query result in textual-fastdatatable, with sort and copy.

Rows arrive as Python sequences of strings (the Chat2Query API) or of native values (the
embedded backend). The grid keeps them as they are and converts only the rows it draws
(grid_backend), by the typing rule of grid_types, so showing 1M rows costs what 1k rows do and
no second copy of the data (bench/grid.py).

Sorting a large result types a whole column and sorts it: ~1 s at 1M rows, more for text. That
runs in a thread worker, which posts `SortFinished`; only its handler changes the grid, and only
if no newer sort or result came meanwhile. The grid stays usable in the old order until then.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy as shallow_copy
from typing import Any, ClassVar, Literal, Self

import pyarrow as pa
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import AwaitMount, Widget
from textual.widgets import Static
from textual.worker import get_current_worker
from textual_fastdatatable import ArrowBackend, DataTable

from c2q_tui.tui.widgets.clip import copy
from c2q_tui.tui.widgets.grid_backend import RowOrder, RowsBackend, SortKeys
from c2q_tui.tui.widgets.grid_text import (
    backend_rows,
    cell_text,
    column_text,
    describe_result,
    result_tsv,
    row_tsv,
    table_rows,
    tsv,
)
from c2q_tui.tui.widgets.grid_types import build_table, infer_strings

__all__ = ["ResultGrid", "build_table", "cell_text", "column_text", "describe_result", "infer_strings",
           "result_tsv", "row_tsv", "table_rows"]

CopyKind = Literal["cell", "row", "column", "selection", "result"]
# Below this many rows a sort takes under ~20 ms (bench/grid.py's rows, by any of their columns),
# quick enough for the UI thread and simpler to follow; above it, a thread worker sorts.
SORT_IN_THREAD_ROWS = 50_000

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
    ResultGrid > #grid-status.-sorting { color: $text-warning; }
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

    class SortFinished(Message):
        """A sort worker has computed the new order (None when it failed, with `error`)."""

        def __init__(self, token: int, result: RowOrder | pa.Table | None, error: str = "") -> None:
            super().__init__()
            self.token = token
            self.result = result
            self.error = error

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
        self._sorting: tuple[int, bool] | None = None  # the sort a worker is computing
        self._sort_token = 0  # the sort worker's result is wanted only while this is unchanged
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

        The grid keeps `rows` and reads them as it draws, so they must not change while shown.
        `rows` may also be a ready `pa.Table`; `columns` then only relabels it.
        """
        backend: RowsBackend | ArrowBackend
        if isinstance(rows, pa.Table):
            backend = ArrowBackend(rows)
        else:
            backend = RowsBackend(rows, column_names=columns)
        labels = [str(name) for name in columns]
        own = rows.column_names if isinstance(rows, pa.Table) else backend.columns
        self._columns = labels if len(labels) == backend.column_count else list(own)
        self._title, self._total, self._truncated, self._sort = title, total, truncated, None
        grid = None
        if backend.row_count:
            # a fresh grid per result: fastdatatable cannot swap its data in place
            # (DataTable.clear raises), and mounting one is ~50 ms at any row count
            grid = DataTable(
                backend=backend,
                column_labels=[Text(name) for name in self._columns],  # names are data, too
                render_markup=False,
                null_rep="[dim]NULL[/]",
                cursor_type="range",
                max_column_content_width=60,
            )
            if isinstance(backend, RowsBackend):
                backend.on_replan = lambda column: self._column_retyped(grid, column)
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
        """The rows as shown, in their current sort order, as one Arrow table (built on each
        call: O(rows))."""
        backend = self._grid.backend if self._grid is not None else None
        if isinstance(backend, RowsBackend):
            return backend.to_table()
        return backend.data if isinstance(backend, ArrowBackend) else None

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def row_count(self) -> int:
        return self._grid.row_count if self._grid is not None else 0

    @property
    def sort_state(self) -> tuple[str, bool] | None:
        """(column name, descending) of the current sort, if any."""
        return None if self._sort is None else (self._columns[self._sort[0]], self._sort[1])

    @property
    def sorting(self) -> tuple[str, bool] | None:
        """(column name, descending) of the sort a worker is computing, if any."""
        return None if self._sorting is None else (self._columns[self._sorting[0]], self._sorting[1])

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
        self._cancel_sort()
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
        sort = self._sorting or self._sort
        if sort is not None:
            by = f"{self._columns[sort[0]]} {'↓' if sort[1] else '↑'}"
            status.append(
                f" · sorting {self.row_count:,} rows by {by}…" if self._sorting else f" · sorted by {by}"
            )
        # on the status line alone: a class on the grid's parent restyles the grid (~200 ms at 1M rows)
        self._status.set_class(self._sorting is not None, "-sorting")
        self._status_plain = status.plain
        self._status.update(status)

    def _copy(self, kind: CopyKind, text: str, what: str) -> None:
        copy(self, text, what)
        self.post_message(self.Copied(self, kind, text))

    def _column_retyped(self, grid: DataTable, column: int) -> None:
        """The backend re-typed a column (its sample misled): redraw, wider if it has to be."""
        backend = grid.backend
        if isinstance(backend, RowsBackend) and column < len(grid.ordered_columns):
            shown = grid.ordered_columns[column]
            width = backend.column_content_widths[column]
            if width > shown.content_width:
                shown.content_width = width
                # fastdatatable recomputes its scrollable width, on idle, only when asked so
                grid._require_update_dimensions = True
        grid.notify_style_update()

    def _cancel_sort(self) -> None:
        self._sort_token += 1
        self._sorting = None
        self.workers.cancel_group(self, "grid-sort")

    def _sorted(self, column: int, descending: bool) -> None:
        self._sort = (column, descending)
        self._refresh_status()
        self.post_message(self.Sorted(self, self._columns[column], column, descending))

    def action_sort(self) -> None:
        grid = self._grid
        if grid is None or grid.backend is None or not grid.row_count:
            return
        column = grid.cursor_column
        latest = self._sorting or self._sort  # pressed again while sorting: reverse what is coming
        descending = latest is not None and latest[0] == column and not latest[1]
        # by the backend's name for the column: it renames duplicates, and sorts by name
        by: SortKeys = [(grid.backend.columns[column], "descending" if descending else "ascending")]
        self._cancel_sort()
        if grid.row_count < SORT_IN_THREAD_ROWS:
            grid.sort(by=by)
            self._sorted(column, descending)
            return
        self._sorting = (column, descending)
        self._refresh_status()
        self._sort_worker(grid.backend, by, self._sort_token)

    @work(thread=True, exclusive=True, group="grid-sort", exit_on_error=False)
    def _sort_worker(self, backend: RowsBackend | ArrowBackend, by: SortKeys, token: int) -> None:
        worker = get_current_worker()

        def stale() -> bool:  # a newer sort or result: stop early, the result would be thrown away
            return worker.is_cancelled or token != self._sort_token

        result: RowOrder | pa.Table | None
        try:
            if isinstance(backend, RowsBackend):
                result = backend.sort_order(by, stopped=stale)
            else:  # sorting replaces the backend's table, which the grid still shows: sort a copy
                clone = shallow_copy(backend)
                clone.sort(by=by)
                result = clone.data
        except Exception as error:
            self.post_message(self.SortFinished(token, None, f"Could not sort: {error}"))
            return
        if result is not None and not stale():
            self.post_message(self.SortFinished(token, result))

    @on(SortFinished)
    def _sort_finished(self, message: SortFinished) -> None:
        message.stop()
        grid, pending = self._grid, self._sorting
        if message.token != self._sort_token or grid is None or pending is None:
            return  # a newer sort or another result came meanwhile
        self._sorting = None
        backend, result = grid.backend, message.result
        if isinstance(backend, RowsBackend) and isinstance(result, RowOrder):
            backend.apply_order(result)
        elif isinstance(backend, ArrowBackend) and isinstance(result, pa.Table):
            backend.data = result
        else:
            self._refresh_status()
            self.notify(message.error or "Could not sort.", severity="error")
            return
        grid.notify_style_update()
        self._sorted(*pending)

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
            anchor = grid.selection_anchor_coordinate
            if anchor is None or (anchor.row, anchor.column) == (row, column):
                everything = backend_rows(backend, 0, grid.row_count, range(len(self._columns)))
                text = result_tsv(self._columns, everything)
                self._copy("result", text, f"{grid.row_count:,} rows as TSV")
                return
            top, bottom = sorted((anchor.row, row))
            left, right = sorted((anchor.column, column))
            part = backend_rows(backend, top, bottom + 1, range(left, right + 1))
            cells = (bottom - top + 1) * (right - left + 1)
            self._copy("selection", tsv(part), f"{cells:,} cells as TSV")

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
        self._copy("selection", tsv(event.values), f"{len(event.values):,} rows as TSV")
