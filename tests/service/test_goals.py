"""Goal predicates read the session's own numbers: every metric row, every comparison,
combinations, and malformed goals refused with bad_goal."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from playground.service.config import Config, ConfigPatch
from playground.service.errors import Refused
from playground.service.goals import (METRICS, AllOf, AnyOf, Predicate, check,
                                      check_reachable, describe)
from playground.service.sessions import Session


def goal(**fields) -> Predicate:
    return Predicate.model_validate(fields)


@pytest.fixture
def session() -> Session:
    s = Session("g", Config(hidden=[{"units": 3, "activation": "relu"},
                                    {"units": 2, "activation": "relu"}]))
    s.step(epochs=5)
    return s


def test_the_metrics_read_what_the_snapshot_says(session: Session):
    m = session.metrics()
    snap = session.snapshot()
    expected = {
        "train_loss": m["train_loss"], "test_loss": m["test_loss"],
        "train_accuracy": m["train_accuracy"], "test_accuracy": m["test_accuracy"],
        "loss_gap": m["test_loss"] - m["train_loss"], "epoch": 5, "step": 125,
        "hidden_units": 5, "hidden_layers": 2, "features": 2,
        "dead_units": len(snap["diagnostics"]["dead_units"]), "diverged": 0,
        "overfitting": 0, "learning_rate": 0.03,
    }
    for metric, value in expected.items():
        got = check(goal(metric=metric, op="==", value=value), session)
        assert got.met and math.isclose(got.value, value), metric
    assert check(goal(metric="units", op="==", value=3, layer=1), session).met
    assert check(goal(metric="units", op="==", value=1, layer=3), session).met  # the output


def test_node_value_and_output_sum_at_a_point_match_the_trace(session: Session):
    traced = {n["node"]: n["value"] for n in session.trace([0.5, -1.0], None)["forward"]}
    x = np.array([[0.5, -1.0]])
    fwd = session.net.forward(x)
    value = float(fwd.a[1][0, 2])
    got = check(goal(metric="node_value", op=">=", value=-1e9, layer=1, node=2,
                     point=[0.5, -1.0]), session)
    assert got.value == pytest.approx(value, abs=1e-15)
    assert traced["1:2"] == pytest.approx(value, abs=1e-15)   # node "1:2" of the trace
    out = check(goal(metric="output_sum", op=">", value=0, point=[0.5, -1.0]), session)
    assert out.value == pytest.approx(float(fwd.a[-1][0].sum()))
    beyond = check(goal(metric="node_value", op="<", value=1, layer=1, node=9, point=[0, 0]),
                   session)
    assert not beyond.met and beyond.value is None


def test_names_and_the_shared_activation(session: Session):
    assert check(goal(metric="activation", **{"is": "relu"}), session).met
    assert check(goal(metric="head", **{"is": "sigmoid"}), session).met
    assert not check(goal(metric="optimizer", **{"is": "adam"}), session).met
    session.patch_config(ConfigPatch(hidden=[{"units": 3, "activation": "relu"},
                                             {"units": 2, "activation": "tanh"}]))
    mixed = check(goal(metric="activation", **{"is": "relu"}), session)
    assert not mixed.met and mixed.value is None
    assert check(goal(metric="activation", layer=2, **{"is": "tanh"}), session).met


def test_dropout_reads_a_layer_or_the_largest_rate(session: Session):
    assert check(goal(metric="dropout", op="==", value=0), session).met
    session.patch_config(ConfigPatch(hidden=[{"units": 3, "activation": "relu", "dropout": 0.2},
                                             {"units": 2, "activation": "relu", "dropout": 0.5}]))
    assert check(goal(metric="dropout", op="==", value=0.5), session).value == 0.5
    assert check(goal(metric="dropout", layer=1, op="==", value=0.2), session).met
    beyond = check(goal(metric="dropout", layer=3, op=">=", value=0), session)
    assert not beyond.met and beyond.value is None
    assert describe(goal(metric="dropout", layer=1, op=">=", value=0.5))["en"] == \
        "dropout rate in layer 1 >= 0.5"
    bare = Session("d", Config(hidden=[]))
    assert check(goal(metric="dropout", op="==", value=0), bare).met


@pytest.mark.parametrize("op, value, met", [
    ("<", 4, True), ("<", 3, False), ("<=", 3, True), ("<=", 2, False), (">", 2, True),
    (">", 3, False), (">=", 3, True), (">=", 4, False), ("==", 3, True), ("==", 2, False)])
def test_every_comparison(session: Session, op, value, met):
    # the first hidden layer has 3 units
    assert check(goal(metric="units", layer=1, op=op, value=value), session).met is met


def test_all_and_any_combine(session: Session):
    yes, no = goal(metric="hidden_layers", op="==", value=2), goal(metric="epoch", op=">", value=9)
    assert check(AllOf(all=[yes, yes]), session).met
    assert not check(AllOf(all=[yes, no]), session).met
    assert check(AnyOf(any=[no, yes]), session).met
    assert not check(AnyOf(any=[no, AllOf(all=[yes, no])]), session).met


def test_a_missing_number_is_never_met():
    s = Session("r", Config(dataset="plane"))    # regression: no accuracy
    got = check(goal(metric="test_accuracy", op=">=", value=0), s)
    assert not got.met and got.value is None and got.target == ">= 0"


@pytest.mark.parametrize("fields, needs", [
    ({"metric": "test_loss", "op": "<"}, "op, value"),
    ({"metric": "test_loss", "is": "low"}, "op, value"),
    ({"metric": "activation", "op": "==", "value": 1}, "is"),
    ({"metric": "node_value", "op": "<", "value": 1, "layer": 1}, "node, point"),
])
def test_a_malformed_goal_says_what_it_needs(fields, needs):
    with pytest.raises(ValidationError) as raised:
        Predicate.model_validate(fields)
    cause = raised.value.errors()[0]["ctx"]["error"]
    assert cause.code == "bad_goal" and cause.params == {"metric": fields["metric"],
                                                         "needs": needs}


def test_an_unknown_metric_is_refused():
    with pytest.raises(ValidationError):
        Predicate.model_validate({"metric": "happiness", "op": ">", "value": 1})


def test_a_name_no_session_could_have_is_refused():
    """{"metric": "activation", "is": "banana"} could never be met: refused with the names."""
    with pytest.raises(ValidationError) as raised:
        Predicate.model_validate({"metric": "activation", "is": "banana"})
    cause = raised.value.errors()[0]["ctx"]["error"]
    assert cause.code == "unknown_id" and cause.params["value"] == "banana"
    assert "relu" in cause.params["allowed"] and cause.params["field"] == "is"
    assert Predicate.model_validate({"metric": "gradient_flag", "is": "vanishing"})


@pytest.mark.parametrize("metric, value", [
    ("test_accuracy", 5), ("train_accuracy", -0.1), ("dropout", 1.5), ("diverged", 2)])
def test_a_number_outside_what_its_metric_can_be_is_refused(metric, value):
    """An accuracy of at least 5 could never be met (an exercise maker's slip): refused
    with the metric's range, naming where the goal is; its ends are accepted. The goal
    itself still parses: one kept before the rule still reads."""
    goal = Predicate.model_validate({"metric": metric, "op": ">=", "value": value})
    nested = AnyOf.model_validate({"any": [{"metric": "epoch", "op": ">", "value": 1}, goal]})
    with pytest.raises(Refused) as raised:
        check_reachable([Predicate.model_validate({"metric": "epoch", "op": ">", "value": 1}),
                         nested])
    assert raised.value.code == "out_of_range"
    assert raised.value.params == {"field": "goals.1.any.1.value", "min": 0.0, "max": 1.0,
                                   "value": value}
    assert raised.value.detail[0]["loc"] == ["body", "goals", 1, "any", 1, "value"]
    for end in (0, 1):
        check_reachable([Predicate.model_validate({"metric": metric, "op": ">=", "value": end})])


def test_every_metric_has_words_in_both_languages():
    for row in METRICS.values():
        assert row.en and any("\u4e00" <= ch <= "\u9fff" for ch in row.zh), row.id
    words = describe(goal(metric="test_loss", op="<", value=0.2))
    assert words == {"en": "test loss < 0.2", "zh": "测试损失 < 0.2"}
