"""A playground as a file a learner keeps (API.md 6.4): readable JSON with every number
exact (Python writes a float64 so that it reads back bit for bit), holding all that makes
a loaded playground train on identically:

    {"format": "neural-playground-model", "version": 1, "config",
     "params": {"weights", "biases", "prelu_slopes", "bn_gamma"?, "bn_beta"?, "bn_mean"?,
                "bn_var"?},
     "optimizer_state": {"v"?, "m"?, "t"?}, "step",
     "training": {"epoch", "batches_done", "batch_order", "rngs": {"train", "edit"}},
     "data"?}

The optimizer's vectors are shaped like the parameters; Adam's step count `t` is one
integer while every parameter has taken the same steps. A random generator's 128-bit
state is written as hex text: a browser's JSON would round it to a double. `data` is
own data (a `custom:` dataset: its kind, classes and points as given), so the file
opens on any server; a built-in dataset's points the config makes again.

Not kept: the loss history (a loaded playground's starts at its step), a lesson under way,
and whether training had diverged: the parameters kept are the last finite ones, and the
loaded playground finds the divergence again (a loss that overflows at once, an update
that overflows on the same step as the original).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..engine.datasets import DATASETS
from ..engine.own_data import MAX_ROWS
from . import own_data
from .config import Config
from .errors import Refused
from .sessions import Session, per_layer_lists
from .store import SessionStore

FORMAT = "neural-playground-model"
VERSION = 1
MAX_COUNTER = 2**53  # a step or epoch count a browser reads exactly

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
Counter = Annotated[int, Field(ge=0, le=MAX_COUNTER)]
Hex128 = Annotated[str, Field(pattern=r"^0x[0-9a-f]{1,32}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParamArrays(Strict):
    """Arrays shaped like the network's parameters: weights[l] is (inputs, outputs)."""

    weights: list[list[list[FiniteFloat]]]
    biases: list[list[FiniteFloat]]
    prelu_slopes: list[list[FiniteFloat] | None] = Field(
        description="per hidden layer: its PReLU slopes, or null when it is not PReLU")
    bn_gamma: list[list[FiniteFloat] | None] | None = Field(
        None, description="per hidden layer: batch norm's gamma, or null without batch norm")
    bn_beta: list[list[FiniteFloat] | None] | None = None
    bn_mean: list[list[FiniteFloat] | None] | None = Field(
        None, description="batch norm's running statistics (params only)")
    bn_var: list[list[FiniteFloat] | None] | None = None

    def batch_norm(self) -> dict | None:
        return batch_norm_given(self)


def batch_norm_given(params: BaseModel) -> dict | None:
    """The batch norm fields a parameter body gives, or None when it gives none."""
    given = {name: getattr(params, name) for name in BN_FIELDS}
    return given if any(v is not None for v in given.values()) else None


BN_FIELDS = ("bn_gamma", "bn_beta", "bn_mean", "bn_var")


class StepCounts(Strict):
    """Adam's step count per parameter, shaped like the parameters."""

    weights: list[list[list[Counter]]]
    biases: list[list[Counter]]
    prelu_slopes: list[list[Counter] | None]
    bn_gamma: list[list[Counter] | None] | None = None
    bn_beta: list[list[Counter] | None] | None = None


class OptimizerState(Strict):
    """The optimizer's memory (all absent before its first step)."""

    v: ParamArrays | None = Field(None, description="momentum: the velocity; adam: the "
                                                    "running mean of squared gradients")
    m: ParamArrays | None = Field(None, description="adam: the running mean of gradients")
    t: Counter | StepCounts | None = Field(
        None, description="adam: the steps taken (per parameter once an edit added some)")


class RngState(Strict):
    """NumPy's PCG64 generator state, its 128-bit numbers as hex text."""

    bit_generator: Literal["PCG64"]
    state: Hex128
    inc: Hex128
    has_uint32: int = Field(ge=0, le=1)
    uinteger: int = Field(ge=0, le=2**32 - 1)


class Rngs(Strict):
    train: RngState = Field(description="batch order and dropout")
    edit: RngState = Field(description="weights of neurons and layers added by hand")


class Training(Strict):
    epoch: Counter
    batches_done: Counter = Field(description="batches of the current epoch already used")
    batch_order: list[Annotated[int, Field(ge=0)]] | None = Field(
        None, description="the current epoch's shuffled order of the training points (null "
                    "before it is drawn)")
    rngs: Rngs


class OwnPoints(Strict):
    """Own data, as POST /api/datasets takes it (its id is made from it again)."""

    kind: Literal["binary", "multiclass", "regression"]
    classes: int | None = Field(None, ge=2, le=6)
    points: list[Annotated[list[FiniteFloat], Field(min_length=3, max_length=3)]] = Field(
        max_length=MAX_ROWS, description="[[x1, x2, label], ...] as given (before noise)")


class ModelFile(Strict):
    """A playground kept as a file (GET /sessions/{id}/model, POST /sessions/model)."""

    format: Literal["neural-playground-model"]
    version: Literal[1]
    config: Config
    params: ParamArrays
    optimizer_state: OptimizerState
    step: Counter
    training: Training
    data: OwnPoints | None = Field(None, description="own data (a custom: dataset) only")


