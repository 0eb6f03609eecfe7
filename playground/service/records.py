"""A session as stored: versioned, explicit data (not a pickle of live objects).

A record is UTF-8 JSON (not compressed: its bulk is float bytes, which zlib barely
shrinks, at a millisecond a record):

    {"format": "neural-playground/session", "version": 1, "id", "config",
     "theta": ARRAY, "optimizer": {name: ARRAY}, "trainer": {"step", "epoch", "cursor",
     "order": ARRAY | null, "diverged", "divergence_reason", "divergence"},
     "rngs": {"train": state, "edit": state}, "history": HISTORY,
     "monitor": {"baseline", "lowest_test_loss", "vanishing"}, "data": digest,
     "batch_norm": {"mean": [ARRAY | null per hidden layer], "var": [...]} (absent from
     records written before batch norm),
     "lesson": {"lesson_id", "step", "done", "answers", "lesson": a carried lesson (an
     exercise) | null} | null}

where an ARRAY is `{"dtype": "f8" | "i8", "shape", "data": base64 of little-endian
bytes}`, and HISTORY the history's points by column (JSON floats cost ten times more to
write): `{"n", "columns": {key: ARRAY of n values, NaN for null}, "missing": {key:
ARRAY of the indices of the points without it}, "ragged": {key: {"lengths": ARRAY,
"values": ARRAY}}}` for the list-valued keys (the gradient sizes). The data points and the network's shape are not stored: the config makes them
again (the datasets are deterministic), and `data` (a digest of the points) and the
parameters' count prove they came out the same. A record this release cannot read
exactly (another format or version, another dataset generator, a broken blob) raises
UnreadableRecord and nothing is half-loaded.
"""

from __future__ import annotations

import base64
import hashlib
import json

import numpy as np

from .config import Config
from .lessons.progress import Progress
from .errors import Refused
from .sessions import OwnData, Session, no_own_data

FORMAT = "neural-playground/session"
VERSION = 1


class UnreadableRecord(ValueError):
    """A stored session this release cannot load exactly."""


def _array(a: np.ndarray | None) -> dict | None:
    if a is None:
        return None
    dtype = "i8" if np.issubdtype(a.dtype, np.integer) else "f8"
    data = np.ascontiguousarray(a, dtype="<" + dtype).tobytes()
    return {"dtype": dtype, "shape": list(a.shape), "data": base64.b64encode(data).decode()}


def _unarray(d: dict | None) -> np.ndarray | None:
    if d is None:
        return None
    if d["dtype"] not in ("f8", "i8"):
        raise UnreadableRecord(f"unknown array type {d['dtype']!r}")
    a = np.frombuffer(base64.b64decode(d["data"]), dtype="<" + d["dtype"])
    return a.reshape(d["shape"]).astype(np.float64 if d["dtype"] == "f8" else np.int64)


def _history(points: list[dict]) -> dict:
    keys: dict[str, None] = {}
    for p in points:
        keys.update(dict.fromkeys(p))
    columns, missing, ragged = {}, {}, {}
    for key in keys:
        values = [p.get(key) for p in points]
        absent = [i for i, p in enumerate(points) if key not in p]
        if absent:
            missing[key] = _array(np.array(absent, dtype=np.int64))
        if isinstance(next((v for v in values if v is not None), None), list):
            lists = [v or [] for v in values]
            ragged[key] = {"lengths": _array(np.array([len(v) for v in lists], dtype=np.int64)),
                           "values": _array(np.array([x for v in lists for x in v], dtype=float))}
        else:
            columns[key] = _array(np.array(values, dtype=float))
    return {"n": len(points), "columns": columns, "missing": missing, "ragged": ragged}


def _unhistory(h: dict) -> list[dict]:
    def plain(a: np.ndarray) -> list:
        return [None if x != x else x for x in a.tolist()]     # NaN: null

    n = h["n"]
    columns = {k: plain(_unarray(v)) for k, v in h["columns"].items()}
    for key, r in h["ragged"].items():
        flat, at = plain(_unarray(r["values"])), 0
        columns[key] = []
        for length in _unarray(r["lengths"]).tolist():
            columns[key].append(flat[at : at + length])
            at += length
    integral = {"step", "epoch"}
    points = [{k: (int(v[i]) if k in integral else v[i]) for k, v in columns.items()}
              for i in range(n)]
    for key, where in h["missing"].items():
        for i in _unarray(where).tolist():
            points[i].pop(key, None)
    return points


