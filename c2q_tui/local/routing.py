"""What every route needs: the backend, the caller's key, and role checks."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request

from c2q_tui.local.auth import check_role
from c2q_tui.local.backend import Backend
from c2q_tui.local.gateway import KEY_STATE
from c2q_tui.local.settings import KeySpec


def backend_of(request: Request) -> Backend:
    return cast(Backend, request.app.state.backend)


def key_of(request: Request) -> KeySpec:
    return cast(KeySpec, request.scope["state"][KEY_STATE])


def caller(request: Request, allowed: frozenset[str], action: str) -> tuple[Backend, KeySpec]:
    """The backend and the caller's key, once its role is allowed to do `action`."""
    key = key_of(request)
    check_role(key, allowed, action)
    return backend_of(request), key
