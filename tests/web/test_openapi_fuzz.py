"""Fuzzing from the OpenAPI document: no generated request, valid or not, gets a 5xx, every
answer conforms to its schema, a refusal changes nothing, and after any sequence of
edits a session's snapshot is still self-consistent.

Bounded: a few dozen examples per operation, no deadline (a step call may train 5,000
steps); the whole file runs in well under a minute or two."""

from __future__ import annotations

import json
import math
import zlib

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from playground.service.config import Config
from playground.service.ratelimit import CreationLimiter
from playground.service.store import SessionStore
from playground.web.app import create_app
from playground.web.schemas import Snapshot

from .api_support import error_body

# many sessions and uploads a minute from one address, and a store that may evict them:
# the fuzz is about inputs (test_guard.py and test_admission.py hold the limits and the
# protection)
STORE = SessionStore(capacity=200, protected_idle=0)
APP = create_app(STORE, limiter=CreationLimiter(per_minute=10**6),
                 uploads=CreationLimiter(per_minute=10**6, code="too_many_uploads"))
OPENAPI = APP.openapi()
COMPONENTS = OPENAPI["components"]["schemas"]
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))

# sessions of each kind of head, so that real session paths reach every code path
CONFIGS = [
    Config(num_samples=60),
    Config(dataset="blobs", classes=4, num_samples=60, optimizer="adam",
           hidden=[{"units": 3, "activation": "prelu", "dropout": 0.2}]),
    Config(dataset="plane", num_samples=60, hidden=[{"units": 2, "activation": "relu"}] * 3),
    Config(dataset="xor", head="one_vs_all", num_samples=60, hidden=[]),
]


def strict_json(text: str):
    def refuse(constant: str):
        raise ValueError(f"{constant} is not valid JSON")

    return json.loads(text, parse_constant=refuse)


# ------------------------------------------------------------------ schemathesis
@SCHEMA.parametrize()
@FUZZ
def test_generated_requests_never_fail_and_answers_conform(case):
    """Every operation, positive and negative data; most session paths name a real
    session (chosen from the generated id, so that examples replay exactly)."""
    session_id = (case.path_parameters or {}).get("session_id")
    if session_id is not None:
        pick = zlib.crc32(str(session_id).encode())
        if pick % 5:  # 4 in 5: a real session of one of the kinds
            case.path_parameters["session_id"] = STORE.create(CONFIGS[pick % len(CONFIGS)]).id
    response = case.call_and_validate(checks=CHECKS)
    if response.status_code != 204 and "json" in response.headers.get("content-type", ""):
        strict_json(response.text)   # every answer but a script (text/x-python) is JSON


