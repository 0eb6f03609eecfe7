"""Refusals carry a stable code and params (API.md 6.1): a representative refusal of every
code the server can send, through HTTP (status, code, params exactly), and the page's
templates (static/js/strings/refusals.js) word every one of them in both languages with
no placeholder the server does not fill."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from playground.engine.heads import HEADS
from playground.engine.optimizers import OPTIMIZERS
from playground.service.errors import CODES, OPTIONAL_PARAMS

from .api_support import API, error_body, refused

REFUSALS_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "strings" / "refusals.js"
NO_SESSION = "0" * 32
DIVERGE = {"dataset": "plane", "head": "linear", "learning_rate": 10, "batch_size": 1,
           "hidden": [{"units": 8, "activation": "relu"}] * 2}
OVERFLOWING = {"weights": [[[1e305]], [[1.0]]], "biases": [[0.0], [0.0]]}
WIDE = {"features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"],
        "hidden": [{"units": 16}, {"units": 16}], "batch_size": 100}


class Raw(bytes):
    """A request body sent as it is (not JSON-encoded)."""


# code: (session config or None for no session, calls made first, method, path under the
# session, body, status, params); the default session has hidden layers of 4 and 2
# units, 250 training points in batches of 10 (25 steps an epoch)
CASES = {
    "bad_json": ({}, [], "PATCH", "/config", Raw(b'{"noise": '), 422, {}),
    "out_of_range": ({}, [], "PATCH", "/config", {"hidden": [{"units": 4, "dropout": 0.9}]},
                     422, {"field": "hidden.0.dropout", "min": 0.0, "max": 0.9, "value": "0.9",
                           "max_exclusive": True}),
    "too_small": ({}, [], "PATCH", "/weight", {"layer": -1, "from": 0, "to": 0, "value": 1},
                  422, {"field": "layer", "min": 0, "value": "-1"}),
    "unknown_id": ({}, [], "PATCH", "/config", {"optimizer": "rmsprop"}, 422,
                   {"field": "optimizer", "value": "rmsprop", "allowed": list(OPTIMIZERS)}),
    "not_a_number": ({}, [], "PATCH", "/bias", Raw(b'{"layer": 0, "node": 0, "value": NaN}'),
                     422, {"field": "value", "value": "NaN"}),
    "not_an_integer": ({}, [], "DELETE", "/layers/first", None, 422,
                       {"field": "index", "value": "first"}),
    "missing": ({}, [], "PATCH", "/weight", {"layer": 0, "to": 0, "value": 1}, 422,
                {"field": "from"}),
    "unknown_field": ({}, [], "PATCH", "/config", {"learning_rat": 0.1}, 422,
                      {"field": "learning_rat"}),
    "too_many_items": ({}, [], "PATCH", "/config", {"hidden": [{"units": 1}] * 9}, 422,
                       {"field": "hidden", "max": 8}),
    "too_few_items": ({}, [], "POST", "/trace", {"point": [1]}, 422, {"field": "point", "min": 2}),
    "invalid": ({}, [], "PATCH", "/config", {"features": "x1"}, 422,
                {"field": "features", "reason": "Input should be a valid list"}),
    "head_cannot_learn": ({}, [], "PATCH", "/config", {"head": "linear"}, 422,
                          {"field": "head", "head": "linear", "dataset": "circle",
                           "kind": "binary",
                           "allowed": [h for h, row in HEADS.items() if "binary" in row.kinds]}),
    "repeated_features": ({}, [], "PATCH", "/config", {"features": ["x1", "x1"]}, 422,
                          {"field": "features"}),
    "steps_or_epochs": ({}, [], "POST", "/step", {"steps": 1, "epochs": 1}, 422, {}),
    "too_many_layers": ({"hidden": [{"units": 1}] * 8}, [], "POST", "/layers", {"index": 0},
                        422, {"max": 8}),
    "layer_position": ({}, [], "POST", "/layers", {"index": 3}, 422, {"min": 0, "max": 2}),
    "no_such_layer": ({}, [], "DELETE", "/layers/2", None, 404,
                      {"layer": 3, "index": 2, "hidden_layers": 2}),
    "too_many_units": ({"hidden": [{"units": 120}]}, [], "POST", "/layers/0/neurons",
                       {"count": 13}, 422, {"layer": 1, "units": 120, "max": 128, "room": 8}),
    "no_such_neuron": ({}, [], "DELETE", "/layers/1/neurons/2", None, 404,
                       {"layer": 2, "neuron": 2, "last": 1}),
    "last_neuron": ({"hidden": [{"units": 1}]}, [], "DELETE", "/layers/0/neurons/0", None, 409,
                    {"layer": 1}),
    "no_such_node": ({}, [], "PATCH", "/weight", {"layer": 0, "from": 2, "to": 0, "value": 1},
                     422, {"field": "from", "value": 2, "max": 1}),
    "not_prelu": ({}, [], "PATCH", "/slope", {"layer": 1, "node": 0, "value": 0.5}, 409,
                  {"layer": 2, "index": 1, "activation": "tanh"}),
    "no_batch_norm": ({}, [], "PATCH", "/batch_norm",
                      {"layer": 0, "node": 0, "field": "gamma", "value": 0.5}, 409,
                      {"layer": 1, "index": 0}),
    "too_many_epochs": ({}, [], "POST", "/step", {"epochs": 300}, 422,
                        {"epochs": 300, "steps": 7500, "steps_per_epoch": 25, "max_steps": 5000,
                         "max_epochs": 200}),
    "diverged": (DIVERGE, [("POST", "/step", {"epochs": 3})], "POST", "/step", {"steps": 1}, 409,
                 {}),
    "not_a_class": ({}, [], "POST", "/trace", {"point": [0, 0], "label": 2}, 422,
                    {"label": 2.0, "last": 1}),
    "update_overflows": ({"features": ["x1_sq"], "hidden": [{"units": 1, "activation": "linear"}]},
                         [("PUT", "/params", OVERFLOWING)], "POST", "/example_step",
                         {"point": [1000, 0], "label": 0}, 409, {}),
    "params_shape": ({}, [], "PUT", "/params", {"weights": [], "biases": []}, 422,
                     {"what": "weights needs 3 arrays, got 0"}),
    # 417 parameters, batches of 100 (3 steps an epoch): a step is 41,700 work, so one
    # call runs at most 40,000,000 // 41,700 = 959 steps, 319 epochs
    "too_much_work": (WIDE, [], "POST", "/step", {"epochs": 325}, 422,
                      {"steps": 975, "work": 40_657_500, "max_work": 40_000_000,
                       "max_steps": 959, "max_epochs": 319}),
    # 9 nodes and 2 output grids: 250,000 numbers are 150 x 150 each at most
    "grid_too_large": ({}, [], "GET", "/heatmaps?resolution=151&encoding=list", None, 422,
                       {"resolution": 151, "max_resolution": 150}),
    # Adam's running mean of squared gradients overflows while the weights stay finite
    "model_not_finite": ({"optimizer": "adam", "hidden": [{"units": 1, "activation": "linear"}]},
                         [("PUT", "/params", {"weights": [[[1e154], [1e154]], [[1.0]]],
                                              "biases": [[0.0], [0.0]]}),
                          ("POST", "/step", {"steps": 1})], "GET", "/model", None, 409,
                         {"what": "v"}),
    "no_lesson": ({}, [], "GET", "/lesson", None, 404, {}),
    "batch_of_one": ({"num_samples": 20, "batch_size": 3,
                      "hidden": [{"units": 3, "batch_norm": True}]}, [], "POST", "/step",
                     {"steps": 1}, 422, {"batch_size": 3, "examples": 10}),
    "no_such_point": ({"num_samples": 10}, [], "POST", "/points", {"remove": [10]}, 422,
                      {"index": 10, "last": 9}),
    # step 1 of the Crash Course task is a task
    "not_a_question": ({}, [("POST", "/lesson", {"lesson_id": "crash-course-task"})], "POST",
                       "/lesson/answer", {"step": 1, "answer": 0}, 422, {"step": 1}),
}
# without a session (or with one that does not exist): method, path, status, params
BARE = {
    "unknown_session": ("GET", f"{API}/{NO_SESSION}", 404, {"session_id": NO_SESSION}),
    "not_found": ("GET", "/api/nope", 404, {"path": "/api/nope"}),
    "method_not_allowed": ("DELETE", "/api/health", 405, {"method": "DELETE"}),
    "unsupported_media_type": ("POST", API, 415, {"content_type": ""}),  # no Content-Type
    "unknown_exercise": ("GET", "/api/exercises/0123456789", 404,
                         {"exercise_id": "0123456789"}),
    "unknown_class": ("GET", "/api/classes/zz-zz-zz/broadcast", 404, {"code": "ZZZZZZ"}),
    "unknown_share": ("GET", "/api/shares/0123456789ab", 404, {"share_id": "0123456789ab"}),
    "unknown_dataset": ("GET", "/api/datasets/r-abcdefghijklmnop", 404,
                        {"dataset_id": "r-abcdefghijklmnop"}),
}
DIVERGENCE = {"step_overflow", "loss_overflow"}  # snapshot.divergence: tested below
# no field of the API has an upper bound only; tests/service/test_errors.py covers it;
# a malformed goal: tests/service/test_goals.py
ONLY_IN_UNIT_TESTS = {"too_large", "bad_goal"}
# a class's refusals need a class made first: tests/web/test_classes.py
# a shared server's refusals, tested where their setting is made: test_executor.py (busy),
# test_admission.py (too_many_sessions, store_full), test_guard.py (the rest)
ELSEWHERE = {"busy", "too_many_sessions", "too_many_uploads", "store_full", "body_too_large", "foreign_origin",
             "binary_frame", "wrong_teacher_key", "class_full", "unknown_student",
             "empty_prompt",   # an exercise's: test_exercises.py
             "goal_too_deep",  # all/any nested past the limit: test_goals.py
             "model_state", "model_data_differs",   # a model file's: test_models.py
             # own data's: test_datasets.py (each rule broken, with its row)
             "data_rows", "data_columns", "data_not_a_number", "data_not_finite",
             "data_outside", "data_classes", "data_label", "data_not_text"}


def test_every_code_is_tested_here():
    tested = set(CASES) | set(BARE) | DIVERGENCE | ONLY_IN_UNIT_TESTS | ELSEWHERE
    assert tested == set(CODES)


@pytest.mark.parametrize("code", list(CASES))
def test_a_session_refusal_names_its_code_and_params(client, new_session, code):
    config, first, method, path, body, status, params = CASES[code]
    sid = new_session(**config)["id"]
    for m, p, b in first:
        client.request(m, f"{API}/{sid}{p}", json=b)
    if isinstance(body, Raw):
        error = refused(client, sid, method, path, status, raw=bytes(body), code=code)
    else:
        error = refused(client, sid, method, path, status, body, code=code)
    assert error["params"] == params


@pytest.mark.parametrize("code", list(BARE))
def test_a_request_refusal_names_its_code_and_params(client, new_session, code):
    new_session()
    method, path, status, params = BARE[code]
    response = client.request(method, path)
    assert response.status_code == status
    assert error_body(response.json(), code)["params"] == params


def test_a_body_the_parser_cannot_read_is_bad_json(client):
    nested = b"[" * 100_000 + b"]" * 100_000  # too deep for the JSON parser: FastAPI's 400
    response = client.post(API, content=nested, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert error_body(response.json(), "bad_json")["params"] == {}


def test_a_refusal_echoes_only_a_short_excerpt_of_the_input(client, new_session):
    sid = new_session()["id"]
    error = refused(client, sid, "PATCH", "/config", 422, {"dataset": "x" * 10_000},
                    code="unknown_id")
    assert len(error["params"]["value"]) <= 40 and error["params"]["value"].startswith("xxx")


def test_divergence_says_its_code_and_params(client, new_session):
    sid = new_session(**DIVERGE)["id"]
    snap = client.post(f"{API}/{sid}/step", json={"epochs": 3}).json()
    assert snap["diverged"] and snap["divergence"]["code"] == "step_overflow"
    step = snap["divergence"]["params"]["step"]
    assert snap["divergence"]["params"] == {"step": step, "last_step": step - 1,
                                            "learning_rate": 10.0}
    assert snap["step"] == step - 1 and f"step {step} " in snap["divergence_reason"]
    assert client.patch(f"{API}/{sid}/config", json={"learning_rate": 0.01}).json()[
        "divergence"] is None

    sid = new_session(features=["x1_sq"], hidden=[{"units": 1, "activation": "linear"}])["id"]
    huge = {"weights": [[[1e308]], [[1e308]]], "biases": [[0.0], [0.0]]}
    snap = client.put(f"{API}/{sid}/params", json=huge).json()
    assert snap["divergence"] == {"code": "loss_overflow",
                                  "params": {"step": 0, "learning_rate": 0.03}}


# ---------------------------------------------------------------- the page's wording
def templates(lang: str) -> dict[str, str]:
    """The refusal templates of one language in refusals.js, by code."""
    text = REFUSALS_JS.read_text(encoding="utf-8")
    block = re.search(rf"^  {lang}: \{{\n(.*?)^  \}},", text, re.MULTILINE | re.DOTALL)
    assert block, f"no {lang} block in {REFUSALS_JS}"
    return dict(re.findall(r'^ +(\w+): "((?:[^"\\]|\\.)*)",$', block.group(1),
                           re.MULTILINE))


def placeholders(template: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", template))


def test_templates_are_parsed():
    en = templates("en")
    assert en["missing"] == "{field} is missing." and len(en) >= len(CODES)


@pytest.mark.parametrize("code", list(CODES))
def test_the_page_words_every_code_in_both_languages_from_params_sent(code):
    en, zh = templates("en").get(code), templates("zh").get(code)
    assert en and zh, f"refusals.js has no {code!r} in both languages"
    assert placeholders(en) == placeholders(zh)
    # a placeholder the server does not always fill would read "–" on the page
    assert placeholders(en) <= set(CODES[code]), (code, placeholders(en))


def test_optional_params_belong_to_codes():
    assert set(OPTIONAL_PARAMS) <= set(CODES)
