"""Batch normalization on the page (issue 13, item 3): a per-layer checkbox that reaches the
session's config and the link, a mark on the diagram, the step-through's batch norm line
(the trace's own), gamma and beta in a node's tooltip (from GET /params), and the refusal
of a batch of one example in the page's language."""

from __future__ import annotations

import pytest

from .page_support import expect, js_sig, response_to
from .test_page_knobs import address_has, reopened

BADGE_TITLE = {
    "en": "Batch norm: this layer's sums are normalized before the activation",
    "zh": "批归一化：本层的加权和在激活函数之前先归一化",
}
BATCH_OF_ONE = {
    "en": "Batch norm cannot train on a batch of one example (its variance is 0; PyTorch refuses "
          "it too): with {n} training examples and batch size 1, a batch holds one.",
    "zh": "批归一化不能在只有一个样本的批次上训练（方差为 0，PyTorch 同样拒绝）：{n} 个训练样本、"
          "批大小 1 时，会有一个批次只含一个样本。",
}


def choose_point(page, x1: str, x2: str, label: str | None = None) -> None:
    for field, value in (("#point-x1", x1), ("#point-x2", x2), ("#point-label", label)):
        if value is not None:
            page.locator(field).fill(value)
            page.locator(field).press("Enter")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_checkbox_reaches_the_api_the_diagram_and_the_link(ui, context, lang):
    page = ui.open(f"lang={lang}&hidden=4:tanh:0,2:relu:0.2").page
    table = page.get_by_test_id("layer-settings")
    label = {"en": "Batch norm, layer 2", "zh": "第2层批归一化"}[lang]
    box = ui.control(label)
    expect(box).to_be_hidden()                  # folded away until the learner opens it
    table.locator("summary").click()
    expect(table).to_contain_text({"en": "running mean and variance", "zh": "滑动均值和滑动方差"}[lang])
    expect(box).not_to_be_checked()
    expect(page.locator("[data-batch-norm]")).to_have_count(0)

    with response_to(page, "PATCH", "/config") as answer:
        box.check()
    assert answer.value.ok
    hidden = ui.snapshot()["config"]["hidden"]
    assert [h["batch_norm"] for h in hidden] == [False, True]
    assert hidden[1]["dropout"] == 0.2          # the layer's other settings stay

    # the diagram marks layer 2 (its header), and only it
    badge = page.locator("[data-batch-norm]")
    expect(badge).to_have_count(1)
    expect(badge).to_have_text("BN")
    assert BADGE_TITLE[lang] in badge.get_attribute("title")
    heads = page.locator(".layer-head:not(.in):not(.out)")
    expect(heads.nth(1).locator("[data-batch-norm]")).to_have_count(1)
    expect(heads.nth(0).locator("[data-batch-norm]")).to_have_count(0)

    address_has(ui, "hidden=4:tanh:0,2:relu:0.2:bn")
    other = reopened(ui, context)
    hidden = other.snapshot()["config"]["hidden"]
    assert [(h["units"], h["activation"], h["dropout"], h["batch_norm"]) for h in hidden] == [
        (4, "tanh", 0, False), (2, "relu", 0.2, True)]
    expect(other.page.locator("[data-batch-norm]")).to_have_count(1)
    other.page.get_by_test_id("layer-settings").locator("summary").click()
    expect(other.control(label)).to_be_checked()
    other.assert_clean()

    # and off again: the mark goes, the link drops the flag
    with response_to(page, "PATCH", "/config"):
        box.uncheck()
    assert not ui.snapshot()["config"]["hidden"][1]["batch_norm"]
    expect(page.locator("[data-batch-norm]")).to_have_count(0)
    address_has(ui, "hidden=4:tanh:0,2:relu:0.2&")


