"""Themes: the three bundled ones, user theme files, broken files skipped, the choice persisted."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from c2q_tui import paths
from c2q_tui.tui import themes
from c2q_tui.tui.themes import (
    DARK,
    HIGH_CONTRAST,
    LIGHT,
    ThemeError,
    load_themes,
    register_all,
    save_theme,
    saved_theme,
    theme_from_data,
)
from c2q_tui.tui.widgets.sql_text import SqlPalette

REPO = Path(__file__).resolve().parents[2]
USER_THEME = """
name = "solarized-analyst"
dark = true
primary = "#268BD2"
accent = "#B58900"
background = "#002B36"
foreground = "#EEE8D5"
[variables]
"footer-key-foreground" = "#B58900"
"""


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("hello")

    def on_mount(self) -> None:
        self.warnings = register_all(self)


def user_file(name: str, text: str) -> Path:
    folder = paths.config_dir() / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_three_bundled_themes_load() -> None:
    loaded = load_themes()
    assert loaded.names() == [DARK, HIGH_CONTRAST, LIGHT] and loaded.warnings == []
    by_name = {t.name: t for t in loaded}
    assert by_name[DARK].dark and by_name[HIGH_CONTRAST].dark and not by_name[LIGHT].dark
    assert by_name[HIGH_CONTRAST].background == "#000000" and by_name[HIGH_CONTRAST].foreground == "#FFFFFF"
    folder = themes.bundled_dir()
    assert folder is not None
    for file in themes._theme_files(folder):  # loading skips the variables' check for these: run it here
        themes.load_theme_file(file, check=True)


def test_bundled_themes_ship_in_the_wheel() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["force-include"]["themes"] == "c2q_tui/themes"
    folder = themes.bundled_dir()
    assert folder is not None and Path(str(folder)) == REPO / "themes"  # a checkout: the repo's folder


def test_installed_layout_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "c2q_tui"
    (package / "themes").mkdir(parents=True)
    (package / "themes" / "only.toml").write_text('name = "only"\nprimary = "#123456"\n')
    monkeypatch.setattr(themes, "_package_dir", lambda: package)
    assert load_themes().names() == ["only"]


def test_user_theme_file_is_picked_up_and_usable() -> None:
    user_file("solarized.toml", USER_THEME)
    loaded = load_themes()
    assert loaded.names()[-1] == "solarized-analyst" and loaded.warnings == []


async def test_user_theme_registered_and_applied() -> None:
    user_file("solarized.toml", USER_THEME)
    app = Host()
    async with app.run_test() as pilot:
        assert app.warnings == []
        assert {DARK, LIGHT, HIGH_CONTRAST, "solarized-analyst"} <= set(app.available_themes)
        assert app.theme == DARK  # nothing saved yet: the default
        app.theme = "solarized-analyst"
        await pilot.pause()
        assert app.theme_variables["footer-key-foreground"] == "#B58900"
        assert app.theme_variables["background"].upper() == "#002B36"


def test_user_theme_replaces_a_bundled_one_of_the_same_name() -> None:
    user_file("mine.toml", f'name = "{LIGHT}"\nprimary = "#FF0000"\ndark = false\n')
    loaded = load_themes()
    assert loaded.names() == [DARK, HIGH_CONTRAST, LIGHT]
    assert next(t for t in loaded if t.name == LIGHT).primary == "#FF0000"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('name = "x"\nprimary = ', "not valid TOML"),
        ('name = "x"\nprimary = "#zzzzzz"\n', "is not a colour"),
        ('primary = "#123456"\n', "name is missing"),
        ('name = "x"\n', "primary colour is missing"),
        ('name = "x"\nprimary = "#123456"\nprimry = "#fff"\n', "unknown field primry"),
        ('name = "x"\nprimary = "#123456"\n[variables]\n"border" = "#zzz"\n', "not a valid colour"),
        ('name = "x"\nprimary = "#123456"\n[variables]\n"link-style" = "wiggly"\n', "not a valid text style"),
        ('name = "x"\nprimary = "#123456"\ntext_alpha = 3\n', "from 0 to 1"),
        ('name = "x"\nprimary = "#123456"\ndark = "yes"\n', "true or false"),
    ],
)
def test_broken_user_theme_is_skipped_with_a_message(text: str, reason: str) -> None:
    user_file("broken.toml", text)
    user_file("solarized.toml", USER_THEME)
    loaded = load_themes()
    assert "x" not in loaded.names() and "solarized-analyst" in loaded.names()
    assert len(loaded.warnings) == 1
    assert "broken.toml" in loaded.warnings[0] and reason in loaded.warnings[0]


async def test_broken_theme_warning_reaches_the_app_without_a_crash() -> None:
    user_file("broken.toml", 'name = "bad"\nprimary = "#123456"\n[variables]\n"border" = "nonsense"\n')
    app = Host()
    async with app.run_test():
        assert len(app.warnings) == 1 and "bad" not in app.available_themes


def test_theme_from_data_accepts_every_theme_field() -> None:
    theme = theme_from_data({"name": "n", "primary": "#123456", "luminosity_spread": 0.2, "text_alpha": 1,
                             "ansi": False, "boost": "#FFFFFF18", "variables": {"text-muted": "#D8D8D8"}})
    assert theme.text_alpha == 1.0 and theme.variables == {"text-muted": "#D8D8D8"}
    with pytest.raises(ThemeError, match="must map names to strings"):
        theme_from_data({"name": "n", "primary": "#123456", "variables": {"a": 1}})


def test_save_and_restore() -> None:
    assert saved_theme() is None
    save_theme(LIGHT)
    assert saved_theme() == LIGHT
    ui = paths.config_dir() / themes.UI_FILE
    # other settings kept in the same file survive a save
    ui.write_text(json.dumps({"theme": LIGHT, "panes": {"sidebar": False}}))
    save_theme(HIGH_CONTRAST)
    assert json.loads(ui.read_text()) == {"theme": HIGH_CONTRAST, "panes": {"sidebar": False}}
    ui.write_text("{not json")
    assert saved_theme() is None  # a damaged file is ignored, not fatal


async def test_choice_persists_across_runs() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.theme = LIGHT  # e.g. picked in the command palette
        await pilot.pause()
    assert saved_theme() == LIGHT
    again = Host()
    async with again.run_test():
        assert again.theme == LIGHT


async def test_unknown_saved_theme_falls_back_with_a_warning() -> None:
    save_theme("gone")
    app = Host()
    async with app.run_test():
        assert app.theme == DARK
        assert any("'gone' is not available" in w for w in app.warnings)


async def test_sql_highlighting_follows_the_theme() -> None:
    app = Host()
    async with app.run_test() as pilot:
        dark = SqlPalette.from_variables(app.theme_variables)
        app.theme = LIGHT
        await pilot.pause()
        light = SqlPalette.from_variables(app.theme_variables)
        app.theme = HIGH_CONTRAST
        await pilot.pause()
        contrast = SqlPalette.from_variables(app.theme_variables)
    assert len({dark.keyword, light.keyword, contrast.keyword}) == 3
    assert light.text.upper() == "#1E2328" and contrast.text.upper() == "#FFFFFF"
