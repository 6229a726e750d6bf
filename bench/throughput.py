"""Embedded backend throughput: `c2q-tui serve` under concurrent Digest-authenticated job polls, against
a minimal ASGI app under the same uvicorn settings and the same load.

    .venv/bin/python bench/throughput.py [--quick] [--runs 5] [--pollers 10] [--json PATH]

Two servers run in subprocesses on 127.0.0.1, pinned to CPU 1; the load generator (this process) is
pinned to CPU 0, so the two do not fight over a core:
- `python -m c2q_tui serve --host 127.0.0.1 --port 0 --key ... --per-minute 1000000000`, as shipped,
  with `C2Q_HOME` in a temp dir (the sample database is built there first), stdout to a file
  (uvicorn's access log stays on, as `serve` runs by default; the daily quota is counted, unlimited
  as by default);
- `throughput.py --minimal-server BODY PORTFILE`: an ASGI callable that answers every request with
  the bytes of a real job poll answer of the first server (same size on the wire), listening on the
  socket `serve` makes (`c2q_tui.local.serve._bind`), under `uvicorn.Config(app, log_level="info",
  lifespan="on", server_header=False)`, the settings `serve` gives uvicorn.
Real job ids come from the product's client: a data summary and 8 questions are asked through
`Chat2QueryClient` and waited for. The load: `--pollers` keep-alive connections, each polling
`GET .../v2/jobs/{id}` in a loop, with Digest auth (MD5, qop=auth) computed per request: each
connection takes one challenge, then signs every request with the next nonce count. The client is raw
asyncio (no httpx): at ~0.8 ms per request httpx would be slower than the minimal server and flatten
the ratio (performance.md §4). Each server's share of a run is bounded: `--requests` requests or 10 s
(quick: 2000 or 5 s), after a warm-up.
Each run alternates the servers in slices; the ratio is per run. The server's CPU time per request
(`/proc/PID/stat`) is reported too: it is steadier than requests per second on a shared machine.

Where the time goes: the in-process breakdown (always printed; `throughput.py --in-process` alone) calls
each ASGI layer directly and reports CPU us per request; `C2Q_BENCH_PROFILE_APP=out.prof throughput.py
--in-process` profiles the c2q app's Digest job poll, `C2Q_BENCH_PROFILE=out.prof` the whole serve
process during a normal run (it then runs through `throughput.py --serve-profile`, which wraps
`c2q-tui serve` in cProfile and changes nothing else).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Report, Row, Stopwatch, check_runs, child_env, median, parser, quantile, report

PUB, PRIV = "BENCHKEY", "bench-private-key"
APP_ID = "chat2query-local"
PREFIX = f"/api/v1beta/app/{APP_ID}/endpoint"
TARGET_RATIO = 0.5
WARMUP = 300
SLICES = 4  # each run alternates the servers this many times
QUESTIONS = [
    "how many companies are there",
    "How many users do we have?",
    "list the companies in the Energy sector",
    "top 5 companies by market cap",
    "average revenue by sector",
    "how many companies per exchange",
    "which companies are headquartered in California",
    "total employees by sector",
]


# ---------------------------------------------------------------- servers (child processes)


def minimal_server(body_path: str, port_file: str) -> None:
    import uvicorn

    body = Path(body_path).read_bytes()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    from c2q_tui.local.serve import _bind

    sock = _bind("127.0.0.1", 0)  # the socket `serve` listens on (TCP_NODELAY on accepted ones)
    Path(port_file).write_text(str(sock.getsockname()[1]))
    # the settings `c2q-tui serve` gives uvicorn (c2q_tui/local/serve.py), with its default log level
    config = uvicorn.Config(app, log_level="info", lifespan="on", server_header=False)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])


def serve_profiled(argv: list[str], profile: str) -> int:
    """`c2q-tui serve` exactly, under cProfile, dumped into `profile` when it stops."""
    import cProfile

    from c2q_tui import cli

    profiler = cProfile.Profile()
    try:
        return profiler.runcall(cli.main, argv)
    finally:
        profiler.dump_stats(profile)


# ---------------------------------------------------------------- raw HTTP/1.1 client with Digest


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


_PARAM = re.compile(r'(\w+)="?([^",]*)"?')
ANSWERED: dict[int, int] = {}  # port -> requests answered other than 401 (what the daily quota counts)


class Conn:
    """One keep-alive connection that signs every request with Digest (MD5, qop=auth)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.challenge: dict[str, str] | None = None
        self.nc = 0
        self.ha1 = _md5(f"{PUB}:c2q-local:{PRIV}")

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def _authorization(self, path: str) -> str:
        ch = self.challenge or {"realm": "c2q-local", "nonce": "0" * 32, "opaque": "0" * 32}
        self.nc += 1
        nc = f"{self.nc:08x}"
        cnonce = secrets.token_hex(8)
        response = _md5(f"{self.ha1}:{ch['nonce']}:{nc}:{cnonce}:auth:{_md5(f'GET:{path}')}")
        return (
            f'Digest username="{PUB}", realm="{ch["realm"]}", nonce="{ch["nonce"]}", uri="{path}", '
            f'response="{response}", qop=auth, nc={nc}, cnonce="{cnonce}", algorithm=MD5, '
            f'opaque="{ch.get("opaque", "")}"'
        )

    async def _send(self, path: str, auth: bool) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None and self.writer is not None
        head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAccept: application/json\r\n"
        if auth:
            head += f"Authorization: {self._authorization(path)}\r\n"
        self.writer.write((head + "\r\n").encode())
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "content-length" not in headers:
            raise RuntimeError(f"no content-length in the answer to {path}: {headers}")
        body = await self.reader.readexactly(int(headers["content-length"]))
        return status, headers, body

    async def get(self, path: str) -> tuple[int, bytes]:
        try:
            status, headers, body = await self._send(path, auth=self.challenge is not None or self.nc > 0)
        except (asyncio.IncompleteReadError, ConnectionError):
            # uvicorn closes a keep-alive connection idle for 5 s (while the other servers take
            # their turn): reconnect, and take a new challenge like a client would
            await self.close()
            await self.open()
            self.challenge, self.nc = None, 0
            status, headers, body = await self._send(path, auth=False)
        if status == 401 and "www-authenticate" in headers:
            self.challenge = dict(_PARAM.findall(headers["www-authenticate"].removeprefix("Digest ")))
            self.nc = 0
            status, headers, body = await self._send(path, auth=True)
        if status != 401:
            ANSWERED[self.port] = ANSWERED.get(self.port, 0) + 1
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()


