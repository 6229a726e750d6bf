"""What the real service's gateway does before a request reaches Chat2Query, as ASGI middleware.

In order: only `/api/v1beta/app/<this app id>/endpoint/...` exists (anything else is 404 "endpoint not
found", before auth: an unknown app has no keys); authenticate (401 with a Digest challenge); count
the request against the per-minute limit and the daily quota (429); then route. Rate-limit headers go
on every response, errors included. An exception escaping a route becomes a 500 envelope without a
traceback; the traceback goes to the server log with a reference the client sees.

Job polls (`GET .../v2/jobs/{job_id}`) that the caller may read are answered here, after the same
admission, without going through the router: matching a path against 30 routes and FastAPI's
request handling cost several times what the poll itself does, and clients poll a lot. The answer is
the one the route gives (`routes_chat.get_job`, which stays registered and in the OpenAPI document):
the same body bytes and headers. Anything else (an unknown job, a refused role) goes to the router,
so errors keep one implementation.
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
from c2q_tui.local.envelopes import JSON, ApiError, GatewayError, error_for_path, gateway_error
from c2q_tui.local.settings import KeySpec

log = logging.getLogger("c2q_tui.local.gateway")
KEY_STATE = "c2q_key"
JSON_BYTES = JSON.encode("latin-1")


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
    fast_polls = True  # answer readable job polls before the router (tests compare both ways)

    def __init__(self, app: ASGIApp, backend: Backend) -> None:
        # imported here, not at the top: the route modules import this one (routing.KEY_STATE)
        from c2q_tui.local.routes_chat import JOBS_PATH, readable_job

        self.app = app
        self.backend = backend
        self.prefix = endpoint_prefix(backend.settings.app_id)
        self.jobs_prefix = self.prefix + JOBS_PATH
        self._readable_job = readable_job

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
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = _with_headers(message, extra)
            await send(message)

        try:
            if (
                self.fast_polls
                and scope["method"] == "GET"
                and path.startswith(self.jobs_prefix)
                and not scope.get("root_path")  # the router would match the path without it
            ):
                body = self._poll(key, path[len(self.jobs_prefix) :])
                if body is not None:
                    started = True
                    # what Response(body, media_type=JSON) sends, then the rate-limit headers
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-length", str(len(body)).encode("latin-1")),
                                (b"content-type", JSON_BYTES),
                                *extra,
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
            scope.setdefault("state", {})[KEY_STATE] = key
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                await self._crashed(scope, receive, send, headers)
            else:
                log.exception("request %s %s failed after its response started", scope["method"], path)

    def _poll(self, key: KeySpec, job_id: str) -> bytes | None:
        """The body of a successful poll of `job_id`; None when the router must answer (an error)."""
        if not job_id or "/" in job_id:  # the route's `{job_id}` is one non-empty path segment
            return None
        try:
            job = self._readable_job(self.backend, key, job_id)
        except (ApiError, GatewayError):
            return None
        return job.envelope()

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
