"""The model from the material's question, built over the API (issue 13): Dense(124, relu)
-> Dropout(0.5) -> Dense(124, relu) -> Dropout(0.1) -> Dense(1, sigmoid), SGD with
learning rate 0.1 and momentum 0.003, threshold 0.5; it trains, its shapes are those, and
its script holds the same layers."""

from __future__ import annotations

from .api_support import API


def test_the_keras_model_of_the_question_builds_and_trains(client, new_session):
    config = {"dataset": "xor", "num_samples": 200, "batch_size": 10,
              "hidden": [{"units": 124, "activation": "relu", "dropout": 0.5},
                         {"units": 124, "activation": "relu", "dropout": 0.1}],
              "head": "sigmoid", "threshold": 0.5, "optimizer": "momentum",
              "momentum": 0.003, "learning_rate": 0.1}
    snap = new_session(**config)
    assert [layer["units"] for layer in snap["layers"]] == [2, 124, 124, 1]
    assert [layer["dropout"] for layer in snap["layers"][1:3]] == [0.5, 0.1]
    weights = snap["weights"]
    assert (len(weights[1]), len(weights[1][0])) == (124, 124)
    sid = snap["id"]
    before = snap["metrics"]["train_loss"]
    for _ in range(2):   # a call is bounded in work: 15 epochs of this network at most
        r = client.post(f"{API}/{sid}/step", json={"epochs": 10})
        assert r.status_code == 200, r.text
    after = r.json()
    assert after["epoch"] == 20 and after["config"]["momentum"] == 0.003
    assert after["metrics"]["train_loss"] < before
    assert after["metrics"]["train_accuracy"] >= 0.8
    script = client.get(f"{API}/{sid}/export", params={"format": "keras"}).text
    assert script.count("layers.Dense(124") == 2
    assert "layers.Dropout(0.5)" in script and "layers.Dropout(0.1)" in script
    assert "momentum=0.003" in script
