"""Themes: the bundled ones in `themes/`, the user's in `<config dir>/themes/`, and the saved choice.

A theme file is TOML with the fields of `textual.theme.Theme`:

    name = "my-theme"            # required; a user theme with a bundled name replaces it
    dark = true
    primary = "#57A5E2"          # required; colours are CSS colours ("#RRGGBB", "rgb(...)", names)
    secondary / accent / foreground / background / surface / panel / boost /
    success / warning / error = "..."
    luminosity_spread = 0.15     # optional numbers, as in Textual
    text_alpha = 0.95
    [variables]                  # optional overrides of the CSS variables Textual derives
    "footer-key-foreground" = "#57A5E2"

Files are checked before they reach the app: a bad colour or variable would otherwise crash the
stylesheet at the moment the theme is applied. A broken user file is skipped with a warning.
SQL highlighting follows the theme on its own (SqlViewer reads `app.theme_variables`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.color import Color, ColorParseError
from textual.css.stylesheet import Stylesheet
from textual.theme import Theme

from c2q_tui import paths

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

DARK, LIGHT, HIGH_CONTRAST = "c2q-dark", "c2q-light", "c2q-high-contrast"
DEFAULT_THEME = DARK
UI_FILE = "ui.json"

_COLOURS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost",
            "success", "warning", "error")
_NUMBERS = ("luminosity_spread", "text_alpha")
_FLAGS = ("dark", "ansi")
_KNOWN = {f.name for f in fields(Theme)}
_REFERENCE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_-]*)")


class ThemeError(ValueError):
    """A theme file that cannot be used; the message names the file and the field."""


class LoadedThemes(list[Theme]):
    """The themes found, in order (bundled first), and one warning per file that was skipped."""

    def __init__(self, themes: Iterable[Theme] = (), warnings: Iterable[str] = ()) -> None:
        super().__init__(themes)
        self.warnings: list[str] = list(warnings)

    def names(self) -> list[str]:
        return [t.name for t in self]


# ---------------------------------------------------------------- where themes live


def _package_dir() -> Path:
    return Path(__file__).resolve().parents[1]


def bundled_dir() -> Traversable | None:
    """`c2q_tui/themes` in an installed wheel (force-included), else `themes/` of a checkout."""
    # Plain paths first: `importlib.resources` and its readers cost ~3 ms to import at every start.
    installed = _package_dir() / "themes"
    if installed.is_dir():
        return installed
    checkout = _package_dir().parent / "themes"
    if checkout.is_dir():
        return checkout
    with contextlib.suppress(ModuleNotFoundError, OSError):  # a zipped install has no folder to list
        from importlib.resources import files

        zipped = files("c2q_tui").joinpath("themes")
        if zipped.is_dir():
            return zipped
    return None


def user_dir() -> Path:
    """Where the user's own theme files go (created on demand, so it is easy to find)."""
    path = paths.config_dir() / "themes"
    with contextlib.suppress(OSError):
        path.mkdir(parents=True, exist_ok=True)
    return path


# ---------------------------------------------------------------- parsing and checking


