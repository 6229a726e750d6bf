"""The result grid's text: values, rows and selections as TSV for the clipboard, and the status
line. No widget here, so the clipboard rules are tested without one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any

import pyarrow as pa

from c2q_tui.export import plain_text
from c2q_tui.tui.widgets.grid_backend import RowsBackend

cell_text = plain_text  # one rule for every place a value becomes text


def _field(text: str) -> str:
    # the quoting spreadsheets use on paste: a value with a tab, line break or quote is quoted
    if "\t" in text or "\n" in text or "\r" in text or '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def tsv(rows: Iterable[Iterable[Any]]) -> str:
    return "\n".join("\t".join(_field(cell_text(value)) for value in row) for row in rows)


def row_tsv(values: Sequence[Any]) -> str:
    """One row as a TSV line."""
    return tsv([values])


def column_text(values: Iterable[Any]) -> str:
    """A column's values, one per line (TSV-quoted where a value has a tab or newline)."""
    return tsv([value] for value in values)


def result_tsv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header line and then every row, as TSV."""
    return tsv(chain([columns], rows))


def table_rows(table: pa.Table) -> Iterator[tuple[Any, ...]]:
    """The rows of an Arrow table as Python tuples, converted a column at a time."""
    return zip(*(column.to_pylist() for column in table.columns), strict=True)


def backend_rows(backend: Any, start: int, stop: int, columns: Sequence[int]) -> Iterator[tuple[Any, ...]]:
    """Rows `start` to `stop` of `columns`, from either kind of backend the grid uses."""
    if isinstance(backend, RowsBackend):
        return backend.iter_rows(start, stop, columns)
    table: pa.Table = backend.data
    return table_rows(table.slice(start, stop - start).select(list(columns)))


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
