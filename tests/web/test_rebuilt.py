"""What a config change rebuilt (PATCH /config's `rebuilt`, issue 8 B): the head that a
dataset change brings (and takes back), the data, new input rows, a new output layer, a
whole new network; every other route leaves it null."""

from __future__ import annotations

import pytest

from .api_support import API, snapshot

NOTHING = {"data": False, "input_weights": False, "output_weights": False,
           "all_weights": False, "head": None}


def patch(client, sid: str, changes: dict) -> dict:
    response = client.patch(f"{API}/{sid}/config", json=changes)
    assert response.status_code == 200, response.text
    return response.json()


def test_circle_to_blobs_and_back_switches_the_head_both_ways(client, new_session):
    sid = new_session()["id"]
    before = snapshot(client, sid)
    blobs = patch(client, sid, {"dataset": "blobs"})
    assert blobs["config"]["head"] == "softmax"
    assert blobs["rebuilt"] == {**NOTHING, "data": True, "output_weights": True,
                                "head": {"from": "sigmoid", "to": "softmax"}}
    assert blobs["weights"][:-1] == before["weights"][:-1]  # the hidden layers stay
    circle = patch(client, sid, {"dataset": "circle"})
    assert circle["config"]["head"] == "sigmoid"
    assert circle["rebuilt"] == {**NOTHING, "data": True, "output_weights": True,
                                 "head": {"from": "softmax", "to": "sigmoid"}}


def test_a_head_chosen_on_purpose_stays_on_another_binary_set(client, new_session):
    sid = new_session(head="softmax")["id"]
    before = snapshot(client, sid)
    xor = patch(client, sid, {"dataset": "xor"})
    assert xor["config"]["head"] == "softmax"
    assert xor["rebuilt"] == {**NOTHING, "data": True}
    assert xor["weights"] == before["weights"]


def test_a_head_that_keeps_the_output_shape_keeps_its_weights(client, new_session):
    """softmax and one-vs-all with K = 2 have the same output layer: only the head changes."""
    sid = new_session(head="softmax")["id"]
    before = snapshot(client, sid)
    after = patch(client, sid, {"head": "one_vs_all"})
    assert after["rebuilt"] == {**NOTHING, "head": {"from": "softmax", "to": "one_vs_all"}}
    assert after["weights"] == before["weights"]


@pytest.mark.parametrize("changes", [{"learning_rate": 0.3}, {"optimizer": "adam"},
                                     {"threshold": 0.7}, {"classes": 5}, {"learning_rate": 0.03}])
def test_what_rebuilds_nothing_says_so(client, new_session, changes):
    sid = new_session()["id"]
    before = snapshot(client, sid)
    after = patch(client, sid, changes)  # classes of a binary set: the same points again
    assert after["rebuilt"] == NOTHING
    assert after["weights"] == before["weights"]


def test_new_data_keeps_the_weights(client, new_session):
    sid = new_session()["id"]
    assert patch(client, sid, {"noise": 20})["rebuilt"] == {**NOTHING, "data": True}


def test_a_new_feature_has_new_weights_and_removing_one_builds_nothing(client, new_session):
    sid = new_session()["id"]
    on = patch(client, sid, {"features": ["x1", "x2", "x1x2"]})
    assert on["rebuilt"] == {**NOTHING, "input_weights": True}
    off = patch(client, sid, {"features": ["x1", "x1x2"]})
    assert off["rebuilt"] == NOTHING
    assert off["weights"][0] == [on["weights"][0][0], on["weights"][0][2]]


def test_a_new_depth_rebuilds_every_weight(client, new_session):
    sid = new_session()["id"]
    after = patch(client, sid, {"hidden": [{"units": 3}]})
    assert after["rebuilt"] == {"data": False, "input_weights": True, "output_weights": True,
                                "all_weights": True, "head": None}
    same_depth = patch(client, sid, {"hidden": [{"units": 5, "activation": "relu"}]})
    assert same_depth["rebuilt"] == NOTHING  # added neurons, a new activation: kept weights


def test_other_routes_leave_rebuilt_null(client, new_session):
    snap = new_session()
    assert snap["rebuilt"] is None
    sid = snap["id"]
    assert client.post(f"{API}/{sid}/step", json={"steps": 1}).json()["rebuilt"] is None
    assert snapshot(client, sid)["rebuilt"] is None
    assert "rebuilt" not in client.post(f"{API}/{sid}/frame", json={"steps": 1}).json()["snapshot"]
