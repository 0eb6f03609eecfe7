"""A unit's batch norm values typed in on the page, as a PReLU slope is: a batch-normalized
node's "BN" button (and the N key on it, and the unit picker for a wide layer) opens an
editor with its γ, β, running mean and running variance read from GET /params; each
changed value is sent as PATCH /batch_norm, a bad one is refused beside its field in the
page's language with nothing sent, and a lesson's lock on the weights holds. The API is
the referee."""

from __future__ import annotations

import pytest

from .page_support import expect, response_to, save_shot, wait_until

NET = "hidden=3:tanh:0:bn,2:tanh:0&dataset=xor&features=x1,x2"
FIELDS = ("gamma", "beta", "mean", "var")
WORDS = {
    "en": {"title": "Batch norm of node {node}", "gamma": "γ (scale)", "var": "Running variance",
           "negative": "A variance cannot be negative: type 0 or more.",
           "no_norm": "Layer 1 has no batch norm: turn it on in Layer settings first.",
           "locked": "This lesson keeps the weights, biases, slopes and batch norm values as they are: train to change them."},
    "zh": {"title": "节点{node}的批归一化", "gamma": "γ（缩放）", "var": "滑动方差",
           "negative": "方差不能为负：请输入 0 或更大的数。",
           "no_norm": "第1层没有批归一化：请先在“各层设置”中打开它。",
           "locked": "本课中权重、偏置、斜率和批归一化的数值不能手动修改：通过训练来改变它们。"},
}


def params(ui) -> dict:
    r = ui.api.get(f"/api/sessions/{ui.session_id}/params")
    assert r.status_code == 200, r.text
    return r.json()


def norm_values(ui, layer: int, node: int) -> dict[str, float]:
    """bn_<field>[layer][node] for each field (`layer` a hidden-layer index)."""
    got = params(ui)
    return {f: got[f"bn_{f}"][layer][node] for f in FIELDS}


def norm_patches(page) -> list[dict]:
    """The PATCH …/batch_norm bodies the page sends from now on."""
    sent: list[dict] = []
    page.on("request", lambda r: sent.append(r.post_data_json)
            if r.method == "PATCH" and r.url.endswith("/batch_norm") else None)
    return sent


def editor_shows(ui, node: str, lang: str = "en") -> None:
    """The editor is open on `node`, its four fields filled from GET /params."""
    page = ui.page
    editor = page.get_by_test_id("norm-editor")
    expect(editor).to_be_visible()
    expect(page.locator("#norm-editor-title")).to_have_text(WORDS[lang]["title"].format(node=node))
    expect(page.locator("#norm-gamma")).to_be_enabled()   # the values came
    l, j = map(int, node.split(":"))
    for field, value in norm_values(ui, l - 1, j).items():
        assert float(page.locator(f"#norm-{field}").input_value()) == pytest.approx(value, abs=5e-4)


def test_gamma_and_the_running_variance_are_set_from_the_page(ui, tmp_path):
    page = ui.open(f"lang=en&{NET}").page
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()           # gamma, beta and the statistics away from 1, 0, 0, 1
    # a button on each node of layer 1 (batch norm), none on layer 2's or the output's
    expect(page.locator("[data-norm]")).to_have_count(3)
    expect(page.locator('[data-node="2:0"] [data-norm], [data-node="3:0"] [data-norm]')).to_have_count(0)
    before = params(ui)
    heatmap = page.evaluate("window.playground.heatmaps.nodes['1:1']")
    sent = norm_patches(page)

    page.locator('[data-norm="1:1"]').click()
    editor_shows(ui, "1:1")
    page.get_by_label("γ (scale)", exact=True).fill("2")
    page.get_by_label("Running variance", exact=True).fill("0.5")
    save_shot(page, tmp_path, "norm-editor-en.png")
    page.get_by_label("Running variance", exact=True).press("Enter")
    expect(page.get_by_test_id("norm-editor")).to_be_hidden()

    # only the two changed values went, each as one PATCH; exactly those changed
    assert sorted((b["field"], b["value"]) for b in sent) == [("gamma", 2), ("var", 0.5)]
    assert all((b["layer"], b["node"]) == (0, 1) for b in sent)
    after = params(ui)
    want = {f"bn_{f}": [list(before[f"bn_{f}"][0]), None] for f in FIELDS}
    want["bn_gamma"][0][1], want["bn_var"][0][1] = 2.0, 0.5
    assert {k: after[k] for k in want} == want
    assert after["weights"] == before["weights"] and after["biases"] == before["biases"]

    # the page shows the new network: its heatmaps, and the tooltip's numbers
    wait_until(page, lambda: page.evaluate("window.playground.heatmaps.nodes['1:1']") != heatmap,
               message="node 1:1's heatmap drawn again")
    page.locator('[data-node="1:1"]').hover()
    tip = page.locator("#tooltip")
    expect(tip).to_contain_text("γ = 2.000")
    expect(tip).to_contain_text("running variance = 0.500")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_negative_variance_is_refused_on_the_page_and_nothing_is_sent(ui, tmp_path, lang):
    other = "zh" if lang == "en" else "en"
    page = ui.open(f"lang={lang}&{NET}").page
    before = params(ui)
    sent = norm_patches(page)
    page.locator('[data-norm="1:0"]').click()
    editor_shows(ui, "1:0", lang)
    var = page.get_by_label(WORDS[lang]["var"], exact=True)
    page.get_by_label(WORDS[lang]["gamma"], exact=True).fill("3")   # a good value waits too
    var.fill("-0.1")
    var.press("Enter")
    slot = page.locator('[data-error-for="norm-var"]')
    expect(slot).to_have_text(WORDS[lang]["negative"])
    expect(var).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("norm-editor")).to_be_visible()   # open for another try
    save_shot(page, tmp_path, f"norm-refused-{lang}.png")
    # and again in the other language, the page switched to it
    page.get_by_label({"en": "Language", "zh": "语言"}[lang], exact=True).select_option(other)
    expect(page.locator('[data-norm="1:0"]')).to_have_attribute(
        "aria-label", WORDS[other]["title"].format(node="1:0") + {"en": ": γ, β, running mean and variance",
                                                                 "zh": "：γ、β、滑动均值和滑动方差"}[other])
    page.locator('[data-norm="1:0"]').click()
    editor_shows(ui, "1:0", other)
    var = page.get_by_label(WORDS[other]["var"], exact=True)
    var.fill("−1")                          # the minus sign the page prints, read as one
    var.press("Enter")
    expect(page.locator('[data-error-for="norm-var"]')).to_have_text(WORDS[other]["negative"])
    page.wait_for_timeout(300)
    assert sent == [] and params(ui) == before


