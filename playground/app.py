"""`playground.app:app`, the ASGI application uvicorn or gunicorn serve; it lives in web/app.py."""

from .web.app import app, create_app, resource_dir  # noqa: F401
