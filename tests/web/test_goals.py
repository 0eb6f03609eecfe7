"""GET /api/goals (web/routes/goals.py): the goal menu the page's "make this an exercise"
builds from: every metric row as the server checks it, the names a name metric can read,
the controls an exercise may lock or hide; every goal it describes is accepted and
checked, and a name it lists can be met."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from playground.engine.activations import ACTIVATIONS
from playground.engine.datasets import DATASETS
from playground.engine.heads import HEADS
from playground.engine.optimizers import OPTIMIZERS
from playground.engine.regularizers import REGULARIZERS
from playground.service.goals import METRICS
from playground.service.lessons import CONTROLS
from playground.service.ratelimit import CreationLimiter
from playground.web.app import create_app

from .api_support import API, error_body

NUMBER_OPS = ["<", "<=", ">", ">=", "=="]


@pytest.fixture
def client(store):
    """An app that lets these tests make more than a minute's share of exercises."""
    with TestClient(create_app(store, limiter=CreationLimiter(per_minute=10**6))) as c:
        yield c


@pytest.fixture
def menu(client) -> dict:
    response = client.get("/api/goals")
    assert response.status_code == 200
    return response.json()


def goal_from(row: dict, name: str | None = None) -> dict:
    """A goal as the page builds one from a menu row: the first comparison, each field
    the row needs (node 1:0, the point (0, 0))."""
    if row["kind"] == "name":
        goal = {"metric": row["id"], "is": name or row["names"][0]}
    else:
        goal = {"metric": row["id"], "op": row["ops"][0], "value": 1}
    extra = {"layer": 1, "node": 0, "point": [0, 0]}
    return goal | {field: extra[field] for field in row["needs"]}


def test_the_menu_lists_every_metric_row_and_every_control(menu):
    rows = {row["id"]: row for row in menu["metrics"]}
    assert list(rows) == list(METRICS)
    for metric_id, row in rows.items():
        kept = METRICS[metric_id]
        assert row["name"] == {"en": kept.en, "zh": kept.zh}
        assert row["kind"] == kept.kind and row["needs"] == list(kept.needs)
        assert row["ops"] == (NUMBER_OPS if kept.kind == "number" else ["is"])
        assert (row["names"] is None) == (kept.kind == "number")
    assert rows["node_value"]["needs"] == ["layer", "node", "point"]
    assert rows["output_sum"]["needs"] == ["point"]
    assert rows["activation"]["names"] == list(ACTIVATIONS)
    assert rows["head"]["names"] == list(HEADS)
    assert rows["optimizer"]["names"] == list(OPTIMIZERS)
    assert rows["dataset"]["names"] == list(DATASETS)
    assert rows["regularization"]["names"] == list(REGULARIZERS)
    assert rows["gradient_flag"]["names"] == ["vanishing", "exploding", "blocked"]
    assert menu["controls"] == list(CONTROLS)
    assert {"learning_rate", "dataset", "weights", "activation"} <= set(menu["controls"])
    assert menu["max_goals"] == 8


def test_every_goal_the_menu_describes_is_kept_and_checked(client, menu, new_session):
    goals = [goal_from(row) for row in menu["metrics"]]
    size = menu["max_goals"]
    for start in range(0, len(goals), size):
        part = goals[start:start + size]
        made = client.post("/api/exercises", json={"prompt": {"en": "Try."}, "goals": part})
        assert made.status_code == 201, (part, made.text)
        sid = new_session()["id"]
        snap = client.post(f"{API}/{sid}/lesson",
                           json={"lesson_id": f"exercise-{made.json()['id']}"}).json()
        checked = snap["lesson"]["steps"][0]["goals"]
        assert len(checked) == len(part)
        for goal, shown in zip(part, checked, strict=True):
            assert METRICS[goal["metric"]].en in shown["text"]["en"]
            assert isinstance(shown["met"], bool)
    too_many = client.post("/api/exercises", json={"prompt": {"en": "Try."},
                                                   "goals": goals[: size + 1]})
    assert error_body(too_many.json(), "too_many_items")["params"] == {"field": "goals",
                                                                       "max": size}


