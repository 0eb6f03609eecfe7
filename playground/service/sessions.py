"""A session: one learner's playground (config, data, network, optimizer, RNGs, counters,
history) behind one lock. The store that holds sessions is in store.py.

A session turns requests into engine calls and engine arrays into plain JSON-ready
values; the math lives in the engine. Every change is checked before anything is
touched, and complex ones run in a transaction that restores the whole state if anything
fails, so a refused request never leaves a session half-changed.
"""

from __future__ import annotations

import dataclasses

import pickle
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from pydantic import ValidationError

from ..engine.datasets import DATASETS, Data, make_data
from ..engine.features import feature_matrix
from ..engine.heads import HEADS
from ..engine.heatmaps import heatmaps
from ..engine.nn import HiddenLayer, Network
from ..engine.own_data import split_own
from ..engine.optimizers import make_optimizer
from ..engine.trace import trace
from ..engine.training import Trainer, example_step
from . import checks
from .config import Config, ConfigPatch, apply_patch
from .errors import Refused, validation_refused
from .history import History
from .lessons.progress import Progress
from .lessons.progress import state as lesson_state
from .monitor import Monitor

DATA_FIELDS = {"dataset", "classes", "num_samples", "noise", "train_ratio", "data_seed"}
# where a session finds own data ("custom:<id>" -> its points; own_data.OwnDataset)
OwnData = Callable[[str], Any]


def no_own_data(dataset: str) -> Any:
    raise Refused(f"own data ({dataset!r}) cannot be opened here", "unknown_dataset",
                  {"dataset_id": dataset[:40]}, status=404)


