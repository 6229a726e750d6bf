"""c2q_tui.export: every format round-trips, numbers stay numbers, files are never clobbered."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c2q_tui import formats
from c2q_tui.export import (
    ExportError,
    ExportExists,
    answer_markdown,
    available_formats,
    export_result,
    format_for,
    with_format,
)

COLUMNS = ["symbol", "zip", "employees", "revenue", "ratio", "note"]
# as the API sends them: strings, NULL as None
ROWS: list[list[Any]] = [
    ["AAPL", "00501", "161000", "383285.00", "1.5e3", "tab\there"],
    ["MSFT", "98052", "221000", "211915.50", "2.25", None],
    ["X, Inc", None, None, "-0.75", "0", 'say "hi"\nline two'],
]


def read_csv(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter=delimiter))


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_delimited_round_trip(tmp_path: Path, fmt: str, delimiter: str) -> None:
    path = tmp_path / f"out.{fmt}"
    report = export_result(COLUMNS, ROWS, path)
    assert (report.path, report.rows, report.fmt) == (path, 3, fmt)
    back = read_csv(path, delimiter)
    assert back[0] == COLUMNS
    # NULL is an empty field; quotes, tabs and newlines survive
    assert back[1:] == [["" if v is None else v for v in row] for row in ROWS]


def test_json_writes_numbers_as_numbers_and_null_as_null(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    export_result(COLUMNS, ROWS, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data[0] == {
        "symbol": "AAPL",
        "zip": "00501",  # a leading zero is a code: stays text
        "employees": 161000,
        "revenue": 383285.0,
        "ratio": 1500.0,
        "note": "tab\there",
    }
    assert data[1]["note"] is None
    assert data[2]["employees"] is None
    assert data[2]["revenue"] == -0.75
    # the digits the database printed are written verbatim
    assert '"revenue": 211915.50' in path.read_text(encoding="utf-8")


def test_jsonl_one_object_per_line(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    report = export_result(COLUMNS, ROWS, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert report.fmt == "jsonl" and len(lines) == 3
    assert [json.loads(line)["symbol"] for line in lines] == ["AAPL", "MSFT", "X, Inc"]
    assert json.loads(lines[2])["note"] == 'say "hi"\nline two'


def test_markdown_table(tmp_path: Path) -> None:
    path = tmp_path / "out.md"
    export_result(["a", "b"], [["1", "x|y"], [None, "z"]], path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "| a | b |",
        "|---|---|",
        "| 1 | x\\|y |",
        "| NULL | z |",
    ]


def test_parquet_round_trip_with_types(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    report = export_result(COLUMNS, ROWS, path)
    assert report.fmt == "parquet"
    table = pq.read_table(path)
    assert table.column_names == COLUMNS
    types = dict(zip(table.column_names, table.schema.types, strict=True))
    assert types["symbol"] == pa.string() and types["zip"] == pa.string()
    assert types["employees"] == pa.int64()
    assert pa.types.is_decimal(types["revenue"])
    assert types["ratio"] == pa.float64()
    assert table.column("employees").to_pylist() == [161000, 221000, None]
    revenue = [Decimal("383285.00"), Decimal("211915.50"), Decimal("-0.75")]
    assert table.column("revenue").to_pylist() == revenue
    assert table.column("note").to_pylist()[1] is None


def test_native_values_from_the_embedded_backend(tmp_path: Path) -> None:
    rows = [
        [1, Decimal("2.50"), date(2024, 1, 31), True, None],
        [2, Decimal("3"), date(2024, 2, 1), False, 7.5],
    ]
    columns = ["id", "price", "day", "flag", "mixed"]
    export_result(columns, rows, tmp_path / "n.json")
    data = json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))
    assert data[0] == {"id": 1, "price": 2.5, "day": "2024-01-31", "flag": True, "mixed": None}
    export_result(columns, rows, tmp_path / "n.csv")
    assert read_csv(tmp_path / "n.csv")[1] == ["1", "2.50", "2024-01-31", "true", ""]
    table = pq.read_table(_parquet(tmp_path, columns, rows))
    assert table.schema.field("day").type == pa.date32()


def _parquet(folder: Path, columns: list[str], rows: list[list[Any]]) -> Path:
    return export_result(columns, rows, folder / "n.parquet").path


def test_duplicate_names_and_ragged_rows(tmp_path: Path) -> None:
    export_result(["n", "n"], [["1", "2"], ["3"]], tmp_path / "d.json")
    assert json.loads((tmp_path / "d.json").read_text()) == [{"n": 1, "n_2": 2}, {"n": 3, "n_2": None}]
    table = pq.read_table(export_result(["n", "n"], [["1", "2"]], tmp_path / "d.parquet").path)
    assert table.column_names == ["n", "n_2"]


def test_mixed_column_and_huge_integers_stay_exact(tmp_path: Path) -> None:
    rows = [["1", "123456789012345678901234567890"], ["abc", "2"]]
    table = pq.read_table(export_result(["mixed", "big"], rows, tmp_path / "m.parquet").path)
    assert table.column("mixed").to_pylist() == ["1", "abc"]
    assert [str(v) for v in table.column("big").to_pylist()] == ["123456789012345678901234567890", "2"]


def test_empty_result(tmp_path: Path) -> None:
    assert json.loads(export_result(["a"], [], tmp_path / "e.json").path.read_text()) == []
    assert read_csv(export_result(["a"], [], tmp_path / "e.csv").path) == [["a"]]
    assert pq.read_table(export_result(["a"], [], tmp_path / "e.parquet").path).num_rows == 0


def test_format_from_extension_or_argument(tmp_path: Path) -> None:
    assert format_for(Path("x.CSV")) == "csv"
    assert format_for(Path("x.ndjson")) == "jsonl"
    assert format_for(Path("x.markdown")) == "markdown"
    assert format_for(Path("x.txt"), "tsv") == "tsv"
    with pytest.raises(ExportError, match="cannot tell the format"):
        format_for(Path("x.txt"))
    with pytest.raises(ExportError, match="unknown export format"):
        export_result(["a"], [], tmp_path / "x.csv", "xlsx")
    report = export_result(["a"], [["1"]], tmp_path / "data.txt", "json")
    assert report.fmt == "json" and json.loads(report.path.read_text()) == [{"a": 1}]
    assert with_format(Path("a/b.csv"), "parquet") == Path("a/b.parquet")
    assert with_format(Path("a/b"), "markdown") == Path("a/b.md")
    assert "parquet" in available_formats()


def test_parquet_without_pyarrow_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # makes `import pyarrow.parquet` fail
    assert "parquet" not in available_formats()
    with pytest.raises(ExportError, match="Parquet export needs pyarrow"):
        export_result(["a"], [["1"]], tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()


def test_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("precious\n")
    with pytest.raises(ExportExists) as caught:
        export_result(["a"], [["1"]], path)
    assert caught.value.path == path
    assert path.read_text() == "precious\n"
    export_result(["a"], [["1"]], path, overwrite=True)
    assert read_csv(path) == [["a"], ["1"]]


def test_missing_folder_and_folder_target(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export_result(["a"], [], tmp_path / "nope" / "out.csv")
    with pytest.raises(ExportError, match="is a folder"):
        export_result(["a"], [], tmp_path, "csv")


def test_no_permission_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the tests may run as root, where chmod does not stop writes: make open() refuse instead
    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(ExportError, match="no permission to write"):
        export_result(["a"], [["1"]], tmp_path / "out.csv")


def test_report_message_says_where_and_how_many(tmp_path: Path) -> None:
    report = export_result(["a"], [["1"]] * 1234, tmp_path / "out.tsv")
    assert report.message() == f"Exported 1,234 rows as TSV to {tmp_path / 'out.tsv'}"


def test_answer_markdown_is_the_markdown_rendering() -> None:
    job = {
        "job_id": "j1",
        "status": "done",
        "result": {
            "type": "data_retrieval",
            "clarified_task": "Count companies per sector",
            "sql": "SELECT sector, COUNT(*) AS n FROM companies GROUP BY sector;",
            "data": {"columns": [{"col": "sector"}, {"col": "n"}], "rows": [["Energy", "3"]]},
            "assumptions": [{"concept": "sector", "explanation": "GICS sector"}],
        },
    }
    view = formats.answer_view("How many companies per sector?", job)
    text = answer_markdown(view)
    assert text.startswith("## How many companies per sector?")
    assert "```sql\nSELECT sector" in text
    assert "| Energy | 3 |" in text
    assert "*sector*: GICS sector" in text


def test_export_never_imports_textual() -> None:
    code = "import sys, c2q_tui.export; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