# ------------------------------------------------------------ bodies from the models
def from_schema(schema: dict) -> st.SearchStrategy:
    """Values valid for the subset of JSON Schema that pydantic writes for our models."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: from_schema(COMPONENTS[name]))
    if "anyOf" in schema:
        return st.one_of([from_schema(s) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":  # unbounded sides stay near the values that mean something
        lo = schema.get("minimum", schema.get("exclusiveMinimum", -51) + 1)
        hi = schema.get("maximum", schema.get("exclusiveMaximum", math.ceil(lo) + 21) - 1)
        return st.integers(math.ceil(lo), math.floor(hi))
    if kind == "number":
        return st.floats(
            schema.get("minimum", schema.get("exclusiveMinimum", -1e9)),
            schema.get("maximum", schema.get("exclusiveMaximum", 1e9)),
            exclude_min="exclusiveMinimum" in schema, exclude_max="exclusiveMaximum" in schema,
            allow_nan=False, allow_infinity=False)
    if kind == "string":
        return st.text(max_size=8)
    if kind == "array":
        lo = schema.get("minItems", 0)
        hi = min(schema.get("maxItems", lo + 4), lo + 4)
        return st.lists(from_schema(schema.get("items", {})), min_size=lo, max_size=hi)
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: from_schema(v) for k, v in props.items() if k in required},
            optional={k: from_schema(v) for k, v in props.items() if k not in required})
    return ANY_JSON


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=4),
    max_leaves=10,
)


def bodies(schema: dict) -> st.SearchStrategy[bytes]:
    """Valid bodies, valid bodies with one field broken, and anything at all (NaN and
    Infinity included, as Python's json writes them), plus text that is not JSON."""
    valid = from_schema(schema)

    def broken(value):
        if not isinstance(value, dict) or not value:
            return st.just(value)
        return st.sampled_from(sorted(value)).flatmap(
            lambda key: ANY_JSON.map(lambda junk: {**value, key: junk}))

    values = st.one_of(valid, valid, valid.flatmap(broken), ANY_JSON)
    return st.one_of(values.map(lambda v: json.dumps(v).encode()),
                     st.binary(max_size=20), st.just(b'{"x": 1'))


def body_operations() -> list[tuple[str, str, dict]]:
    """(method, path, request body schema) of every operation on a session with a body."""
    found = []
    for path, item in OPENAPI["paths"].items():
        if not path.startswith("/api/sessions/{session_id}"):
            continue
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found.append((method.upper(), path, content["application/json"]["schema"]))
    return found


OPERATIONS = body_operations()


def test_every_session_operation_with_a_body_is_fuzzed():
    assert {(m, p.removeprefix("/api/sessions/{session_id}")) for m, p, _ in OPERATIONS} >= {
        ("PATCH", "/config"), ("POST", "/step"), ("POST", "/reset"), ("PUT", "/params"),
        ("PATCH", "/weight"), ("PATCH", "/bias"), ("POST", "/layers"),
        ("POST", "/layers/{index}/neurons"), ("POST", "/trace")}


@pytest.fixture(scope="module")
def client():
    with TestClient(APP) as test_client:
        yield test_client


@pytest.mark.parametrize("method,path,schema", OPERATIONS,
                         ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
@FUZZ
@given(data=st.data())
def test_real_sessions_survive_generated_bodies(client, method, path, schema, data):
    config = data.draw(st.sampled_from(CONFIGS))
    sid = client.post("/api/sessions", json=config.model_dump()).json()["id"]
    url = path.replace("{session_id}", sid)
    for name in ("index", "node"):
        url = url.replace("{%s}" % name, str(data.draw(st.integers(-1, 4), label=name)))
    body = data.draw(bodies(schema), label="body")
    if path.endswith("/params") and data.draw(st.booleans(), label="right shapes"):
        shapes = client.get(f"/api/sessions/{sid}/params").json()
        numbers = st.floats(-1e6, 1e6, allow_nan=False)
        body = json.dumps({
            "weights": [[data.draw(st.lists(numbers, min_size=len(r), max_size=len(r)))
                         for r in w] for w in shapes["weights"]],
            "biases": [data.draw(st.lists(numbers, min_size=len(b), max_size=len(b)))
                       for b in shapes["biases"]],
        }).encode()
    before = client.get(f"/api/sessions/{sid}")
    response = client.request(method, url, content=body,
                              headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text
    answer = strict_json(response.text)
    after = client.get(f"/api/sessions/{sid}")
    assert after.status_code == 200
    if response.status_code >= 400:
        error_body(answer)
        assert after.content == before.content, "a refused request changed the session"
    else:
        Snapshot.model_validate(strict_json(after.text))


# ------------------------------------------------------------ sequences of edits
def call_strategy() -> st.SearchStrategy[tuple[str, str, object]]:
    small = st.integers(0, 3) | st.sampled_from([-1, 9])
    activations = st.sampled_from(["tanh", "relu", "prelu", "linear", "gelu"])
    return st.one_of(
        st.tuples(st.just("POST"), st.just("/step"),
                  st.one_of(st.builds(lambda n: {"steps": n}, st.integers(1, 30)),
                            st.builds(lambda n: {"epochs": n}, st.integers(1, 2)))),
        st.tuples(st.just("POST"), st.just("/layers"),
                  st.fixed_dictionaries({"index": small, "units": st.integers(1, 4),
                                         "activation": activations})),
        small.map(lambda i: ("DELETE", f"/layers/{i}", None)),
        st.tuples(st.just("POST"), small.map(lambda i: f"/layers/{i}/neurons"),
                  st.fixed_dictionaries({"count": st.integers(1, 3)})),
        st.tuples(small, small).map(lambda kn: ("DELETE", f"/layers/{kn[0]}/neurons/{kn[1]}",
                                                None)),
        st.tuples(st.just("PATCH"), st.just("/config"), st.one_of(
            st.fixed_dictionaries({"features": st.lists(
                st.sampled_from(["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]),
                min_size=1, max_size=4, unique=True)}),
            st.fixed_dictionaries({"dataset": st.sampled_from(["circle", "blobs", "plane"])}),
            st.fixed_dictionaries({"hidden": st.lists(st.fixed_dictionaries(
                {"units": st.integers(1, 4), "activation": activations}), max_size=3)}),
            st.fixed_dictionaries({"optimizer": st.sampled_from(["sgd", "momentum", "adam"]),
                                   "learning_rate": st.sampled_from([0.001, 0.03, 3.0])}),
        )),
        st.tuples(st.just("PATCH"), st.just("/weight"), st.fixed_dictionaries(
            {"layer": small, "from": small, "to": small, "value": st.floats(-1e6, 1e6)})),
        st.tuples(st.just("POST"), st.just("/reset"),
                  st.one_of(st.just({}), st.builds(lambda s: {"seed": s}, st.integers(0, 9)))),
    )


def assert_consistent(snap: dict) -> None:
    units = [layer["units"] for layer in snap["layers"]]
    assert [layer["kind"] for layer in snap["layers"]] == (
        ["input"] + ["hidden"] * (len(units) - 2) + ["output"])
    assert [[len(w), len(w[0])] for w in snap["weights"]] == [
        [a, b] for a, b in zip(units[:-1], units[1:])]
    assert all(all(len(row) == len(w[0]) for row in w) for w in snap["weights"])
    assert [len(b) for b in snap["biases"]] == units[1:]
    hidden = snap["layers"][1:-1]
    assert [(h["units"], h["activation"]) for h in snap["config"]["hidden"]] == [
        (h["units"], h["activation"]) for h in hidden]
    assert units[0] == len(snap["config"]["features"])
    assert len(snap["prelu_slopes"]) == len(hidden)
    for slopes, layer in zip(snap["prelu_slopes"], hidden):
        assert (slopes is None) == (layer["activation"] != "prelu")
        assert slopes is None or len(slopes) == layer["units"]
    assert snap["steps_per_epoch"] >= 1 and snap["step"] >= 0
    assert all(1 <= u <= 16 for u in units[1:-1]) and len(hidden) <= 8


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(config=st.sampled_from(CONFIGS), calls=st.lists(call_strategy(), max_size=10))
def test_any_sequence_of_edits_keeps_the_session_consistent(client, config, calls):
    sid = client.post("/api/sessions", json=config.model_dump()).json()["id"]
    for method, path, body in calls:
        before = client.get(f"/api/sessions/{sid}").content
        kwargs = {} if body is None else {"json": body}
        response = client.request(method, f"/api/sessions/{sid}{path}", **kwargs)
        assert response.status_code < 500, (path, body, response.text)
        after = client.get(f"/api/sessions/{sid}")
        snap = strict_json(after.text)
        if response.status_code >= 400:
            assert after.content == before, "a refused request changed the session"
        else:  # the answer is the snapshot; a config change also says what it rebuilt
            answer = response.json()
            assert (answer.pop("rebuilt") is not None) == (path == "/config")
            assert answer == {k: v for k, v in snap.items() if k != "rebuilt"}
            assert snap["rebuilt"] is None
        Snapshot.model_validate(snap)
        assert_consistent(snap)
        trace = client.post(f"/api/sessions/{sid}/trace", json={"point": [1.0, -2.0]})
        assert trace.status_code == 200
        assert len(trace.json()["forward"]) == sum(layer["units"] for layer in snap["layers"][1:])
