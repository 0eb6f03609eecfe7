"""The trace's models (POST /sessions/{id}/trace): one point's forward steps with their
formulas (a batch-normalized layer's own line), and with a label its backward steps."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# A number the forward or backward pass computed: huge weights or a far point can make it
# overflow, and JSON has no NaN or infinity, so such a number is written as null.
Number = Annotated[float | None, Field(description="null when it overflowed (NaN or infinite)")]


class TraceInput(BaseModel):
    from_: str = Field(alias="from", serialization_alias="from")
    value: Number
    weight: float

    model_config = ConfigDict(populate_by_name=True)


class TraceBatchNorm(BaseModel):
    mean: float
    var: float
    gamma: float
    beta: float
    value: Number = Field(description="y = (z - mean) / sqrt(var + eps) * gamma + beta")
    formula: str


class ForwardStep(BaseModel):
    node: str
    inputs: list[TraceInput]
    bias: float
    z: Number
    activation: str
    value: Number
    formula: str
    slope: float | None = None
    batch_norm: TraceBatchNorm | None = Field(
        None, description="a batch-normalized layer's line: z normalized by the running "
                          "statistics, scaled by gamma and shifted by beta, before the activation")


class WeightGrad(BaseModel):
    from_: str = Field(alias="from", serialization_alias="from")
    grad: Number
    update: Number = Field(None, description="plain SGD step on this example: -lr * grad")

    model_config = ConfigDict(populate_by_name=True)


class BackwardStep(BaseModel):
    node: str
    dz: Number
    bias_grad: Number
    weight_grads: list[WeightGrad]
    formula: str
    da: float | None = None
    dactivation: float | None = None
    slope_grad: float | None = None
    dy: Number = Field(None, description="batch norm: dL/dy, y the normalized z")
    gamma_grad: Number = None
    beta_grad: Number = None
    bias_update: Number = Field(None, description="plain SGD step on this example: -lr * bias_grad")


class TraceFeature(BaseModel):
    id: str
    node: str
    value: float


class TraceOutput(BaseModel):
    values: list[Number]
    prediction: float | int | None
    probability_sum: float | None = None
    threshold: float | None = None


class Trace(BaseModel):
    point: list[float]
    features: list[TraceFeature]
    forward: list[ForwardStep]
    output: TraceOutput
    label: float | None = None
    loss: float | None = None
    backward: list[BackwardStep] | None = None
