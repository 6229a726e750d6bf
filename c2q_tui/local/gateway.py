"""What the real service's gateway does before a request reaches Chat2Query, as ASGI middleware.

In order: only `/api/v1beta/app/<this app id>/endpoint/...` exists (anything else is 404 "endpoint not
found", before auth: an unknown app has no keys); authenticate (401 with a Digest challenge); count
the request against the per-minute limit and the daily quota (429); then route. Rate-limit headers go
on every response, errors included. An exception escaping a route becomes a 500 envelope without a
traceback; the traceback goes to the server log with a reference the client sees.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import MutableMapping
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from c2q_tui.local.auth import AuthFailed
from c2q_tui.local.backend import Backend
from c2q_tui.local.envelopes import GatewayError, error_for_path, gateway_error
from c2q_tui.local.settings import KeySpec

log = logging.getLogger("c2q_tui.local.gateway")
KEY_STATE = "c2q_key"


def endpoint_prefix(app_id: str) -> str:
    return f"/api/v1beta/app/{app_id}/endpoint"


def _request_target(scope: Scope) -> str:
    raw = scope.get("raw_path") or scope["path"].encode()
    target = raw.decode("latin-1")
    query = scope.get("query_string") or b""
    return f"{target}?{query.decode('latin-1')}" if query else target


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class Gateway:
    def __init__(self, app: ASGIApp, backend: Backend) -> None:
        self.app = app
        self.backend = backend
        self.prefix = endpoint_prefix(backend.settings.app_id)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        try:
            admitted = self._admit(scope)
        except Exception:  # e.g. the state file is locked for too long: still answer in an envelope
            await self._crashed(scope, receive, send, {})
            return
        if isinstance(admitted, Response):
            await admitted(scope, receive, send)
            return
        key, headers = admitted
        scope.setdefault("state", {})[KEY_STATE] = key
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = _with_headers(message, extra)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                await self._crashed(scope, receive, send, headers)
            else:
                log.exception("request %s %s failed after its response started", scope["method"], path)

    def _admit(self, scope: Scope) -> tuple[KeySpec, dict[str, str]] | Response:
        """The caller's key and rate-limit headers, or the response refusing the request."""
        backend = self.backend
        if not scope["path"].startswith(self.prefix + "/"):
            return gateway_error(GatewayError(404, "endpoint not found", headers=backend.limiter.peek(None)))
        try:
            key = backend.auth.authenticate(
                scope["method"], _request_target(scope), _header(scope, b"authorization")
            )
        except AuthFailed as e:
            headers = {
                **backend.limiter.peek(None),
                "WWW-Authenticate": backend.auth.challenge(stale=e.stale),
            }
            return gateway_error(GatewayError(401, e.message, code=e.code, headers=headers))
        decision = backend.limiter.hit(key.public_key)
        if decision.error is not None:
            return gateway_error(decision.error)
        return key, decision.headers

    async def _crashed(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        ref = secrets.token_hex(4)
        log.exception("request %s %s failed (ref %s)", scope["method"], scope["path"], ref)
        response = error_for_path(scope["path"], 500, f"internal error! see the server log (ref {ref})")
        response.headers.update(headers)
        await response(scope, receive, send)


def _with_headers(message: MutableMapping[str, Any], extra: list[tuple[bytes, bytes]]) -> Message:
    names = {k for k, _ in extra}
    headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in names]
    return {**message, "headers": headers + extra}
