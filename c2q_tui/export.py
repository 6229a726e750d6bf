"""Export a query result to a file: CSV, TSV, JSON, JSONL, Markdown, and Parquet (pyarrow).

Headless (never imports Textual), so the CLI can share it with the app. Values arrive as the API
sends them (strings or None) or as the embedded backend's native values. Text formats write NULL
as an empty field (CSV/TSV) or `NULL` (Markdown); JSON writes null. A string column whose every
value is a number in canonical spelling is written as numbers in JSON, JSONL and Parquet; "007"
stays text, since a leading zero usually means a code whose zeros matter.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from c2q_tui import formats

FORMATS = ("csv", "tsv", "json", "jsonl", "markdown", "parquet")
FORMAT_LABELS = {
    "csv": "CSV",
    "tsv": "TSV",
    "json": "JSON",
    "jsonl": "JSON Lines",
    "markdown": "Markdown",
    "parquet": "Parquet",
}
EXTENSIONS = {"csv": ".csv", "tsv": ".tsv", "json": ".json", "jsonl": ".jsonl", "markdown": ".md",
              "parquet": ".parquet"}
_BY_EXTENSION = {
    **{ext: fmt for fmt, ext in EXTENSIONS.items()},
    ".tab": "tsv",
    ".ndjson": "jsonl",
    ".markdown": "markdown",
    ".pq": "parquet",
}

# the same grammar as a JSON number, so a matching string can be written verbatim
_INT = re.compile(r"-?(0|[1-9][0-9]*)")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")


class ExportError(Exception):
    """A one-line reason the export did not happen (nothing was written)."""


class ExportExists(ExportError):
    """The target file exists and `overwrite` was not given."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists")
        self.path = path


@dataclass(frozen=True)
class ExportReport:
    path: Path
    rows: int
    fmt: str

    def message(self) -> str:
        noun = "row" if self.rows == 1 else "rows"
        return f"Exported {self.rows:,} {noun} as {FORMAT_LABELS.get(self.fmt, self.fmt)} to {self.path}"


def parquet_available() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def available_formats() -> list[str]:
    return [f for f in FORMATS if f != "parquet" or parquet_available()]


def format_for(path: Path, fmt: str | None = None) -> str:
    """The format to write: `fmt` if given, else the one the file's extension names."""
    if fmt is not None:
        key = fmt.lower()
        if key not in FORMATS:
            raise ExportError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
        return key
    found = _BY_EXTENSION.get(path.suffix.lower())
    if found is None:
        raise ExportError(
            f"cannot tell the format from {path.name!r}: end the name with "
            + ", ".join(EXTENSIONS.values())
        )
    return found


def with_format(path: Path, fmt: str) -> Path:
    """`path` with the extension of `fmt`, replacing a known export extension if it has one."""
    ext = EXTENSIONS[fmt]
    if path.suffix.lower() in _BY_EXTENSION:
        return path.with_suffix(ext)
    return path.with_name(path.name + ext)


def answer_markdown(view: formats.AnswerView) -> str:
    """A whole answer as Markdown (question, clarified task, assumptions, SQL, rows): what
    "copy as Markdown" puts on the clipboard. `formats.render` already has that shape."""
    return formats.render(view, "markdown")


# ---------------------------------------------------------------- values


