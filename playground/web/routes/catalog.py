"""Liveness and the catalog: every id the API accepts, read from the engine's registries
(the one list of names; the page builds its menus from it)."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Response

from ...engine.activations import ACTIVATIONS
from ...engine.datasets import DATASETS
from ...engine.features import FEATURES
from ...engine.heads import HEADS
from ...engine.initializers import INITIALIZERS
from ...engine.optimizers import OPTIMIZERS
from ...engine.regularizers import REGULARIZERS
from ...service.config import Config, Limits, default_head
from ..deps import ERRORS, Store
from ..schemas import Catalog

router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/health")
async def health(store: Store) -> dict[str, str]:
    """Liveness check (answered in the event loop: no thread, however busy the server),
    and which store keeps the sessions: `memory`, `sqlite` or `redis`."""
    return {"status": "ok", **store.health()}


@router.get("/catalog", response_model=Catalog)
async def catalog() -> Response:
    """Every id the API accepts, with display names, formulas and the limits."""
    return Response(catalog_json(), media_type="application/json")


@functools.cache
def catalog_json() -> str:
    """The catalog, written once: it changes only with the code."""
    def rows(table):
        return [{"id": r.id, "name": r.name, "formula": getattr(r, "formula", None)}
                for r in table.values()]

    datasets = [{"id": d.id, "name": d.name, "kind": d.kind, "default_head": default_head(d.kind),
                 "heads": [h for h, row in HEADS.items() if d.kind in row.kinds]}
                for d in DATASETS.values()]
    heads = [{"id": h.id, "name": h.name, "formula": h.formula, "loss": h.loss_name,
              "loss_formula": h.loss_formula, "kinds": list(h.kinds)} for h in HEADS.values()]
    limits = {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(Limits).items()
              if not k.startswith("_")}
    return Catalog(datasets=datasets, activations=rows(ACTIVATIONS), heads=heads,
                   optimizers=rows(OPTIMIZERS), regularizers=rows(REGULARIZERS),
                   initializers=rows(INITIALIZERS), features=rows(FEATURES), limits=limits,
                   defaults=Config()).model_dump_json()
