"""What every request passes before the application sees it, as one ASGI middleware
(API.md 6.1): the security headers on every answer, the body size limit, JSON-only
bodies, and same-origin WebSocket handshakes.

- Bodies: a Content-Length over `max_body_bytes` is refused before anything is read; a
  chunked body is read up to the limit and refused as soon as it passes it (413
  body_too_large). What was read is handed to the application as one message, so it is
  never held twice.
- POST, PUT and PATCH must say `application/json` (or `text/csv` for an uploaded CSV)
  (415 unsupported_media_type), a bodyless
  POST included: a form or `text/plain` POST is a "simple" cross-site request that any web
  page a student opens may send to this server without asking; a JSON one is not.
- A WebSocket handshake whose Origin is not this server (its Host) is refused (403
  foreign_origin): a page elsewhere cannot play with a student's session. No Origin (a
  script, not a browser) may connect.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..service.config import Limits
from ..service.errors import Refused, short
from .deps import refusal_body

# the page: its own scripts and styles only (it sets styles through element.style, which
# CSP allows), a data: favicon, fetch and the play WebSocket to this origin ('self' covers
# ws: and wss: of this host); nobody else may frame it
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'self'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),  # frame-ancestors for browsers without CSP 2
]
BODY_METHODS = {"POST", "PUT", "PATCH"}
JSON_TYPE = "application/json"
# an uploaded CSV may also come as itself: text/csv is no "simple" type, so a page
# elsewhere still cannot send it without the browser asking this server first
CSV_BODIES = {"/api/datasets"}


def body_types(path: str) -> tuple[str, ...]:
    return (JSON_TYPE, "text/csv") if path in CSV_BODIES else (JSON_TYPE,)


class Guard:
    """The ASGI middleware (added last in create_app, so it wraps everything)."""

    def __init__(self, app: ASGIApp, max_body: int = Limits.max_body_bytes) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, with_headers(send))
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return await self._refuse(send, self._too_large())
        if scope["method"] in BODY_METHODS:
            kind = headers.get("content-type", "")
            allowed = body_types(scope["path"])
            if kind.split(";")[0].strip().lower() not in allowed:
                return await self._refuse(send, Refused(
                    f"a {scope['method']} body here must be {' or '.join(allowed)} (say so in "
                    "Content-Type, "
                    f"even with no body); got {short(kind) or 'none'}",
                    "unsupported_media_type", {"content_type": short(kind)}, status=415))
            body = await read_body(receive, self.max_body)
            if body is None:
                return await self._refuse(send, self._too_large())
            receive = replay(body, receive)
        await self.app(scope, receive, send)

    def _too_large(self) -> Refused:
        return Refused(f"a request body may be at most {self.max_body} bytes", "body_too_large",
                       {"max": self.max_body}, status=413)

    async def _refuse(self, send: Send, refused: Refused) -> None:
        body = json.dumps(refusal_body(refused)).encode()
        await send({"type": "http.response.start", "status": refused.status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})  # the rest is never read
        await send({"type": "http.response.body", "body": body})

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None or same_origin(origin, headers.get("host", "")):
            return await self.app(scope, receive, send)
        await receive()  # websocket.connect
        refused = Refused(f"a WebSocket may open only from this server's own pages, not "
                          f"from {short(origin)}", "foreign_origin", {"origin": short(origin)},
                          status=403)
        if "websocket.http.response" in scope.get("extensions", {}):  # a 403 with a body
            body = json.dumps(refusal_body(refused)).encode()
            await send({"type": "websocket.http.response.start", "status": 403,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()),
                                    *SECURITY_HEADERS]})
            await send({"type": "websocket.http.response.body", "body": body})
        else:  # the server answers the handshake 403 without a body
            await send({"type": "websocket.close", "code": 1008})


def same_origin(origin: str, host: str) -> bool:
    """The Origin names the host (and port) the request was sent to."""
    return urlsplit(origin).netloc.lower() == host.lower() != ""


def with_headers(send: Send) -> Send:
    """`send` that adds the security headers to an answer that does not set them."""
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)
    return sender


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client left: what came, then that
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body read already, then whatever comes next (a disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return again
