"""The `c2q-tui` command: the app (default), `ask`, `sessions`, `config` and `serve`.

Headless subcommands never import Textual, so scripts start fast and work without a terminal.
Exit codes: 0 success, 1 a failure reported in one line on stderr, 2 a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from c2q_tui import __version__
from c2q_tui.configfile import ConfigError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _common(p: argparse.ArgumentParser, *, sub: bool = False) -> None:
    # a subcommand's copy must not reset what was given before the subcommand's name
    default = argparse.SUPPRESS if sub else None
    p.add_argument(
        "--profile", default=default, help="profile name from config.toml (default: the config's default)"
    )
    p.add_argument("--database-url", default=default, help="embedded backend on this SQLAlchemy database URL")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; `serve`'s options are only defined when `argv` names it, since defining them
    imports the backend (SQLAlchemy, sqlglot), which the app and `ask` would otherwise pay for at
    every start. With no `argv` every option is defined."""
    parser = _Parser(prog="c2q-tui", description="Ask your database questions in plain language.")
    parser.add_argument("--version", action="version", version=f"c2q-tui {__version__}")
    _common(parser)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    ask = sub.add_parser("ask", help="ask one question and print the answer")
    ask.add_argument("question", help="the question, in plain language")
    _common(ask, sub=True)
    where = ask.add_mutually_exclusive_group()
    where.add_argument("--session", type=int, metavar="ID", help="continue this session")
    where.add_argument("--new-session", action="store_true", help="start a new session")
    ask.add_argument("--mode", choices=["direct", "auto_breakdown"], default="direct")
    ask.add_argument("--format", choices=["table", "csv", "json", "markdown"], default="table")
    ask.add_argument("--sql-only", action="store_true", help="print only the SQL")
    ask.add_argument(
        "--timeout", type=float, default=300.0, metavar="SECONDS", help="give up waiting after this long"
    )

    sessions = sub.add_parser("sessions", help="list the profile's sessions")
    _common(sessions, sub=True)
    sessions.add_argument("--remote", action="store_true", help="ask the service (costs one request)")

    cfg = sub.add_parser("config", help="show the resolved configuration (secrets redacted)")
    _common(cfg, sub=True)
    cfg.add_argument(
        "--store-key",
        action="store_true",
        help="read the active profile's private key from stdin and keep it in the OS keyring",
    )

    serve = sub.add_parser("serve", help="run the embedded Chat2Query-compatible backend over HTTP")
    if argv is None or "serve" in argv:
        from c2q_tui.local import serve as serve_mod

        serve_mod.add_arguments(serve)
    return parser


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
    args = build_parser(argv).parse_args(argv)
    if args.command != "serve":
        _setup_logging()
    if args.command in ("ask", "config"):
        _warn_if_config_is_readable()
    try:
        if args.command == "ask":
            from c2q_tui.ask import run_ask

            return run_ask(args)
        if args.command == "sessions":
            from c2q_tui.ask import run_sessions

            return run_sessions(args)
        if args.command == "config":
            return _run_config(args)
        if args.command == "serve":
            from c2q_tui.local import serve as serve_mod

            return serve_mod.run(args)
        return _run_app(args)
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


def _run_app(args: argparse.Namespace) -> int:
    import gc

    # Start-up makes ~300k objects that live as long as the app; the collector scanning them while
    # they are made cost ~50 ms of the time to the first frame. The app turns it back on after
    # that frame, with those objects frozen (never scanned again).
    gc.disable()
    try:
        # the profile is resolved by the app once its first frame is up (pydantic alone is ~80 ms);
        # a configuration error still ends the app with the message above and status 1
        from c2q_tui.tui.app import run_app

        return run_app(args.profile, database_url=args.database_url, gc_paused=True)
    finally:
        gc.enable()
