"""The ASGI application: composes the routers, the error handlers, the lifespan that makes
the store, the work pool (executor.py), the creation and upload limiters, the guard
middleware (guard.py), the static files, the page and the API docs. `playground.app:app`
(a shim that imports this module's `app`) is what uvicorn or gunicorn serve."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..engine import kernels
from ..service.errors import (
    Refused,
    UnknownSession,
    echoed_errors,
    short,
    validation_refused,
)
from ..service.ratelimit import CreationLimiter, upload_limiter
from ..service.store import SessionStore
from ..service.stores import open_store
from .deps import refusal_body
from .executor import WorkPool
from .guard import Guard
from .routes import (catalog, classes, datasets, exercises, goals, inspect, lessons, models,
                     network, play, previews, sessions)


def resource_dir(name: str) -> Path:
    """`static` or `templates`: inside the package when installed from a wheel, beside it
    in a checkout (including an editable install)."""
    package = Path(__file__).resolve().parents[1]  # playground/, above web/
    for candidate in (package / name, package.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"cannot find the {name!r} folder next to {package}")


def _settings_store() -> SessionStore:
    """PLAYGROUND_STORE's store (`python -m playground` sets it: its embedded SQLite file
    by default); the application alone, e.g. in tests, keeps sessions in memory."""
    return open_store(os.environ.get("PLAYGROUND_STORE") or "memory://")


def _error(refused: Refused) -> JSONResponse:
    headers = None if refused.retry_after is None else {"Retry-After": str(refused.retry_after)}
    return JSONResponse(refusal_body(refused), status_code=refused.status, headers=headers)


def declared_inputs(request: Request) -> dict:
    """What a route declares for each place a request's values come from, keyed as
    FastAPI's validation errors locate them ("body", "query", "path"): the body's model
    and the parameters' fields, so a refusal can name a field's bounds and ids."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return {}
    body = dependant.body_params
    return {"body": body[0].field_info.annotation if len(body) == 1
            else {f.alias: f.field_info for f in body},
            "query": {f.alias: f.field_info for f in dependant.query_params},
            "path": {f.alias: f.field_info for f in dependant.path_params}}


def create_app(store: SessionStore | None = None, *, limiter: CreationLimiter | None = None,
               uploads: CreationLimiter | None = None, pool: WorkPool | None = None) -> FastAPI:
    """The application; tests pass their own store, creation or upload limiter (e.g. with
    a fake clock) or work pool."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # `is None`, not `or`: an empty store is falsy (it has a length), and the one a
        # test passed must not be swapped for a fresh one
        app.state.store = store if store is not None else _settings_store()
        kernels.warm_up()  # compiles (or loads) the training kernels in a background thread
        try:
            yield
        finally:
            if store is None:        # a test's own store is the test's to close
                app.state.store.close()

    app = FastAPI(
        title="Neural Playground",
        version="0.1.0",
        description="A NumPy multilayer perceptron you can build, train, edit and step "
                    "through over HTTP: every node value, weight and loss as JSON.",
        lifespan=lifespan,
        # a field with a default is optional in answers too: the routes that leave out
        # what is null (response_model_exclude_none) then answer what the schema says
        separate_input_output_schemas=False,
        docs_url=None,  # our own /docs below: FastAPI's inlines a script and uses a CDN
        redoc_url=None,
    )
    if store is not None:  # usable before the lifespan runs (e.g. TestClient without `with`)
        app.state.store = store
    app.state.limiter = limiter or CreationLimiter()
    app.state.uploads = uploads or upload_limiter()
    app.state.pool = pool or WorkPool()

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        return _error(exc)

    @app.exception_handler(UnknownSession)
    async def unknown_session(request: Request, exc: UnknownSession):
        return _error(exc.refused())

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = list(exc.errors())
        return _error(validation_refused(errors, declared_inputs(request), echoed_errors(errors)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return _error(http_refused(request, exc))

    for routes in (catalog, sessions, models, datasets, play, network, inspect, previews,
                   lessons, exercises, classes, goals):
        app.include_router(routes.router)
    app.mount("/static", StaticFiles(directory=resource_dir("static")), name="static")
    templates = Jinja2Templates(directory=resource_dir("templates"))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request):
        """The playground page."""
        return templates.TemplateResponse(request, "index.html", {})

    @app.get("/class", response_class=HTMLResponse, include_in_schema=False)
    def class_page(request: Request):
        """A teacher's page: start a class, then its dashboard (static/js/class/); the
        teacher key rides in the address's #fragment, which never reaches the server."""
        return templates.TemplateResponse(request, "class.html", {})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs(request: Request):
        """Swagger UI from static/vendor/swagger-ui, started by static/js/docs.js (no
        inline script: the CSP forbids it), so it works offline."""
        return templates.TemplateResponse(request, "docs.html", {})

    app.add_middleware(Guard)
    return app
def http_refused(request: Request, exc: StarletteHTTPException) -> Refused:
    """Starlette's own refusals: a method the route does not take (405), a body FastAPI
    could not even parse (400: e.g. JSON nested too deep for the parser), and otherwise
    nothing to serve at that address (404; StaticFiles' 401 for an unreadable file)."""
    if exc.status_code == 405:
        return Refused(str(exc.detail), "method_not_allowed", {"method": short(request.method)},
                       status=405)
    if exc.status_code == 400:
        return Refused(str(exc.detail), "bad_json", status=400)
    return Refused(str(exc.detail), "not_found", {"path": short(request.url.path)},
                   status=exc.status_code)


app = create_app()
