"""Sessions: one learner's playground (config, data, network, optimizer, RNGs, counters,
history) behind one lock, and the store that holds them with an idle timeout and a cap.

A session turns requests into engine calls and engine arrays into plain JSON-ready
values; the math lives in the engine. Every change is checked before anything is
touched, and complex ones run in a transaction that restores the whole state if anything
fails, so a refused request never leaves a session half-changed.
"""

from __future__ import annotations

import math
import pickle
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from pydantic import ValidationError

from .config import Config, ConfigPatch, Limits, apply_patch
from .datasets import Data, make_data
from .diagnostics import confusion_matrix, dead_units, gradient_flag, gradient_sizes
from .features import feature_matrix
from .heads import HEADS
from .heatmaps import heatmaps
from .history import History
from .nn import HiddenLayer, Network
from .optimizers import make_optimizer
from .schemas import validation_summary
from .trace import trace
from .training import Trainer, evaluate, example_step

DATA_FIELDS = {"dataset", "classes", "num_samples", "noise", "train_ratio", "data_seed"}


class Refused(Exception):
    """A request the session will not carry out; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422, allowed: object = None) -> None:
        super().__init__(message)
        self.message, self.status, self.allowed = message, status, allowed


class UnknownSession(KeyError):
    """No session by that id: never created, deleted, or expired."""


def finite_or_none(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


class Session:
    """One playground. Call its methods with `lock` held (the store's `use` does)."""

    def __init__(self, session_id: str, config: Config) -> None:
        self.id = session_id
        self.lock = threading.Lock()
        self.config = config
        self.history = History()
        self._build_data()
        self._build_network()

    # ------------------------------------------------------------------ building
    def _build_data(self) -> None:
        c = self.config
        self.data: Data = make_data(c.dataset, c.num_samples, c.noise, c.train_ratio,
                                    c.data_seed, c.classes)
        self._featurize()

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
        hidden = [HiddenLayer(h.units, h.activation, h.dropout) for h in c.hidden]
        net = Network.build(len(c.features), hidden, head, head.units(self.data.classes),
                            c.init, init_rng)
        self.trainer = Trainer(
            net, make_optimizer(c.optimizer, c.momentum), self.x_train, self.t_train,
            learning_rate=c.learning_rate, batch_size=c.batch_size,
            regularization=c.regularization, reg_rate=c.reg_rate, rng=self.train_rng,
        )
        self.history.clear()
        self._record()

    @property
    def net(self) -> Network:
        return self.trainer.net

    # ------------------------------------------------------------------ metrics
    def metrics(self) -> dict:
        """Data losses (and accuracies) on both sets, cached until the state they read changes."""
        return dict(self._evaluate()[0])

    def diagnostics(self) -> dict:
        """Dead units and gradient sizes on the training set, the confusion matrix on the
        test set; cached with the metrics."""
        return self._evaluate()[1]

    def _evaluate(self) -> tuple[dict, dict]:
        """Metrics and diagnostics from one forward pass per set, once per state."""
        key = (hash(self.net.theta.tobytes()), id(self.x_train), self.config.threshold,
               self.net.head.id, self.net.sizes[-1])
        if getattr(self, "_evaluation_key", None) == key:
            return self._evaluation
        net, d, c = self.net, self.data, self.config
        with np.errstate(all="ignore"):
            fwd_train = net.forward(self.x_train)
            fwd_test = net.forward(self.x_test)
        train = evaluate(net, self.x_train, self.t_train, d.y_train, c.threshold, fwd_train)
        test = evaluate(net, self.x_test, self.t_test, d.y_test, c.threshold, fwd_test)
        metrics = {"train_loss": finite_or_none(train.loss), "test_loss": finite_or_none(test.loss)}
        if metrics["train_loss"] is None and not self.trainer.diverged:
            # e.g. weights typed in by hand that overflow: report it, as training would
            self.trainer.mark_diverged(
                f"the training loss is not finite at step {self.trainer.step} (the outputs "
                f"overflow): lower the learning rate (now {self.config.learning_rate:g}) or "
                f"the weights, then reset")
        if net.head.is_classifier:
            metrics["train_accuracy"] = train.accuracy
            metrics["test_accuracy"] = test.accuracy
        sizes = gradient_sizes(net, self.x_train, self.t_train, fwd_train)
        baseline = next((p["gradient_sizes"] for p in self.history.points
                         if len(p.get("gradient_sizes") or []) == len(sizes)), None)
        flag = gradient_flag(sizes, baseline)
        diagnostics = {"dead_units": dead_units(net, self.x_train, fwd_train),
                       "gradient_sizes": sizes, "gradient_flag": flag.kind,
                       "gradient_ratio": finite_or_none(flag.ratio), "confusion": None}
        if net.head.is_classifier and len(d.x_test):
            predicted = net.head.predict(fwd_test.output, c.threshold)
            diagnostics["confusion"] = confusion_matrix(predicted, d.y_test, d.classes)
        self._evaluation_key, self._evaluation = key, (metrics, diagnostics)
        return self._evaluation

    def _record(self) -> dict:
        m, diagnostics = self._evaluate()
        self.history.add({"step": self.trainer.step, "epoch": self.trainer.epoch, **m,
                          "gradient_sizes": diagnostics["gradient_sizes"]})
        return m

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
            self.trainer.clear_divergence()
            self._sync_hidden_config()

    def _sync_hidden_config(self) -> None:
        hidden = [{"units": h.units, "activation": h.activation, "dropout": h.dropout}
                  for h in self.net.hidden]
        self.config = Config.model_validate(self.config.model_dump() | {"hidden": hidden})

    # ------------------------------------------------------------------ requests
    def step(self, steps: int | None = None, epochs: int | None = None) -> None:
        """Train; refused when it would run more steps than one call may."""
        t = self.trainer
        if self.trainer.diverged:
            raise Refused(f"training stopped because the network diverged: "
                          f"{t.divergence_reason}. Lower the learning rate, then reset "
                          f"or change a parameter to go on.", status=409)
        if epochs is not None:
            steps = t.steps_for_epochs(epochs)
            if steps > Limits.max_steps_per_call:
                most = max(1, Limits.max_steps_per_call // t.steps_per_epoch)
                raise Refused(
                    f"{epochs} epochs are {steps} steps here ({t.steps_per_epoch} per epoch); "
                    f"one call runs at most {Limits.max_steps_per_call} steps, so at most "
                    f"{most} epochs", allowed={"epochs": [1, most]})
        t.run_steps(int(steps or 0))
        self._record()

    def reset(self, seed: int | None = None) -> None:
        if seed is not None:
            self.config = self.config.model_copy(update={"seed": seed})
        self._build_network()

    def patch_config(self, patch: ConfigPatch) -> None:
        try:
            new = apply_patch(self.config, patch)
        except ValidationError as exc:  # a whole-config rule, e.g. a head that cannot learn the data
            raise Refused(validation_summary(exc.errors())) from None
        with self._transaction():
            self._apply_config(new)

    def _apply_config(self, new: Config) -> None:
        old = self.config
        changed = {k for k in Config.model_fields if getattr(new, k) != getattr(old, k)}
        if not changed:
            return
        t = self.trainer
        self.config = new
        if changed & DATA_FIELDS:
            self.data = make_data(new.dataset, new.num_samples, new.noise, new.train_ratio,
                                  new.data_seed, new.classes)
        if changed & (DATA_FIELDS | {"features", "head"}):
            self._featurize()
        if "features" in changed:
            rows = [old.features.index(f) if f in old.features else None for f in new.features]
            t.apply_edit(lambda: self.net.set_inputs(rows, self.edit_rng))
        if changed & (DATA_FIELDS | {"head"}):
            head = HEADS[new.head]
            t.apply_edit(lambda: self.net.set_outputs(head, head.units(self.data.classes),
                                                      self.edit_rng))
        if "hidden" in changed:
            self._apply_hidden(old, new)
        if changed & (DATA_FIELDS | {"features", "head"}):
            t.set_data(self.x_train, self.t_train)
        if "batch_size" in changed:
            t.set_batch_size(new.batch_size)
        if "optimizer" in changed:
            t.optimizer = make_optimizer(new.optimizer, new.momentum)
        t.optimizer.momentum = new.momentum
        t.learning_rate = new.learning_rate
        t.regularization, t.reg_rate = new.regularization, new.reg_rate
        # "init" and "seed" shape the next reset, never the current weights
        t.clear_divergence()

    def _apply_hidden(self, old: Config, new: Config) -> None:
        t, net, rng = self.trainer, self.net, self.edit_rng
        if len(old.hidden) != len(new.hidden):  # a different depth: start afresh
            head = HEADS[new.head]
            hidden = [HiddenLayer(h.units, h.activation, h.dropout) for h in new.hidden]
            t.net = Network.build(len(new.features), hidden, head,
                                  head.units(self.data.classes), new.init, rng)
            t.optimizer = make_optimizer(new.optimizer, new.momentum)
            return
        for k, (a, b) in enumerate(zip(old.hidden, new.hidden)):
            if b.units > a.units:
                t.apply_edit(lambda k=k, n=b.units - a.units: net.add_neurons(k, n, rng))
            for _ in range(a.units - b.units):
                t.apply_edit(lambda k=k: net.remove_neuron(k, net.sizes[k + 1] - 1))
            if b.activation != a.activation:
                t.apply_edit(lambda k=k, act=b.activation: net.set_activation(k, act))
            net.hidden[k].dropout = b.dropout

    # structural edits (index counts hidden layers only)
    def insert_layer(self, index: int, units: int, activation: str) -> None:
        n = len(self.net.hidden)
        if n >= Limits.max_hidden_layers:
            raise Refused(f"the network already has the most hidden layers allowed "
                          f"({Limits.max_hidden_layers})", allowed=[0, Limits.max_hidden_layers])
        if not 0 <= index <= n:
            raise Refused(f"index {index} is out of range; a new hidden layer goes at 0..{n}",
                          allowed=[0, n])
        self._edit(lambda: self.net.insert_layer(index, HiddenLayer(units, activation),
                                                 self.edit_rng))

    def remove_layer(self, index: int) -> None:
        self._check_layer(index)
        self._edit(lambda: self.net.remove_layer(index, self.edit_rng))

    def add_neurons(self, index: int, count: int) -> None:
        self._check_layer(index)
        units = self.net.sizes[index + 1]
        if units + count > Limits.max_units:
            raise Refused(f"hidden layer {index} has {units} neurons; at most "
                          f"{Limits.max_units} are allowed, so at most "
                          f"{Limits.max_units - units} more", allowed=[1, Limits.max_units - units])
        self._edit(lambda: self.net.add_neurons(index, count, self.edit_rng))

    def remove_neuron(self, index: int, node: int) -> None:
        self._check_layer(index)
        units = self.net.sizes[index + 1]
        if not 0 <= node < units:
            raise Refused(f"neuron {node} is out of range; hidden layer {index} has "
                          f"neurons 0..{units - 1}", status=404, allowed=[0, units - 1])
        if units == 1:
            raise Refused(f"hidden layer {index} has only one neuron; remove the layer instead",
                          status=409)
        self._edit(lambda: self.net.remove_neuron(index, node))

    def _check_layer(self, index: int) -> None:
        n = len(self.net.hidden)
        if not 0 <= index < n:
            allowed = f"0..{n - 1}" if n else "none: the network has no hidden layers"
            raise Refused(f"hidden layer {index} does not exist; hidden layers: {allowed}",
                          status=404, allowed=[0, n - 1] if n else [])

    def set_weight(self, layer: int, src: int, dst: int, value: float) -> None:
        sizes = self.net.sizes
        if not 0 <= layer < self.net.depth:
            raise Refused(f"layer {layer} is out of range; weights layers are 0..{self.net.depth - 1}",
                          allowed=[0, self.net.depth - 1])
        if not 0 <= src < sizes[layer]:
            raise Refused(f"from {src} is out of range; layer {layer} has nodes 0..{sizes[layer] - 1}",
                          allowed=[0, sizes[layer] - 1])
        if not 0 <= dst < sizes[layer + 1]:
            raise Refused(f"to {dst} is out of range; layer {layer + 1} has nodes "
                          f"0..{sizes[layer + 1] - 1}", allowed=[0, sizes[layer + 1] - 1])
        self.net.set_weight(layer, src, dst, value)
        self.trainer.clear_divergence()

    def set_bias(self, layer: int, node: int, value: float) -> None:
        sizes = self.net.sizes
        if not 0 <= layer < self.net.depth:
            raise Refused(f"layer {layer} is out of range; bias layers are 0..{self.net.depth - 1}",
                          allowed=[0, self.net.depth - 1])
        if not 0 <= node < sizes[layer + 1]:
            raise Refused(f"node {node} is out of range; layer {layer + 1} has nodes "
                          f"0..{sizes[layer + 1] - 1}", allowed=[0, sizes[layer + 1] - 1])
        self.net.set_bias(layer, node, value)
        self.trainer.clear_divergence()

    def set_params(self, weights: list, biases: list, slopes: list | None) -> None:
        try:
            self.net.set_params(weights, biases, slopes)
        except ValueError as exc:
            raise Refused(str(exc)) from None
        self.trainer.clear_divergence()

    def example_step(self, point: list[float], label: float) -> None:
        """One plain SGD update on one example's data loss, at the session's learning rate
        (what the backward step-through shows); the step counter does not move."""
        self._check_label(label)
        if self.trainer.diverged:
            raise Refused("the network diverged; reset it first", status=409)
        x = feature_matrix(np.asarray([point], dtype=np.float64), self.config.features)
        targets = self.net.head.targets(np.array([label]), self.net.sizes[-1])
        saved = self.net.theta.copy()
        example_step(self.net, x, targets, self.config.learning_rate)
        if not self.net.all_finite():
            self.net.theta[...] = saved
            raise Refused("that update would make a parameter infinite; lower the learning rate",
                          status=409)

    def _check_label(self, label: float) -> None:
        d = self.data
        if d.kind != "regression" and (label != int(label) or not 0 <= label < d.classes):
            raise Refused(f"label {label:g} is not a class of this dataset; "
                          f"labels are the integers 0..{d.classes - 1}",
                          allowed=list(range(d.classes)))

    def params(self) -> dict:
        return {"weights": [w.tolist() for w in self.net.weights],
                "biases": [b.tolist() for b in self.net.biases],
                "prelu_slopes": [None if s is None else s.tolist() for s in self.net.slopes]}

    def data_points(self) -> dict:
        d = self.data
        return {"train": {"x": d.x_train.tolist(), "y": d.y_train.tolist()},
                "test": {"x": d.x_test.tolist(), "y": d.y_test.tolist()},
                "classes": None if d.kind == "regression" else d.classes, "kind": d.kind}

    def heatmaps(self, resolution: int, encoding: str, node_resolution: int | None = None) -> dict:
        return heatmaps(self.net, self.config.features, resolution, encoding, node_resolution)

    def trace(self, point: list[float], label: float | None) -> dict:
        if label is not None:
            self._check_label(label)
        return trace(self.net, self.config.features, point, label, self.config.threshold,
                     self.config.learning_rate)

    # ------------------------------------------------------------------ snapshot
    def snapshot(self, history_since: int | None = None) -> dict:
        """The whole state; with `history_since`, only the history points after that step."""
        net, t, c = self.net, self.trainer, self.config
        layers = [{"units": net.sizes[0], "activation": None, "kind": "input"}]
        layers += [{"units": h.units, "activation": h.activation, "dropout": h.dropout,
                    "kind": "hidden"} for h in net.hidden]
        layers.append({"units": net.sizes[-1], "activation": net.head.id, "kind": "output"})
        return {
            "id": self.id, "config": c.model_dump(), "step": t.step, "epoch": t.epoch,
            "steps_per_epoch": t.steps_per_epoch, "layers": layers,
            **self.params(), "metrics": self.metrics(),
            "history": self.history.points if history_since is None
            else [p for p in self.history.points if p["step"] > history_since],
            "diverged": t.diverged,
            "divergence_reason": t.divergence_reason,
            "diagnostics": self.diagnostics(),
            "kind": self.data.kind,
            "classes": None if self.data.kind == "regression" else self.data.classes,
        }

    # ------------------------------------------------------------------ bytes
    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k != "lock"}
        return pickle.loads(pickle.dumps(state))  # a deep copy, views re-made by Network

    def __setstate__(self, state: dict) -> None:
        lock = self.__dict__.get("lock") or threading.Lock()
        self.__dict__.clear()
        self.__dict__.update(state)
        self.lock = lock

    def to_bytes(self) -> bytes:
        """The whole state, exactly (for a store shared between worker processes)."""
        return pickle.dumps(self.__getstate__(), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, blob: bytes) -> Session:
        session = cls.__new__(cls)
        session.__setstate__(pickle.loads(blob))
        return session


class SessionStore:
    """Sessions by id, each dropped after `ttl` idle seconds; at most `capacity` of them,
    the one idle longest going first when a new one needs room."""

    def __init__(self, ttl: float = 3600.0, capacity: int = 1000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.capacity, self.clock = ttl, capacity, clock
        self._sessions: OrderedDict[str, tuple[Session, float]] = OrderedDict()
        self._lock = threading.Lock()

    def create(self, config: Config) -> Session:
        session = Session(secrets.token_hex(16), config)  # 128 random bits
        with self._lock:
            self._expire()
            while len(self._sessions) >= self.capacity:
                self._sessions.popitem(last=False)  # least recently used
            self._sessions[session.id] = (session, self.clock())
        return session

    def get(self, session_id: str) -> Session:
        with self._lock:
            entry = self._sessions.get(session_id)
            now = self.clock()
            if entry is None or now - entry[1] > self.ttl:
                self._sessions.pop(session_id, None)
                raise UnknownSession(session_id)
            self._sessions[session_id] = (entry[0], now)
            self._sessions.move_to_end(session_id)
            return entry[0]

    def delete(self, session_id: str) -> None:
        with self._lock:
            if self._sessions.pop(session_id, None) is None:
                raise UnknownSession(session_id)

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._sessions)

    def _expire(self) -> None:
        now = self.clock()
        while self._sessions:
            sid, (_, used) = next(iter(self._sessions.items()))
            if now - used <= self.ttl:
                break
            del self._sessions[sid]

    @contextmanager
    def use(self, session_id: str) -> Iterator[Session]:
        """The session with its lock held: two tabs never interleave their updates. A plain
        Lock, not an RLock: FastAPI enters and leaves a dependency on different threadpool
        threads, and an RLock refuses to be released by a thread that did not take it."""
        session = self.get(session_id)
        with session.lock:
            yield session
