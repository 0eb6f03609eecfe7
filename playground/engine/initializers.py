"""Weight initialisation schemes: one table row per id."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def _playground(fan_in: int, fan_out: int, rng: np.random.Generator) -> tuple[Array, Array]:
    return rng.uniform(-0.5, 0.5, (fan_in, fan_out)), np.full(fan_out, 0.1)


def _xavier(fan_in: int, fan_out: int, rng: np.random.Generator) -> tuple[Array, Array]:
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, (fan_in, fan_out)), np.zeros(fan_out)


def _he(fan_in: int, fan_out: int, rng: np.random.Generator) -> tuple[Array, Array]:
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), (fan_in, fan_out)), np.zeros(fan_out)


def _lecun(fan_in: int, fan_out: int, rng: np.random.Generator) -> tuple[Array, Array]:
    return rng.normal(0.0, math.sqrt(1.0 / fan_in), (fan_in, fan_out)), np.zeros(fan_out)


@dataclass(frozen=True)
class Initializer:
    id: str
    name: str
    formula: str
    make: Callable[[int, int, np.random.Generator], tuple[Array, Array]]


_ROWS = [
    Initializer("playground", "TensorFlow Playground", "w ~ U(-0.5, 0.5), b = 0.1", _playground),
    Initializer("xavier", "Xavier/Glorot uniform",
                "w ~ U(-sqrt(6/(fan_in+fan_out)), +sqrt(6/(fan_in+fan_out))), b = 0", _xavier),
    Initializer("he", "He normal", "w ~ N(0, 2/fan_in), b = 0", _he),
    Initializer("lecun", "LeCun normal", "w ~ N(0, 1/fan_in), b = 0", _lecun),
]

INITIALIZERS: dict[str, Initializer] = {row.id: row for row in _ROWS}
