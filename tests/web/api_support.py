"""Helpers of the HTTP tests in this folder: strict JSON, reading a session, and a
request that must be refused and change nothing."""

from __future__ import annotations

import json

from playground.service.errors import CODES, OPTIONAL_PARAMS

API = "/api/sessions"
JSON = {"content-type": "application/json"}


def strict_json(text: str):
    """Parse JSON the way a strict client does: NaN and Infinity are not JSON."""

    def refuse(constant: str):
        raise ValueError(f"{constant} is not valid JSON")

    return json.loads(text, parse_constant=refuse)


def snapshot(client, sid: str) -> dict:
    response = client.get(f"{API}/{sid}")
    assert response.status_code == 200, response.text
    return strict_json(response.text)


def params(client, sid: str) -> dict:
    response = client.get(f"{API}/{sid}/params")
    assert response.status_code == 200, response.text
    return response.json()


def error_body(error: dict, code: str | None = None) -> dict:
    """Assert an error body's shape: the English message, a known code with exactly the
    params that code carries (and `code` when given)."""
    assert set(error) == {"message", "code", "params", "detail", "allowed"}
    assert isinstance(error["message"], str) and error["message"]
    assert error["code"] in CODES, error
    assert code is None or error["code"] == code, error
    sent, always = set(error["params"]), set(CODES[error["code"]])
    assert always <= sent <= always | set(OPTIONAL_PARAMS.get(error["code"], ())), error
    return error


def refused(client, sid: str, method: str, path: str, status: int, body=None, raw=None,
            code: str | None = None) -> dict:
    """Send a request that must be refused with `status` (and `code`); assert the error
    body's shape and that the session's snapshot is byte-for-byte what it was before."""
    before = client.get(f"{API}/{sid}")
    assert before.status_code == 200
    kwargs = {"json": body} if raw is None else {"content": raw, "headers": JSON}
    if body is None and raw is None:  # a bodyless POST still says JSON (or it is 415)
        kwargs = {"headers": JSON} if method in ("POST", "PUT", "PATCH") else {}
    response = client.request(method, f"{API}/{sid}{path}", **kwargs)
    assert response.status_code == status, response.text
    error = error_body(strict_json(response.text), code)
    after = client.get(f"{API}/{sid}")
    assert after.status_code == 200
    assert after.content == before.content, "a refused request changed the session"
    return error


def without_id(snap: dict) -> dict:
    return {k: v for k, v in snap.items() if k != "id"}


def shapes(snap: dict) -> list[list[int]]:
    return [[len(w), len(w[0])] for w in snap["weights"]]
