"""The two response envelopes (reference §5.1) and the errors that turn into them.

- Chat2Query `{"code", "msg", "result"}` for v2/v3 endpoints, success and errors alike.
- Data Service `{"type", "data": {"columns", "rows", "result": {...}}}` for v1 and for what the real
  service's gateway answers itself: bad key (401), role refusal (403), rate limit (429), unknown path
  (404), wrong method (405). Gateway errors carry `"type": ""` and numeric zero times, as in the
  documented 429 body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

JSON = "application/json"
RATE_LIMIT_CODE = 49900007
EXPIRED_KEY_CODE = 49900002
V1_TYPE = "chat2data_endpoint"


def dumps(value: Any) -> bytes:
    # default=str: a stray date or Decimal in a summary must not turn every poll into a 500
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode()


class ApiError(Exception):
    """An error answered with the Chat2Query envelope: HTTP `status`, body `code` = status."""

    def __init__(self, status: int, msg: str, result: Any = None) -> None:
        super().__init__(msg)
        self.status = status
        self.msg = msg
        self.result = {} if result is None else result


class NotFound(ApiError):
    def __init__(self, what: str) -> None:
        super().__init__(404, f"{what} not found")


class ParamError(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(400, f"param check failed! {detail}")


class GatewayError(Exception):
    """An error answered with the Data Service envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: int | None = None,
        type_: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = status if code is None else code
        self.type = type_
        self.headers = dict(headers or {})


def chat2query(result: Any, status: int = 200, msg: str = "") -> Response:
    return Response(
        dumps({"code": status, "msg": msg, "result": result}), status_code=status, media_type=JSON
    )


def ok(result: Any) -> Response:
    return chat2query(result)


def api_error(err: ApiError) -> Response:
    return chat2query(err.result, err.status, err.msg)


def data_service_result(
    code: int,
    message: str,
    *,
    start_ms: int | str = 0,
    end_ms: int | str = 0,
    latency: str = "",
    row_count: int = 0,
    row_affect: int = 0,
    limit: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "start_ms": start_ms,
        "end_ms": end_ms,
        "latency": latency,
        "row_count": row_count,
        "row_affect": row_affect,
        "limit": limit,
        **extra,
    }


def data_service(
    result: dict[str, Any],
    *,
    columns: list[dict[str, Any]] | None = None,
    rows: list[dict[str, Any]] | None = None,
    type_: str = "",
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = {"type": type_, "data": {"columns": columns or [], "rows": rows or [], "result": result}}
    return Response(dumps(body), status_code=status, media_type=JSON, headers=dict(headers or {}))


def gateway_error(err: GatewayError) -> Response:
    return data_service(
        data_service_result(err.code, err.message), type_=err.type, status=err.status, headers=err.headers
    )


def is_v1(path: str) -> bool:
    """The deprecated synchronous endpoint, at `/v1/chat2data` and at its 2023 path `/chat2data`."""
    return path.endswith("/endpoint/v1/chat2data") or path.endswith("/endpoint/chat2data")


def error_for_path(path: str, status: int, message: str) -> Response:
    """An error in the envelope the endpoint at `path` uses."""
    if is_v1(path):
        return data_service(data_service_result(status, message), type_=V1_TYPE, status=status)
    return chat2query({}, status, message)