def test_a_refusal_of_the_server_is_said_beside_its_field(ui):
    page = ui.open(f"lang=zh&{NET}").page
    ui.log.expect(r"status of 409")        # the browser logs the refused request
    page.locator('[data-norm="1:2"]').click()
    editor_shows(ui, "1:2", "zh")
    # batch norm turned off behind the page's back: the server refuses the value
    hidden = [{"units": 3, "batch_norm": False}, {"units": 2}]
    assert ui.api.patch(f"/api/sessions/{ui.session_id}/config", json={"hidden": hidden}).is_success
    page.locator("#norm-beta").fill("0.25")
    with response_to(page, "PATCH", "/batch_norm") as answer:
        page.locator("#norm-set").click()
    assert answer.value.status == 409
    expect(page.locator('[data-error-for="norm-beta"]')).to_have_text(WORDS["zh"]["no_norm"])
    expect(page.locator("#norm-beta")).to_have_attribute("aria-invalid", "true")


def test_the_n_key_opens_it_and_only_on_a_batch_normalized_node(ui):
    page = ui.open(f"lang=en&{NET}").page
    sent = norm_patches(page)
    page.locator('[data-node="2:0"]').focus()   # layer 2 has no batch norm: nothing opens
    page.keyboard.press("n")
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("norm-editor")).to_be_hidden()
    page.keyboard.press("ArrowLeft")             # to node 1:0
    page.keyboard.press("N")
    editor_shows(ui, "1:0")
    expect(page.locator("#norm-gamma")).to_be_focused()
    page.keyboard.press("Escape")                # closes, sends nothing, back on the node
    expect(page.get_by_test_id("norm-editor")).to_be_hidden()
    expect(page.locator('[data-node="1:0"]')).to_be_focused()
    page.keyboard.press("n")
    editor_shows(ui, "1:0")
    page.keyboard.type("1.5")                    # γ is focused, its value selected
    with response_to(page, "PATCH", "/batch_norm"):
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("norm-editor")).to_be_hidden()
    assert norm_values(ui, 0, 0)["gamma"] == 1.5
    assert [b["field"] for b in sent] == ["gamma"]
    expect(page.locator('[data-node="1:0"]')).to_be_focused()


def test_a_wide_layers_unit_is_reached_from_the_unit_picker(ui):
    page = ui.open("lang=en&hidden=20:tanh:0:bn,18:tanh:0&dataset=xor&features=x1,x2").page
    button = page.get_by_role("button", name="Batch norm…", exact=True)
    ui.control("Neuron").fill("17")
    ui.control("Neuron").press("Tab")
    expect(page.locator(".expanded-id")).to_have_text("1:17")
    button.click()
    editor_shows(ui, "1:17")
    page.locator("#norm-mean").fill("0.25")
    with response_to(page, "PATCH", "/batch_norm"):
        page.locator("#norm-set").click()
    expect(page.get_by_test_id("norm-editor")).to_be_hidden()
    assert norm_values(ui, 0, 17)["mean"] == 0.25
    # layer 2 has no batch norm: no such button for its units
    ui.control("Layer").select_option("2")
    expect(button).to_be_hidden()
    # and N on a cell of layer 1 opens it too
    page.locator('[data-node="1:3"]').focus()
    page.keyboard.press("n")
    editor_shows(ui, "1:3")


def test_a_lesson_that_locks_the_weights_shows_the_values_and_sets_none(ui):
    made = ui.api.post("/api/exercises", json={
        "config": {"dataset": "xor", "hidden": [{"units": 3, "batch_norm": True}]},
        "locked": ["weights"], "prompt": {"en": "Train it."},
        "goals": [{"metric": "test_loss", "op": "<", "value": 0.3}]}).json()
    page = ui.open(f"lang=en&exercise={made['id']}").page
    sent = norm_patches(page)
    page.locator('[data-norm="1:1"]').click()
    editor_shows(ui, "1:1")
    expect(page.locator('[data-error-for="norm"]')).to_have_text(WORDS["en"]["locked"])
    expect(page.locator("#norm-set")).to_be_disabled()
    gamma = page.locator("#norm-gamma")
    assert gamma.evaluate("e => e.readOnly")
    gamma.press("Enter")
    page.wait_for_timeout(300)
    assert sent == []
