"""A scripted Chat2DB-compatible REST server for engine and assist tests (a fixture, not product code).

Routes (reference §9): `POST /api/ai/rest/prompt_a` (returns a token), `GET /api/ai/rest/chat_a`
(streams the scripted answer as SSE `data:{"role":"assistant","content":...}` events, then
`data:[DONE]`; with `stream=false` one whole object, then `[DONE]`) and `POST /api/ai/rest/mapping_a`
(table matching from `tables`). Every request is recorded. Each `prompt_a` call takes the next
`Stream` from the script; a `Stream` can cut its answer off (cleanly or by dropping the connection),
wait between chunks, or return an error envelope from prompt_a or chat_a.

Use it in process through `stub.transport()` (an `httpx.MockTransport`, for the blocking client), or
as a real HTTP server on 127.0.0.1 with `with stub.serve() as base_url:` (uvicorn in a thread, port 0,
bounded start and shutdown).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.local.stub_serving import serve_in_thread

REST = "/api/ai/rest"


def envelope(data: Any = None, *, error: str | None = None, code: str = "COMMON_ERROR") -> dict[str, Any]:
    if error is None:
        return {"success": True, "errorCode": None, "errorMessage": None, "data": data, "traceId": "t-1"}
    return {
        "success": False,
        "errorCode": code,
        "errorMessage": error,
        "data": None,
        "traceId": "t-1",
        "errorDetail": None,
        "solutionLink": None,
    }


@dataclass
class Stream:
    chunks: list[str] = field(default_factory=list)  # content pieces, one SSE event each
    cut_after: int | None = None  # stop after this many chunks, without [DONE]
    drop: bool = False  # cut by dropping the connection instead of ending the body cleanly
    delay: float = 0.0  # seconds before each chunk
    prompt_error: str | None = None  # prompt_a answers with this error envelope
    chat_error: str | None = None  # chat_a answers with this error envelope (as JSON)
    stream_error: str | None = None  # an error envelope sent as an SSE event after the chunks
    raw: str | None = None  # send this body verbatim as the SSE stream

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def answer(text: str, pieces: int = 4, **kw: Any) -> Stream:
    """`text` split into about `pieces` chunks (splits fall mid-word and mid-line on purpose)."""
    size = max(1, -(-len(text) // pieces))
    return Stream(chunks=[text[i : i + size] for i in range(0, len(text), size)], **kw)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    query: dict[str, str]


class ScriptedChat2DB:
    def __init__(self, *script: Stream, api_key: str | None = None) -> None:
        self.script: deque[Stream] = deque(script)
        self.api_key = api_key
        self.tables: list[dict[str, Any]] = []  # what mapping_a returns
        self.requests: list[Recorded] = []
        self._tokens: dict[str, Stream] = {}
        self._lock = threading.Lock()
        self._closing = False

    def add(self, *streams: Stream) -> None:
        self.script.extend(streams)

    def calls(self, name: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(f"/{name}")]

    # -- the scripted behaviour, shared by both front ends ---------------------------------------

    def _route(
        self, method: str, path: str, headers: dict[str, str], raw: bytes, query: dict[str, str]
    ) -> tuple[int, dict[str, Any] | None, Stream | None, bool]:
        """(status, JSON body to send, or the stream to send and whether to stream it)."""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        with self._lock:
            self.requests.append(Recorded(method, path, headers, body, query))
            if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
                return 401, envelope(error="API key is invalid", code="NEED_LOGGED_IN"), None, False
            if path == f"{REST}/mapping_a" and method == "POST":
                return 200, envelope(self.tables[: int(body.get("tableSize") or 10)]), None, False
            if path == f"{REST}/prompt_a" and method == "POST":
                if not self.script:
                    return 200, envelope(error="stub script exhausted"), None, False
                item = self.script.popleft()
                if item.prompt_error:
                    return 200, envelope(error=item.prompt_error), None, False
                token = f"tok+{len(self._tokens) + 1}/x="  # characters that need URL encoding
                self._tokens[token] = item
                return 200, envelope({"token": token}), None, False
            if path == f"{REST}/chat_a" and method == "GET":
                found = self._tokens.get(query.get("token", ""))
                if found is None:
                    return 200, envelope(error="token expired or unknown", code="TOKEN_INVALID"), None, False
                if found.chat_error:
                    return 200, envelope(error=found.chat_error), None, False
                return 200, None, found, query.get("stream", "true") != "false"
        return 404, envelope(error=f"no route {method} {path}", code="NOT_FOUND"), None, False

    @staticmethod
    def _events(item: Stream, streaming: bool) -> list[bytes]:
        """The SSE frames in order; the last frame is [DONE] unless the answer is cut off."""
        if item.raw is not None:
            return [item.raw.encode()]

        def frame(value: Any) -> bytes:
            return f"data:{json.dumps(value) if not isinstance(value, str) else value}\n\n".encode()

        chunks = item.chunks if streaming else [item.text]
        if item.cut_after is not None:
            chunks = chunks[: item.cut_after]
        frames = [frame({"role": "assistant", "content": c}) for c in chunks]
        if item.stream_error:
            frames.append(frame(envelope(error=item.stream_error)))
        if item.cut_after is None:
            frames.append(frame("[DONE]"))
        return frames

    # -- in process ------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            query = {k: v[-1] for k, v in parse_qs(request.url.query.decode()).items()}
            status, body, item, streaming = self._route(
                request.method, request.url.path, dict(request.headers), request.read(), query
            )
            if item is None:
                return httpx.Response(status, json=body)
            frames = self._events(item, streaming)

            def produce() -> Iterator[bytes]:
                for i, frame in enumerate(frames):
                    if item.delay:
                        time.sleep(item.delay)
                    if item.drop and item.cut_after is not None and i == len(frames) - 1:
                        yield frame[: len(frame) // 2]
                        raise httpx.RemoteProtocolError(
                            "peer closed connection without sending complete body"
                        )
                    yield frame

            return httpx.Response(status, content=produce(), headers={"content-type": "text/event-stream"})

        return httpx.MockTransport(handle)

    # -- over HTTP -------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        status, body, item, streaming = self._route(
            request.method,
            request.url.path,
            dict(request.headers),
            await request.body(),
            dict(request.query_params),
        )
        if item is None:
            return JSONResponse(body, status_code=status)
        frames = self._events(item, streaming)

        async def produce() -> AsyncIterator[bytes]:
            for i, frame in enumerate(frames):
                waited = 0.0
                while waited < item.delay and not self._closing:
                    await asyncio.sleep(0.01)
                    waited += 0.01
                if item.drop and item.cut_after is not None and i == len(frames) - 1:
                    yield frame[: len(frame) // 2]
                    raise ConnectionAbortedError("scripted cut")  # uvicorn drops the connection
                yield frame

        return StreamingResponse(produce(), status_code=status, media_type="text/event-stream")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._endpoint, methods=["GET", "POST"])])

    @contextmanager
    def serve(self, *, start_timeout: float = 10.0) -> Iterator[str]:
        """Run on 127.0.0.1 with a free port; yields the base URL (both hosts point here)."""
        self._closing = False
        # log level critical: the scripted connection drop would log a traceback
        serving = serve_in_thread(
            self.app(), name="chat2db-stub", log_level="critical", start_timeout=start_timeout
        )
        with serving as port:
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                self._closing = True
