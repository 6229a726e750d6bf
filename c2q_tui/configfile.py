"""The configuration's error type and the reading of `config.toml`: the parts that need no pydantic.

Apart from `config` so that the app's first frame (which reads the key map) and the command line's
error handling do not load pydantic; `config` re-exports both.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from c2q_tui import paths


class ConfigError(Exception):
    """The configuration can't be used; the message says what to fix, in one line."""


def load_file(path: Path | None = None) -> dict[str, Any]:
    path = path or paths.config_file()
    if not path.exists():
        return {}
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from None