@dataclass
class Round:
    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    cpu_seconds: float = 0.0  # the server process's user + system time during the round

    @property
    def cpu_us(self) -> float:
        return self.cpu_seconds / self.requests * 1e6

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p99(self) -> float:
        return quantile(self.latencies_ms, 0.99)


class Loader:
    """`pollers` keep-alive connections to one server, polling `paths` round-robin."""

    def __init__(self, port: int, paths: list[str], pollers: int, pid: int) -> None:
        self.pid = pid
        self.paths = paths
        self.conns = [Conn(port) for _ in range(pollers)]
        self.k = 0

    async def open(self) -> None:
        for i, c in enumerate(self.conns):
            await c.open()
            await c.get(self.paths[i % len(self.paths)])  # takes this connection's challenge
        await self.run(WARMUP, 30.0, Round())

    async def run(self, n: int, seconds: float, into: Round) -> None:
        """`n` requests (or `seconds`), with every connection busy; adds them to `into`."""
        left = n
        deadline = time.perf_counter() + seconds

        async def worker(c: Conn) -> None:
            nonlocal left
            while left > 0 and time.perf_counter() < deadline:
                left -= 1
                path = self.paths[self.k % len(self.paths)]
                self.k += 1
                t = time.perf_counter()
                status, _ = await c.get(path)
                into.latencies_ms.append((time.perf_counter() - t) * 1000)
                into.errors += status != 200

        started, cpu = time.perf_counter(), _cpu_seconds(self.pid)
        await asyncio.gather(*(worker(c) for c in self.conns))
        into.seconds += time.perf_counter() - started
        into.cpu_seconds += _cpu_seconds(self.pid) - cpu
        into.requests = len(into.latencies_ms)

    async def close(self) -> None:
        for c in self.conns:
            await c.close()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


Server = tuple[int, list[str], int]  # port, job poll paths, pid


