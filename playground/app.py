"""The ASGI application: composes the API router, the page, static files and the error
handlers. `playground.app:app` is what uvicorn or gunicorn serve."""

from __future__ import annotations

import math
import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import api, kernels, previews
from .schemas import validation_summary
from .sessions import Refused, SessionStore, UnknownSession


def resource_dir(name: str) -> Path:
    """`static` or `templates`: inside the package when installed from a wheel, beside it
    in a checkout (including an editable install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"cannot find the {name!r} folder next to {here}")


def _settings_store() -> SessionStore:
    return SessionStore(
        ttl=float(os.environ.get("PLAYGROUND_SESSION_TTL", 3600)),
        capacity=int(os.environ.get("PLAYGROUND_MAX_SESSIONS", 1000)),
    )


def _finite_or_text(x: float) -> float | str:
    """A refused body may hold NaN or an infinity (`1e400` parses as inf): echoed back in
    `detail` as text, since JSON has no such numbers (and JSONResponse would fail: a 500)."""
    return x if math.isfinite(x) else repr(x)


def _error(status: int, message: str, detail: object = None, allowed: object = None):
    body = {"message": message, "detail": detail, "allowed": allowed}
    return JSONResponse(jsonable_encoder(body, custom_encoder={float: _finite_or_text}),
                        status_code=status)


def create_app(store: SessionStore | None = None) -> FastAPI:
    """The application; tests pass their own store."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # `is None`, not `or`: an empty store is falsy (it has a length), and the one a
        # test passed must not be swapped for a fresh one
        app.state.store = store if store is not None else _settings_store()
        kernels.warm_up()  # compiles (or loads) the training kernels in a background thread
        yield

    app = FastAPI(
        title="Neural Playground",
        version="0.1.0",
        description="A NumPy multilayer perceptron you can build, train, edit and step "
                    "through over HTTP: every node value, weight and loss as JSON.",
        lifespan=lifespan,
    )
    if store is not None:  # usable before the lifespan runs (e.g. TestClient without `with`)
        app.state.store = store

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        return _error(exc.status, exc.message, allowed=exc.allowed)

    @app.exception_handler(UnknownSession)
    async def unknown_session(request: Request, exc: UnknownSession):
        session_id = request.path_params.get("session_id", "")
        return _error(404, f"unknown session {session_id!r}: it never existed, was deleted, "
                           "or expired after being idle; create one with POST /api/sessions")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = jsonable_encoder(exc.errors(), custom_encoder={ValueError: str})
        for e in errors:
            e.pop("url", None)
            e.pop("ctx", None)
        return _error(422, validation_summary(errors), detail=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return _error(exc.status_code, str(exc.detail))

    app.include_router(api.router)
    app.include_router(previews.router)
    app.mount("/static", StaticFiles(directory=resource_dir("static")), name="static")
    templates = Jinja2Templates(directory=resource_dir("templates"))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request):
        """The playground page."""
        return templates.TemplateResponse(request, "index.html", {})

    return app


app = create_app()
