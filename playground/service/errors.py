"""What the service raises, and the one formatter of a validation error.

The web layer turns these into HTTP answers (status, message, allowed values); the
service itself never imports the web layer.
"""

from __future__ import annotations


class Refused(Exception):
    """A request the session will not carry out; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422, allowed: object = None) -> None:
        super().__init__(message)
        self.message, self.status, self.allowed = message, status, allowed


class UnknownSession(KeyError):
    """No session by that id: never created, deleted, or expired."""


def validation_summary(errors: list[dict]) -> str:
    """One line from pydantic's errors: "field: what is allowed; ..." (the message of
    every 422, whether it came over HTTP, the play socket or a whole-config rule)."""
    parts = []
    for e in errors:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts) or "invalid request"
