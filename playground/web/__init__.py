"""The web layer: HTTP only. Routers translate requests into service calls and the
service's answers into pydantic-checked JSON; `app.py` composes them.

May import the service and the engine; nothing below imports it
(`tests/test_layering.py` holds the layers to that).
"""
