"""Sessions at unit level (service/sessions.py, service/history.py): an exact bytes round
trip, and a history and snapshot of bounded size. The store is in test_store.py."""

from __future__ import annotations

import json

import numpy as np

from playground.service.config import Config
from playground.service.history import History
from playground.service.sessions import Session

# ------------------------------------------------------------------------- bytes round trip
DEMANDING = Config(
    dataset="spiral", noise=15, num_samples=300, features=["x1", "x2", "sin_x1", "x1x2"],
    hidden=[{"units": 6, "activation": "relu", "dropout": 0.3},
            {"units": 4, "activation": "prelu", "dropout": 0.2},
            {"units": 3, "activation": "gelu"}],
    optimizer="adam", learning_rate=0.01, batch_size=16, regularization="l2", reg_rate=0.001,
    seed=11, data_seed=4,
)


def state_of(session: Session) -> dict:
    t = session.trainer
    opt = t.optimizer
    return {
        "theta": t.net.theta.copy(),
        "optimizer": {k: np.copy(v) for k, v in opt.state.items()},
        "t_mixed": getattr(opt, "t_mixed", None),
        "rng": t.rng.bit_generator.state,
        "edit_rng": session.edit_rng.bit_generator.state,
        "counters": (t.step, t.epoch, t._cursor),
        "history": json.dumps(session.history.points),
        "snapshot": json.dumps(session.snapshot()),
    }


def assert_same_state(a: Session, b: Session, optimizer_state: bool = True) -> None:
    sa, sb = state_of(a), state_of(b)
    assert np.array_equal(sa["theta"], sb["theta"])
    assert sa["optimizer"].keys() == sb["optimizer"].keys()
    assert bool(sa["optimizer"]) == optimizer_state     # SGD has none
    for name in sa["optimizer"]:
        assert np.array_equal(sa["optimizer"][name], sb["optimizer"][name]), name
    for key in ("t_mixed", "rng", "edit_rng", "counters", "history", "snapshot"):
        assert sa[key] == sb[key], key


def test_bytes_round_trip_is_exact_and_trains_identically():
    original = Session("a" * 32, DEMANDING)
    original.step(epochs=3)
    original.add_neurons(1, 2)  # Adam's per-parameter step counts now differ
    original.step(steps=7)  # stop mid-epoch: the shuffled order is part of the state
    assert original.trainer.optimizer.t_mixed and original.trainer._cursor != 0
    blob = original.to_bytes()
    copy = Session.from_bytes(blob)
    assert copy.id == original.id and copy.lock is not original.lock
    assert_same_state(original, copy)
    for session in (original, copy):
        session.step(steps=23)
        session.step(epochs=2)
        session.insert_layer(0, 3, "swish")
        session.step(steps=11)
    assert_same_state(original, copy)
    spe = original.trainer.steps_per_epoch  # ceil(150 / 16) = 10
    assert spe == 10
    assert original.trainer.step == copy.trainer.step == 3 * spe + 7 + 23 + 2 * spe + 11


def test_bytes_of_a_fresh_copy_are_stable():
    session = Session("b" * 32, DEMANDING)
    session.step(steps=5)
    copy = Session.from_bytes(session.to_bytes())
    again = Session.from_bytes(copy.to_bytes())
    assert_same_state(session, again)
    with again.lock:  # a working lock of its own
        again.step(steps=1)
    assert again.trainer.step == 6


# ------------------------------------------------------------------------ bounded history
def test_history_stays_bounded_and_keeps_the_first_and_latest_points():
    session = Session("c" * 32, Config(num_samples=20, batch_size=5))
    capacity, recent = session.history.capacity, session.history.recent
    calls = 2 * capacity + 345
    for _ in range(calls):
        session.step(steps=1)
        assert len(session.history) <= capacity
    steps = [p["step"] for p in session.history.points]
    assert steps[0] == 0 and session.history.points[0]["epoch"] == 0
    assert steps == sorted(set(steps))
    assert steps[-recent:] == list(range(calls - recent + 1, calls + 1))  # exact, no gaps
    assert session.history.points[-1]["train_loss"] == session.metrics()["train_loss"]


def test_history_thinning_by_hand():
    history = History(capacity=10, recent=4)
    for step in range(11):
        history.add({"step": step})
    # 11 points > 10: the 7 old ones keep the first and every other one after it
    assert [p["step"] for p in history.points] == [0, 1, 3, 5, 7, 8, 9, 10]


def test_history_since_is_every_point_after_a_step():
    """The new points a playing page asks for, found from the end: the same as a filter
    over the whole history, with edits recording points at the same step."""
    history = History(capacity=10, recent=4)
    for step in [0, 0, 1, 2, 2, 2, 5, 9, 9, 12, 13, 14, 20]:
        history.add({"step": step})
    for since in range(-1, 22):
        assert history.since(since) == [p for p in history.points if p["step"] > since]


def test_snapshot_size_is_bounded():
    session = Session("d" * 32, Config(num_samples=20, batch_size=5))
    session.history = History(capacity=60, recent=15, points=list(session.history.points))
    for _ in range(59):
        session.step(steps=1)
    assert len(session.history) == 60  # full
    few = len(json.dumps(session.snapshot()))
    for _ in range(3000):
        session.step(steps=1)
    many = len(json.dumps(session.snapshot()))
    assert len(session.history) <= 60
    assert many <= few * 1.02  # only the step numbers' digits may grow
