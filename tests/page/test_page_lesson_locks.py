"""A lesson's locked and hidden controls in Chromium, for the settings inside each hidden
layer and the optimizer's knobs: every input of a locked setting is disabled (the layer
settings table's Noise σ and batch norm, the typed momentum, betas, learning rate and
dropout, a layer's typed neurons, a feature's dimmed square), a locked "weights" refuses
a PReLU slope as it does a weight, the "locked" list names each control in the page's
language, a hidden setting's column is left out, and leaving gives it all back."""

from __future__ import annotations

import re

import pytest

from .page_support import expect, save_shot, wait_until

GOAL = [{"metric": "test_loss", "op": "<", "value": 0.3}]
LAYERS = [{"units": 2, "activation": "prelu", "batch_norm": True},
          {"units": 2, "activation": "noisy_relu", "noise_sigma": 0.3}]
LOCKED = {
    "en": "Fixed in this exercise: Batch norm, Noise σ, Momentum, Editing weights by hand "
          "(biases, slopes and batch norm values too).",
    "zh": "本练习固定不变的设置：批归一化、噪声 σ、动量、手动编辑权重（包括偏置、斜率和批归一化的数值）。",
}
REFUSED = {"en": "This lesson keeps the weights, biases, slopes and batch norm values as they are",
           "zh": "本课中权重、偏置、斜率和批归一化的数值不能手动修改"}


def exercise(ui, config: dict, locked: list[str], hidden: list[str] = ()) -> str:
    """A one-task lesson (a teacher's exercise) with these locks; its id."""
    r = ui.api.post("/api/exercises", json={"config": config, "locked": locked,
                                            "hidden": list(hidden), "prompt": {"en": "Train."},
                                            "goals": GOAL})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def open_exercise(ui, exercise_id: str, lang: str = "en"):
    page = ui.open(f"lang={lang}&exercise={exercise_id}").page
    expect(page.get_by_test_id("lesson-panel")).to_be_visible()
    page.evaluate("document.querySelector('#layer-settings').open = true")
    return page


def slopes(ui) -> list:
    return ui.api.get(f"/api/sessions/{ui.session_id}/params").json()["prelu_slopes"]


def test_a_lesson_locks_batch_norm_noise_sigma_momentum_and_weights(ui, tmp_path):
    config = {"dataset": "xor", "optimizer": "momentum", "hidden": LAYERS}
    page = open_exercise(ui, exercise(ui, config, ["batch_norm", "noise_sigma", "momentum", "weights"]))
    locked = [page.locator(s) for s in ("[data-control='layer-batch_norm:0']",
                                        "[data-control='layer-batch_norm:1']",
                                        "[data-control='layer-noise_sigma:1']", "#momentum")]
    for control in locked:
        expect(control).to_be_disabled()
    # what the lesson leaves free stays free, in the same table and panel
    for free in ("[data-control='layer-dropout:0']", "#learning-rate-typed", "#optimizer"):
        expect(page.locator(free)).to_be_enabled()
    expect(page.locator("#lesson-locked")).to_have_text(LOCKED["en"])
    save_shot(page, tmp_path, "lesson-locks-en.png")

    # a PReLU slope is a weight here: neither a click on its "s" nor S opens the editor
    before = slopes(ui)
    page.locator("[data-slope='1:0']").click()
    expect(page.locator("#banner")).to_contain_text(REFUSED["en"])
    expect(page.locator("#value-editor")).to_be_hidden()
    page.locator("[data-node='1:1']").focus()
    page.keyboard.press("s")
    expect(page.locator("#value-editor")).to_be_hidden()
    assert slopes(ui) == before

    # in Chinese: the same list in Chinese words, the refusal too
    page.locator("#language").select_option("zh")
    expect(page.locator("#lesson-locked")).to_have_text(LOCKED["zh"])
    page.locator("[data-slope='1:1']").click()
    expect(page.locator("#banner")).to_contain_text(REFUSED["zh"])
    for control in locked:
        expect(control).to_be_disabled()
    save_shot(page, tmp_path, "lesson-locks-zh.png")

    # leaving the lesson gives every control back, and the slope's editor opens
    page.locator("#lesson-leave").click()
    expect(page.get_by_test_id("lesson-panel")).to_be_hidden()
    for control in locked:
        expect(control).to_be_enabled()
    expect(page.locator("#lesson-locked")).to_have_text("")
    page.locator("[data-slope='1:0']").click()
    expect(page.locator("#value-editor")).to_be_visible()


