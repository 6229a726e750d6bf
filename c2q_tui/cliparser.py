"""The command line's parser: the app (no subcommand), `ask`, `sessions`, `config` and `serve`.

Only built when arguments are given; the bare `c2q-tui` starts the app without it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from c2q_tui import __version__


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
