"""A session's configuration: every field, its default and its bounds, in one place.

The allowed ids come from the registries (one list of names): pydantic turns them into
`Literal`s, so a bad id is refused at the boundary with the list of known ids, and the
OpenAPI document lists them as enums.
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema,
                      field_validator, model_validator)

from ..engine.activations import ACTIVATIONS, NOISE_SIGMA
from ..engine.datasets import CLASSES_RANGE, DATASETS
from ..engine.features import DEFAULT_FEATURES, FEATURES
from ..engine.heads import HEADS
from ..engine.initializers import INITIALIZERS
from ..engine.edits import HiddenLayer
from ..engine.optimizers import ADAM_BETA1, ADAM_BETA2, OPTIMIZERS
from ..engine.regularizers import REGULARIZERS
from .errors import RuleBroken

DatasetId = Literal[tuple(DATASETS)]  # type: ignore[valid-type]
FeatureId = Literal[tuple(FEATURES)]  # type: ignore[valid-type]
ActivationId = Literal[tuple(ACTIVATIONS)]  # type: ignore[valid-type]
HeadId = Literal[tuple(HEADS)]  # type: ignore[valid-type]
OptimizerId = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]
RegularizerId = Literal[tuple(REGULARIZERS)]  # type: ignore[valid-type]
InitId = Literal[tuple(INITIALIZERS)]  # type: ignore[valid-type]

# a learner's own data (own_data.py): "custom:" and its id, whose tag is the data's kind
OWN_PREFIX = "custom:"
OWN_ID_PATTERN = r"(b|m[3-6]|r)-[a-z2-7]{16}"
_OWN_DATASET = re.compile(rf"^{OWN_PREFIX}{OWN_ID_PATTERN}$")


def dataset_kind(dataset: str) -> str:
    """The kind of a config's dataset: a built-in one's from its registry row, an own
    one's from the tag of its id (b binary, m3..m6 multi-class, r regression)."""
    if dataset in DATASETS:
        return DATASETS[dataset].kind
    tag = dataset.removeprefix(OWN_PREFIX)[0]
    return {"b": "binary", "m": "multiclass", "r": "regression"}[tag]


def _known_dataset(value: object) -> str:
    if isinstance(value, str) and (value in DATASETS or _OWN_DATASET.match(value)):
        return value
    allowed = [*DATASETS, f"{OWN_PREFIX}<id from POST /api/datasets>"]
    raise RuleBroken(f"unknown dataset {str(value)[:40]!r}; known datasets: "
                     f"{', '.join(allowed)}", "unknown_id", field="dataset",
                     value=str(value)[:40], allowed=allowed)


# a built-in dataset's id, or "custom:<id>" of own data (OpenAPI lists both)
DatasetName = Annotated[str, BeforeValidator(_known_dataset), WithJsonSchema({
    "anyOf": [{"enum": list(DATASETS)},
              {"type": "string", "pattern": rf"^{OWN_PREFIX}{OWN_ID_PATTERN}$"}],
    "description": "a built-in dataset, or custom:<id> of data uploaded or drawn"})]


