"""`c2q-tui serve`: the embedded backend over HTTP, for curl and any other Chat2Query client.

Before serving it prints (stdout, flushed) the base URL, the cluster id, the databases and, when no
`--key` is given, the generated Admin key pair (generated once, kept in the state dir) with a curl
example. Without explicit keys it only listens on a loopback address: the generated key is printed,
so it must not guard anything reachable from elsewhere.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import shlex
import socket
import sys
from pathlib import Path

from pydantic import SecretStr, ValidationError

from c2q_tui.local.settings import ROLE_TITLES, KeySpec, LocalSettings

ROLES = tuple(ROLE_TITLES)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from c2q_tui.local.engines import ENGINE_NAMES

    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("--app-id", help="Data App id in the URL (default chat2query-local)")
    parser.add_argument("--cluster-id", help="cluster id to answer to (default: generated once, kept)")
    parser.add_argument(
        "--database-url",
        dest="database_urls",
        action="append",
        metavar="URL",
        help="SQLAlchemy URL of a database to serve (repeatable; default: the sp500insight sample)",
    )
    parser.add_argument(
        "--key",
        dest="keys",
        action="append",
        metavar="PUBLIC:PRIVATE[:ROLE]",
        help=f"an API key pair (repeatable); ROLE is one of {', '.join(ROLES)} (default admin)",
    )
    parser.add_argument("--engine", choices=ENGINE_NAMES, help="NL-to-SQL engine (default builtin)")
    parser.add_argument("--llm-base-url", help="OpenAI-compatible endpoint for --engine openai")
    parser.add_argument("--llm-model", help="model name for --engine openai")
    parser.add_argument("--chat2db-api-base", metavar="URL", help="Chat2DB API host for --engine chat2db")
    parser.add_argument("--chat2db-app-base", metavar="URL", help="Chat2DB app host (table matching)")
    parser.add_argument(
        "--chat2db-api-key-env", metavar="VAR", help="variable with the Chat2DB API key (C2Q_CHAT2DB_API_KEY)"
    )
    parser.add_argument("--chat2db-dataset-id", metavar="ID", help="Chat2DB AI dataset for table matching")
    parser.add_argument(
        "--daily-quota", type=int, metavar="N", help="requests per UTC day (default unlimited)"
    )
    parser.add_argument(
        "--per-minute", type=int, metavar="N", help="requests per minute per key (default 600)"
    )
    parser.add_argument(
        "--tidbcloud-like", action="store_true", help="limits like TiDB Cloud: 100 a day, 100 a minute"
    )
    parser.add_argument("--state-dir", type=Path, help="where the backend keeps its state")
    parser.add_argument("--statement-timeout", type=float, metavar="SECONDS", help="SQL timeout (default 30)")
    parser.add_argument(
        "--job-latency", metavar="SPEC", help="simulated job time: fixed:S or lognormal:M,SIGMA[,SEED]"
    )
    parser.add_argument("--time-scale", type=float, help="multiplier for simulated job times (e.g. 0.01)")
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )


def parse_key(text: str) -> KeySpec:
    parts = text.split(":")
    role = "admin"
    if len(parts) >= 3 and parts[-1] in ROLES:
        role = parts.pop()
    if len(parts) < 2 or not parts[0] or not all(parts[1:]):
        raise ValueError(f"--key {text.split(':', 1)[0]}:...: expected PUBLIC:PRIVATE[:ROLE]")
    return KeySpec.model_validate(
        {"public_key": parts[0], "private_key": SecretStr(":".join(parts[1:])), "role": role}
    )


def settings_from_args(args: argparse.Namespace) -> LocalSettings:
    values: dict[str, object] = {}
    urls = getattr(args, "database_urls", None)
    if not urls and getattr(args, "database_url", None):  # `c2q-tui --database-url URL serve`
        urls = [args.database_url]
    if urls:
        values["database_urls"] = urls
    if args.keys:
        values["keys"] = [parse_key(k) for k in args.keys]
    simple = {
        "app_id": args.app_id,
        "cluster_id": args.cluster_id,
        "engine": args.engine,
        "llm_base_url": args.llm_base_url,
        "llm_model": args.llm_model,
        "chat2db_api_base": args.chat2db_api_base,
        "chat2db_app_base": args.chat2db_app_base,
        "chat2db_api_key_env": args.chat2db_api_key_env,
        "chat2db_dataset_id": args.chat2db_dataset_id,
        "daily_quota": args.daily_quota,
        "per_minute": args.per_minute,
        "state_dir": args.state_dir,
        "statement_timeout": args.statement_timeout,
        "job_latency": args.job_latency,
        "time_scale": args.time_scale,
    }
    values.update({k: v for k, v in simple.items() if v is not None})
    if args.tidbcloud_like:
        values["tidbcloud_like"] = True
    return LocalSettings.model_validate(values)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    # socket.create_server leaves proto 0, so asyncio never sets TCP_NODELAY on accepted connections
    # and every keep-alive request after the first waits ~40 ms for a delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind((bare, port))
    sock.listen(2048)
    return sock


def _url_host(host: str) -> str:
    bare = host.strip("[]")
    return f"[{bare}]" if ":" in bare else bare


def banner(settings: LocalSettings, host: str, port: int) -> str:
    base = f"http://{_url_host(host)}:{port}/api/v1beta/app/{settings.app_id}/endpoint"
    databases = settings.database_names()
    quota = f"{settings.daily_quota} requests per UTC day" if settings.daily_quota else "unlimited"
    minute = f"{settings.per_minute} per key" if settings.per_minute else "unlimited"
    lines = [
        "c2q-tui embedded Chat2Query backend",
        f"base URL:    {base}",
        f"cluster id:  {settings.cluster_id}",
        f"databases:   {', '.join(databases)}",
        f"engine:      {settings.engine}",
        f"limits:      {quota}; {minute} per minute",
        f"state:       {settings.store_path}",
    ]
    if settings.generated_key:
        key = settings.keys[0]
        private = key.private_key.get_secret_value()
        user = shlex.quote(f"{key.public_key}:{private}")
        target = {"cluster_id": settings.cluster_id, "database": databases[0]}
        summary = shlex.quote(json.dumps({**target, "reuse": True}))
        example = "count the users" if databases[0] == "sp500insight" else "<your question>"
        question = shlex.quote(json.dumps({**target, "question": example}))
        curl = f"curl --digest --user {user} -H 'content-type: application/json'"
        lines += [
            f"API key ({key.role_title}; generated once and kept in the state file):",
            f"  public key:  {key.public_key}",
            f"  private key: {private}",
            "try (data summary first, then questions; poll each job until it is done):",
            f"  {curl} -d {summary} {base}/v3/dataSummaries",
            f"  {curl} -d {question} {base}/v3/chat2data",
            f"  curl --digest --user {user} {base}/v2/jobs/JOB_ID",
        ]
    else:
        lines.append("API keys:    " + ", ".join(f"{k.public_key} ({k.role_title})" for k in settings.keys))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from_args(args)
    except (ValueError, ValidationError) as e:
        print(f"c2q-tui serve: {_one_line(e)}", file=sys.stderr)
        return 2
    if not args.keys and not is_loopback(args.host):
        print(
            f"c2q-tui serve: refusing to listen on {args.host} with the generated key (it is printed in "
            "clear); give your own keys with --key PUBLIC:PRIVATE[:ROLE], or listen on 127.0.0.1",
            file=sys.stderr,
        )
        return 2
    try:
        sock = _bind(args.host, args.port)
    except OSError as e:
        print(f"c2q-tui serve: cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return 1
    import uvicorn

    from c2q_tui.local.app import build_local_app

    try:
        app, settings = build_local_app(settings, on_progress=lambda m: print(m, file=sys.stderr, flush=True))
    except Exception as e:
        sock.close()
        print(f"c2q-tui serve: cannot start the backend: {_one_line(e)}", file=sys.stderr)
        return 1
    print(banner(settings, args.host, sock.getsockname()[1]), flush=True)
    config = uvicorn.Config(app, log_level=args.log_level, lifespan="on", server_header=False)
    # uvicorn re-raises the Ctrl-C it shut down on; for serve that is the normal way to stop
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
    return 0


def _one_line(e: BaseException) -> str:
    text = str(e).strip()
    if isinstance(e, ValidationError):
        text = "; ".join(
            f"{'.'.join(str(x) for x in err['loc']) or 'settings'}: {err['msg']}" for err in e.errors()
        )
    return text.splitlines()[0] if text else type(e).__name__
