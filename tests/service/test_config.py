"""The config rules at unit level (service/config.py): which head a dataset change brings,
and the whole-config rules refusing with their own code."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from playground.service.config import Config, ConfigPatch, apply_patch


def walk(config: Config, *datasets: str) -> list[str]:
    heads = []
    for dataset in datasets:
        config = apply_patch(config, ConfigPatch(dataset=dataset))
        heads.append(config.head)
    return heads


def test_a_default_head_follows_the_dataset_there_and_back():
    assert walk(Config(), "blobs", "circle", "plane", "xor") == [
        "softmax", "sigmoid", "linear", "sigmoid"]


def test_a_chosen_head_stays_while_it_can_learn_the_data():
    assert walk(Config(head="softmax"), "xor", "moons") == ["softmax", "softmax"]
    assert walk(Config(dataset="blobs", head="one_vs_all"), "circle", "spiral_k") == [
        "one_vs_all", "one_vs_all"]
    # it cannot learn a regression: that kind's default, and then the defaults follow
    assert walk(Config(head="softmax"), "plane", "circle") == ["linear", "sigmoid"]


def test_a_head_named_in_the_patch_wins_or_is_refused():
    config = apply_patch(Config(), ConfigPatch(dataset="blobs", head="one_vs_all"))
    assert config.head == "one_vs_all"
    with pytest.raises(ValidationError) as caught:
        apply_patch(Config(), ConfigPatch(dataset="plane", head="softmax"))
    error = caught.value.errors()[0]["ctx"]["error"]
    assert (error.code, error.params["allowed"]) == ("head_cannot_learn", ["linear"])