def data_digest(session: Session) -> str:
    """A digest of the session's data points. Remembered per Data object: a session's data
    is replaced, never changed in place, and a playing session is written every second
    (hashing MAX's points was a fifth of writing its record)."""
    d = session.data
    digest = getattr(d, "_digest", None)
    if digest is None:
        h = hashlib.sha256()
        for a in (d.x_train, d.y_train, d.x_test, d.y_test):
            h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
        digest = d._digest = h.hexdigest()[:32]
    return digest


def to_record(session: Session) -> bytes:
    """The session's whole state as a record (call with its lock held)."""
    t = session.trainer
    position = t.position()
    record = {
        "format": FORMAT, "version": VERSION, "id": session.id,
        "config": session.config.model_dump(mode="json"),
        "theta": _array(session.net.theta),
        "optimizer": {k: _array(v) for k, v in t.optimizer.save().items()},
        "trainer": {**position, "order": _array(position["order"]), "diverged": t.diverged,
                    "divergence_reason": t.divergence_reason, "divergence": t.divergence},
        "rngs": {"train": session.train_rng.bit_generator.state,
                 "edit": session.edit_rng.bit_generator.state},
        "history": _history(session.history.points),
        "monitor": {"baseline": session.monitor.baseline,
                    "lowest_test_loss": session.monitor.lowest_test_loss,
                    "vanishing": session.monitor.vanishing},
        "data": data_digest(session),
        "lesson": session.lesson.to_dict() if session.lesson else None,
        "batch_norm": {"mean": [_array(m) for m in session.net.bn_mean],
                       "var": [_array(v) for v in session.net.bn_var]},
    }
    return json.dumps(record, separators=(",", ":")).encode()


def from_record(blob: bytes, own_data: OwnData = no_own_data) -> Session:
    """The session a record holds, exactly as it was (its own data, if any, found by
    `own_data`); UnreadableRecord if it can't be."""
    try:
        record = json.loads(blob)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableRecord(f"not a session record: {exc}") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise UnreadableRecord("not a session record")
    if record.get("version") != VERSION:
        raise UnreadableRecord(f"a version {record.get('version')} record; this release "
                               f"reads version {VERSION}")
    try:
        return _rebuild(record, own_data)
    except UnreadableRecord:
        raise
    except Refused as exc:           # its own data is gone
        raise UnreadableRecord(exc.message) from None
    except (KeyError, TypeError, ValueError) as exc:   # pydantic's errors are ValueErrors
        raise UnreadableRecord(f"a broken session record: {exc!r}"[:300]) from None


def _rebuild(record: dict, own_data: OwnData) -> Session:
    session = Session(record["id"], Config.model_validate(record["config"]), own_data)
    if data_digest(session) != record["data"]:
        raise UnreadableRecord("the dataset this session trained on is made differently "
                               "by this release")
    theta = _unarray(record["theta"])
    net, t = session.net, session.trainer
    if theta.shape != net.theta.shape:
        raise UnreadableRecord("the parameters do not fit the network the config makes")
    net.theta[...] = theta                    # in place: weights and biases are views
    stats = record.get("batch_norm")
    if stats is not None:
        mean, var = [_unarray(m) for m in stats["mean"]], [_unarray(v) for v in stats["var"]]
        if [None if m is None else m.shape for m in mean] != \
                [None if m is None else m.shape for m in net.bn_mean] or len(var) != len(mean):
            raise UnreadableRecord("the batch norm statistics do not fit the network")
        net.set_bn_state((mean, var))
    t.optimizer.load({k: _unarray(v) for k, v in record["optimizer"].items()})
    tr = record["trainer"]
    t.restore_position(int(tr["step"]), int(tr["epoch"]), int(tr["cursor"]),
                       _unarray(tr["order"]))
    t.diverged, t.divergence_reason = bool(tr["diverged"]), tr["divergence_reason"]
    t.divergence = tr["divergence"]
    session.train_rng.bit_generator.state = record["rngs"]["train"]
    session.edit_rng.bit_generator.state = record["rngs"]["edit"]
    session.history.points = _unhistory(record["history"])
    m = record["monitor"]
    session.monitor.baseline = m["baseline"]
    session.monitor.lowest_test_loss = m["lowest_test_loss"]
    session.monitor.vanishing = bool(m["vanishing"])
    session.monitor._key = session.monitor._measured = None    # measured afresh
    lesson = record.get("lesson")       # absent from records written before lessons
    session.lesson = Progress.from_dict(lesson) if lesson else None
    return session
