"""A fastdatatable backend over the result's own rows: only the rows on screen are converted.

Converting a whole result to Arrow up front costs ~1.1 µs per row of 8 columns on the UI
thread (1.7 s and 82 MiB more at 1M rows), and the rows are already in memory as Python
sequences. So the grid keeps those, decides each column's type from a sample, and converts the
rows it draws in blocks of `BLOCK_ROWS`, through Arrow, by the same rule `build_table` applies to
a whole column (grid_types). Column widths come from the sample, too.

A sample can mislead (a column of numbers with one word in row 500,000). Each block is checked
against the sample's type as it is converted; a block that does not fit has its column re-typed
from every value, once, so what is shown is what the whole-column rule says, and its width is
measured again over every value. Sorting types the whole column anyway, and then keeps only a
permutation (8 bytes per row). `sort_order` computes that without touching the backend, so the
widget can run it in a thread worker and install it with `apply_order` on the UI thread.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any, Literal, cast

import pyarrow as pa
import pyarrow.compute as pc
from textual_fastdatatable import ArrowBackend
from textual_fastdatatable.backend import DataTableBackend

from c2q_tui.export import plain_text, unique_names
from c2q_tui.tui.widgets.grid_types import (
    Source,
    build_table,
    infer_strings,
    result_names,
    transpose,
    typed_column,
    typed_column_in_parts,
)

Rows = Sequence[Sequence[Any]]
SortKeys = list[tuple[str, Literal["ascending", "descending"]]]

BLOCK_ROWS = 256  # a block is ~5 viewports of rows: one conversion serves a page of scrolling
CACHED_BLOCKS = 32
CHUNK_ROWS = 8192  # rows converted at a time when copying a whole column or result
TYPING_PART_ROWS = 16_384  # a whole column is typed holding the GIL a few ms at a time (grid_types)
# The sample the types and widths come from: the first rows (what opens on screen, exactly),
# an even spread over the rest, and the last rows (where `end` jumps to).
SAMPLE_HEAD, SAMPLE_SPREAD, SAMPLE_TAIL = 1000, 1000, 100


@dataclass(frozen=True)
class ColumnPlan:
    """How one column's values become what the grid shows."""

    source: Source
    type: pa.DataType
    complete: bool  # decided from every value, so any block fits it
    settled: bool  # no block can change it (complete, or text that a sample already proves is text)


@dataclass(frozen=True)
class RowOrder:
    """A sort computed by `sort_order`: the display order, and what it learnt about the columns
    it typed from every value (plan and content width), for `apply_order` to install."""

    order: pa.Array
    plans: dict[int, tuple[ColumnPlan, int | None]]  # width None: the plan is the one in use


def sample_indices(count: int) -> list[int] | None:
    """The rows the sample is made of, or None when the sample would be (nearly) all of them."""
    if count <= 2 * (SAMPLE_HEAD + SAMPLE_SPREAD + SAMPLE_TAIL):
        return None
    step = (count - SAMPLE_HEAD - SAMPLE_TAIL) / SAMPLE_SPREAD
    spread = [SAMPLE_HEAD + int(index * step) for index in range(SAMPLE_SPREAD)]
    return [*range(SAMPLE_HEAD), *spread, *range(count - SAMPLE_TAIL, count)]


def _fits(block: pa.DataType, plan: ColumnPlan) -> bool:
    """Whether a block whose own values give type `block` gets the values the whole column
    would when cast to the plan's type (ints in a float or decimal column, say)."""
    if block == plan.type:
        return True
    if plan.type == pa.string():  # a sample without values: any text in the block decides
        return bool(block == pa.string())
    if pa.types.is_floating(plan.type):
        return pa.types.is_integer(block) or (plan.source != "native" and pa.types.is_decimal(block))
    if pa.types.is_decimal(plan.type):
        same_scale = pa.types.is_decimal(block) and bool(block.scale == plan.type.scale)
        return same_scale or (plan.source != "native" and pa.types.is_integer(block))
    return False


