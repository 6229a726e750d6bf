"""The type a result column is shown as: one rule for the whole grid, sort included.

Rows arrive as Python sequences of strings (the Chat2Query API) or of native values (the
embedded backend). A column of strings that are all numbers becomes int64, decimal or float64;
a column mixing types becomes text; everything else keeps the type Arrow infers for it. All of
it runs in Arrow compute, never per value in Python.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import zip_longest
from typing import Any, Literal, cast

import pyarrow as pa

# imported here, at app start, not on the first result: its lazy import costs ~50 ms (§2)
import pyarrow.compute as pc

from c2q_tui.export import plain_text

# How a column's values become its type: "native" values as Arrow infers them, "strings" cast
# from text, or "text" (a column mixing types) where every value is first made plain text.
Source = Literal["native", "strings", "text"]

# Numbers are recognised only in their canonical spelling: "007" or "+1" stay text, since a
# leading zero usually means a code (zip, account) whose zeros matter.
_INT = r"^-?(0|[1-9][0-9]*)$"
_DECIMAL = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"
_FLOAT = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
# Above this scale Decimal prints small values and zero in exponent form ("0E-8"); such columns
# are usually DOUBLE anyway, and read better as floats.
_MAX_DECIMAL_SCALE = 6
_MAX_DECIMAL_PRECISION = 38


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


_UNCONVERTIBLE = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError)


def typed_column(values: Sequence[Any]) -> tuple[pa.Array, Source]:
    """One column's values as the array it is shown as, and how they became it."""
    try:
        array = pa.array(values)
    except _UNCONVERTIBLE:
        # mixed types: show every value as text rather than fail
        texts = pa.array([None if v is None else plain_text(v) for v in values], type=pa.string())
        return infer_strings(texts), "text"
    return _classified(array)


def typed_column_in_parts(parts: Sequence[Sequence[Any]]) -> tuple[pa.Array, Source]:
    """`typed_column` of the parts' values one after another, converted a part at a time.

    For thread workers: converting Python values holds the GIL throughout (~70 ms per 1M ints,
    ~150 ms per 1M strings), which would stall the UI thread; a part at a time it never holds
    it long. Parts whose types disagree (ints and floats, say) are typed as one column, as before.
    """
    try:
        arrays = [pa.array(part) for part in parts]
    except _UNCONVERTIBLE:
        arrays = []
    kinds = {array.type for array in arrays if not pa.types.is_null(array.type)}
    if arrays and len(kinds) <= 1:
        kind = kinds.pop() if kinds else pa.null()
        return _classified(pa.concat_arrays([array.cast(kind) for array in arrays]))
    return typed_column([value for part in parts for value in part])


def _classified(array: pa.Array) -> tuple[pa.Array, Source]:
    if pa.types.is_null(array.type):
        return array.cast(pa.string()), "strings"
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return infer_strings(array), "strings"
    return array, "native"


def result_names(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """The names to show: the given ones, or column_1... when the result came without any."""
    names = [str(name) for name in columns]
    if not names and rows:
        names = [f"column_{index + 1}" for index in range(max(len(row) for row in rows))]
    return names


def transpose(rows: Sequence[Sequence[Any]], names: Sequence[str]) -> list[Sequence[Any]]:
    """The rows as one sequence of values per column: ragged rows are padded with None (or
    cut to the columns); rows keyed by column name (v1 style) are read by name."""
    width = len(names)
    if rows and isinstance(rows[0], Mapping):
        keyed = cast(Sequence[Mapping[str, Any]], rows)
        return [[row.get(name) for row in keyed] for name in names]
    columns: list[Sequence[Any]] = []
    columns.extend(list(zip_longest(*rows))[:width])
    columns += [(None,) * len(rows)] * (width - len(columns))
    return columns


def build_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> pa.Table:
    """An Arrow table of `rows` under `columns`, with a type inferred for each column.

    Never fails on data: ragged rows are padded with NULL (or cut to the columns), mixed
    columns become text. Duplicate column names are kept as they are.
    """
    names = result_names(columns, rows)
    if not rows:
        return pa.Table.from_arrays([pa.array([], pa.string()) for _ in names], names=names)
    if isinstance(rows[0], Mapping):  # v1-style rows keyed by column name
        keyed = cast(Sequence[Mapping[str, Any]], rows)
        rows = [[row.get(name) for name in names] for row in keyed]
    arrays = _string_columns(rows, len(names))
    if arrays is None:
        arrays = [typed_column(values)[0] for values in transpose(rows, names)]
    return pa.Table.from_arrays(arrays, names=names)
