"""The one translation of pydantic's errors into a refusal's code and params
(service/errors.py): bounds read from the declaration, walking nested models, lists,
Annotated and Optional; the whole-request rules; short echoes of the input."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError

from playground.service.config import Config, ConfigPatch
from playground.service.errors import (
    VALUE_CHARS,
    declared_at,
    field_of,
    refusal_params,
    short,
    validation_refused,
)

Small = Annotated[float, Field(gt=0, lt=1)]


class Inner(BaseModel):
    rate: Small = 0.5
    cap: int = Field(0, le=10)


class Outer(BaseModel):
    items: list[Inner] | None = None
    floor: float = Field(0.0, ge=-3)


def first_error(model: type[BaseModel], data: object) -> dict:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value.errors(include_url=False)[0]


def params_of(model: type[BaseModel], data: object) -> tuple[str, dict]:
    return refusal_params(first_error(model, data), model)


def test_both_bounds_come_from_the_declaration_even_when_one_is_crossed():
    code, params = params_of(Outer, {"items": [{"rate": 0.2}, {"rate": 1.5}]})
    assert code == "out_of_range"
    assert params == {"field": "items.1.rate", "min": 0, "max": 1, "value": "1.5",
                      "min_exclusive": True, "max_exclusive": True}


def test_one_bound_is_too_small_or_too_large():
    assert params_of(Outer, {"floor": -4}) == (
        "too_small", {"field": "floor", "min": -3, "value": "-4"})
    assert params_of(Outer, {"items": [{"cap": 11}]}) == (
        "too_large", {"field": "items.0.cap", "max": 10, "value": "11"})


def test_without_a_declaration_the_crossed_bound_is_used():
    error = first_error(Outer, {"floor": -4})
    assert refusal_params(error, None) == ("too_small", {"field": "floor", "min": -3,
                                                         "value": "-4"})


def test_declared_at_walks_models_lists_and_mappings():
    kind, metadata = declared_at(Config, ("hidden", 2, "units"))
    assert kind is int and {getattr(m, "ge", None) for m in metadata} >= {1}
    assert declared_at({"body": ConfigPatch}, ("body", "hidden", 0, "dropout"))[0] is float
    assert declared_at(Config, ("hidden", "x")) is None
    assert declared_at(Config, ("nothing",)) is None


def test_ids_numbers_and_shapes():
    code, params = params_of(Config, {"features": ["x1", "x9"]})
    assert code == "unknown_id" and params["field"] == "features.1"
    assert params["value"] == "x9" and "x1_sq" in params["allowed"]
    assert params_of(Config, {"noise": "loud"}) == (
        "not_a_number", {"field": "noise", "value": "loud"})
    assert params_of(Config, {"seed": 1.5}) == (
        "not_an_integer", {"field": "seed", "value": "1.5"})
    assert params_of(Config, {"sede": 1}) == ("unknown_field", {"field": "sede"})
    assert params_of(Config, {"features": []}) == ("too_few_items", {"field": "features", "min": 1})
    assert params_of(Config, {"hidden": "deep"})[0] == "invalid"


def test_whole_config_rules_carry_their_own_code():
    code, params = params_of(Config, {"dataset": "blobs", "head": "sigmoid"})
    assert code == "head_cannot_learn"
    assert params == {"field": "head", "head": "sigmoid", "dataset": "blobs",
                      "kind": "multiclass", "allowed": ["softmax", "one_vs_all"]}
    assert params_of(Config, {"features": ["x2", "x2"]}) == (
        "repeated_features", {"field": "features"})


def test_validation_refused_keeps_every_message_and_the_first_code():
    with pytest.raises(ValidationError) as caught:
        Config.model_validate({"noise": 99, "seed": -1})
    refused = validation_refused(caught.value.errors(), Config, detail="d")
    assert refused.status == 422 and refused.code == "out_of_range"
    assert refused.params["field"] == "noise"
    assert "noise:" in refused.message and "seed:" in refused.message
    assert refused.detail == "d"
    assert validation_refused([], Config).code == "invalid"


def test_field_drops_where_fastapi_found_the_value():
    assert field_of(("body", "hidden", 0, "units")) == "hidden.0.units"
    assert field_of(("query", "resolution")) == "resolution"
    assert field_of(("point", 1)) == "point.1"
    assert field_of(()) == ""


def test_short_never_echoes_a_huge_input():
    assert short("relu") == "relu" and short(1.5) == "1.5" and short(float("nan")) == "NaN"
    assert short([1, 2]) == "[1, 2]"
    long = short("x" * 1000)
    assert len(long) == VALUE_CHARS and long.endswith("…")
