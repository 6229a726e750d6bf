"""The parsed stylesheet kept between launches: a second launch draws the same screen without parsing
the CSS its first frame needs; a damaged, foreign or other-theme file is parsed around, never fatal."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from c2q_tui import paths
from c2q_tui.tui import themes
from c2q_tui.tui.app import C2QApp

from .conftest import FROZEN, make_app, wait_ready


def cache_files() -> list[Path]:
    return sorted(paths.cache_dir().glob("stylesheet-*.pickle"))


def look(app: C2QApp) -> list[tuple[str, ...]]:
    """How each widget of the main screen is styled."""
    return [
        (type(w).__name__, str(w.id), str(w.styles.background), str(w.styles.color), str(w.styles.border),
         str(w.styles.padding), str(w.styles.width), str(w.styles.height), str(w.styles.text_style))
        for w in app.main.walk_children()
    ]


async def launch() -> tuple[C2QApp, list[tuple[str, ...]], set[tuple[Any, ...]]]:
    """One launch to ready: the app, how its screen is styled, and what it restored."""
    app = make_app(clock=lambda: FROZEN)
    restored = set(app._css_restored)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_ready(pilot)
        styled = look(app)
    return app, styled, restored


async def test_a_second_launch_restores_the_first_frames_css_and_draws_the_same(home: Path) -> None:
    _, screen_first, restored_first = await launch()
    assert restored_first == set()  # nothing saved before the first launch
    files = cache_files()
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600

    _, screen_second, restored_second = await launch()
    # the first frame's sources came from the file, the app's own stylesheet among them ...
    assert any(str(key[1][0]).endswith("app.tcss") for key in restored_second)
    assert len(restored_second) >= 20
    assert screen_second == screen_first  # ... and the screen is styled the same
    assert cache_files() == files  # nothing new to write


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01."])
async def test_a_damaged_file_is_parsed_around_and_rewritten(home: Path, damage: bytes) -> None:
    await launch()
    (file,) = cache_files()
    file.write_bytes(damage)
    _, screen, restored = await launch()
    assert restored == set()
    assert len(screen) > 20  # the app came up as usual
    assert cache_files() == [file] and file.stat().st_size > 1000  # and wrote a good file again
    assert (await launch())[2]


async def test_another_theme_does_not_use_the_file_of_the_first(home: Path) -> None:
    await launch()
    (dark_file,) = cache_files()
    themes.save_theme(themes.LIGHT)  # the next launch parses with the light theme's variables
    app, _, restored = await launch()
    assert app.theme == themes.LIGHT
    assert restored == set()
    (light_file,) = cache_files()  # the file for the light theme replaced the dark one
    assert light_file != dark_file


async def test_a_cache_dir_that_cannot_be_made_costs_nothing_but_the_cache(home: Path) -> None:
    (home / "cache").write_text("a file where the cache dir would go")
    _, screen, restored = await launch()
    assert restored == set() and len(screen) > 20
    _, _, restored = await launch()
    assert restored == set()
