"""Request and response models of the HTTP API (the config models live in
service/config.py).

Every route declares one of these as its response model, so /openapi.json describes the
whole API and nothing leaves the server without passing a schema (no NumPy types, no NaN).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..service.config import ActivationId, Config, HeadId, Limits
from ..service.errors import RuleBroken
from ..service.model_file import batch_norm_given
from .lesson_schemas import LessonState

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
Coordinate = Annotated[float, Field(ge=-1000, le=1000, allow_inf_nan=False)]
NodeId = Annotated[str, Field(pattern=r"^[0-9]{1,4}:[0-9]{1,4}$", description='a node, "L:J"')]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ errors
class ErrorBody(BaseModel):
    """Every refusal: `message` says in English what was wrong and what is allowed; `code`
    and `params` say it for a machine (the page words it in the reader's language)."""

    message: str
    code: str = Field(description="stable id of the refusal, e.g. out_of_range, unknown_id")
    params: dict = Field(description="the numbers and names the refusal is about, by code")
    detail: object = None
    allowed: object = None


# ------------------------------------------------------------------ catalog
class CatalogEntry(BaseModel):
    id: str
    name: str
    formula: str | None = None


class DatasetEntry(CatalogEntry):
    kind: Literal["binary", "multiclass", "regression"]
    heads: list[str]
    default_head: str


class HeadEntry(CatalogEntry):
    loss: str
    loss_formula: str
    kinds: list[str]


class Catalog(BaseModel):
    datasets: list[DatasetEntry]
    activations: list[CatalogEntry]
    heads: list[HeadEntry]
    optimizers: list[CatalogEntry]
    regularizers: list[CatalogEntry]
    initializers: list[CatalogEntry]
    features: list[CatalogEntry]
    limits: dict[str, bool | int | float | list[float]]
    defaults: Config


# ------------------------------------------------------------------ snapshot
class LayerInfo(BaseModel):
    units: int
    activation: str | None = Field(description="activation id; the head id for the output; "
                                               "null for the input layer")
    kind: Literal["input", "hidden", "output"]
    dropout: float | None = None
    noise_sigma: float | None = None
    batch_norm: bool | None = None


class Metrics(BaseModel):
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None = None
    test_accuracy: float | None = None


class HistoryPoint(Metrics):
    gradient_sizes: list[float | None] | None = Field(
        None, description="RMS of dL/dW per weight matrix on the training set")
    step: int
    epoch: int


class Overfitting(BaseModel):
    train_loss: float
    test_loss: float
    gap: float = Field(description="test loss - training loss")


class Diagnostics(BaseModel):
    dead_units: list[str] = Field(description='hidden units ("L:J") silent on every training point')
    gradient_sizes: list[float | None] = Field(description="RMS of dL/dW per weight matrix")
    gradient_flag: Literal["vanishing", "exploding", "blocked"] | None = Field(
        description="growth is measured from the first sizes recorded since the last change")
    gradient_ratio: float | None = Field(description="first layer's gradient size / last one's")
    gradient_cause: Literal["saturation", "depth"] | None = Field(
        None, description="vanishing: most sigmoid/tanh units on a flat end (saturation, "
                          "typically a too-high learning rate) or not (depth)")
    blocked_layer: int | None = Field(
        None, description='blocked: the layer L (as in node ids "L:J") whose every unit is '
                          "dead, so no gradient passes it")
    overfitting: Overfitting | None = Field(
        None, description="test loss well above the training loss and rising from its lowest "
                          "since the last change")
    confusion: list[list[int]] | None = Field(
        description="test set: counts[true class][predicted class]; null for regression")


class Divergence(BaseModel):
    code: Literal["step_overflow", "loss_overflow"]
    params: dict


class HeadChange(BaseModel):
    from_: HeadId = Field(alias="from")
    to: HeadId

    # "from" in JSON whichever way the snapshot is written
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class Rebuilt(BaseModel):
    """What a config change rebuilt (PATCH /config only)."""

    data: bool = Field(description="the points were generated anew")
    input_weights: bool = Field(description="weights from new inputs are new")
    output_weights: bool = Field(description="the output layer's weights are new")
    all_weights: bool = Field(description="the whole network was rebuilt (a new depth)")
    head: HeadChange | None = Field(description="the output head changed")


class Snapshot(BaseModel):
    id: str
    config: Config
    step: int
    epoch: int
    steps_per_epoch: int
    max_steps_per_call: int = Field(
        description="the most steps one step or frame call may run on this network and data "
                    "(limits.max_steps_per_call and limits.max_work_per_call)")
    max_epochs_per_call: int = Field(
        description="the most epochs one call may run (0: fewer than one epoch; ask for steps)")
    layers: list[LayerInfo]
    weights: list[list[list[float]]]
    biases: list[list[float]]
    prelu_slopes: list[list[float] | None]
    bn_gamma: list[list[float] | None] | None = Field(
        None, description="per hidden layer, null without batch norm; as GET /params")
    bn_beta: list[list[float] | None] | None = None
    bn_mean: list[list[float] | None] | None = None
    bn_var: list[list[float] | None] | None = None
    metrics: Metrics
    history: list[HistoryPoint]
    diverged: bool
    divergence_reason: str | None = None
    divergence: Divergence | None = Field(
        None, description="the divergence reason for a machine: a code and its params")
    diagnostics: Diagnostics
    kind: Literal["binary", "multiclass", "regression"]
    classes: int | None
    rebuilt: Rebuilt | None = None
    lesson: LessonState | None = Field(None, description="the lesson under way, if any")


# ------------------------------------------------------------------ requests
class StepRequest(Strict):
    """Either `steps` (optimizer updates) or `epochs` (passes over the training set)."""

    steps: int | None = Field(None, ge=1, le=Limits.max_steps_per_call)
    epochs: int | None = Field(None, ge=1, le=Limits.max_steps_per_call)

    @model_validator(mode="after")
    def _one_of(self) -> StepRequest:
        if (self.steps is None) == (self.epochs is None):
            raise RuleBroken('give exactly one of "steps" or "epochs", e.g. {"epochs": 1}',
                             "steps_or_epochs")
        return self


class ResetRequest(Strict):
    seed: int | None = Field(None, ge=0, le=Limits.max_seed,
                             description="new weight seed; omit to start from the same weights")


class Params(Strict):
    """Every parameter; per hidden layer, its PReLU slopes and batch norm's gamma, beta and
    running mean and variance, or null where the layer has none (all optional on PUT)."""

    weights: list[list[list[FiniteFloat]]]
    biases: list[list[FiniteFloat]]
    prelu_slopes: list[list[FiniteFloat] | None] | None = None
    bn_gamma: list[list[FiniteFloat] | None] | None = None
    bn_beta: list[list[FiniteFloat] | None] | None = None
    bn_mean: list[list[FiniteFloat] | None] | None = None
    bn_var: list[list[FiniteFloat] | None] | None = None

    def batch_norm(self) -> dict | None:
        """The batch norm values given, by field, or None when none is."""
        return batch_norm_given(self)


class WeightEdit(Strict):
    layer: int = Field(ge=0)
    from_: int = Field(alias="from", ge=0)  # only "from", as in the schema ("from_" is extra)
    to: int = Field(ge=0)
    value: FiniteFloat = Field(ge=Limits.weight_range[0], le=Limits.weight_range[1])


class BiasEdit(Strict):
    layer: int = Field(ge=0)
    node: int = Field(ge=0)
    value: FiniteFloat = Field(ge=Limits.weight_range[0], le=Limits.weight_range[1])


class SlopeEdit(Strict):
    layer: int = Field(ge=0, description="hidden-layer index, as prelu_slopes is indexed")
    node: int = Field(ge=0)
    value: FiniteFloat = Field(ge=Limits.weight_range[0], le=Limits.weight_range[1])


class NormEdit(Strict):
    layer: int = Field(ge=0, description="hidden-layer index, as bn_gamma is indexed")
    node: int = Field(ge=0)
    field: Literal["gamma", "beta", "mean", "var"] = Field(
        description="bn_gamma, bn_beta (learned), or the running bn_mean, bn_var")
    value: FiniteFloat = Field(ge=Limits.weight_range[0], le=Limits.weight_range[1],
                               description="a variance must not be negative")


class LayerInsert(Strict):
    index: int = Field(ge=0, le=Limits.max_hidden_layers,
                       description="hidden-layer position (0 = first hidden layer)")
    units: int = Field(4, ge=Limits.min_units, le=Limits.max_units)
    activation: ActivationId = "tanh"


class NeuronAdd(Strict):
    count: int = Field(1, ge=1, le=Limits.max_neurons_per_call)


class ExampleStep(Strict):
    point: Annotated[list[Coordinate], Field(min_length=2, max_length=2)]
    label: FiniteFloat


class TraceRequest(Strict):
    point: Annotated[list[Coordinate], Field(min_length=2, max_length=2)]
    label: FiniteFloat | None = None


# ------------------------------------------------------------------ data, heatmaps, trace
class PointSet(BaseModel):
    x: list[list[float]]
    y: list[float]


class DataResponse(BaseModel):
    train: PointSet
    test: PointSet
    classes: int | None
    kind: Literal["binary", "multiclass", "regression"]


class U8Grid(BaseModel):
    encoding: Literal["u8"]
    min: float
    max: float
    data: str = Field(description="base64 of R*R bytes; value = min + (max - min) * byte / 255")


Grid = U8Grid | list[list[float]]


class Heatmaps(BaseModel):
    resolution: int
    extent: list[float]
    x1: list[float] = Field(description="column centres, low to high")
    x2: list[float] = Field(description="row centres, high to low")
    output: Grid
    output_class: Grid | None = None
    nodes: dict[str, Grid]
    node_resolution: int | None = Field(None, description="the node grids' R (default resolution)")


class Preview(BaseModel):
    dataset: str
    kind: Literal["binary", "multiclass", "regression"]
    classes: int | None
    points: PointSet


class FrameRequest(StepRequest):
    """One frame of the play loop: train, then the state and the heatmaps in one answer."""

    resolution: int = Field(50, ge=2, le=Limits.max_heatmap_resolution)
    node_resolution: int | None = Field(None, ge=2, le=Limits.max_heatmap_resolution)
    binary: bool = Field(False, description="over the play WebSocket: answer with a binary "
                                            "message (layout in the README) that leaves out "
                                            "what did not change since the last one; POST "
                                            "/frame always answers JSON")
    nodes: bool = Field(True, description="false: the output grid only, no node grids (the "
                                          "page keeps the last ones while it is not redrawing "
                                          "its diagram); a binary frame then leaves out the "
                                          "parameters too (snapshot.not_sent)")
    node_ids: list[NodeId] | None = Field(
        None, max_length=2048,
        description="with nodes: only these nodes' grids (a wide layer's page shows a few "
                    "of its units; ids the network lacks are left out); null: every node's")
    history_since: int | None = Field(
        None, ge=-1, description="only the history points after this step (the page keeps "
                                 "the earlier ones)")


class Frame(BaseModel):
    snapshot: Snapshot
    heatmaps: Heatmaps


class ActivationCurve(BaseModel):
    id: str
    name: str
    formula: str
    z: list[float]
    f: list[float]
    df: list[float]
