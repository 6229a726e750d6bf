"""A module that loads on its first attribute access, so start-up does not pay for it.

The app's handler and worker modules use the API client (`c2q_tui.api`: httpx and the pydantic
models, ~100 ms to import) only once a worker runs, which is after the first frame. Use it as

    if TYPE_CHECKING:
        from c2q_tui import api
    else:
        api = lazy_module("c2q_tui.api")

so the type checker sees the real module and the code reads the same as a plain import. Unlike
`importlib.util.LazyLoader` this goes through `import_module` on every access, which takes the import
lock and so is safe from the worker threads.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> Any:
    return LazyModule(name)
