"""Stored sessions (service/records.py): versioned, explicit data that round-trips a
session exactly, and is refused whole when this release cannot read it."""

from __future__ import annotations

import json

import pytest

from playground.service import records
from playground.service.config import Config
from playground.service.records import UnreadableRecord, from_record, to_record
from playground.service.sessions import Session

from playground.service.errors import Refused

from ..web.test_refusals import DIVERGE
from .test_sessions import DEMANDING, assert_same_state


def played(config: Config = DEMANDING) -> Session:
    session = Session("a" * 32, config)
    session.step(epochs=3)
    session.add_neurons(1, 2)  # Adam's per-parameter step counts now differ
    session.step(steps=7)      # stop mid-epoch: the shuffled order is part of the state
    return session


def test_a_record_round_trips_a_session_exactly_and_it_trains_identically():
    original = played()
    assert original.trainer.optimizer.t_mixed and original.trainer._cursor != 0
    copy = from_record(to_record(original))
    assert copy.id == original.id and copy.lock is not original.lock
    assert copy.train_rng is copy.trainer.rng      # one stream, as in a fresh session
    assert_same_state(original, copy)
    for session in (original, copy):
        session.step(steps=23)
        session.insert_layer(0, 3, "swish")
        session.step(steps=11)
        session.set_weight(1, 0, 0, 0.25)
        session.step(epochs=1)
    assert_same_state(original, copy)


@pytest.mark.parametrize("config", [
    Config(), Config(optimizer="momentum", dataset="blobs", classes=4, head="softmax"),
    Config(dataset="plane", head="linear", hidden=[], batch_size=1),
    Config(head="one_vs_all", dataset="xor", hidden=[{"units": 5, "activation": "prelu",
                                                     "dropout": 0.5}]),
])
def test_every_kind_of_session_round_trips(config):
    original = Session("b" * 32, config)
    original.step(steps=13)
    copy = from_record(to_record(original))
    stateful = config.optimizer != "sgd"
    assert_same_state(original, copy, stateful)
    original.step(steps=9)
    copy.step(steps=9)
    assert_same_state(original, copy, stateful)


def test_a_diverged_session_stays_diverged():
    session = Session("c" * 32, Config(**DIVERGE))
    with pytest.raises(Refused):
        for _ in range(20):
            session.step(epochs=3)
    assert session.trainer.diverged
    copy = from_record(to_record(session))
    assert copy.snapshot()["divergence"] == session.snapshot()["divergence"]


def rewrite(blob: bytes, change) -> bytes:
    record = json.loads(blob)
    change(record)
    return json.dumps(record).encode()


@pytest.mark.parametrize("change, why", [
    (lambda r: r.update(version=records.VERSION + 1), "version"),
    (lambda r: r.update(format="something else"), "not a session record"),
    (lambda r: r.update(data="0" * 32), "dataset"),
    (lambda r: r["theta"].update(shape=[3], data="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), "parameters"),
    (lambda r: r["config"].update(learning_rate="fast"), "broken"),
    (lambda r: r.pop("trainer"), "broken"),
])
def test_a_record_this_release_cannot_read_is_refused_whole(change, why):
    blob = rewrite(to_record(played()), change)
    with pytest.raises(UnreadableRecord, match=why):
        from_record(blob)


@pytest.mark.parametrize("blob", [b"", b"not json", b"[1, 2]", b"\xff\xfe", b'{"format": 1}'])
def test_garbage_is_refused(blob):
    with pytest.raises(UnreadableRecord):
        from_record(blob)


def test_a_record_is_small():
    """Bytes per session: the data points are not stored, only their digest."""
    session = Session("d" * 32, Config())
    session.step(epochs=20)
    assert len(to_record(session)) < 30_000
