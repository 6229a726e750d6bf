"""Turn an HTTP response into the envelope's result, or into one typed error.

Two envelopes exist: Chat2Query `{code, msg, result}` (v2/v3) and Data Service
`{type, data: {columns, rows, result: {code, message, ...}}}` (v1 and gateway-level errors such as a
bad key or a rate limit, on any path). Either may carry an error with HTTP 200 (body code != 200).
"""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx

from c2q_tui.api.errors import (
    EXPIRED_KEY_CODE,
    RATE_LIMIT_CODE,
    ApiError,
    AuthError,
    BadResponse,
    Chat2QueryError,
    NotFound,
    NotReady,
    RateLimited,
    one_line,
)
from c2q_tui.api.quota import RateLimitInfo

Expect = Literal["chat2query", "data_service"]

_NOT_READY = "not ready"


def _body_problem(body: bytes, content_type: str) -> tuple[Any, str | None]:
    """Parse JSON; on failure say in a few words what the body was instead."""
    stripped = body.strip()
    if not stripped:
        return None, "server returned an empty body"
    if "html" in content_type.lower() or stripped[:1] == b"<":
        return None, "server returned HTML instead of JSON"
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError:
        return None, "server returned a body that is not UTF-8 text"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text) or exc.msg.startswith("Unterminated string"):
            return None, f"server returned truncated JSON (cut off after {len(body)} bytes)"
        return None, f"server returned invalid JSON ({exc.msg} at character {exc.pos})"


def split_envelope(parsed: Any) -> tuple[Expect | None, int | None, str, Any]:
    """(which envelope, code, message, result); the kind is None for an unknown shape."""
    if not isinstance(parsed, dict):
        return None, None, "", None
    data = parsed.get("data")
    if isinstance(data, dict) and isinstance(data.get("result"), dict) and "code" not in parsed:
        res = data["result"]
        code = res.get("code")
        return "data_service", code if isinstance(code, int) else None, str(res.get("message") or ""), parsed
    if "code" in parsed and ("msg" in parsed or "result" in parsed or "message" in parsed):
        code = parsed.get("code")
        msg = parsed.get("msg", parsed.get("message")) or ""
        return "chat2query", code if isinstance(code, int) else None, str(msg), parsed.get("result")
    return None, None, "", None


def _status_text(status: int, code: int | None) -> str:
    return f"HTTP {status}" if code in (None, status) else f"HTTP {status}, code {code}"


def _rate_limited(status: int, code: int | None, msg: str, info: RateLimitInfo, request: str) -> RateLimited:
    text = f"rate limit exceeded ({_status_text(status, code)})"
    if msg:
        text += f": {one_line(msg, 160)}"
    if info.reset_after is not None:
        text += f"; resets in {info.reset_after:.0f} s"
    return RateLimited(
        text,
        reset_after=info.reset_after,
        limit=info.limit_minute,
        remaining=info.remaining_minute,
        status=status,
        code=code,
        msg=msg,
        request=request,
    )


def error_for(status: int, code: int | None, msg: str, info: RateLimitInfo, request: str) -> Chat2QueryError:
    """Map a failed call (HTTP status, envelope code and message) to its error type."""
    kw: dict[str, Any] = {"status": status, "code": code, "msg": msg, "request": request}
    where = _status_text(status, code)
    if code == EXPIRED_KEY_CODE:
        return AuthError(f"API key is no longer valid ({where}); create a new key", **kw)
    if status == 401 or code == 401:
        detail = one_line(msg, 160) or "auth failed"
        return AuthError(f"authentication failed ({where}): {detail}; check the public and private key", **kw)
    if status == 429 or code in (429, RATE_LIMIT_CODE):
        return _rate_limited(status, code, msg, info, request)
    if _NOT_READY in msg.lower():
        return NotReady(f"not ready ({where}): {one_line(msg, 200)}", **kw)
    if status == 404 or code == 404:
        return NotFound(f"not found ({where}): {one_line(msg, 160) or request}", **kw)
    detail = one_line(msg, 200) or httpx.codes.get_reason_phrase(status) or "error"
    if status == 403 or code == 403:
        return ApiError(f"permission denied ({where}): {detail}", **kw)
    if 400 <= status < 500:
        return ApiError(f"request rejected ({where}): {detail}", **kw)
    return ApiError(f"server error ({where}): {detail}", **kw)


def decode_response(response: httpx.Response, *, expect: Expect, request: str) -> Any:
    """The `result` of a Chat2Query envelope, or the whole Data Service envelope for v1 calls."""
    status = response.status_code
    body = response.content
    info = RateLimitInfo.from_headers(response.headers)
    parsed, problem = _body_problem(body, response.headers.get("content-type", ""))
    if problem is not None:
        # the status alone still says what happened for these
        if status in (401, 429):
            raise error_for(status, None, "", info, request)
        if status == 404:
            raise NotFound(
                f"not found (HTTP 404): {request}; {problem}, check the base URL", status=404, request=request
            )
        raise BadResponse(f"{problem} (HTTP {status})", body=body, status=status, request=request)

    kind, code, msg, result = split_envelope(parsed)
    if kind is None:
        if status >= 400:
            raise error_for(status, None, "", info, request)
        keys = ", ".join(sorted(parsed)[:6]) if isinstance(parsed, dict) else type(parsed).__name__
        raise BadResponse(
            f"unexpected response shape (HTTP {status}): not a Chat2Query or Data Service envelope ({keys})",
            body=body,
            status=status,
            request=request,
        )
    if status >= 400 or code != 200:
        raise error_for(status, code, msg, info, request)
    if kind != expect:
        raise BadResponse(
            f"server answered with a {kind.replace('_', ' ')} envelope, expected {expect.replace('_', ' ')} "
            f"(HTTP {status})",
            body=body,
            status=status,
            request=request,
        )
    return result