class Session:
    """One playground. Call its methods with `lock` held (the store's `use` does)."""

    def __init__(self, session_id: str, config: Config, own_data: OwnData = no_own_data) -> None:
        self.id = session_id
        self.lock = threading.Lock()
        self.own_data = own_data  # the store's; not part of the state
        self.config = config
        self.history = History()
        self.monitor = Monitor()
        self.lesson: Progress | None = None   # the lesson under way (lessons/progress.py)
        self._build_data()
        self._build_network()

    # ------------------------------------------------------------------ building
    def _build_data(self) -> None:
        self.data: Data = self._make_data(self.config)
        self._featurize()

    def _make_data(self, c: Config) -> Data:
        if c.dataset in DATASETS:
            return make_data(c.dataset, c.num_samples, c.noise, c.train_ratio, c.data_seed,
                             c.classes)
        own = self.own_data(c.dataset)   # num_samples does not apply: own data is as given
        return split_own(own.x, own.y, own.kind, own.classes, c.noise, c.train_ratio,
                         c.data_seed)

    def _featurize(self) -> None:
        c, d = self.config, self.data
        head = HEADS[c.head]
        units = head.units(d.classes)
        self.x_train = feature_matrix(d.x_train, c.features)
        self.x_test = feature_matrix(d.x_test, c.features)
        self.t_train = head.targets(d.y_train, units)
        self.t_test = head.targets(d.y_test, units)

    def _build_network(self) -> None:
        """Fresh weights from `seed`; step 0; empty history."""
        c = self.config
        head = HEADS[c.head]
        # separate streams: editing the network never changes the batch order
        init_rng = np.random.default_rng([c.seed, 0])
        self.train_rng = np.random.default_rng([c.seed, 1])
        self.edit_rng = np.random.default_rng([c.seed, 2])
        hidden = [h.layer() for h in c.hidden]
        net = Network.build(len(c.features), hidden, head, head.units(self.data.classes),
                            c.init, init_rng)
        self.trainer = Trainer(
            net, make_optimizer(c.optimizer, c.momentum, c.adam_beta1, c.adam_beta2), self.x_train, self.t_train,
            learning_rate=c.learning_rate, batch_size=c.batch_size,
            regularization=c.regularization, reg_rate=c.reg_rate, rng=self.train_rng,
        )
        self.history.clear()
        self.monitor.changed()
        self._record()

    @property
    def net(self) -> Network:
        return self.trainer.net

    # ------------------------------------------------------------------ metrics
    def metrics(self) -> dict:
        """Data losses (and accuracies) on both sets, cached until the state they read changes."""
        return self.monitor.evaluate(self)[0]

    def _record(self) -> dict:
        m, diagnostics = self.monitor.evaluate(self)
        self.history.add({"step": self.trainer.step, "epoch": self.trainer.epoch, **m,
                          "gradient_sizes": diagnostics["gradient_sizes"]})
        self.monitor.recorded(m, diagnostics["gradient_sizes"])
        return m

    def _changed(self) -> None:
        """The network or its training changed by hand: training may go on, and the
        diagnostics compare with nothing from before."""
        self.trainer.clear_divergence()
        self.monitor.changed()

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Restore the whole state if the block raises: a refusal changes nothing."""
        saved = self.__getstate__()
        try:
            yield
        except BaseException:
            self.__setstate__(saved)
            raise

    def _edit(self, edit: Callable[[], dict]) -> None:
        """A structural edit; the optimizer keeps the state of the parameters it kept."""
        with self._transaction():
            self.trainer.apply_edit(edit)
            self._changed()
            self._sync_hidden_config()

    def _sync_hidden_config(self) -> None:
        hidden = [dataclasses.asdict(h) for h in self.net.hidden]
        self.config = Config.model_validate(self.config.model_dump() | {"hidden": hidden})

    # ------------------------------------------------------------------ requests
    def step(self, steps: int | None = None, epochs: int | None = None) -> None:
        """Train; refused when it would run more steps than one call may."""
        checks.check_trainable(self.trainer)
        checks.check_batches(self.trainer)
        self.trainer.run_steps(checks.steps_of(self.trainer, steps, epochs))
        self._record()

    def start_over(self, config: Config) -> None:
        """A new playground from `config` in this session: data, weights, step 0."""
        with self._transaction():
            self.config = config
            self._build_data()
            self._build_network()

    def reset(self, seed: int | None = None) -> None:
        if seed is not None:
            self.config = self.config.model_copy(update={"seed": seed})
        self._build_network()

    def patch_config(self, patch: ConfigPatch) -> dict:
        """Apply the patch; answers what it rebuilt: {"data", "input_weights",
        "output_weights", "all_weights": bool, "head": {"from", "to"} | None}."""
        try:
            new = apply_patch(self.config, patch)
        except ValidationError as exc:  # a whole-config rule, e.g. a head that cannot learn the data
            raise validation_refused(exc.errors(include_url=False), Config) from None
        with self._transaction():
            return self._apply_config(new)

    def _apply_config(self, new: Config) -> dict:
        old = self.config
        changed = {k for k in Config.model_fields if getattr(new, k) != getattr(old, k)}
        rebuilt = {"data": False, "input_weights": False, "output_weights": False,
                   "all_weights": False,
                   "head": {"from": old.head, "to": new.head} if old.head != new.head else None}
        if not changed:
            return rebuilt
        t = self.trainer
        self.config = new
        if changed & DATA_FIELDS:
            before = self.data
            self.data = self._make_data(new)
            rebuilt["data"] = not same_points(before, self.data)
        if changed & (DATA_FIELDS | {"features", "head"}):
            self._featurize()
        if "features" in changed:
            rows = [old.features.index(f) if f in old.features else None for f in new.features]
            rebuilt["input_weights"] = None in rows
            t.apply_edit(lambda: self.net.set_inputs(rows, self.edit_rng))
        if changed & (DATA_FIELDS | {"head"}):
            head = HEADS[new.head]
            units = head.units(self.data.classes)
            rebuilt["output_weights"] = units != self.net.sizes[-1]  # else the weights stay
            t.apply_edit(lambda: self.net.set_outputs(head, units, self.edit_rng))
        if "hidden" in changed and self._apply_hidden(old, new):
            rebuilt.update(input_weights=True, output_weights=True, all_weights=True)
        if changed & (DATA_FIELDS | {"features", "head"}):
            t.set_data(self.x_train, self.t_train)
        if "batch_size" in changed:
            t.set_batch_size(new.batch_size)
        if "optimizer" in changed:
            t.optimizer = make_optimizer(new.optimizer, new.momentum, new.adam_beta1, new.adam_beta2)
        t.optimizer.momentum = new.momentum
        t.optimizer.beta1, t.optimizer.beta2 = new.adam_beta1, new.adam_beta2
        t.learning_rate = new.learning_rate
        t.regularization, t.reg_rate = new.regularization, new.reg_rate
        # "init" and "seed" shape the next reset, never the current weights
        self._changed()
        return rebuilt

    def _apply_hidden(self, old: Config, new: Config) -> bool:
        """Make the hidden layers those of `new`; True when the whole network was rebuilt."""
        t, net, rng = self.trainer, self.net, self.edit_rng
        if len(old.hidden) != len(new.hidden):  # a different depth: start afresh
            head = HEADS[new.head]
            hidden = [h.layer() for h in new.hidden]
            t.net = Network.build(len(new.features), hidden, head,
                                  head.units(self.data.classes), new.init, rng)
            t.optimizer = make_optimizer(new.optimizer, new.momentum, new.adam_beta1, new.adam_beta2)
            return True
        for k, (a, b) in enumerate(zip(old.hidden, new.hidden)):
            if b.units > a.units:
                t.apply_edit(lambda k=k, n=b.units - a.units: net.add_neurons(k, n, rng))
            for _ in range(a.units - b.units):
                t.apply_edit(lambda k=k: net.remove_neuron(k, net.sizes[k + 1] - 1))
            if b.activation != a.activation:
                t.apply_edit(lambda k=k, act=b.activation: net.set_activation(k, act))
            if b.batch_norm != a.batch_norm:
                t.apply_edit(lambda k=k, on=b.batch_norm: net.set_batch_norm(k, on))
            net.hidden[k].dropout, net.hidden[k].noise_sigma = b.dropout, b.noise_sigma
        return False

    def loaded(self) -> None:
        """The network and its training were replaced whole (a model file): the history
        and the diagnostics start again from here."""
        self.history.clear()
        self._changed()
        self._record()

    # structural edits (index counts hidden layers only)
    def insert_layer(self, index: int, units: int, activation: str) -> None:
        checks.check_insert(len(self.net.hidden), index)
        self._edit(lambda: self.net.insert_layer(index, HiddenLayer(units, activation),
                                                 self.edit_rng))

    def remove_layer(self, index: int) -> None:
        checks.check_layer(len(self.net.hidden), index)
        self._edit(lambda: self.net.remove_layer(index, self.edit_rng))

    def add_neurons(self, index: int, count: int) -> None:
        checks.check_layer(len(self.net.hidden), index)
        checks.check_room(self.net.sizes[index + 1], count, index)
        self._edit(lambda: self.net.add_neurons(index, count, self.edit_rng))

    def remove_neuron(self, index: int, node: int) -> None:
        checks.check_layer(len(self.net.hidden), index)
        checks.check_neuron(self.net.sizes[index + 1], index, node)
        self._edit(lambda: self.net.remove_neuron(index, node))

    def set_weight(self, layer: int, src: int, dst: int, value: float) -> None:
        checks.check_weight(self.net.sizes, layer, src, dst)
        self.net.set_weight(layer, src, dst, value)
        self._changed()

    def set_bias(self, layer: int, node: int, value: float) -> None:
        checks.check_bias(self.net.sizes, layer, node)
        self.net.set_bias(layer, node, value)
        self._changed()

    def set_slope(self, layer: int, node: int, value: float) -> None:
        """PReLU's learned negative slope of node `node` of hidden layer `layer`."""
        checks.check_slope([h.activation for h in self.net.hidden], self.net.sizes, layer, node)
        self.net.set_slope(layer, node, value)
        self._changed()

    def set_norm_value(self, layer: int, node: int, field: str, value: float) -> None:
        """Batch norm's gamma, beta, running mean or variance of node `node` of hidden
        layer `layer`."""
        checks.check_norm([h.batch_norm for h in self.net.hidden], self.net.sizes, layer, node,
                          field, value)
        self.net.set_norm_value(layer, node, field, value)
        self._changed()

    def set_params(self, weights: list, biases: list, slopes: list | None,
                   batch_norm: dict | None = None) -> None:
        try:
            self.net.set_params(weights, biases, slopes, batch_norm)
        except ValueError as exc:  # the engine names what does not fit
            raise Refused(str(exc), "params_shape", {"what": str(exc)}) from None
        self._changed()

    def example_step(self, point: list[float], label: float) -> None:
        """One plain SGD update on one example's data loss, at the session's learning rate
        (what the backward step-through shows); the step counter does not move."""
        checks.check_label(self.data, label)
        checks.check_trainable(self.trainer)
        x = feature_matrix(np.asarray([point], dtype=np.float64), self.config.features)
        targets = self.net.head.targets(np.array([label]), self.net.sizes[-1])
        saved = self.net.theta.copy()
        example_step(self.net, x, targets, self.config.learning_rate)
        if not self.net.all_finite():
            self.net.theta[...] = saved
            raise Refused("that update would make a parameter infinite; lower the learning rate",
                          "update_overflows", status=409)
        self.monitor.changed()

    def params(self) -> dict:
        """Every parameter (GET /params, and the snapshot's): weights, biases, PReLU slopes,
        batch norm's gamma, beta and running statistics."""
        net = self.net
        return {"weights": [w.tolist() for w in net.weights],
                "biases": [b.tolist() for b in net.biases],
                "prelu_slopes": per_layer_lists(net.slopes),
                "bn_gamma": per_layer_lists(net.gammas), "bn_beta": per_layer_lists(net.betas),
                "bn_mean": per_layer_lists(net.bn_mean), "bn_var": per_layer_lists(net.bn_var)}

    def data_points(self) -> dict:
        d = self.data
        return {"train": {"x": d.x_train.tolist(), "y": d.y_train.tolist()},
                "test": {"x": d.x_test.tolist(), "y": d.y_test.tolist()},
                "classes": None if d.kind == "regression" else d.classes, "kind": d.kind}

    def heatmaps(self, resolution: int, encoding: str, node_resolution: int | None = None,
                 nodes: bool = True, node_ids: list[str] | None = None) -> dict:
        finest = max(resolution, node_resolution or 0)
        grids = (0 if not nodes else sum(self.net.sizes) if node_ids is None
                 else min(len(set(node_ids)), sum(self.net.sizes)))
        checks.check_grid(grids, finest, encoding)
        return heatmaps(self.net, self.config.features, resolution, encoding, node_resolution,
                        nodes=nodes, node_ids=node_ids)

    def trace(self, point: list[float], label: float | None) -> dict:
        if label is not None:
            checks.check_label(self.data, label)
        return trace(self.net, self.config.features, point, label, self.config.threshold,
                     self.config.learning_rate)

    # ------------------------------------------------------------------ snapshot
    def snapshot(self, history_since: int | None = None, params: bool = True) -> dict:
        """The whole state; with `history_since`, only the history points after that step;
        without `params`, no weights, biases, slopes and batch norm values (a binary frame
        sends them as bytes)."""
        net, t, c = self.net, self.trainer, self.config
        # one evaluation for both (it may mark an overflowing loss as divergence, read below)
        metrics, diagnostics = self.monitor.evaluate(self)
        most_steps, most_epochs = checks.call_allowance(t)
        layers = [{"units": net.sizes[0], "activation": None, "kind": "input"}]
        layers += [{**dataclasses.asdict(h), "kind": "hidden"} for h in net.hidden]
        layers.append({"units": net.sizes[-1], "activation": net.head.id, "kind": "output"})
        return {
            "id": self.id, "config": c.model_dump(), "step": t.step, "epoch": t.epoch,
            "steps_per_epoch": t.steps_per_epoch, "max_steps_per_call": most_steps,
            "max_epochs_per_call": most_epochs, "layers": layers,
            **(self.params() if params else {}), "metrics": metrics,
            "history": self.history.points if history_since is None
            else self.history.since(history_since),
            "diverged": t.diverged,
            "divergence_reason": t.divergence_reason,
            "divergence": t.divergence,
            "diagnostics": diagnostics,
            "kind": self.data.kind,
            "classes": None if self.data.kind == "regression" else self.data.classes,
            "lesson": lesson_state(self),
        }

    # ------------------------------------------------------------------ bytes
    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("lock", "own_data")}
        return pickle.loads(pickle.dumps(state))  # a deep copy, views re-made by Network

    def __setstate__(self, state: dict) -> None:
        lock = self.__dict__.get("lock") or threading.Lock()
        own_data = self.__dict__.get("own_data", no_own_data)
        self.__dict__.clear()
        self.__dict__.update(state)
        self.lock, self.own_data = lock, own_data

    def to_bytes(self) -> bytes:
        """The whole state, exactly (for a store shared between worker processes)."""
        return pickle.dumps(self.__getstate__(), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, blob: bytes) -> Session:
        session = cls.__new__(cls)
        session.__setstate__(pickle.loads(blob))
        return session


def same_points(a: Data, b: Data) -> bool:
    """The same points and labels in both sets (a setting that does not touch a dataset,
    e.g. `classes` of a binary one, regenerates the same data)."""
    return all(np.array_equal(getattr(a, k), getattr(b, k))
               for k in ("x_train", "y_train", "x_test", "y_test"))


def per_layer_lists(arrays: list) -> list:
    """Per hidden layer: its array as a list, or None."""
    return [None if a is None else a.tolist() for a in arrays]
