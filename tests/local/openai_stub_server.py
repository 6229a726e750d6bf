"""A scripted OpenAI-compatible chat-completions server for engine tests (a fixture, not product code).

Replies come from a queue (`ScriptedLLM(reply, reply, ...)`) or from a function of the request body;
every request is recorded. Use it in process through `llm.transport()` (an `httpx.MockTransport`), or
as a real HTTP server on 127.0.0.1 with `with llm.serve() as base_url:` (uvicorn in a thread, port 0,
bounded start and shutdown), which exercises the engine's real HTTP path including timeouts.

A reply is a `str` (the assistant's message text), a `dict` (sent as the message text, JSON-encoded,
the way a model answers in JSON mode) or a `Reply` for anything else: an HTTP error, a raw body that
is not JSON, a delay, a finish_reason.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.local.stub_serving import serve_in_thread


@dataclass
class Reply:
    content: str | None = None  # the assistant message text
    status: int = 200
    body: Any = None  # a whole JSON body to send instead of a completion
    raw: bytes | None = None  # raw bytes to send instead of JSON
    delay: float = 0.0  # seconds to wait before answering
    finish_reason: str = "stop"


ScriptItem = Reply | str | dict[str, Any]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def prompt(self) -> str:
        """Every message's text, joined: what the model saw."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)


class ScriptedLLM:
    def __init__(
        self, *replies: ScriptItem, handler: Callable[[dict[str, Any]], ScriptItem] | None = None
    ) -> None:
        self.replies: deque[ScriptItem] = deque(replies)
        self.handler = handler
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._closing = False

    def add(self, *replies: ScriptItem) -> None:
        self.replies.extend(replies)

    # -- the scripted behaviour, shared by both front ends ---------------------------------------

    def _respond(self, path: str, headers: dict[str, str], raw_body: bytes) -> tuple[Reply, int, bytes]:
        try:
            body = json.loads(raw_body or b"{}")
        except ValueError:
            body = {"_raw": raw_body.decode("utf-8", "replace")}
        with self._lock:
            self.requests.append(Recorded(path=path, headers=headers, body=body))
            if path.rstrip("/") != "/v1/chat/completions":
                return Reply(), 404, json.dumps({"error": {"message": f"no route {path}"}}).encode()
            if self.replies:
                item = self.replies.popleft()
            elif self.handler is not None:
                item = self.handler(body)
            else:
                return Reply(), 500, json.dumps({"error": {"message": "stub script exhausted"}}).encode()
        if not isinstance(item, Reply):
            item = Reply(content=item if isinstance(item, str) else json.dumps(item))
        reply = item
        if reply.raw is not None:
            return reply, reply.status, reply.raw
        if reply.body is not None:
            return reply, reply.status, json.dumps(reply.body).encode()
        completion = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": body.get("model", "stub"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content},
                    "finish_reason": reply.finish_reason,
                }
            ],
        }
        return reply, reply.status, json.dumps(completion).encode()

    # -- in process ------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            reply, status, content = self._respond(request.url.path, dict(request.headers), request.read())
            if reply.delay:
                time.sleep(reply.delay)
            return httpx.Response(status, content=content, headers={"content-type": "application/json"})

        return httpx.MockTransport(handle)

    # -- over HTTP -------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        reply, status, content = self._respond(request.url.path, dict(request.headers), await request.body())
        waited = 0.0
        while waited < reply.delay and not self._closing:  # wake up early when the server stops
            await asyncio.sleep(0.02)
            waited += 0.02
        media = "application/json" if reply.raw is None else "text/plain"
        return Response(content, status_code=status, media_type=media)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._endpoint, methods=["GET", "POST"])])

    @contextmanager
    def serve(self, *, start_timeout: float = 10.0) -> Iterator[str]:
        """Run on 127.0.0.1 with a free port; yields the base URL (".../v1")."""
        self._closing = False
        serving = serve_in_thread(self.app(), name="openai-stub", start_timeout=start_timeout)
        with serving as port:
            try:
                yield f"http://127.0.0.1:{port}/v1"
            finally:
                self._closing = True
