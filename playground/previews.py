"""Dataset previews: the points a dataset would have, without a session (the page draws
a thumbnail of each dataset from these)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query

from .config import DatasetId, Limits
from .datasets import make_data
from .schemas import ErrorBody, PointSet, Preview

router = APIRouter(prefix="/api", responses={422: {"model": ErrorBody}})


@router.get("/datasets/{dataset}/points", response_model=Preview)
def dataset_points(
    dataset: DatasetId,
    num_samples: Annotated[int, Query(ge=Limits.min_samples, le=1000)] = 200,
    noise: Annotated[float, Query(ge=Limits.noise[0], le=Limits.noise[1])] = 0.0,
    classes: Annotated[int, Query(ge=Limits.classes[0], le=Limits.classes[1])] = 3,
    data_seed: Annotated[int, Query(ge=0, le=Limits.max_seed)] = 0,
) -> dict:
    """All points of a dataset as it would be generated (train and test together)."""
    data = make_data(dataset, num_samples, noise, 50.0, data_seed, classes)
    x = np.vstack([data.x_train, data.x_test])
    y = np.concatenate([data.y_train, data.y_test])
    points = PointSet(x=x.tolist(), y=y.tolist())
    return {"dataset": dataset, "kind": data.kind,
            "classes": None if data.kind == "regression" else data.classes, "points": points}
