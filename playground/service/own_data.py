"""A learner's own data as stored datasets (API.md 6.4): an uploaded CSV or drawn points,
kept in the store under an id that a config names as ``custom:<id>``, so a link or an
exercise brings the same points.

An id is made from the points themselves: a tag saying the kind (``b`` binary, ``m3`` ..
``m6`` multi-class with that many classes, ``r`` regression), then 16 base-32 characters
of the SHA-256 of the kind and the points' bytes (``b-k2c5...``). So the same points
always get the same id (an upload twice is one dataset, a model file's data finds its
own again on any server), a stored document can be checked against its id, and a config
knows its data's kind, and so its default head, without a store at hand.

A dataset is kept `Limits.dataset_days` days after it was last looked up; a process keeps
the ones it used lately in memory (they never change: the id is the content).
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..engine import own_data
from ..engine.datasets import DATASETS, EXTENT, DataError, Kind
from .config import OWN_ID_PATTERN, OWN_PREFIX, ConfigPatch, Limits
from .errors import Refused

if TYPE_CHECKING:
    from .sessions import Session
    from .store import SessionStore

KIND = "dataset"
_ID = re.compile(rf"^{OWN_ID_PATTERN}$")
CACHED = 64           # datasets a process keeps at hand
CACHE_SECONDS = 3600  # then looked up (and kept longer) again


@dataclass(frozen=True, eq=False)
class OwnDataset:
    id: str
    kind: Kind
    classes: int | None
    x: np.ndarray  # (n, 2) float64
    y: np.ndarray  # (n,) float64

    @property
    def dataset(self) -> str:
        """What a config names it by."""
        return OWN_PREFIX + self.id

    def points(self) -> list[list[float]]:
        return np.column_stack([self.x, self.y]).tolist()

    def body(self) -> dict:
        return {"kind": self.kind, "classes": self.classes, "points": self.points()}

    def listing(self) -> dict:
        return {"id": self.id, "dataset": self.dataset, "kind": self.kind,
                "classes": self.classes, "count": len(self.x)}

    def csv(self) -> str:
        return own_data.to_csv(self.x, self.y, self.kind)


# ------------------------------------------------------------------ ids
def _tag(kind: Kind, classes: int | None) -> str:
    return {"binary": "b", "regression": "r"}.get(kind) or f"m{classes}"


def make(x: np.ndarray, y: np.ndarray, kind: Kind, classes: int | None) -> OwnDataset:
    """The dataset of these (already checked) points, named by its content."""
    x, y = np.ascontiguousarray(x, dtype="<f8") + 0.0, np.ascontiguousarray(y, dtype="<f8") + 0.0
    tag = _tag(kind, classes)
    digest = hashlib.sha256(tag.encode() + x.tobytes() + y.tobytes()).digest()
    name = base64.b32encode(digest).decode().lower()[:16]
    return OwnDataset(f"{tag}-{name}", kind, classes, x, y)


# ------------------------------------------------------------------ reading what is sent
def refused(exc: DataError) -> Refused:
    return Refused(str(exc), exc.code, dict(exc.params))


def from_csv(text: str) -> OwnDataset:
    """An uploaded CSV (422 with the row and the rule when it breaks one)."""
    try:
        x, y, kind, classes = own_data.parse_csv(text)
    except DataError as exc:
        raise refused(exc) from None
    return make(x, y, kind, classes)


def from_points(points: list[list[float]], kind: Kind | None = None,
                classes: int | None = None) -> OwnDataset:
    """Points [[x1, x2, label], ...] (each of 3 numbers); their kind given, or read from
    the labels as a CSV's is (points[i] named in a refusal)."""
    values = np.array(points, dtype=np.float64).reshape(-1, 3)
    try:
        own_data.check_values(values, lambda row: row)
        y = values[:, 2] + 0.0
        if kind is None:
            kind, classes = own_data.label_kind(y)
        else:
            kind, classes = own_data.kind_of(kind, classes)
            own_data.check_labels(y, kind, classes, lambda row: row)
    except DataError as exc:
        raise refused(exc) from None
    return make(values[:, :2], y, kind, classes)


# ------------------------------------------------------------------ the store
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def save(store: SessionStore, dataset: OwnDataset, days: float = Limits.dataset_days,
         kept_until: float = 0.0) -> OwnDataset:
    """Keep the dataset `days` from now, or until `kept_until` (wall-clock seconds) if that
    is later: a lookup never shortens what an exercise made with it asked for."""
    until = max(time.time() + days * 86400, kept_until)
    # a full store forgets the data nearest its expiry: drawing makes a dataset a stroke,
    # and a class's worth of old drawings must not stop anyone uploading
    store.put_document(KIND, dataset.id, dataset.body() | {"until": until},
                       ttl=until - time.time(), evict=True)
    _remember(store, dataset)
    return dataset


