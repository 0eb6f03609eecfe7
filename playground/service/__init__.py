"""The service: what a learner owns over time. A session's config (every setting, default
and bound), the session itself (engine calls in, JSON-ready values out), the store that
keeps sessions, their loss history, and the errors a refusal raises.

May import the engine and pydantic; never the web layer, FastAPI or Starlette
(`tests/test_layering.py` holds it to that).
"""