# ------------------------------------------------------------------ writing
def model_file(session: Session) -> dict:
    """The session as a model file (call with its lock held); 409 model_not_finite when a
    number in it is not finite (JSON has no NaN or infinity)."""
    net, t = session.net, session.trainer
    position = t.position()
    optimizer = _optimizer_state(session)
    for name, vector in [("params", net.theta)] + list(t.optimizer.state.items()):
        if not np.isfinite(vector).all():
            raise Refused(f"{name if name == 'params' else 'optimizer state ' + name} holds "
                          "a number that is not finite, which a model file cannot hold; "
                          "reset the network or lower the learning rate",
                          "model_not_finite", {"what": name}, status=409)
    order = position["order"]
    own = None if session.config.dataset in DATASETS else session.own_data(session.config.dataset)
    return {
        "format": FORMAT, "version": VERSION,
        "config": session.config.model_dump(mode="json"),
        "params": session.params(), "optimizer_state": optimizer, "step": position["step"],
        "training": {"epoch": position["epoch"], "batches_done": position["cursor"],
                     "batch_order": None if order is None else order.tolist(),
                     "rngs": {"train": _rng_state(session.train_rng),
                              "edit": _rng_state(session.edit_rng)}},
        **({"data": own.body()} if own is not None else {}),
    }


def _optimizer_state(session: Session) -> dict:
    net, optimizer = session.net, session.trainer.optimizer
    state = {}
    for name in optimizer.state_vectors:
        vector = optimizer.state.get(name)
        if vector is None or vector.shape != net.theta.shape:
            return {}     # none yet (or of another layout): the next step starts it afresh
        if name == "t" and vector.size and (vector == vector[0]).all():
            state[name] = int(vector[0])
            continue
        if name == "t":
            vector = vector.astype(np.int64)   # counts: written as whole numbers
        shaped = net.gradients_into(vector)
        state[name] = {"weights": [w.tolist() for w in shaped.weights],
                       "biases": [b.tolist() for b in shaped.biases],
                       "prelu_slopes": per_layer_lists(shaped.slopes)}
        if any(g is not None for g in shaped.gammas):
            state[name].update(bn_gamma=per_layer_lists(shaped.gammas),
                               bn_beta=per_layer_lists(shaped.betas))
    return state


def _rng_state(rng: np.random.Generator) -> dict:
    s = rng.bit_generator.state
    return {"bit_generator": s["bit_generator"], "state": hex(s["state"]["state"]),
            "inc": hex(s["state"]["inc"]), "has_uint32": s["has_uint32"],
            "uinteger": s["uinteger"]}


def own_data_of(store: SessionStore, file: ModelFile) -> None:
    """Keep the file's own data in the store, where its config finds it; refused
    (model_data_differs) when the data is not the dataset the config names, or a built-in
    dataset's file carries data."""
    dataset = file.config.dataset
    if file.data is None:
        return    # a built-in dataset, or own data this store keeps (404 if it does not)
    kept = own_data.from_points(file.data.points, file.data.kind, file.data.classes)
    if kept.dataset != dataset:
        raise Refused(f"the file's data is {kept.dataset!r}, but its config trains on "
                      f"{dataset!r}; data travels in a model file only for own data, and "
                      "must be the points the config names", "model_data_differs",
                      {"dataset": dataset})
    own_data.save(store, kept)


def filename(session: Session) -> str:
    dataset = session.config.dataset.replace(":", "-")
    return f"playground-{dataset}-step{session.trainer.step}.json"


# ------------------------------------------------------------------ reading
def load(session: Session, file: ModelFile) -> None:
    """Make a session just built from `file.config` the playground the file holds; a part
    that does not fit the config is refused (params_shape, model_state,
    model_data_differs) and the session is then to be thrown away."""
    net, t = session.net, session.trainer
    p = file.params
    try:
        net.set_params(p.weights, p.biases, p.prelu_slopes, p.batch_norm())
    except ValueError as exc:
        raise Refused(f"params: {exc}", "params_shape", {"what": str(exc)}) from None
    t.optimizer.load(_optimizer_vectors(session, file.optimizer_state))
    tr = file.training
    _state_fits("training", lambda: t.restore_position(file.step, tr.epoch, tr.batches_done,
                                                       tr.batch_order))
    for rng, state in ((session.train_rng, tr.rngs.train), (session.edit_rng, tr.rngs.edit)):
        _state_fits("training.rngs", lambda rng=rng, state=state: _set_rng(rng, state))
    session.loaded()


def _optimizer_vectors(session: Session, given: OptimizerState) -> dict:
    names = session.trainer.optimizer.state_vectors
    present = {name for name in ("v", "m", "t") if getattr(given, name) is not None}
    if not present:
        return {}
    if present != set(names):
        optimizer = session.config.optimizer
        raise _misfit("optimizer_state", f"{optimizer} keeps "
                      f"{', '.join(names) or 'no state'}; the file gives {', '.join(sorted(present))}")
    net, state = session.net, {}
    for name in names:
        value = getattr(given, name)
        if isinstance(value, int):
            state[name] = np.full(net.theta.shape, float(value))
            continue
        vector = _state_fits(f"optimizer_state.{name}", lambda value=value: net.flat_like(
            value.weights, value.biases, value.prelu_slopes, value.bn_gamma, value.bn_beta))
        state[name] = vector
    return state


def _set_rng(rng: np.random.Generator, state: RngState) -> None:
    rng.bit_generator.state = {
        "bit_generator": state.bit_generator,
        "state": {"state": int(state.state, 16), "inc": int(state.inc, 16)},
        "has_uint32": state.has_uint32, "uinteger": state.uinteger}


def _state_fits(where: str, apply):
    try:
        return apply()
    except (ValueError, TypeError, OverflowError) as exc:
        raise _misfit(where, str(exc)) from None


def _misfit(where: str, what: str) -> Refused:
    return Refused(f"{where}: {what}", "model_state", {"what": f"{where}: {what}"[:200]})