class Limits:
    """The bounds, served by /api/catalog so the page builds its controls from them."""

    max_hidden_layers = 8
    min_units, max_units = 1, 128
    noise_sigma = (0.0, 5.0)   # Noisy ReLU's sigma, per layer
    min_samples, max_samples = 10, 5000
    noise = (0.0, 50.0)
    train_ratio = (10.0, 90.0)
    classes = CLASSES_RANGE
    learning_rate = (1e-6, 10.0)
    max_batch_size = 5000
    reg_rate = (0.0, 10.0)
    # [0, 1): at 1 momentum or Adam's running averages would never forget a gradient
    momentum = (0.0, 1.0)
    adam_beta = (0.0, 1.0)
    max_dropout = 0.9
    dropout_exclusive = True  # a rate below max_dropout, never equal to it
    weight_range = (-1e6, 1e6)  # a weight or bias typed in by hand
    max_seed = 2**32 - 1
    max_steps_per_call = 5000
    max_heatmap_resolution = 200
    max_neurons_per_call = 16
    # a shared server (API.md 6.1); README "Limits" says what each refusal says
    # work = steps x examples per step x parameters, a step counting at least
    # min_examples_per_step examples (below that NumPy's per-call overhead, not the
    # arithmetic, is what a step costs). 40 M costs at most ~55 ms on the compiled engine
    # (~0.28 s on the NumPy reference) on a 2-core machine; it lets the page's fastest
    # speed ask MAX (8 x 16) for 48 epochs a frame (~1,600 epochs/s played), and holds a
    # full-batch step of the largest network (2,262 parameters) on the most data (4,500
    # points), so every network can train.
    max_work_per_call = 40_000_000
    min_examples_per_step = 16
    max_list_heatmap_values = 250_000  # grids x R^2 of heatmaps?encoding=list (~5 MB)
    max_body_bytes = 1_048_576
    session_wait_seconds = 1.0  # a request waits this long for its busy session, then 429
    max_waiting_per_session = 8  # requests waiting for one session; more are 429 at once
    # new sessions per client address in any 60 s: a class of 30 behind one school NAT
    # fits in a minute, and 30 x 30 min < the store's 1,000, so one address alone can
    # never fill the store with sessions that are protected from eviction
    sessions_per_minute = int(os.environ.get("PLAYGROUND_SESSIONS_PER_MINUTE", "30"))
    # uploaded datasets per client address in any 60 s (each up to 5,000 rows, kept
    # dataset_days): the same reasoning, on a budget of its own
    uploads_per_minute = int(os.environ.get("PLAYGROUND_UPLOADS_PER_MINUTE", "30"))
    protected_idle_seconds = 1800  # a session used more recently is never evicted
    max_documents = 10_000     # of each kind (e.g. exercises) a store keeps
    exercise_days = 90         # an exercise's link works this long after it was made
    share_days = 90            # and a shared trained network's
    dataset_days = 30          # own data is kept this long after it was last used
    class_hours = 12           # a class (its code, key and students) is kept this long
    max_class_students = 100


Seed = Annotated[int, Field(ge=0, le=Limits.max_seed)]


class HiddenLayerConfig(BaseModel):
    """One hidden layer: its width, activation, (training-only) dropout rate, Noisy ReLU's
    sigma and batch norm (the fields of engine.edits.HiddenLayer)."""

    model_config = ConfigDict(extra="forbid")

    units: int = Field(4, ge=Limits.min_units, le=Limits.max_units)
    activation: ActivationId = "tanh"
    dropout: float = Field(0.0, ge=0.0, lt=Limits.max_dropout)
    noise_sigma: float = Field(NOISE_SIGMA, ge=Limits.noise_sigma[0], le=Limits.noise_sigma[1],
                               description="noisy_relu: the sigma of its training noise")
    batch_norm: bool = Field(False, description="BatchNorm1d (PyTorch's) before the "
                                                "activation")

    def layer(self) -> HiddenLayer:
        return HiddenLayer(**self.model_dump())


def _default_hidden() -> list[HiddenLayerConfig]:
    return [HiddenLayerConfig(units=4), HiddenLayerConfig(units=2)]