def plain_text(value: Any) -> str:
    """A value as plain text (CSV/TSV, the clipboard): NULL is empty, numbers keep their exact digits."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def _numeric_strings(values: Sequence[Any]) -> bool:
    present = [v for v in values if v is not None]
    strings = [v for v in present if isinstance(v, str)]
    return bool(strings) and len(strings) == len(present) and all(_NUMBER.fullmatch(v) for v in strings)


def _numbers(texts: list[Any]) -> list[Any]:
    """One type per column, so Parquet gets a single column type: int if every value is an
    integer, else Decimal (exact digits), else float when an exponent appears."""
    present = [t for t in texts if t is not None]
    if all(_INT.fullmatch(t) for t in present):
        return [None if t is None else int(t) for t in texts]
    if not any("e" in t or "E" in t for t in present):
        return [None if t is None else Decimal(t) for t in texts]
    return [None if t is None else float(t) for t in texts]


def _padded(rows: Sequence[Sequence[Any]], width: int) -> Iterator[list[Any]]:
    for row in rows:
        values = list(row)[:width]
        yield values + [None] * (width - len(values))


def _typed_columns(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """Column-major values, numeric string columns converted to int / Decimal / float."""
    width = len(columns)
    cols: list[list[Any]] = [[] for _ in range(width)]
    for row in _padded(rows, width):
        for index, value in enumerate(row):
            cols[index].append(value)
    return [_numbers(c) if _numeric_strings(c) else c for c in cols]


def unique_names(columns: Sequence[Any], sep: str = "_") -> list[str]:
    """Distinct names, as JSON objects, Parquet schemas and the grid's sort keys need: a repeated
    name gets `_2`, `_3`... (or `sep` and the number)."""
    used: set[str] = set()
    out: list[str] = []
    for name in (str(c) for c in columns):
        candidate, count = name, 1
        while candidate in used:
            count += 1
            candidate = f"{name}{sep}{count}"
        used.add(candidate)
        out.append(candidate)
    return out


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else "null"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"  # NaN is not JSON
    if isinstance(value, str | dict | list):
        return json.dumps(value, ensure_ascii=False, default=plain_text)
    return json.dumps(plain_text(value), ensure_ascii=False)


def _json_objects(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Iterator[str]:
    keys = [json.dumps(name, ensure_ascii=False) for name in unique_names(columns)]
    typed = _typed_columns(columns, rows)
    for index in range(len(rows)):
        fields = ", ".join(f"{key}: {_json_value(col[index])}" for key, col in zip(keys, typed, strict=True))
        yield "{" + fields + "}"


# ---------------------------------------------------------------- writers


def _write_delimited(out: IO[str], columns: Sequence[str], rows: Sequence[Sequence[Any]], sep: str) -> None:
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow([str(c) for c in columns])
    writer.writerows([plain_text(v) for v in row] for row in _padded(rows, len(columns)))


def _write_json(out: IO[str], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    out.write("[")
    for index, obj in enumerate(_json_objects(columns, rows)):
        out.write(("\n  " if index == 0 else ",\n  ") + obj)
    out.write("\n]\n" if rows else "]\n")


def _write_jsonl(out: IO[str], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    for obj in _json_objects(columns, rows):
        out.write(obj + "\n")


def _write_markdown(out: IO[str], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    out.write(formats.markdown_table([str(c) for c in columns], list(_padded(rows, len(columns)))) + "\n")


def _arrow_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
    import pyarrow as pa

    arrays = []
    for values in _typed_columns(columns, rows):
        try:
            array = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            # mixed or out-of-range values: keep every value, as text
            array = pa.array([None if v is None else plain_text(v) for v in values], type=pa.string())
        if pa.types.is_null(array.type):
            array = array.cast(pa.string())
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=unique_names(columns))


def _write_parquet(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]], mode: str) -> None:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError("Parquet export needs pyarrow: pip install pyarrow") from None
    table = _arrow_table(columns, rows)
    with path.open(mode + "b") as out:
        pq.write_table(table, out)


def _write_csv(out: IO[str], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    _write_delimited(out, columns, rows, ",")


def _write_tsv(out: IO[str], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    _write_delimited(out, columns, rows, "\t")


Writer = Callable[[IO[str], Sequence[str], Sequence[Sequence[Any]]], None]
_TEXT_WRITERS: dict[str, Writer] = {
    "csv": _write_csv,
    "tsv": _write_tsv,
    "json": _write_json,
    "jsonl": _write_jsonl,
    "markdown": _write_markdown,
}


def _check_target(path: Path, overwrite: bool) -> None:
    parent = path.parent
    if not parent.exists():
        raise ExportError(f"the folder {parent} does not exist")
    if not parent.is_dir():
        raise ExportError(f"{parent} is not a folder")
    if path.is_dir():
        raise ExportError(f"{path} is a folder: add a file name")
    if path.exists() and not overwrite:
        raise ExportExists(path)


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def export_result(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    path: Path,
    fmt: str | None = None,
    *,
    overwrite: bool = False,
) -> ExportReport:
    """Write every row to `path` and say what was written.

    The format comes from `fmt` or else the extension. An existing file raises ExportExists unless
    `overwrite`; a missing folder, a folder as target or no permission raise ExportError. A failed
    write removes the half-written file, so nothing misleading is left behind.
    """
    target = Path(path).expanduser().absolute()
    kind = format_for(target, fmt)
    _check_target(target, overwrite)
    # "x" creates exclusively: a file that appeared since the check is still not overwritten
    mode = "w" if overwrite else "x"
    try:
        if kind == "parquet":
            _write_parquet(target, columns, rows, mode)
        else:
            with target.open(mode, encoding="utf-8", newline="") as out:
                _TEXT_WRITERS[kind](out, columns, rows)
    except FileExistsError:
        raise ExportExists(target) from None
    except PermissionError:
        raise ExportError(f"no permission to write {target}") from None
    except ExportError:
        raise
    except OSError as exc:
        _discard(target)
        raise ExportError(f"could not write {target}: {exc.strerror or exc}") from None
    except Exception:
        _discard(target)
        raise
    return ExportReport(path=target, rows=len(rows), fmt=kind)


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "FORMAT_LABELS",
    "ExportError",
    "ExportExists",
    "ExportReport",
    "answer_markdown",
    "available_formats",
    "export_result",
    "format_for",
    "parquet_available",
    "with_format",
]