def keep(store: SessionStore, dataset: str, days: float) -> None:
    """Keep a config's own data (if it names any) at least `days` from now (an exercise
    on it lives that long)."""
    if dataset.startswith(OWN_PREFIX):
        found = find(store, dataset.removeprefix(OWN_PREFIX))
        save(store, found, days)


def find(store: SessionStore, dataset_id: str) -> OwnDataset:
    """The stored dataset (404 unknown_dataset), kept `dataset_days` longer."""
    with _cache_lock:
        held = _cache.get(store, {}).get(dataset_id)
    if held is not None and time.monotonic() - held[1] < CACHE_SECONDS:
        return held[0]
    body = store.get_document(KIND, dataset_id) if _ID.match(dataset_id) else None
    dataset = _rebuilt(dataset_id, body) if body is not None else None
    if dataset is None:
        raise Refused(f"no dataset {dataset_id[:40]!r}: it was never uploaded here, or it "
                      f"expired (own data is kept {Limits.dataset_days} days after it was "
                      "last used); upload it again with POST /api/datasets", "unknown_dataset",
                      {"dataset_id": dataset_id[:40]}, status=404)
    until = body.get("until")
    return save(store, dataset, kept_until=until if isinstance(until, (int, float)) else 0.0)


def find_for_config(store: SessionStore, dataset: str) -> OwnDataset:
    return find(store, dataset.removeprefix(OWN_PREFIX))


def _rebuilt(dataset_id: str, body: dict) -> OwnDataset | None:
    """The dataset a document holds, None when it is not the one its id names."""
    try:
        values = np.array(body["points"], dtype=np.float64).reshape(-1, 3)
        dataset = make(values[:, :2], values[:, 2], body["kind"], body["classes"])
    except (KeyError, TypeError, ValueError):
        return None
    return dataset if dataset.id == dataset_id else None


def _remember(store: SessionStore, dataset: OwnDataset) -> None:
    with _cache_lock:
        held = _cache.setdefault(store, {})
        held.pop(dataset.id, None)
        held[dataset.id] = (dataset, time.monotonic())
        while len(held) > CACHED:
            del held[next(iter(held))]     # the one remembered longest ago


# ------------------------------------------------------------------ a session's data
def given_points(session: Session) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points the session's data was made from (own data: as given, before noise;
    a built-in set: as generated), and for each row the session shows (train rows, then
    test rows, as GET /sessions/{id}/data lists them) which of them it is."""
    d = session.data
    if d.source is not None:
        own = session.own_data(session.config.dataset)
        return own.x, own.y, d.source
    # the Gaussian sets at high noise put a few points just outside the square, where own
    # data may not be: those are ours, not the learner's, so they are moved to its edge
    x = np.clip(np.concatenate([d.x_train, d.x_test]), -EXTENT, EXTENT)
    return x, np.concatenate([d.y_train, d.y_test]), np.arange(len(x))


def edit_points(store: SessionStore, session: Session, add: list[list[float]],
                remove: list[int]) -> None:
    """Add points and remove shown ones (indexes into the rows the session shows): the
    session's data becomes own data of the same kind, stored under its new id, and the
    network keeps its weights. A built-in set becomes the points as generated, its noise
    in them (so the config's noise goes to 0)."""
    x, y, source = given_points(session)
    shown = len(source)
    wrong = [i for i in remove if not 0 <= i < shown]
    if wrong:
        raise Refused(f"remove: there is no point {wrong[0]}; the session shows {shown} "
                      f"points, 0..{shown - 1} (train first, then test, as "
                      "GET /sessions/{id}/data lists them)", "no_such_point",
                      {"index": wrong[0], "last": shown - 1})
    keep = np.ones(len(x), dtype=bool)
    keep[source[remove]] = False
    values = np.column_stack([x[keep], y[keep]]).tolist() + [list(p) for p in add]
    d = session.data
    edited = save(store, from_points(values, d.kind, d.classes))
    changes: dict = {"dataset": edited.dataset}
    if session.config.dataset in DATASETS:
        changes["noise"] = 0.0
    session.patch_config(ConfigPatch(**changes))


def session_csv(session: Session) -> str:
    """The session's data as a CSV to download: own data as given, a built-in set's points
    as generated (train rows, then test rows)."""
    x, y, _ = given_points(session)
    return own_data.to_csv(x, y, session.data.kind)
