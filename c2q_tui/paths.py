"""Where the app keeps its files.

`C2Q_HOME` puts every config and data file under one folder (tests and portable installs use it);
otherwise the platform's user config and data dirs are used.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "c2q-tui"


def _home() -> Path | None:
    value = os.environ.get("C2Q_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    home = _home()
    path = home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    home = _home()
    path = home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """What can be rebuilt at any time (the parsed stylesheet)."""
    home = _home()
    path = home / "cache" if home else Path(platformdirs.user_cache_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_file() -> Path:
    return config_dir() / "config.toml"


def history_db() -> Path:
    """The app's own SQLite store (sessions, turns, quota ledger, job-duration history)."""
    return data_dir() / "history.sqlite3"


def backend_dir() -> Path:
    """State of the embedded backend (summaries, knowledge, sessions, jobs, generated keys)."""
    path = data_dir() / "local"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sample_db() -> Path:
    return data_dir() / "sp500insight.sqlite3"


def log_file() -> Path:
    """Diagnostics that don't belong on screen: raw bodies of bad responses, tracebacks."""
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path / "c2q-tui.log"