class ConfigFields(BaseModel):
    """Shared validators of Config and ConfigPatch."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("features", check_fields=False)
    @classmethod
    def _distinct_features(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise RuleBroken("features must not repeat; pick each at most once",
                             "repeated_features", field="features")
        return value


class Config(ConfigFields):
    """Everything that defines a session; every field has a default."""

    dataset: DatasetName = "circle"
    classes: int = Field(3, ge=Limits.classes[0], le=Limits.classes[1],
                         description="classes of the multi-class datasets (blobs, spiral_k)")
    num_samples: int = Field(500, ge=Limits.min_samples, le=Limits.max_samples)
    noise: float = Field(0.0, ge=Limits.noise[0], le=Limits.noise[1], description="percent")
    train_ratio: float = Field(50.0, ge=Limits.train_ratio[0], le=Limits.train_ratio[1],
                               description="percent of the points used for training")
    data_seed: Seed = 0
    features: list[FeatureId] = Field(default_factory=lambda: list(DEFAULT_FEATURES),
                                      min_length=1, max_length=len(FEATURES))
    hidden: list[HiddenLayerConfig] = Field(default_factory=_default_hidden,
                                            max_length=Limits.max_hidden_layers)
    head: HeadId | None = Field(
        None, description="output head; default: sigmoid (binary), softmax (multi-class), "
                          "linear (regression)")
    threshold: float = Field(0.5, ge=0.0, le=1.0, description="sigmoid head: class 1 when p >= it")
    learning_rate: float = Field(0.03, ge=Limits.learning_rate[0], le=Limits.learning_rate[1])
    batch_size: int = Field(10, ge=1, le=Limits.max_batch_size)
    optimizer: OptimizerId = "sgd"
    momentum: float = Field(0.9, ge=Limits.momentum[0], lt=Limits.momentum[1])
    adam_beta1: float = Field(ADAM_BETA1, ge=Limits.adam_beta[0], lt=Limits.adam_beta[1])
    adam_beta2: float = Field(ADAM_BETA2, ge=Limits.adam_beta[0], lt=Limits.adam_beta[1])
    regularization: RegularizerId = "none"
    reg_rate: float = Field(0.0, ge=Limits.reg_rate[0], le=Limits.reg_rate[1])
    init: InitId = "playground"
    seed: Seed = 0

    @model_validator(mode="after")
    def _head_fits_the_dataset(self) -> Config:
        kind = dataset_kind(self.dataset)
        if self.head is None:
            self.head = default_head(kind)
        elif kind not in HEADS[self.head].kinds:
            allowed = [h for h, row in HEADS.items() if kind in row.kinds]
            raise RuleBroken(f"head {self.head!r} cannot learn the {kind} dataset "
                             f"{self.dataset!r}; allowed heads: {', '.join(allowed)}",
                             "head_cannot_learn", field="head", head=self.head,
                             dataset=self.dataset, kind=kind, allowed=allowed)
        return self


class ConfigPatch(ConfigFields):
    """Any subset of Config's fields; the rest stay as they are."""

    dataset: DatasetName | None = None
    classes: int | None = Field(None, ge=Limits.classes[0], le=Limits.classes[1])
    num_samples: int | None = Field(None, ge=Limits.min_samples, le=Limits.max_samples)
    noise: float | None = Field(None, ge=Limits.noise[0], le=Limits.noise[1])
    train_ratio: float | None = Field(None, ge=Limits.train_ratio[0], le=Limits.train_ratio[1])
    data_seed: Seed | None = None
    features: list[FeatureId] | None = Field(None, min_length=1, max_length=len(FEATURES))
    hidden: list[HiddenLayerConfig] | None = Field(None, max_length=Limits.max_hidden_layers)
    head: HeadId | None = None
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    learning_rate: float | None = Field(None, ge=Limits.learning_rate[0],
                                        le=Limits.learning_rate[1])
    batch_size: int | None = Field(None, ge=1, le=Limits.max_batch_size)
    optimizer: OptimizerId | None = None
    momentum: float | None = Field(None, ge=Limits.momentum[0], lt=Limits.momentum[1])
    adam_beta1: float | None = Field(None, ge=Limits.adam_beta[0], lt=Limits.adam_beta[1])
    adam_beta2: float | None = Field(None, ge=Limits.adam_beta[0], lt=Limits.adam_beta[1])
    regularization: RegularizerId | None = None
    reg_rate: float | None = Field(None, ge=Limits.reg_rate[0], le=Limits.reg_rate[1])
    init: InitId | None = None
    seed: Seed | None = None


def default_head(kind: str) -> str:
    return {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"}[kind]


def apply_patch(config: Config, patch: ConfigPatch) -> Config:
    """The config with the patch's fields replaced, validated as a whole. A dataset change
    whose patch names no head takes the new kind's default head when the current one was
    the old kind's default (so circle -> blobs -> circle comes back to sigmoid) or cannot
    learn the new kind; a head chosen on purpose that still fits stays."""
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    merged = config.model_dump() | changes
    if "dataset" in changes and "head" not in changes:
        old_kind, kind = dataset_kind(config.dataset), dataset_kind(merged["dataset"])
        if merged["head"] == default_head(old_kind) or kind not in HEADS[merged["head"]].kinds:
            merged["head"] = default_head(kind)
    return Config.model_validate(merged)
