"""Secrets at rest: files only their owner can read, and the OS keyring when there is one.

- `write_private(path, text)` creates or replaces a file with mode 0600, atomically (a crash leaves
  the old file or the new one, never half of one, and the secret is never readable by others, not
  even for a moment).
- `config_permission_warning(path)` is the one-line warning for a `config.toml` that holds a private
  key and that other users can read; `c2q-tui config` and `c2q-tui ask` print it on stderr.
- The OS keyring (macOS Keychain, Windows Credential Locker, Secret Service, ...) is used through the
  optional `keyring` package (`pip install keyring`), only when it is importable and has a working
  backend: it is not a dependency. Keys live under the service "c2q-tui", one entry per profile.

Nothing here prints, logs or raises with a secret's value in the message.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import stat
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from pydantic import SecretStr

log = logging.getLogger(__name__)

KEYRING_SERVICE = "c2q-tui"
PRIVATE_MODE = 0o600


class SecretStoreError(Exception):
    """A secret could not be stored; the message says why in one line (never the secret)."""


# -- files -------------------------------------------------------------------------------------------


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600, replacing it atomically; parent dirs are created 0700."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):  # e.g. a filesystem without POSIX modes
            os.chmod(tmp, PRIVATE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def open_to_others(path: Path) -> bool:
    """True when users other than the owner may read or write `path` (always False on Windows)."""
    if sys.platform == "win32":
        return False
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRWXG | stat.S_IRWXO))


def holds_private_key(path: Path) -> bool:
    """True when the config file at `path` sets `private_key` in any profile."""
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        return False
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        return False
    return any(isinstance(p, dict) and bool(p.get("private_key")) for p in profiles.values())


def config_permission_warning(path: Path) -> str | None:
    """A one-line warning when `path` holds a private key and other users can read it, else None."""
    if not path.exists() or not open_to_others(path) or not holds_private_key(path):
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    return (
        f"{path} holds a private key and other users can read it (mode {mode:03o}); "
        f"run: chmod 600 {path}"
    )


# -- the OS keyring ----------------------------------------------------------------------------------


def _keyring() -> Any | None:
    """The `keyring` module when it is importable and its backend can store secrets, else None."""
    try:
        keyring = importlib.import_module("keyring")  # optional: not a dependency
    except Exception:  # not installed, or broken by its own dependencies
        return None
    try:
        backend = keyring.get_keyring()
        priority = float(getattr(backend, "priority", 1))
    except Exception:
        return None
    # keyring's `fail` and `null` backends (no real store found) have priority 0 and -1
    return keyring if priority > 0 else None


def keyring_available() -> bool:
    return _keyring() is not None


def keyring_backend_name() -> str | None:
    module = _keyring()
    if module is None:
        return None
    backend = module.get_keyring()
    return str(getattr(backend, "name", type(backend).__name__))


def profile_entry(profile: str) -> str:
    """The keyring user name holding a profile's private key."""
    return f"profile:{profile}:private_key"


def get_secret(entry: str) -> SecretStr | None:
    """The secret stored under `entry`, or None (also when there is no keyring or it fails)."""
    module = _keyring()
    if module is None:
        return None
    try:
        value = module.get_password(KEYRING_SERVICE, entry)
    except Exception as e:  # a locked or broken keyring must not stop the app
        log.warning("could not read %s from the OS keyring: %s", entry, type(e).__name__)
        return None
    return SecretStr(value) if value else None


def set_secret(entry: str, value: SecretStr) -> None:
    """Store `value` under `entry`; SecretStoreError when there is no usable keyring."""
    module = _keyring()
    if module is None:
        raise SecretStoreError(
            "no OS keyring is available (install the `keyring` package and a backend, e.g. Secret "
            "Service); set private_key_env in config.toml instead"
        )
    try:
        module.set_password(KEYRING_SERVICE, entry, value.get_secret_value())
    except Exception as e:
        raise SecretStoreError(f"the OS keyring refused to store {entry}: {type(e).__name__}") from None


def delete_secret(entry: str) -> bool:
    """Remove `entry`; False when there was nothing to remove or no keyring."""
    module = _keyring()
    if module is None:
        return False
    try:
        module.delete_password(KEYRING_SERVICE, entry)
    except Exception:
        return False
    return True