class RowsBackend(DataTableBackend[Rows]):
    """The rows of a result, typed and converted lazily. Read-only, sortable."""

    def __init__(
        self, data: Rows, max_rows: int | None = None, column_names: Sequence[str] | None = None
    ) -> None:
        self._render_markup: bool | None = None
        self.data = data
        self._names = result_names(column_names or [], data)  # as the rows are keyed (v1 rows)
        # fastdatatable sorts by column name, so repeated names ("select 1 a, 2 a") get a suffix
        self._keys = unique_names(self._names, sep="#")
        self._keyed = bool(data) and isinstance(data[0], Mapping)
        self._count = len(data) if max_rows is None else min(max_rows, len(data))
        self._order: pa.Array | None = None  # display row -> source row, once sorted
        self._blocks: OrderedDict[int, list[list[Any]]] = OrderedDict()
        self._widths: list[int] | None = None
        # the widget's cue to redraw, and to widen the re-typed column (its index) if need be
        self.on_replan: Callable[[int], None] | None = None
        picked = sample_indices(self._count)
        sample = data[: self._count] if picked is None else [data[index] for index in picked]
        self._sample: list[pa.Array] = []
        self._plans: list[ColumnPlan] = []
        for values in transpose(sample, self._names):
            typed, source = typed_column(values)
            text = typed.type == pa.string() and typed.null_count < len(typed)
            self._sample.append(typed)
            self._plans.append(ColumnPlan(source, typed.type, picked is None, picked is None or text))

    @classmethod
    def from_pydict(cls, data: Mapping[str, Sequence[Any]], max_rows: int | None = None,
                    column_names: Sequence[str] | None = None) -> RowsBackend:
        names = list(data)
        rows = list(zip(*data.values(), strict=True))
        return cls(rows, max_rows=max_rows, column_names=column_names or names)

    # ------------------------------------------------------------ what the widget reads

    @property
    def source_data(self) -> Rows:
        return self.data

    @property
    def source_row_count(self) -> int:
        return len(self.data)

    @property
    def row_count(self) -> int:
        return self._count

    @property
    def columns(self) -> Sequence[str]:
        return self._keys

    @property
    def column_content_widths(self) -> list[int]:
        if self._widths is None:
            # measured by fastdatatable's own rules, on the sample as it is shown
            names = [f"c{index}" for index in range(len(self._sample))]
            shown = [_as_shown(array) for array in self._sample]
            measure = ArrowBackend(pa.Table.from_arrays(shown, names=names))
            measure.render_markup = self.render_markup
            self._widths = [width or 0 for width in measure.column_content_widths]
        return self._widths

    def get_row_at(self, index: int) -> Sequence[Any]:
        block = self._block(index // BLOCK_ROWS)
        return [values[index % BLOCK_ROWS] for values in block]

    def get_cell_at(self, row_index: int, column_index: int) -> Any:
        if not (0 <= row_index < self._count and 0 <= column_index < len(self._keys)):
            raise IndexError(f"no cell at row={row_index} col={column_index}")
        return self._block(row_index // BLOCK_ROWS)[column_index][row_index % BLOCK_ROWS]

    def get_column_at(self, column_index: int) -> list[Any]:
        values: list[Any] = []
        for start in range(0, self._count, CHUNK_ROWS):
            rows = self._source_rows(start, min(start + CHUNK_ROWS, self._count))
            values += self._convert(column_index, self._pick(rows, column_index))
        return values

    def iter_rows(self, start: int, stop: int, columns: Sequence[int]) -> Iterator[tuple[Any, ...]]:
        """Rows `start` to `stop` (display order) of `columns`, converted a chunk at a time."""
        for first in range(start, stop, CHUNK_ROWS):
            rows = self._source_rows(first, min(first + CHUNK_ROWS, stop))
            yield from zip(*(self._convert(c, self._pick(rows, c)) for c in columns), strict=True)

    def to_table(self) -> pa.Table:
        """The rows in their current order as one Arrow table: O(rows), for tests and tools."""
        return build_table(self._names, self._source_rows(0, self._count))

    def sort(self, by: SortKeys | str) -> None:
        result = self.sort_order(by)
        if result is not None:
            self.apply_order(result)

    def sort_order(self, by: SortKeys | str, stopped: Callable[[], bool] = lambda: False) -> RowOrder | None:
        """The order `sort(by)` gives, computed without changing the backend; None when there
        are no keys, or once `stopped()` says so (asked between steps). Safe in a thread worker
        while the UI thread draws: it reads only the rows (which never change) and the order."""
        keys: SortKeys = [(by, "ascending")] if isinstance(by, str) else list(by)
        order = self._order
        plans: dict[int, tuple[ColumnPlan, int | None]] = {}
        for name, direction in reversed(keys):  # stable sorts, the least significant key first
            index = self._keys.index(name)
            typed, plan = self._typed(index)
            if stopped():
                return None
            # measured here, off the UI thread, when the column is about to change its type
            known = self._plans[index]
            changed = (known.source, known.type) != (plan.source, plan.type)
            plans[index] = (plan, _width(typed, self.render_markup) if changed else None)
            key = typed if order is None else typed.take(order)
            if stopped():
                return None
            step = pc.array_sort_indices(key, order=direction, null_placement="at_end")
            order = step if order is None else order.take(step)
        return None if order is None else RowOrder(order, plans)

    def apply_order(self, result: RowOrder) -> None:
        """Install an order from `sort_order` (on the UI thread)."""
        for index, (plan, width) in result.plans.items():
            self._set_plan(index, plan, width)
        self._order = result.order
        self._blocks.clear()

    # a result is read-only: the grid never edits it
    def append_column(self, label: str, default: Any | None = None) -> int:
        raise NotImplementedError("a result is read-only")

    def append_rows(self, records: Iterable[Iterable[Any]]) -> list[int]:
        raise NotImplementedError("a result is read-only")

    def drop_row(self, row_index: int) -> None:
        raise NotImplementedError("a result is read-only")

    def update_cell(self, row_index: int, column_index: int, value: Any) -> None:
        raise NotImplementedError("a result is read-only")

    # ------------------------------------------------------------ internals

    def _source_rows(self, start: int, stop: int) -> Rows:
        if self._order is None:
            return self.data[start:stop]
        return [self.data[index] for index in self._order.slice(start, stop - start).to_pylist()]

    def _pick(self, rows: Rows, column: int) -> list[Any]:
        if self._keyed:
            name = self._names[column]
            return [cast(Mapping[str, Any], row).get(name) for row in rows]
        try:
            return list(map(itemgetter(column), rows))
        except IndexError:  # a ragged row
            return [row[column] if column < len(row) else None for row in rows]

    def _block(self, number: int) -> list[list[Any]]:
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        start = number * BLOCK_ROWS
        rows = self._source_rows(start, min(start + BLOCK_ROWS, self._count))
        block = [self._convert(c, values) for c, values in enumerate(transpose(rows, self._names))]
        self._blocks[number] = block
        while len(self._blocks) > CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        return block

    def _convert(self, column: int, values: Sequence[Any]) -> list[Any]:
        converted = _convert(values, self._plans[column])
        if converted is None and not self._plans[column].complete:
            self._replan(column)
            self._blocks.clear()
            converted = _convert(values, self._plans[column])
        if converted is None:  # cannot happen with a plan made from every value; never fail on data
            return [None if value is None else plain_text(value) for value in values]
        if pa.types.is_floating(self._plans[column].type):
            return [exact(value) for value in converted]
        return converted

    def _typed(self, column: int) -> tuple[pa.Array, ColumnPlan]:
        """The column typed from all of its values, in source order, and the plan that gives."""
        parts = [
            self._pick(self.data[start : min(start + TYPING_PART_ROWS, self._count)], column)
            for start in range(0, self._count, TYPING_PART_ROWS)
        ]
        typed, source = typed_column_in_parts(parts)
        return typed, ColumnPlan(source, typed.type, complete=True, settled=True)

    def _replan(self, column: int) -> None:
        typed, plan = self._typed(column)
        self._set_plan(column, plan, typed)

    def _set_plan(self, column: int, plan: ColumnPlan, typed: pa.Array | int | None) -> None:
        """Install a plan; `typed` is the column under it (to measure) or its width, if known."""
        old = self._plans[column]
        self._plans[column] = plan
        if (old.source, old.type) == (plan.source, plan.type):
            return
        self._blocks.clear()
        if typed is not None:
            # a value the sample missed may be the widest (a word among numbers): measure them all
            width = typed if isinstance(typed, int) else _width(typed, self.render_markup)
            widths = self.column_content_widths
            widths[column] = max(widths[column], width)
        if self.on_replan is not None:
            self.on_replan(column)


def exact(value: Any) -> Any:
    """A float as the Decimal of its shortest repr, so the grid shows every digit: fastdatatable
    formats a float with 6 significant digits (a revenue of 116979000000.0 read "1.16979e+11")."""
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(repr(value))
    return value


def _as_shown(array: pa.Array) -> pa.Array:
    """A float column as the text `exact` shows, for measuring widths."""
    if not pa.types.is_floating(array.type):
        return array
    return pa.array([None if v is None else format(exact(v), "n") for v in array.to_pylist()], pa.string())


def _width(typed: pa.Array, render_markup: bool) -> int:
    """A column's content width, by fastdatatable's own rules."""
    measure = ArrowBackend(pa.Table.from_arrays([_as_shown(typed)], names=["c"]))
    measure.render_markup = render_markup
    return measure.column_content_widths[0] or 0


def _convert(values: Sequence[Any], plan: ColumnPlan) -> list[Any] | None:
    """`values` as the plan shows them, or None when they do not fit it."""
    try:
        if plan.source == "native":
            array = pa.array(values)
            if pa.types.is_null(array.type):
                return list(values)
            if array.type != plan.type:
                if not (plan.complete or _fits(array.type, plan)):
                    return None
                array = array.cast(plan.type)
            result: list[Any] = array.to_pylist()
            return result
        texts = values if plan.source == "strings" else [None if v is None else plain_text(v) for v in values]
        array = pa.array(texts, type=pa.string())
        if not plan.settled and array.null_count < len(array):
            typed = infer_strings(array)
            if typed.type == plan.type:
                return cast(list[Any], typed.to_pylist())
            if not _fits(typed.type, plan):
                return None
        if plan.type != pa.string():
            array = pc.cast(array, plan.type)
        return cast(list[Any], array.to_pylist())
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None

