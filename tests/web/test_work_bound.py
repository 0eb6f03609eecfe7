"""Work per call is bounded by counting, never by a clock (API.md 6.1): a step or frame
over `max_work_per_call` is refused naming the most steps and epochs allowed for this
network, before anything is touched; each snapshot says them; list heatmaps are bounded."""

from __future__ import annotations

from playground.service.config import Limits

from .api_support import API, refused

FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]


def test_work_per_call_is_bounded_by_counting(client, new_session):
    limits = client.get("/api/catalog").json()["limits"]
    assert limits["max_work_per_call"] == Limits.max_work_per_call
    assert limits["max_body_bytes"] == 1_048_576 and limits["sessions_per_minute"] >= 1
    default = new_session()
    assert (default["max_epochs_per_call"], default["max_steps_per_call"]) == (200, 5000)
    # 7 features, 2 x 16 tanh units: 417 parameters; batches of 100: 3 steps an epoch
    wide = new_session(features=FEATURES,
                       hidden=[{"units": 16}, {"units": 16}], batch_size=100)
    most_steps = Limits.max_work_per_call // (100 * 417)
    assert (wide["max_steps_per_call"], wide["max_epochs_per_call"]) == (most_steps,
                                                                         most_steps // 3)
    sid = wide["id"]
    for path, body in [("/step", {"epochs": most_steps // 3 + 1}),
                       ("/step", {"steps": most_steps + 1}),
                       ("/frame", {"epochs": most_steps // 3 + 1, "resolution": 4})]:
        error = refused(client, sid, "POST", path, 422, body, code="too_much_work")
        assert error["params"]["max_epochs"] == most_steps // 3
        assert error["params"]["max_steps"] == most_steps
        assert error["allowed"] == {"steps": [1, most_steps], "epochs": [1, most_steps // 3]}
    done = client.post(f"{API}/{sid}/step", json={"epochs": most_steps // 3})
    assert done.status_code == 200 and done.json()["epoch"] == most_steps // 3


def test_a_network_too_big_for_an_epoch_a_call_may_still_take_steps(client, new_session):
    """The bound covers one full-batch step of the largest network on the most data."""
    big = new_session(num_samples=5000, train_ratio=90, batch_size=1,
                      features=FEATURES,
                      hidden=[{"units": 16, "activation": "prelu"}] * 8, dataset="blobs",
                      classes=6)
    parameters = sum(len(w) * len(w[0]) for w in big["weights"]) + sum(
        len(b) for b in big["biases"]) + sum(len(s) for s in big["prelu_slopes"])
    assert 4500 * parameters <= Limits.max_work_per_call  # batch 4500 fits one call
    assert big["max_epochs_per_call"] == 0
    assert big["max_steps_per_call"] == Limits.max_work_per_call // (16 * parameters)
    step = client.post(f"{API}/{big['id']}/step", json={"steps": big["max_steps_per_call"]})
    assert step.status_code == 200


def test_list_heatmaps_are_bounded(client, new_session):
    sid = new_session()["id"]  # 9 nodes + 2 output grids: 150 x 150 at most
    assert client.get(f"{API}/{sid}/heatmaps", params={"resolution": 150, "encoding": "list"}
                      ).status_code == 200
    error = refused(client, sid, "GET", "/heatmaps?resolution=200&encoding=list", 422,
                    code="grid_too_large")
    assert error["params"] == {"resolution": 200, "max_resolution": 150}
    assert client.get(f"{API}/{sid}/heatmaps", params={"resolution": 200}).status_code == 200