async def one_run(servers: dict[str, Server], pollers: int, total: int, seconds: float,
                  slices: int, rotate: int) -> dict[str, Round]:
    """One run: the servers take turns in `slices` slices each, so noise hits them alike."""
    loaders = {name: Loader(port, paths, pollers, pid) for name, (port, paths, pid) in servers.items()}
    for loader in loaders.values():
        await loader.open()
    rounds = {name: Round() for name in servers}
    names = list(servers)
    for i in range(slices):
        r = (rotate + i) % len(names)
        for name in names[r:] + names[:r]:
            await loaders[name].run(total // slices, seconds / slices, rounds[name])
    for loader in loaders.values():
        await loader.close()
    return rounds


# ---------------------------------------------------------------- servers


def _pin(pid: int, cpu: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        if (os.cpu_count() or 1) > cpu:
            os.sched_setaffinity(pid, {cpu})


def _wait_for(pred: Any, what: str, timeout: float = 60.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def start_serve(work: Path, name: str) -> tuple[subprocess.Popen[bytes], int, str]:
    """`c2q-tui serve` as shipped; its port and cluster id."""
    out = work / f"{name}.out"
    argv = ["serve", "--host", "127.0.0.1", "--port", "0", "--key", f"{PUB}:{PRIV}",
            "--per-minute", "1000000000", "--state-dir", str(work / f"{name}-state")]
    cmd = [sys.executable, "-m", "c2q_tui", *argv]
    if os.environ.get("C2Q_BENCH_PROFILE"):
        cmd = [sys.executable, __file__, "--serve-profile", os.environ["C2Q_BENCH_PROFILE"], *argv]
    proc = subprocess.Popen(cmd, stdout=open(out, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
                            env=child_env(C2Q_HOME=str(work / "home")))
    _pin(proc.pid, 1)

    def port() -> int | None:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited: {out.read_text()[-2000:]}")
        m = re.search(r"base URL:\s+http://127\.0\.0\.1:(\d+)/", out.read_text())
        return int(m.group(1)) if m else None

    p = _wait_for(port, f"{name} to print its URL", 120)
    _wait_for(lambda: _connectable(p), f"{name} to listen")
    m = re.search(r"cluster id:\s+(\d+)", out.read_text())
    if not m:
        raise RuntimeError(f"no cluster id in the banner of {name}")
    return proc, p, m.group(1)


def _connectable(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def start_minimal(work: Path, body: bytes) -> tuple[subprocess.Popen[bytes], int]:
    (work / "body.json").write_bytes(body)
    port_file = work / "minimal.port"
    proc = subprocess.Popen(
        [sys.executable, __file__, "--minimal-server", str(work / "body.json"), str(port_file)],
        stdout=open(work / "minimal.out", "wb"), stderr=subprocess.STDOUT, env=child_env(),  # noqa: SIM115
    )
    _pin(proc.pid, 1)
    port = int(_wait_for(lambda: port_file.exists() and port_file.read_text(), "the minimal server"))
    _wait_for(lambda: _connectable(port), "the minimal server to listen")
    return proc, port


def quota_count(store: Path) -> int:
    """The daily request count (all days) a serve state file holds."""
    import sqlite3

    conn = sqlite3.connect(store, timeout=10)
    try:
        return int(conn.execute("SELECT COALESCE(SUM(count), 0) FROM quota").fetchone()[0])
    finally:
        conn.close()


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


async def make_jobs(port: int, cluster: str) -> list[str]:
    """Real job ids, through the product's client: a data summary, then the questions."""
    from c2q_tui.api import EMBEDDED_PACE, Chat2QueryClient, wait_for_job

    base = f"http://127.0.0.1:{port}{PREFIX}"
    async with Chat2QueryClient(base, public_key=PUB, private_key=PRIV, pace=EMBEDDED_PACE) as client:
        summary = await client.create_data_summary(cluster, "sp500insight", description="bench", reuse=True)
        await wait_for_job(client, summary.job_id, deadline=120)
        ids = []
        for q in QUESTIONS:
            job = await client.chat2data(q, cluster_id=cluster, database="sp500insight")
            await wait_for_job(client, job.job_id, deadline=60)
            ids.append(job.job_id)
        return ids


async def one_body(port: int, path: str) -> bytes:
    c = Conn(port)
    await c.open()
    status, body = await c.get(path)
    await c.close()
    if status != 200:
        raise RuntimeError(f"job poll answered {status}: {body[:200]!r}")
    return body


# ---------------------------------------------------------------- in-process breakdown


def _scope(path: str, authorization: str | None) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1"), (b"accept", b"application/json")]
    if authorization:
        headers.append((b"authorization", authorization.encode()))
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80), "state": {}}


async def _call(app: Any, path: str, authorization: str | None) -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(path, authorization), receive, send)
    return status


async def breakdown(body: bytes, runs: int, n: int) -> dict[str, list[float]]:
    """Microseconds per request of each layer, called in process (no sockets, no uvicorn, no h11)."""
    import base64

    import httpx
    from fastapi import FastAPI
    from fastapi.responses import Response
    from pydantic import SecretStr

    from c2q_tui.api import EMBEDDED_PACE, Chat2QueryClient, wait_for_job
    from c2q_tui.local.app import build_local_app
    from c2q_tui.local.gateway import Gateway
    from c2q_tui.local.settings import KeySpec, LocalSettings

    work = Path(tempfile.mkdtemp(prefix="c2q-bench-asgi-"))
    try:
        os.environ["C2Q_HOME"] = str(work / "home")
        settings = LocalSettings(keys=[KeySpec(public_key=PUB, private_key=SecretStr(PRIV))],
                                 state_dir=work / "state", per_minute=1_000_000_000)
        c2q, prepared = build_local_app(settings)
        base = f"http://c2q-bench{PREFIX}"
        async with Chat2QueryClient(base, public_key=PUB, private_key=PRIV, pace=EMBEDDED_PACE,
                                    transport=httpx.ASGITransport(app=c2q)) as client:
            summary = await client.create_data_summary(prepared.cluster_id, "sp500insight", reuse=True)
            await wait_for_job(client, summary.job_id, deadline=120)
            job = await client.chat2data(
                QUESTIONS[0], cluster_id=prepared.cluster_id, database="sp500insight"
            )
            await wait_for_job(client, job.job_id, deadline=60)
        path = f"{PREFIX}/v2/jobs/{job.job_id}"
        signer = Conn(0)
        challenge_status = await _call(c2q, path, None)
        assert challenge_status == 401
        # take a challenge the way a client does: the 401's WWW-Authenticate
        captured: dict[str, str] = {}

        async def send(message: Any) -> None:
            for k, v in message.get("headers", ()):
                if k.lower() == b"www-authenticate":
                    captured.update(_PARAM.findall(v.decode().removeprefix("Digest ")))

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        await c2q(_scope(path, None), receive, send)
        signer.challenge = captured
        basic = "Basic " + base64.b64encode(f"{PUB}:{PRIV}".encode()).decode()

        fast = FastAPI()

        @fast.get("/x")
        async def x() -> Response:
            return Response(body, media_type="application/json")

        async def minimal(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        async def routed() -> int:
            """The same Digest poll answered by the FastAPI route instead of the gateway's fast path."""
            Gateway.fast_polls = False
            try:
                return await _call(c2q, path, signer._authorization(path))
            finally:
                Gateway.fast_polls = True

        variants: dict[str, Any] = {
            "minimal ASGI callable": lambda: _call(minimal, path, None),
            "FastAPI, one route, no auth": lambda: _call(fast, "/x", None),
            "c2q app, job poll, Basic auth": lambda: _call(c2q, path, basic),
            "c2q app, job poll, Digest auth": lambda: _call(c2q, path, signer._authorization(path)),
            "c2q app, same poll through the router": routed,
            "c2q app, 404 outside the prefix (gateway only)": lambda: _call(c2q, "/nope", None),
        }
        if os.environ.get("C2Q_BENCH_PROFILE_APP"):  # profile the Digest job poll into this file
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(n):
                await variants["c2q app, job poll, Digest auth"]()
            profiler.disable()
            profiler.dump_stats(os.environ["C2Q_BENCH_PROFILE_APP"])
        out: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(runs):
            for name, call in variants.items():
                for _ in range(50):
                    await call()
                t = time.process_time()  # CPU time: other processes on the machine do not count
                for _ in range(n):
                    status = await call()
                out[name].append((time.process_time() - t) / n * 1e6)
                if status not in (200, 404):
                    raise RuntimeError(f"{name}: HTTP {status}")
        await c2q.state.backend.aclose()
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--minimal-server":
        minimal_server(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) > 3 and sys.argv[1] == "--serve-profile":
        raise SystemExit(serve_profiled(sys.argv[3:], sys.argv[2]))
    if len(sys.argv) == 2 and sys.argv[1] == "--in-process":  # only the in-process breakdown
        for name, us in asyncio.run(breakdown(b"{}" * 260, 5, 2000)).items():
            print(f"{name:48} {min(us):6.0f} {median(us):6.0f} {max(us):6.0f} us CPU per request")
        return
    ap = parser(__doc__)
    ap.add_argument("--pollers", type=int, default=10, help="concurrent polling connections (default 10)")
    ap.add_argument("--requests", type=int, default=0, help="requests per round (default 4000, quick 2000)")
    args = ap.parse_args()
    runs = check_runs(args.runs)
    total = args.requests or (2000 if args.quick else 4000)
    seconds = 5.0 if args.quick else 10.0
    watch = Stopwatch()
    _pin(0, 0)
    work = Path(tempfile.mkdtemp(prefix="c2q-bench-serve-"))
    procs: list[subprocess.Popen[bytes]] = []
    servers: dict[str, Server] = {}
    try:
        proc, port, cluster = start_serve(work, "app")
        procs.append(proc)
        jobs = asyncio.run(make_jobs(port, cluster))
        servers["app"] = (port, [f"{PREFIX}/v2/jobs/{j}" for j in jobs], proc.pid)
        store = work / "app-state" / "backend.sqlite3"
        time.sleep(1.5)  # serve stores its request count at most 1 s after a request
        counted_before = quota_count(store)
        answered_before = ANSWERED.get(port, 0)
        body = asyncio.run(one_body(servers["app"][0], servers["app"][1][0]))
        minimal, minimal_port = start_minimal(work, body)
        procs.append(minimal)
        servers["minimal"] = (minimal_port, servers["app"][1], minimal.pid)
        rounds: dict[str, list[Round]] = {name: [] for name in servers}
        for run in range(runs):
            for name, r in asyncio.run(one_run(servers, args.pollers, total, seconds, SLICES, run)).items():
                rounds[name].append(r)
        stop(proc)  # gracefully: serve stores the count it still holds in memory
        counted = quota_count(store) - counted_before
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(work, ignore_errors=True)

    layers = asyncio.run(breakdown(body, runs, 500 if args.quick else 1000))
    answered = ANSWERED.get(servers["app"][0], 0) - answered_before
    app, base = rounds["app"], rounds["minimal"]
    ratio = [a.rps / b.rps for a, b in zip(app, base, strict=True)]
    errors = sum(r.errors for r in app)
    rows = [
        Row("c2q-tui serve: polls/s", "req/s", [r.rps for r in app], f">= {TARGET_RATIO:.0%} of minimal",
            median(ratio) >= TARGET_RATIO and errors == 0, "minimal ASGI", [r.rps for r in base], ratio,
            digits=0),
        Row("c2q-tui serve: p99 latency", "ms", [r.p99 for r in app], "", None, "minimal ASGI",
            [r.p99 for r in base], digits=1),
        Row("c2q-tui serve: median latency", "ms", [median(r.latencies_ms) for r in app], "", None,
            "minimal ASGI", [median(r.latencies_ms) for r in base], digits=2),
        Row("c2q-tui serve: server CPU per request", "us", [r.cpu_us for r in app], "", None,
            "minimal ASGI", [r.cpu_us for r in base], digits=0),
    ]
    notes = [
        f"{args.pollers} concurrent keep-alive pollers over {len(servers['app'][1])} real job ids, Digest "
        f"(MD5, qop=auth) on every request; {total} requests per server and run (at most {seconds:g} s) "
        f"after {WARMUP} warm-up, in {SLICES} slices taking turns with the other server; servers pinned to "
        f"CPU 1, load generator to CPU 0; uvicorn {_uvicorn_version()} (h11, asyncio loop), log level info "
        "(access log on), lifespan on, no server header, listening socket from `serve._bind` (TCP_NODELAY "
        "on accepted connections), for both.",
        "serve as shipped: job polls answered by the gateway before the FastAPI router (same bytes as the "
        "route), daily request count kept in memory and stored in batches (unlimited quota, the default).",
        f"answer size {len(body)} bytes (the minimal app sends the same bytes); non-200 answers: {errors}.",
        f"daily request count stored by serve for the load: {counted:,}; requests it answered: "
        f"{answered:,} ({'equal' if counted == answered else 'DIFFERENT'}).",
        "server time per request over the network (1 / polls per second, medians): serve "
        f"{1e6 / median([r.rps for r in app]):.0f} us, minimal {1e6 / median([r.rps for r in base]):.0f} us.",
        "where the time goes, in process (ASGI call only: no socket, uvicorn, h11 or access log), "
        "median CPU us per request: " + "; ".join(f"{k} {median(v):.0f}" for k, v in layers.items()) + ".",
    ]
    extra = {"pollers": args.pollers, "requests": total, "in_process_us": layers}
    report(Report("throughput", "6. Embedded backend throughput (c2q-tui serve vs minimal ASGI)", rows, runs,
                  args.quick, notes, extra, watch.seconds()), args.json)


def _uvicorn_version() -> str:
    import uvicorn

    return str(uvicorn.__version__)


if __name__ == "__main__":
    main()