def met(client, new_session, config: dict, goal: dict) -> bool:
    made = client.post("/api/exercises", json={"config": config, "prompt": {"zh": "试试。"},
                                               "goals": [goal]})
    assert made.status_code == 201, made.text
    sid = new_session()["id"]
    snap = client.post(f"{API}/{sid}/lesson",
                       json={"lesson_id": f"exercise-{made.json()['id']}"}).json()
    return snap["lesson"]["steps"][0]["goals"][0]["met"]


def test_each_name_the_menu_lists_can_be_met(client, menu, new_session):
    rows = {row["id"]: row for row in menu["metrics"]}
    heads_for = {"binary": "circle", "multiclass": "blobs", "regression": "plane"}
    settings = {
        "activation": lambda n: {"hidden": [{"units": 2, "activation": n}]},
        "optimizer": lambda n: {"optimizer": n},
        "regularization": lambda n: {"regularization": n},
        "dataset": lambda n: {"dataset": n},
        "head": lambda n: {"dataset": heads_for[HEADS[n].kinds[0]], "head": n},
    }
    for metric, config in settings.items():
        names = rows[metric]["names"]
        for name in names:
            assert met(client, new_session, config(name), goal_from(rows[metric], name)), name
        assert not met(client, new_session, config(names[0]), goal_from(rows[metric], names[1]))


def test_a_goal_missing_what_its_metric_needs_is_refused_naming_it(client, menu):
    rows = {row["id"]: row for row in menu["metrics"]}
    body = {"prompt": {"en": "Try."}}
    no_point = {k: v for k, v in goal_from(rows["node_value"]).items() if k != "point"}
    r = client.post("/api/exercises", json=body | {"goals": [goal_from(rows["test_loss"]),
                                                             no_point]})
    assert r.status_code == 422
    error = error_body(r.json(), "bad_goal")
    assert error["params"] == {"metric": "node_value", "needs": "point"}
    assert error["detail"][0]["loc"] == ["body", "goals", 1, "check"]
    # the field of the one form a goal has (not every form pydantic tried)
    r = client.post("/api/exercises", json=body | {"goals": [
        {"metric": "test_loss", "op": "<", "value": "low"}]})
    assert error_body(r.json(), "not_a_number")["params"] == {"field": "goals.0.check.value",
                                                              "value": "low"}
    r = client.post("/api/exercises", json=body | {"goals": [
        {"metric": "test_accuracy", "op": ">=", "value": 5}]})    # accuracy is 0..1
    assert r.status_code == 422
    assert error_body(r.json(), "out_of_range")["params"] == {
        "field": "goals.0.value", "min": 0.0, "max": 1.0, "value": 5.0}
    r = client.post("/api/exercises", json=body | {"goals": [
        {"all": [{"metric": "units", "op": "<", "value": 3, "layer": -1}]}]})
    assert error_body(r.json(), "too_small")["params"]["field"] == "goals.0.all.all.0.check.layer"


def test_all_and_any_nest_at_most_three_deep(client, new_session):
    """Deeper says nothing a teacher needs, and keeps the work of reading a goal bounded;
    the published schema writes the three levels out (no cycle of references)."""
    leaf = {"metric": "epoch", "op": ">=", "value": 0}

    def nested(depth: int) -> dict:
        goal = leaf
        for level in range(depth):
            goal = {("all", "any")[level % 2]: [goal, leaf]}
        return goal

    body = {"prompt": {"en": "Try."}}
    assert met(client, new_session, {}, nested(3))
    for depth in (4, 40):
        r = client.post("/api/exercises", json=body | {"goals": [leaf, nested(depth)]})
        assert r.status_code == 422
        assert error_body(r.json(), "goal_too_deep")["params"] == {"index": 1, "limit": 3}
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Exercise"]
    text = json.dumps(schema["properties"]["goals"])
    assert text.count('"required": ["all"]') == 1 + 2 + 4   # levels 1, 2 and 3, written out
    assert "#/components/schemas/AllOf" not in text and "#/components/schemas/AnyOf" not in text