def _colour(source: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ThemeError(f"{source}: {key} must be a colour string, not {type(value).__name__}")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(f"{source}: {key} = {value!r} is not a colour") from None
    return value


def _css_property(name: str) -> str:
    return "text-style" if name.endswith("-style") else "color"


def _needed(variables: Mapping[str, str], name: str) -> dict[str, str]:
    """`name` and the variables its value refers to, transitively: all a rule using `$name` reads.
    A stylesheet tokenizes every variable it is given, and Textual derives ~150, so handing it all of
    them for each checked override made the check cost ~60 ms at every start."""
    wanted: dict[str, str] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in wanted or current not in variables:
            continue
        wanted[current] = variables[current]
        todo.extend(_REFERENCE.findall(variables[current]))
    return wanted


def _parses(variables: Mapping[str, str], name: str, prop: str) -> bool:
    sheet = Stylesheet(variables=_needed(variables, name))
    try:
        sheet.add_source(f"Widget {{ {prop}: ${name}; }}", read_from=("theme", name))
        sheet.parse()
    except Exception:  # TokenError or StylesheetParseError: both mean "not usable here"
        return False
    return True


def _check_variables(source: str, theme: Theme) -> None:
    """Each override must be valid CSS where Textual uses its variable (a colour, a text style)."""
    try:
        merged = theme.to_color_system().generate()
        defaults = Theme(name="-", primary=theme.primary, dark=theme.dark).to_color_system().generate()
    except Exception as exc:  # a derived colour Textual cannot compute
        raise ThemeError(f"{source}: {exc}") from None
    for name, value in theme.variables.items():
        prop = _css_property(name)
        if name in defaults and not _parses(defaults, name, prop):
            prop = ""  # a variable whose default is not a plain colour or style: tokens only
        ok = _parses(merged, name, prop) if prop else _tokenizes(value)
        if not ok:
            kind = "colour" if prop == "color" else "text style" if prop else "CSS value"
            raise ThemeError(f"{source}: variable {name!r} = {value!r} is not a valid {kind}")


def _tokenizes(value: str) -> bool:
    from textual.css.tokenize import tokenize_values

    try:
        tokenize_values({"value": value})
    except Exception:
        return False
    return True


def theme_from_data(data: Mapping[str, Any], source: str = "theme", *, check: bool = True) -> Theme:
    """A checked Theme from a parsed theme file. Raises ThemeError naming `source`. `check` False
    skips parsing the variables as CSS, for the bundled files (their test checks them)."""
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise ThemeError(f"{source}: unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError(f"{source}: name is missing")
    if "primary" not in data:
        raise ThemeError(f"{source}: primary colour is missing")
    kwargs: dict[str, Any] = {"name": name.strip()}
    for key in _COLOURS:
        if key in data:
            kwargs[key] = _colour(source, key, data[key])
    for key in _FLAGS:
        if key in data:
            if not isinstance(data[key], bool):
                raise ThemeError(f"{source}: {key} must be true or false")
            kwargs[key] = data[key]
    for key in _NUMBERS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ThemeError(f"{source}: {key} must be a number from 0 to 1")
            kwargs[key] = float(value)
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in variables.items()
    ):
        raise ThemeError(f"{source}: [variables] must map names to strings")
    kwargs["variables"] = dict(variables)
    theme = Theme(**kwargs)
    if check:
        _check_variables(source, theme)
    return theme


def load_theme_file(file: Traversable | Path, *, check: bool = True) -> Theme:
    source = str(file) if isinstance(file, Path) else file.name
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{source}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(f"{source}: cannot be read: {exc}") from None
    return theme_from_data(data, source, check=check)


def _theme_files(folder: Traversable | None) -> list[Traversable]:
    if folder is None:
        return []
    try:
        found = [f for f in folder.iterdir() if f.name.endswith(".toml") and f.is_file()]
    except OSError:
        return []
    return sorted(found, key=lambda f: f.name)


def load_themes(*, user_themes: Path | None = None) -> LoadedThemes:
    """The bundled themes, then the user's (`<config dir>/themes/*.toml`); a user theme with the
    name of an earlier one replaces it in place. Files that fail are skipped, each with a warning in
    `.warnings`; this never raises."""
    by_name: dict[str, Theme] = {}
    warnings: list[str] = []
    folder = user_themes if user_themes is not None else user_dir()
    bundled = _theme_files(bundled_dir())
    for file in [*bundled, *_theme_files(folder)]:
        try:
            # checking the variables costs ~10 ms at every start; the bundled files are checked by their test
            theme = load_theme_file(file, check=file not in bundled)
        except ThemeError as exc:
            warnings.append(f"Theme skipped: {exc}")
            continue
        by_name[theme.name] = theme
    return LoadedThemes(by_name.values(), warnings)


# ---------------------------------------------------------------- the saved choice


def _ui_file() -> Path:
    return paths.config_dir() / UI_FILE


def _read_ui() -> dict[str, Any]:
    try:
        data = json.loads(_ui_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_theme() -> str | None:
    value = _read_ui().get("theme")
    return value if isinstance(value, str) and value else None


def save_theme(name: str) -> None:
    """Remember the theme in `<config dir>/ui.json`, keeping anything else stored there. Written
    to a temporary file and renamed, so a crash never leaves a half-written file."""
    data = _read_ui()
    data["theme"] = name
    target = _ui_file()
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temp, target)


def register_all(app: App[Any], *, default: str | None = DEFAULT_THEME) -> list[str]:
    """Register every theme with `app`, switch to the saved one (else `default`), and return the
    warnings to show. Called from `on_mount`, every later theme change (the command palette's theme
    picker included) is saved; called before the app runs (its `__init__`, which spares the start-up
    a second parse of every stylesheet), `persist_choice` does that from `on_mount`."""
    loaded = load_themes()
    for theme in loaded:
        app.register_theme(theme)
    warnings = list(loaded.warnings)
    wanted = saved_theme()
    if wanted is not None and wanted not in app.available_themes:
        warnings.append(f"Saved theme {wanted!r} is not available; using {default or app.theme!r}")
        wanted = None
    choice = wanted or default
    if choice is not None and choice in app.available_themes:
        if app.is_running:
            app.theme = choice
        else:
            _preset(app, choice)
    if app.is_running:
        persist_choice(app)
    return warnings


def _preset(app: App[Any], name: str) -> None:
    """The theme the stylesheet is first parsed with. Setting `app.theme` before the app runs works
    too, but its watcher then re-parses every stylesheet (app.tcss three times by the first frame)."""
    theme = app.available_themes[name]
    if theme.dark != app.current_theme.dark:  # only the watcher swaps the ANSI colour map for darkness
        app.theme = name
        return
    app.set_reactive(type(app).theme, name)
    app.set_class(True, f"-theme-{name}", update=False)  # the classes the watcher would set
    app.set_class(theme.dark, "-dark-mode", update=False)
    app.set_class(not theme.dark, "-light-mode", update=False)
    app.stylesheet.set_variables(app.get_css_variables())


def persist_choice(app: App[Any]) -> None:
    """Save every later theme change; call it once the app runs."""
    app.theme_changed_signal.subscribe(app, _persist)


def _persist(theme: Theme) -> None:
    with contextlib.suppress(OSError):
        save_theme(theme.name)


__all__ = [
    "DARK",
    "DEFAULT_THEME",
    "HIGH_CONTRAST",
    "LIGHT",
    "LoadedThemes",
    "ThemeError",
    "bundled_dir",
    "load_theme_file",
    "load_themes",
    "persist_choice",
    "register_all",
    "save_theme",
    "saved_theme",
    "theme_from_data",
    "user_dir",
]
