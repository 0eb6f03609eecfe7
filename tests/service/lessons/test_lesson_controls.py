"""The controls a lesson may lock or hide: every setting of the page, a hidden layer's own
ones (Noise σ and batch norm beside activation and dropout) and editing weights by hand;
a lesson file or an exercise that names any other is refused when loaded."""

from __future__ import annotations

import json

import pytest
import yaml
from pydantic import ValidationError

from playground.service.config import Config, HiddenLayerConfig
from playground.service.exercises import Exercise
from playground.service.lessons import CONTROLS, LAYER_CONTROLS, Lesson, load

TEXT = {"en": "Batch norm, fixed.", "zh": "批归一化不能改。"}
LESSON = {
    "id": "fixed-layers", "order": 99, "title": TEXT, "summary": TEXT, "text": TEXT,
    "start": {"config": {"dataset": "xor", "optimizer": "momentum", "hidden": [
        {"units": 3, "activation": "prelu", "batch_norm": True},
        {"units": 2, "activation": "noisy_relu", "noise_sigma": 0.3}]}},
    "locked": ["batch_norm", "noise_sigma", "momentum", "weights"],
    "hidden": ["noise_sigma", "batch_norm"],
    "steps": [{"kind": "task", "text": TEXT,
               "goals": [{"id": "fit", "check": {"metric": "test_loss", "op": "<", "value": 0.2}}],
               "solution": {"text": TEXT, "epochs": 100}}],
}


def test_every_hidden_layer_setting_and_every_config_field_is_a_control():
    assert set(LAYER_CONTROLS) == set(HiddenLayerConfig.model_fields) - {"units"}
    assert set(Config.model_fields) | {"weights"} | set(LAYER_CONTROLS) == set(CONTROLS)


@pytest.mark.parametrize("dump", [yaml.safe_dump, json.dumps], ids=["yaml", "json"])
def test_a_lesson_file_may_lock_and_hide_noise_sigma_and_batch_norm(tmp_path, dump):
    path = tmp_path / "fixed-layers.yaml"   # JSON is YAML too: the loader reads either
    path.write_text(dump(LESSON), encoding="utf-8")
    lesson = load(path)
    assert lesson.locked == ["batch_norm", "noise_sigma", "momentum", "weights"]
    assert lesson.hidden == ["noise_sigma", "batch_norm"]


@pytest.mark.parametrize("where", ["locked", "hidden"])
@pytest.mark.parametrize("control", ["everything", "units", "bn", "noise-sigma"])
def test_an_unknown_control_is_refused(where, control):
    with pytest.raises(ValidationError, match=where):
        Lesson.model_validate({**LESSON, where: ["batch_norm", control]})


def test_an_exercise_takes_the_same_controls():
    exercise = {"config": LESSON["start"]["config"], "locked": LESSON["locked"],
                "hidden": LESSON["hidden"], "prompt": TEXT,
                "goals": [{"metric": "test_loss", "op": "<", "value": 0.2}]}
    assert Exercise.model_validate(exercise).locked == LESSON["locked"]
    with pytest.raises(ValidationError):
        Exercise.model_validate({**exercise, "hidden": ["sigma"]})
