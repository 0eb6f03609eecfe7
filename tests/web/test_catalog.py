"""GET /api/health and GET /api/catalog (web/routes/catalog.py): every registry id and
the limits."""

from __future__ import annotations

from playground.engine.activations import ACTIVATIONS
from playground.engine.datasets import DATASETS
from playground.engine.features import FEATURES
from playground.engine.heads import HEADS
from playground.engine.initializers import INITIALIZERS
from playground.engine.optimizers import OPTIMIZERS
from playground.engine.regularizers import REGULARIZERS
from playground.service.config import Config, Limits


# ------------------------------------------------------------------- health, catalog
def test_health(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": "memory"}


def test_catalog_lists_every_registry_id_and_the_limits(client):
    response = client.get("/api/catalog")
    assert response.status_code == 200
    catalog = response.json()
    assert [d["id"] for d in catalog["datasets"]] == list(DATASETS)
    assert [a["id"] for a in catalog["activations"]] == list(ACTIVATIONS)
    assert [h["id"] for h in catalog["heads"]] == list(HEADS)
    assert [o["id"] for o in catalog["optimizers"]] == list(OPTIMIZERS)
    assert [r["id"] for r in catalog["regularizers"]] == list(REGULARIZERS)
    assert [f["id"] for f in catalog["features"]] == list(FEATURES)
    assert [i["id"] for i in catalog["initializers"]] == list(INITIALIZERS)
    for activation in catalog["activations"]:
        assert activation["name"] and activation["formula"]
    kinds = {d["id"]: d["kind"] for d in catalog["datasets"]}
    assert kinds["circle"] == "binary" and kinds["blobs"] == "multiclass"
    assert kinds["plane"] == "regression"
    limits = catalog["limits"]
    assert limits["max_hidden_layers"] == 8
    assert limits["max_units"] == 128 and limits["min_units"] == 1
    assert limits["max_steps_per_call"] == Limits.max_steps_per_call
    assert limits["max_heatmap_resolution"] == 200
    assert limits["noise"] == [0, 50] and limits["train_ratio"] == [10, 90]
    assert limits["weight_range"] == [-1e6, 1e6]
    assert limits["max_dropout"] == 0.9 and limits["dropout_exclusive"] is True
    assert catalog["defaults"] == Config().model_dump()


def test_schemas_take_their_bounds_from_the_limits(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    low, high = client.get("/api/catalog").json()["limits"]["weight_range"]
    for name in ("WeightEdit", "BiasEdit"):
        value = schemas[name]["properties"]["value"]
        assert (value["minimum"], value["maximum"]) == (low, high)
    dropout = schemas["HiddenLayerConfig"]["properties"]["dropout"]
    assert dropout["exclusiveMaximum"] == 0.9 and dropout["minimum"] == 0
