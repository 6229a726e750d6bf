"""The embedded Chat2Query-compatible backend as an ASGI app (reference §2-5 and §10).

Entry points:
- `create_app(settings, engine=None) -> FastAPI` serves the 30 routes under
  `/api/v1beta/app/<settings.app_id>/endpoint/`. It opens the store, fills the cluster id and the
  default key (`settings.prepare`), and nothing else: databases open and jobs start lazily, so it works
  under `httpx.ASGITransport`, which runs no lifespan events. `app.state.settings` holds the prepared
  settings, `app.state.backend` the instance (`await app.state.backend.aclose()` stops running jobs and
  closes the store; uvicorn does that at shutdown).
- `build_local_app(settings=None, on_progress=None) -> (app, prepared settings)` is what the app and
  `serve` use: it also builds the sample database first if it is served and missing, reporting
  progress. A caller then needs, from the prepared settings: the base URL
  `<scheme://host>/api/v1beta/app/<settings.app_id>/endpoint` (any host works in-process, e.g.
  `http://c2q-local`), a key (`settings.keys[0]`: `public_key`, `private_key.get_secret_value()`,
  Digest or Basic), `settings.cluster_id` and `settings.database_names()`.

Errors: v2/v3 answer `{"code", "msg", "result"}` with the HTTP status as `code`; v1 and the gateway's
own errors (401, 403, 404, 405, 429) the Data Service envelope. Body and path parameter problems are
400 "param check failed! <what>"; a crash is a 500 envelope (traceback in the server log only).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from c2q_tui.local import routes_chat, routes_knowledge, routes_sessions, routes_summaries
from c2q_tui.local.backend import Backend
from c2q_tui.local.bodies import describe
from c2q_tui.local.engines.base import Engine
from c2q_tui.local.envelopes import (
    ApiError,
    GatewayError,
    api_error,
    error_for_path,
    gateway_error,
    is_v1,
)
from c2q_tui.local.gateway import Gateway, endpoint_prefix
from c2q_tui.local.settings import LocalSettings, prepare, sample_url
from c2q_tui.local.store import Store

Progress = Callable[[str], None]
ROUTE_MODULES = (routes_summaries, routes_knowledge, routes_sessions, routes_chat)


def create_app(settings: LocalSettings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The backend app; `engine` replaces the one `settings.engine` names (for embedding and tests)."""
    settings = settings or LocalSettings()
    store = Store(settings.store_path)
    try:
        settings = prepare(settings, store)
        backend = Backend(settings, store, engine)
    except BaseException:
        store.close()
        raise

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await backend.aclose()

    app = FastAPI(
        title="c2q-tui embedded Chat2Query backend",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        lifespan=lifespan,
    )
    app.state.backend = backend
    app.state.settings = settings
    prefix = endpoint_prefix(settings.app_id)
    for module in ROUTE_MODULES:
        app.include_router(module.router, prefix=prefix)
    _install_error_handlers(app, prefix)
    app.add_middleware(Gateway, backend=backend)
    return app


def _allowed_methods(prefix: str, path: str) -> set[str]:
    """Every method some route accepts at `path` (for the `Allow` header of a 405)."""
    sub = path.removeprefix(prefix)
    routes = [r for m in ROUTE_MODULES for r in m.router.routes if isinstance(r, APIRoute)]
    return {method for r in routes if r.path_regex.match(sub) for method in r.methods or ()}


def _install_error_handlers(app: FastAPI, prefix: str) -> None:
    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        if is_v1(request.url.path):
            return error_for_path(request.url.path, exc.status, exc.msg)
        return api_error(exc)

    async def on_gateway_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, GatewayError)
        return gateway_error(exc)

    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_for_path(request.url.path, 400, f"param check failed! {describe(list(exc.errors()))}")

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return gateway_error(GatewayError(404, "endpoint not found"))
        if exc.status_code == 405:
            methods = _allowed_methods(prefix, request.url.path)
            headers = {"Allow": ", ".join(sorted(methods))} if methods else {}
            return gateway_error(GatewayError(405, "method not allowed", headers=headers))
        return gateway_error(GatewayError(exc.status_code, str(exc.detail)))

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(GatewayError, on_gateway_error)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(HTTPException, on_http)


def build_local_app(
    settings: LocalSettings | None = None,
    *,
    on_progress: Progress | None = None,
    engine: Engine | None = None,
) -> tuple[FastAPI, LocalSettings]:
    """The app plus its prepared settings; builds the sample database first when it is served."""
    settings = settings or LocalSettings()
    if sample_url() in settings.database_urls:
        from c2q_tui.local.sample import ensure_sample

        def report(message: str, _fraction: float) -> None:
            if on_progress is not None:
                on_progress(message)

        ensure_sample(on_progress=report)
    app = create_app(settings, engine=engine)
    prepared: LocalSettings = app.state.settings
    return app, prepared


def backend_of(app: FastAPI) -> Backend:
    backend: Backend = app.state.backend
    return backend
