"""A bare app that pushes the screen under test (the data summary and knowledge screens' tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.screen import Screen

from c2q_tui.connection import Connection


class Host(App[None]):
    """Pushes the screen under test; with `conn` it closes that connection on exit (snapshots)."""

    def __init__(self, make: Callable[[], Screen[Any]], conn: Connection | None = None) -> None:
        super().__init__()
        self.animation_level = "none"
        self.make = make
        self.owned = conn

    def on_mount(self) -> None:
        self.push_screen(self.make())

    async def on_unmount(self) -> None:
        if self.owned is not None:
            await self.owned.aclose()
