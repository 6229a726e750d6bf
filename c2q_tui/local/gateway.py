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

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from c2q_tui.local.auth import AuthFailed
from c2q_tui.local.backend import Backend
from c2q_tui.local.envelopes import GatewayError, error_for_path, gateway_error

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
        backend = self.backend
        path: str = scope["path"]
        if not path.startswith(self.prefix + "/"):
            err = GatewayError(404, "endpoint not found", headers=backend.limiter.peek(None))
            await gateway_error(err)(scope, receive, send)
            return
        try:
            key = backend.auth.authenticate(
                scope["method"], _request_target(scope), _header(scope, b"authorization")
            )
        except AuthFailed as e:
            headers = {
                **backend.limiter.peek(None),
                "WWW-Authenticate": backend.auth.challenge(stale=e.stale),
            }
            await gateway_error(GatewayError(401, e.message, code=e.code, headers=headers))(
                scope, receive, send
            )
            return
        decision = backend.limiter.hit(key.public_key)
        if decision.error is not None:
            await gateway_error(decision.error)(scope, receive, send)
            return
        scope.setdefault("state", {})[KEY_STATE] = key
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in decision.headers.items()]
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
            ref = secrets.token_hex(4)
            log.exception("request %s %s failed (ref %s)", scope["method"], path, ref)
            if started:
                return
            response = error_for_path(path, 500, f"internal error! see the server log (ref {ref})")
            response.headers.update(decision.headers)
            await response(scope, receive, send)


def _with_headers(message: MutableMapping[str, Any], extra: list[tuple[bytes, bytes]]) -> Message:
    names = {k for k, _ in extra}
    headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in names]
    return {**message, "headers": headers + extra}
