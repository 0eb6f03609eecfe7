"""The diagnostics bookkeeping (service/monitor.py): every change by hand starts the
comparisons afresh (the gradient baseline and the lowest test loss), training keeps them,
and the cached evaluation follows an activation switch that keeps every weight."""

from __future__ import annotations

import pytest

from playground.service.config import Config, ConfigPatch
from playground.service.sessions import Session

CHANGES = {
    "config": lambda s: s.patch_config(ConfigPatch(learning_rate=0.1)),
    "activation": lambda s: s.patch_config(ConfigPatch(hidden=[{"units": 4, "activation": "relu"},
                                                               {"units": 2}])),
    "head": lambda s: s.patch_config(ConfigPatch(head="softmax")),
    "structure": lambda s: s.add_neurons(0, 1),
    "weight": lambda s: s.set_weight(0, 0, 0, 0.5),
    "bias": lambda s: s.set_bias(0, 0, 0.5),
    "params": lambda s: s.set_params(s.params()["weights"], s.params()["biases"], None),
    "reset": lambda s: s.reset(),
    "example_step": lambda s: s.example_step([1.0, 1.0], 1),
}


def trained() -> Session:
    session = Session("s", Config(num_samples=100))
    session.step(epochs=3)
    return session


def test_training_keeps_the_first_record_as_baseline():
    session = trained()
    first = session.history.points[0]
    assert session.monitor.baseline == first["gradient_sizes"]
    assert session.monitor.lowest_test_loss == min(p["test_loss"] for p in session.history.points)


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_starts_the_comparisons_afresh(change):
    session = trained()
    CHANGES[change](session)
    if change != "reset":  # a reset records its step-0 point at once
        assert session.monitor.baseline is None and session.monitor.lowest_test_loss is None
    session.step(steps=1)
    latest = session.history.points[-1]
    assert session.monitor.baseline == (
        session.history.points[0] if change == "reset" else latest)["gradient_sizes"]


def test_an_activation_switch_is_evaluated_anew():
    session = trained()
    before = session.metrics()
    session.patch_config(ConfigPatch(hidden=[{"units": 4, "activation": "linear"},
                                             {"units": 2, "activation": "linear"}]))
    fresh = Session.from_bytes(session.to_bytes())
    fresh.monitor = type(fresh.monitor)()  # no cache: computed from the state alone
    assert session.metrics() == fresh.metrics() != before
