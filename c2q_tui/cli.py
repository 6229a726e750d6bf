"""The `c2q-tui` command: the app (default), `ask`, `sessions`, `config` and `serve`.

Headless subcommands never import Textual, so scripts start fast and work without a terminal.
Exit codes: 0 success, 1 a failure reported in one line on stderr, 2 a usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from c2q_tui.configfile import ConfigError

if TYPE_CHECKING:
    import argparse


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser (`cliparser.py`); `serve`'s options only when `argv` names it."""
    from c2q_tui.cliparser import build_parser as build

    return build(argv)


def _setup_logging() -> None:
    """Log to a file in the data dir; C2Q_DEBUG=1 adds debug detail (raw bodies, tracebacks)."""
    import logging
    import os

    from c2q_tui import paths

    root = logging.getLogger()
    if any(getattr(h, "c2q", False) for h in root.handlers):
        return
    try:
        handler = logging.FileHandler(paths.log_file(), encoding="utf-8")
    except OSError:
        return  # a read-only data dir must not stop the command
    handler.c2q = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if os.environ.get("C2Q_DEBUG") else logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # the bare command, the app on the default profile, needs no parser (argparse is ~3 ms of start-up)
    args = build_parser(argv).parse_args(argv) if argv else None
    command = args.command if args is not None else None
    if command != "serve":
        _setup_logging()
    if command in ("ask", "config"):
        _warn_if_config_is_readable()
    try:
        if args is None:
            return _run_app(None, None)
        if command == "ask":
            from c2q_tui.ask import run_ask

            return run_ask(args)
        if command == "sessions":
            from c2q_tui.ask import run_sessions

            return run_sessions(args)
        if command == "config":
            return _run_config(args)
        if command == "serve":
            from c2q_tui.local import serve as serve_mod

            return serve_mod.run(args)
        return _run_app(args.profile, args.database_url)
    except ConfigError as e:
        print(f"c2q-tui: configuration error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("c2q-tui: interrupted", file=sys.stderr)
        return 130


def _warn_if_config_is_readable() -> None:
    from c2q_tui import paths, secrets

    warning = secrets.config_permission_warning(paths.config_file())
    if warning:
        print(f"c2q-tui: warning: {warning}", file=sys.stderr)


def _store_key(profile_name: str) -> int:
    import getpass

    from pydantic import SecretStr

    from c2q_tui import secrets

    prompt = f"private key of profile {profile_name!r}: "
    value = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()
    if not value.strip():
        print("c2q-tui config: error: no private key given", file=sys.stderr)
        return 2
    try:
        secrets.set_secret(secrets.profile_entry(profile_name), SecretStr(value.strip()))
    except secrets.SecretStoreError as e:
        print(f"c2q-tui: {e}", file=sys.stderr)
        return 1
    backend = secrets.keyring_backend_name()
    print(f"stored the private key of profile {profile_name!r} in the OS keyring ({backend})")
    return 0


def _run_config(args: argparse.Namespace) -> int:
    from c2q_tui.config import describe, resolve

    resolved = resolve(args.profile, database_url=args.database_url)
    if getattr(args, "store_key", False):
        return _store_key(resolved.profile.name)
    state = "found" if resolved.config_exists else "not found; using defaults"
    print(f"config file: {resolved.config_path} ({state})")
    if resolved.profile_names:
        print(f"profiles:    {', '.join(resolved.profile_names)} (default: {resolved.default_name or '-'})")
    print(f"active:      {resolved.profile.name} [{resolved.profile.kind}]")
    rows = describe(resolved)
    width = max(len(k) for k, _, _ in rows)
    vwidth = min(max(len(v) for _, v, _ in rows), 60)
    for key, value, source in rows:
        print(f"  {key:<{width}}  {value:<{vwidth}}  ({source})")
    try:
        resolved.profile.check()
    except ConfigError as e:
        print(f"warning: {e}", file=sys.stderr)
    return 0


def _run_app(profile: str | None, database_url: str | None) -> int:
    import gc

    # Start-up makes ~300k objects that live as long as the app; the collector scanning them while
    # they are made cost ~50 ms of the time to the first frame. The app turns it back on after
    # that frame, with those objects frozen (never scanned again).
    gc.disable()
    try:
        # the profile is resolved by the app once its first frame is up (pydantic alone is ~80 ms);
        # a configuration error still ends the app with the message above and status 1
        from c2q_tui.tui.app import run_app

        return run_app(profile, database_url=database_url, gc_paused=True)
    finally:
        gc.enable()