def test_every_typed_knob_and_layer_control_obeys_its_lock(ui):
    config = {"dataset": "xor", "optimizer": "adam", "hidden": LAYERS}
    controls = ["hidden", "features", "learning_rate", "dropout", "init", "adam_beta1", "adam_beta2"]
    page = open_exercise(ui, exercise(ui, config, controls))
    wait_until(page, lambda: page.locator("#network .node.off").count() > 0, message="off features")
    selectors = ["[data-control='units:0']", "[data-control='units:1']", "#network .node.off",
                 "#learning-rate-typed", "#learning-rate", "[data-control='layer-dropout:0']",
                 "[data-control='layer-dropout:1']", "[data-control='drop:1']", "#init",
                 "#adam-beta1", "#adam-beta2"]
    for selector in selectors:
        for k in range(page.locator(selector).count()):
            expect(page.locator(selector).nth(k)).to_be_disabled()
    expect(page.locator("[data-control='layer-batch_norm:0']")).to_be_enabled()
    page.locator("#lesson-leave").click()
    for selector in selectors:
        expect(page.locator(selector).first).to_be_enabled()


def test_a_hidden_layer_setting_leaves_the_table(ui):
    config = {"dataset": "xor", "hidden": LAYERS}
    page = open_exercise(ui, exercise(ui, config, [], hidden=["noise_sigma", "batch_norm"]))
    heads = page.locator("#layer-settings-table th[scope=col]")
    expect(heads).to_have_text(["Layer", "Dropout"])
    expect(page.locator("[data-control^='layer-batch_norm:']")).to_have_count(0)
    page.locator("#lesson-leave").click()
    expect(heads).to_have_text(["Layer", "Dropout", "Noise σ", "Batch norm"])


def test_hidden_layer_sizes_still_read_as_text(ui):
    """Hiding "hidden" takes away the boxes and buttons that change the layers, not what
    the diagram says: each layer still reads "2 neurons" (a narrow header: "2"), never a
    stray "neurons"."""
    config = {"dataset": "xor", "hidden": LAYERS}
    page = open_exercise(ui, exercise(ui, config, [], hidden=["hidden"]))
    count = page.locator(".layer-head .units").first
    expect(count.locator(".units-input")).to_be_hidden()
    expect(page.locator("[data-control^='add:']").first).to_be_hidden()
    expect(count).to_have_text(re.compile(r"^2( neurons)?$"))
    assert count.evaluate("c => c.getBoundingClientRect().width") > 0
    page.locator("#lesson-leave").click()
    expect(count.locator(".units-input")).to_be_visible()
    expect(count.locator(".units-fixed")).to_be_hidden()


@pytest.mark.parametrize("lang, said", [("en", "✓ Goal reached. Well done!"),
                                        ("zh", "✓ 目标达成，做得好！")])
def test_an_exercise_met_says_so_without_pointing_below(ui, lang, said):
    """An exercise's one task has no explanation below it and no next step: its success
    says well done, not "read why below, then go on"."""
    r = ui.api.post("/api/exercises", json={
        "config": {"dataset": "xor"}, "prompt": {"en": "Train one epoch."},
        "goals": [{"metric": "epoch", "op": ">=", "value": 1}]})
    page = open_exercise(ui, r.json()["id"], lang)
    expect(page.get_by_test_id("lesson-goals")).to_contain_text(
        "epochs ≥ 1" if lang == "en" else "周期数 ≥ 1")          # as the maker writes it
    ui.button("Step" if lang == "en" else "单步").click()
    expect(page.get_by_test_id("lesson-result")).to_have_text(said)
