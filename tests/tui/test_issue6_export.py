"""ExportScreen: a path and a format, a notification on success, overwrite confirmation."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static

from c2q_tui.export import ExportReport
from c2q_tui.tui.screens.export import ExportScreen, file_stem
from tests.tui.conftest import wait_for

SIZE = (120, 40)
COLUMNS = ["sector", "companies", "revenue"]
ROWS: list[list[Any]] = [["Technology", "25", "1520.5"], ["Energy", "12", None]]


class Host(App[None]):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.animation_level = "none"
        self.folder = folder
        self.results: list[ExportReport | None] = []

    def on_mount(self) -> None:
        self.push_screen(ExportScreen(COLUMNS, ROWS, "Revenue by sector?", folder=self.folder),
                         self.results.append)

    @property
    def dialog(self) -> ExportScreen:
        assert isinstance(self.screen, ExportScreen)
        return self.screen


async def set_path(pilot: Pilot[Any], path: Path | str) -> None:
    app = pilot.app
    assert isinstance(app, Host)
    app.dialog.query_one("#export-path", Input).value = str(path)
    await pilot.pause()


def status(app: Host) -> str:
    return str(app.dialog.query_one("#export-status", Static).render())


def test_file_stem() -> None:
    assert file_stem("Revenue by sector?") == "revenue-by-sector"
    assert file_stem("  ") == "result"


async def test_default_path_and_export_with_notification(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        path_input = app.dialog.query_one("#export-path", Input)
        assert path_input.value == str(tmp_path / "revenue-by-sector.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.results)
        report = app.results[0]
        assert report is not None and report.rows == 2 and report.fmt == "csv"
        with report.path.open(newline="") as f:
            assert list(csv.reader(f)) == [COLUMNS, ROWS[0], ["Energy", "12", ""]]
        messages = [n.message for n in app._notifications]
        assert messages == [f"Exported 2 rows as CSV to {tmp_path / 'revenue-by-sector.csv'}"]


async def test_format_select_and_extension_follow_each_other(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = app.dialog
        dialog.query_one("#export-format", Select).value = "parquet"
        await pilot.pause()
        assert dialog.query_one("#export-path", Input).value == str(tmp_path / "revenue-by-sector.parquet")
        await set_path(pilot, tmp_path / "out.jsonl")
        assert dialog.query_one("#export-format", Select).value == "jsonl"
        dialog.query_one("#export-format", Select).value = "parquet"
        await pilot.pause()
        await pilot.click("#export-ok")
        await wait_for(pilot, lambda: app.results)
        assert pq.read_table(tmp_path / "out.parquet").column("companies").to_pylist() == [25, 12]


async def test_existing_file_needs_a_second_confirming_press(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("keep me")
    app = Host(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await set_path(pilot, target)
        await pilot.press("enter")
        button = app.dialog.query_one("#export-ok", Button)
        await wait_for(pilot, lambda: str(button.label) == "Overwrite")
        assert "already exists" in status(app) and target.read_text() == "keep me"
        assert not app.results
        await pilot.click("#export-ok")
        await wait_for(pilot, lambda: app.results)
        assert json.loads(target.read_text())[1] == {"sector": "Energy", "companies": 12, "revenue": None}


async def test_editing_the_path_withdraws_the_overwrite_confirmation(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("old")
    app = Host(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await set_path(pilot, tmp_path / "a.csv")
        await pilot.press("enter")
        button = app.dialog.query_one("#export-ok", Button)
        await wait_for(pilot, lambda: str(button.label) == "Overwrite")
        await set_path(pilot, tmp_path / "b.csv")
        assert str(button.label) == "Export" and status(app) == ""


async def test_missing_folder_is_reported_and_the_dialog_stays(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await set_path(pilot, tmp_path / "missing" / "out.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "does not exist" in status(app))
        assert isinstance(app.screen, ExportScreen) and not app.results
        assert app.dialog.query_one("#export-status").has_class("-error")


async def test_escape_cancels(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]
        assert not list(tmp_path.iterdir())