def test_a_flag_beside_a_noise_sigma_and_old_links_read_right(ui):
    ui.open("lang=en&hidden=3:noisy_relu:0.1:0.5:bn,2:relu:0.5")
    hidden = ui.snapshot()["config"]["hidden"]
    assert [(h["activation"], h["dropout"], h["noise_sigma"], h["batch_norm"]) for h in hidden] == [
        ("noisy_relu", 0.1, 0.5, True), ("relu", 0.5, 0.1, False)]
    address_has(ui, "hidden=3:noisy_relu:0.1:0.5:bn,2:relu:0.5&")


def test_the_step_through_shows_the_batch_norm_line_and_its_gradients(ui):
    page = ui.open("lang=en&hidden=3:tanh:0:bn").page
    sid = ui.session_id
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()               # running statistics away from 0 and 1
    choose_point(page, "1.5", "-2", "1")
    panel = page.get_by_test_id("calc-panel")
    ui.button("Next node").click()
    ui.button("Next node").click()
    expect(panel).to_contain_text("node 1:1")
    trace = ui.api.post(f"/api/sessions/{sid}/trace", json={"point": [1.5, -2], "label": 1}).json()
    step = trace["forward"][1]
    norm = step["batch_norm"]
    assert norm["var"] != 1.0                   # a step was taken: real running statistics
    lines = panel.inner_text().splitlines()
    assert step["formula"] in lines and "BN(" in step["formula"]
    assert norm["formula"] in lines
    assert any(line.startswith("Batch norm (the running mean and variance") for line in lines)

    # backward: the way through batch norm and gamma's and beta's gradients
    ui.button("Run to the end").click()
    ui.button("Run to the end").click()         # the end of back-propagation: node 1:2
    back = trace["backward"][-1]
    assert back["node"] == "1:2"
    expect(panel).to_contain_text("node 1:2")
    lines = panel.inner_text().splitlines()
    assert back["formula"] in lines and "gamma / sqrt(var + eps)" in back["formula"]
    said = f"batch norm: dL/dγ = {js_sig(back['gamma_grad'])};  dL/dβ = {js_sig(back['beta_grad'])}"
    assert said in [line.strip() for line in lines]


@pytest.mark.parametrize("lang, words", [("en", ("Batch norm: γ =", "running mean =")),
                                         ("zh", ("批归一化：γ =", "滑动均值 ="))])
def test_the_tooltip_shows_gamma_beta_and_the_running_statistics(ui, lang, words):
    page = ui.open(f"lang={lang}&hidden=2:tanh:0,2:tanh:0:bn").page
    sid = ui.session_id
    with response_to(page, "POST", "/step"):
        page.locator("#step").click()           # gamma, beta and the statistics move
    after = ui.api.get(f"/api/sessions/{sid}/params").json()
    gamma, beta = after["bn_gamma"][1][0], after["bn_beta"][1][0]
    mean, var = after["bn_mean"][1][0], after["bn_var"][1][0]
    assert gamma != 1 and after["bn_gamma"][0] is None
    page.locator('[data-node="2:0"]').hover()
    tip = page.locator("#tooltip")
    expect(tip).to_contain_text(f"{words[0]} {gamma:.3f}")
    expect(tip).to_contain_text(f"β = {beta:.3f}")
    expect(tip).to_contain_text(f"{words[1]} {mean:.3f}")
    expect(tip).to_contain_text(f"{var:.3f}")
    page.locator('[data-node="1:0"]').hover()   # a layer without batch norm: no such line
    expect(tip).to_contain_text("1:0")
    expect(tip).not_to_contain_text("γ")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_batch_of_one_is_refused_in_the_pages_language(ui, lang):
    page = ui.open(f"lang={lang}&hidden=3:tanh:0:bn&batch_size=1").page
    ui.log.expect(r"status of 422")            # the browser logs the refused request
    epoch = ui.snapshot()["epoch"]
    examples = ui.api.get(f"/api/sessions/{ui.session_id}/data").json()["train"]
    n = len(examples["x"])
    with response_to(page, "POST", "/step") as answer:
        page.locator("#step").click()
    assert answer.value.status == 422
    expect(page.get_by_role("status").filter(has_text=BATCH_OF_ONE[lang].format(n=n))).to_be_visible()
    assert ui.snapshot()["epoch"] == epoch
