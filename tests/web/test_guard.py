"""What every request passes (web/guard.py, API.md 6.1), through TestClient: security
headers on every answer, the vendored /docs, the body limit, JSON-only bodies,
same-origin WebSockets, binary and malformed socket messages, and refusals that echo only
a short excerpt of their input, never a lone surrogate. With real sockets:
test_concurrency.py."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import WebSocketDenialResponse

from playground.service.config import Limits

from .api_support import API, JSON, error_body, refused, strict_json

TWO_MB = 2 * 1024 * 1024


# ------------------------------------------------------------------------------ headers
def security_headers_of(response) -> None:
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'self'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_every_answer_carries_the_security_headers(client, new_session):
    sid = new_session()["id"]
    answers = [
        client.get("/"), client.get("/docs"), client.get("/openapi.json"),
        client.get("/api/health"), client.get("/api/catalog"), client.get(f"{API}/{sid}"),
        client.get("/static/js/main.js"), client.get("/static/vendor/swagger-ui/swagger-ui.css"),
        client.get("/api/nope"), client.delete("/api/health"),
        client.post(API, content=b"{}", headers={"content-type": "text/plain"}),
        client.post(API, content=b"x" * TWO_MB, headers=JSON),
        client.post(f"{API}/{sid}/step", json={"steps": 0}),
        client.get(f"{API}/{'0' * 32}"),
    ]
    assert [a.status_code for a in answers] == [
        200, 200, 200, 200, 200, 200, 200, 200, 404, 405, 415, 413, 422, 404]
    for response in answers:
        security_headers_of(response)


def test_docs_are_served_from_vendored_files_with_an_external_start_script(client):
    page = client.get("/docs").text
    assert "<script>" not in page and "cdn" not in page.lower()  # the CSP forbids both
    scripts = ["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/js/docs.js"]
    for src in scripts:
        assert f'<script src="{src}"></script>' in page
        assert client.get(src).status_code == 200
    assert "/openapi.json" in client.get("/static/js/docs.js").text
    assert client.get("/redoc").status_code == 404  # disabled: it would need a CDN too
    licence = client.get("/static/vendor/swagger-ui/LICENSE")
    assert licence.status_code == 200 and "Apache License" in licence.text


# --------------------------------------------------------------------------- the bodies
def test_a_body_over_the_limit_is_413_and_changes_nothing(client, new_session):
    sid = new_session()["id"]
    error = refused(client, sid, "PUT", "/params", 413, raw=b"[" + b"0," * (TWO_MB // 2) + b"0]",
                    code="body_too_large")
    assert error["params"] == {"max": Limits.max_body_bytes}
    # just under the limit is read (and refused for what it says, not for its size)
    body = b'{"steps": 1' + b" " * (Limits.max_body_bytes - 13) + b"}"
    assert len(body) == Limits.max_body_bytes - 1
    assert client.post(f"{API}/{sid}/step", content=body, headers=JSON).status_code == 200


def test_a_refusal_echoes_only_a_short_excerpt_of_a_large_input(client, new_session):
    sid = new_session()["id"]
    response = client.patch(f"{API}/{sid}/config", json={"dataset": "x" * 500_000})
    assert response.status_code == 422 and len(response.content) < 2_000
    (error,) = response.json()["detail"]
    assert len(error["input"]) <= 40 and error["input"].startswith("xxx")
    many = client.put(f"{API}/{sid}/params", json={"weights": ["bad"] * 50_000, "biases": []})
    assert many.status_code == 422 and len(many.content) < 4_000
    assert "more errors" in many.json()["message"] and len(many.json()["detail"]) == 5
    key = client.patch(f"{API}/{sid}/config", json={"k" * 100_000: 1})
    assert key.status_code == 422 and len(key.content) < 2_000


@pytest.mark.parametrize("body", [b'{"dataset": "\\ud800"}', b'{"\\udfff": 1}',
                                  b'{"hidden": [{"activation": "\\ud83d"}]}'])
def test_a_lone_surrogate_is_refused_not_a_server_error(client, store, body):
    response = client.post(API, content=body, headers=JSON)
    assert response.status_code == 422, response.text
    error = error_body(strict_json(response.text))
    assert "\\ud" in json.dumps(error) and len(store) == 0


def test_a_cross_site_simple_post_is_refused(client, store):
    """What a form or fetch(no-cors) on another site may send without a preflight."""
    for kind, body in [("text/plain", b"{}"), ("application/x-www-form-urlencoded", b"a=1"),
                       ("multipart/form-data; boundary=x", b"--x--"), (None, b"")]:
        headers = {} if kind is None else {"content-type": kind}
        response = client.post(API, content=body, headers=headers)
        assert response.status_code == 415
        assert error_body(response.json(), "unsupported_media_type")["params"] == {
            "content_type": kind or ""}
    assert len(store) == 0
    assert client.post(API, headers={"content-type": "application/json; charset=utf-8"}
                       ).status_code == 201


# ------------------------------------------------------------------------- the socket
def test_a_foreign_origin_cannot_open_the_play_socket(client, new_session):
    sid = new_session()["id"]
    url = f"{API}/{sid}/play"
    with pytest.raises(WebSocketDenialResponse) as denied, \
            client.websocket_connect(url, headers={"origin": "http://evil.example"}):
        pass
    assert denied.value.status_code == 403
    assert error_body(denied.value.json(), "foreign_origin")["params"] == {
        "origin": "http://evil.example"}
    for headers in ({"origin": "http://testserver"}, {}):  # its own page; a script
        with client.websocket_connect(url, headers=headers) as ws:
            ws.send_text('{"epochs": 1}')
            assert json.loads(ws.receive_text())["snapshot"]["epoch"] >= 1


def test_binary_and_malformed_messages_are_refused_and_the_socket_stays(client, new_session):
    sid = new_session()["id"]
    with client.websocket_connect(f"{API}/{sid}/play") as ws:
        for send, code, status in [(lambda: ws.send_bytes(b'{"epochs": 1}'), "binary_frame", 400),
                                   (lambda: ws.send_text('{"epochs": '), "bad_json", 422),
                                   (lambda: ws.send_text('{"epochs": "\\ud800"}'), None, 422),
                                   (lambda: ws.send_text("x" * (TWO_MB // 2 + 1)),
                                    "body_too_large", 413)]:
            send()
            error = json.loads(ws.receive_text())["error"]
            assert error.pop("status") == status
            error_body(error, code)
        ws.send_text('{"epochs": 1}')
        assert json.loads(ws.receive_text())["snapshot"]["epoch"] == 1
