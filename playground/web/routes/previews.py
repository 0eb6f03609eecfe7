"""Read-only views of the engine's tables, without a session: the points a dataset would
have (the page draws thumbnails from them) and an activation's curve and derivative (the
activation explorer plots them; the page never evaluates an activation itself)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query, Response

from ...engine.activations import ACTIVATIONS, PRELU_INITIAL_SLOPE
from ...engine.datasets import make_data
from ...service.config import ActivationId, DatasetId, Limits
from ..deps import Pool, answer
from ..schemas import ActivationCurve, ErrorBody, PointSet, Preview

router = APIRouter(prefix="/api", responses={code: {"model": ErrorBody} for code in (422, 429)})


@router.get("/datasets/{dataset}/points", response_model=Preview)
async def dataset_points(
    dataset: DatasetId,
    pool: Pool,
    num_samples: Annotated[int, Query(ge=Limits.min_samples, le=1000)] = 200,
    noise: Annotated[float, Query(ge=Limits.noise[0], le=Limits.noise[1])] = 0.0,
    classes: Annotated[int, Query(ge=Limits.classes[0], le=Limits.classes[1])] = 3,
    data_seed: Annotated[int, Query(ge=0, le=Limits.max_seed)] = 0,
) -> Response:
    """All points of a dataset as it would be generated (train and test together)."""
    return await pool.run(lambda: answer(Preview, points_of(dataset, num_samples, noise,
                                                            classes, data_seed)), "light")


def points_of(dataset: str, num_samples: int, noise: float, classes: int,
              data_seed: int) -> dict:
    data = make_data(dataset, num_samples, noise, 50.0, data_seed, classes)
    x = np.vstack([data.x_train, data.x_test])
    y = np.concatenate([data.y_train, data.y_test])
    points = PointSet(x=x.tolist(), y=y.tolist())
    return {"dataset": dataset, "kind": data.kind,
            "classes": None if data.kind == "regression" else data.classes, "points": points}


@router.get("/activations/{activation}/curve", response_model=ActivationCurve)
async def activation_curve(
    activation: ActivationId,
    pool: Pool,
    points: Annotated[int, Query(ge=3, le=1001)] = 201,
    low: Annotated[float, Query(ge=-50, le=0)] = -5.0,
    high: Annotated[float, Query(ge=0, le=50)] = 5.0,
) -> Response:
    """f(z) and f'(z) on an even grid of z, as in evaluation (PReLU with its initial slope,
    RReLU with its mean slope 11/48, Noisy ReLU without noise)."""
    return await pool.run(lambda: answer(ActivationCurve, curve_of(activation, points, low,
                                                                   high)), "light")


def curve_of(activation: str, points: int, low: float, high: float) -> dict:
    row = ACTIVATIONS[activation]
    z = np.linspace(low, high, points)
    slope = row.param(np.full_like(z, PRELU_INITIAL_SLOPE))   # as in evaluation
    a = row.f(z, slope)
    return {"id": row.id, "name": row.name, "formula": row.formula, "z": z.tolist(),
            "f": a.tolist(), "df": np.asarray(row.df(z, a, slope), dtype=np.float64).tolist()}
