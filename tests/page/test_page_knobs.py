"""Every knob the API accepts, set from the page (issue 13, item 4): each control reaches
the session's config (the API is the referee) and the link (the address, opened again in
a new tab, rebuilds the same config); a number out of range is refused beside its control
and sends nothing; a PReLU node's slope is seen and edited like a weight, and the
step-through shows it; RReLU and Noisy ReLU are in the menus and the explorer."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from .page_support import Playground, expect, response_to, wait_until

LABELS = {
    "en": {"momentum": "Momentum", "optimizer": "Optimizer",
           "refused": "Momentum: type a number from 0 to below 1."},
    "zh": {"momentum": "动量", "optimizer": "优化器",
           "refused": "动量：请输入不小于0且小于1的数。"},
}


def type_in(control, text: str) -> None:
    """Type a number and press Enter, as a learner does."""
    control.fill(text)
    control.press("Enter")


def reopened(ui: Playground, context) -> Playground:
    """The page's address opened in a new tab (a copied link): a new session from it."""
    link = ui.page.url
    other = Playground(context.new_page(), ui.api)
    other.page.goto(link)
    other.wait_ready()
    assert other.session_id != ui.session_id
    return other


def address_has(ui: Playground, *parts: str) -> None:
    wait_until(ui.page, lambda: all(p in unquote(ui.page.url) for p in parts), 5,
               f"the address to carry {parts}")


# ---------------------------------------------------------------------------- optimizers
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_momentum_is_typed_shown_with_its_optimizer_and_kept_in_the_link(ui, context, lang):
    words = LABELS[lang]
    page = ui.open(f"lang={lang}").page
    momentum = ui.control(words["momentum"])
    expect(momentum).to_be_hidden()           # SGD has no momentum
    with response_to(page, "PATCH", "/config"):
        ui.control(words["optimizer"]).select_option("momentum")
    expect(momentum).to_be_visible()
    expect(momentum).to_have_value("0.9")
    with response_to(page, "PATCH", "/config") as answer:
        type_in(momentum, "0,75")             # a decimal comma reads as a point
    assert answer.value.ok
    assert ui.snapshot()["config"]["momentum"] == 0.75

    # out of range: said beside it in the page's language, nothing sent
    sent = []
    page.on("request", lambda r: r.method == "PATCH" and sent.append(r.url))
    type_in(momentum, "1")
    expect(page.locator('[data-error-for="momentum"]')).to_have_text(words["refused"])
    expect(momentum).to_have_attribute("aria-invalid", "true")
    assert sent == [] and ui.snapshot()["config"]["momentum"] == 0.75

    address_has(ui, "optimizer=momentum", "momentum=0.75")
    other = reopened(ui, context)
    config = other.snapshot()["config"]
    assert config["optimizer"] == "momentum" and config["momentum"] == 0.75
    expect(other.control(words["momentum"])).to_have_value("0.75")
    other.assert_clean()


def test_adams_betas_are_typed_and_kept_in_the_link(ui, context):
    page = ui.open("lang=en").page
    with response_to(page, "PATCH", "/config"):
        ui.control("Optimizer").select_option("adam")
    expect(ui.control("Momentum")).to_be_hidden()
    for label, typed in [("Adam β1", "0.8"), ("Adam β2", "0.99")]:
        with response_to(page, "PATCH", "/config") as answer:
            type_in(ui.control(label), typed)
        assert answer.value.ok
    config = ui.snapshot()["config"]
    assert (config["adam_beta1"], config["adam_beta2"]) == (0.8, 0.99)
    type_in(ui.control("Adam β2"), "-0.1")
    expect(page.locator('[data-error-for="adam_beta2"]')).to_contain_text("from 0 to below 1")

    address_has(ui, "adam_beta1=0.8", "adam_beta2=0.99")
    other = reopened(ui, context)
    config = other.snapshot()["config"]
    assert (config["optimizer"], config["adam_beta1"], config["adam_beta2"]) == ("adam", 0.8, 0.99)
    expect(other.control("Adam β1")).to_have_value("0.8")
    other.assert_clean()


def test_the_initializer_is_picked_and_kept_in_the_link(ui, context):
    page = ui.open("lang=en").page
    ids = ui.control("Initialization").locator("option").evaluate_all("os => os.map(o => o.value)")
    catalog = ui.api.get("/api/catalog").json()
    assert ids == [row["id"] for row in catalog["initializers"]]
    with response_to(page, "PATCH", "/config"):
        ui.control("Initialization").select_option("he")
    assert ui.snapshot()["config"]["init"] == "he"
    address_has(ui, "init=he")
    other = reopened(ui, context)
    assert other.snapshot()["config"]["init"] == "he"
    expect(other.control("Initialization")).to_have_value("he")


# ------------------------------------------------------------------------ learning rate
def test_any_learning_rate_can_be_typed_beside_the_menu(ui, context):
    page = ui.open("lang=en").page
    typed = ui.control("Type a learning rate")
    with response_to(page, "PATCH", "/config") as answer:
        type_in(typed, "0.05")
    assert answer.value.ok
    assert ui.snapshot()["config"]["learning_rate"] == 0.05
    expect(ui.control("Learning rate")).to_have_value("0.05")   # the menu shows it too
    expect(typed).to_have_value("")
    options = ui.control("Learning rate").locator("option").evaluate_all("os => os.map(o => Number(o.value))")
    assert options == sorted(options) and 0.03 in options and 0.1 in options

    for text, said in [("20", "Learning rate: type a number from 0.000001 to 10."),
                       ("fast", "“fast” is not a number")]:
        type_in(typed, text)
        expect(page.locator('[data-error-for="learning_rate"]')).to_contain_text(said)
    assert ui.snapshot()["config"]["learning_rate"] == 0.05
    expect(typed).to_have_attribute("aria-invalid", "true")       # kept while it is said

    # a preset again: the menu still has the usual ones; the refused number goes with its
    # message, so the box never shows a rate the network does not train with
    with response_to(page, "PATCH", "/config"):
        ui.control("Learning rate").select_option("0.3")
    expect(page.locator('[data-error-for="learning_rate"]')).to_have_text("")
    expect(typed).to_have_value("")
    expect(typed).not_to_have_attribute("aria-invalid", "true")
    with response_to(page, "PATCH", "/config"):
        type_in(typed, "0.0123")
    address_has(ui, "learning_rate=0.0123")
    other = reopened(ui, context)
    assert other.snapshot()["config"]["learning_rate"] == 0.0123
    expect(other.control("Learning rate")).to_have_value("0.0123")


# ----------------------------------------------------------------------- layer settings
def test_dropout_is_typed_up_to_below_0_9_and_kept_in_the_link(ui, context):
    page = ui.open("lang=en&hidden=4:tanh:0,2:tanh:0").page
    table = page.get_by_test_id("layer-settings")
    dropout = ui.control("Dropout, layer 2")
    expect(dropout).to_be_hidden()            # folded away until the learner opens it
    table.get_by_text("Layer settings: Dropout").click()
    expect(table).to_contain_text("0 = none; values near 0.9 switch off almost every unit")
    with response_to(page, "PATCH", "/config") as answer:
        type_in(dropout, "0.85")
    assert answer.value.ok
    hidden = ui.snapshot()["config"]["hidden"]
    assert [h["dropout"] for h in hidden] == [0, 0.85]
    expect(page.get_by_label("Dropout 2")).to_have_value("0.85")   # the layer's menu agrees

    type_in(dropout, "0.9")
    expect(page.locator('[data-error-for="layer_settings"]')).to_have_text(
        "Dropout, layer 2: type a number from 0 to below 0.9.")
    assert ui.snapshot()["config"]["hidden"][1]["dropout"] == 0.85

    address_has(ui, "hidden=4:tanh:0,2:tanh:0.85")
    other = reopened(ui, context)
    assert [h["dropout"] for h in other.snapshot()["config"]["hidden"]] == [0, 0.85]
    expect(other.control("Dropout, layer 2")).to_have_value("0.85")
    other.assert_clean()


def test_noise_sigma_shows_for_noisy_relu_and_travels_in_the_link(ui, context):
    page = ui.open("lang=en&hidden=4:tanh:0,2:tanh:0").page
    table = page.get_by_test_id("layer-settings")
    expect(table.get_by_role("columnheader", name="Noise σ")).to_have_count(0)
    with response_to(page, "PATCH", "/config"):
        page.get_by_label("Layer activation 2").select_option("noisy_relu")
    # picking Noisy ReLU unfolds the settings: its sigma is there to see
    expect(table.get_by_role("columnheader", name="Noise σ")).to_be_visible()
    expect(table.locator("summary")).to_have_text("Layer settings: Dropout, Noise σ, Batch norm")
    expect(table).to_contain_text("Noise σ (Noisy ReLU layers only)")
    expect(ui.control("Noise σ, layer 1")).to_have_count(0)     # a tanh layer has none
    sigma = ui.control("Noise σ, layer 2")
    expect(sigma).to_have_value("0.1")
    with response_to(page, "PATCH", "/config") as answer:
        type_in(sigma, "0.5")
    assert answer.value.ok
    assert ui.snapshot()["config"]["hidden"][1]["noise_sigma"] == 0.5
    type_in(sigma, "6")
    expect(page.locator('[data-error-for="layer_settings"]')).to_contain_text("from 0 to 5")

    address_has(ui, "hidden=4:tanh:0,2:noisy_relu:0:0.5")
    other = reopened(ui, context)
    hidden = other.snapshot()["config"]["hidden"]
    assert (hidden[1]["activation"], hidden[1]["noise_sigma"]) == ("noisy_relu", 0.5)
    assert hidden[0]["noise_sigma"] == 0.1


def test_an_old_link_of_three_parts_a_layer_still_opens(ui):
    ui.open("lang=en&hidden=3:relu:0.5,2:noisy_relu:0")
    hidden = ui.snapshot()["config"]["hidden"]
    assert [(h["units"], h["activation"], h["dropout"], h["noise_sigma"]) for h in hidden] == [
        (3, "relu", 0.5, 0.1), (2, "noisy_relu", 0, 0.1)]
    address_has(ui, "hidden=3:relu:0.5,2:noisy_relu:0&")   # the sigmas at their default stay out


# ------------------------------------------------------------------------ PReLU slopes
def test_a_prelu_slope_is_edited_like_a_weight(ui):
    page = ui.open("lang=en&hidden=3:prelu:0").page
    sid = ui.session_id
    assert page.locator("[data-slope]").count() == 3
    page.locator('[data-node="1:1"]').hover()
    expect(page.locator("#tooltip")).to_contain_text("PReLU slope s = 0.250")

    page.locator('[data-slope="1:1"]').click()
    editor = page.get_by_role("textbox", name="Type a PReLU slope, Enter applies")
    expect(page.locator("#value-editor-label")).to_have_text("PReLU slope of node 1:1")
    expect(editor).to_have_value("0.25")
    with response_to(page, "PATCH", "/slope") as answer:
        type_in(editor, "-0.3")
    assert answer.value.ok
    expect(editor).to_be_hidden()
    assert ui.api.get(f"/api/sessions/{sid}/params").json()["prelu_slopes"] == [[0.25, -0.3, 0.25]]

    # from the keyboard: S on a focused PReLU node
    page.locator('[data-node="1:2"]').focus()
    page.keyboard.press("s")
    with response_to(page, "PATCH", "/slope"):
        type_in(editor, "0.6")
    assert ui.api.get(f"/api/sessions/{sid}/params").json()["prelu_slopes"] == [[0.25, -0.3, 0.6]]
    expect(page.locator('[data-slope="1:2"]')).to_have_attribute("data-value", "0.6")


def test_the_step_through_shows_a_prelu_nodes_slope(ui):
    page = ui.open("lang=en&hidden=2:prelu:0").page
    sid = ui.session_id
    ui.api.patch(f"/api/sessions/{sid}/slope", json={"layer": 0, "node": 0, "value": 0.125})
    for field, value in (("#point-x1", "2"), ("#point-x2", "-3")):
        page.locator(field).fill(value)
        page.locator(field).press("Enter")
    panel = page.get_by_test_id("calc-panel")
    ui.button("Next node").click()
    expect(panel).to_contain_text("node 1:0")
    step = ui.api.post(f"/api/sessions/{sid}/trace", json={"point": [2, -3]}).json()["forward"][0]
    assert step["slope"] == 0.125
    said = (f"s = 0.125. z = {step['z']:.3f} < 0" if step["z"] < 0
            else f"s = 0.125, not used here: z = {step['z']:.3f} > 0")
    expect(panel).to_contain_text(f"PReLU slope of this node: {said}")
    assert step["formula"] in panel.inner_text().splitlines()


# ------------------------------------------------------------------ the new activations
@pytest.mark.parametrize("lang, rrelu, noisy", [
    ("en", "slope is fixed at its mean, 11/48", "plain ReLU"),
    ("zh", "斜率固定为平均值 11/48", "普通的 ReLU"),
])
def test_rrelu_and_noisy_relu_are_in_the_menus_and_the_explorer(ui, lang, rrelu, noisy):
    page = ui.open(f"lang={lang}").page
    for menu in (page.locator("#activation"), page.locator("[data-control='act:0']")):
        values = menu.locator("option").evaluate_all("os => os.map(o => o.value)")
        assert "rrelu" in values and "noisy_relu" in values
    page.locator("[data-explain=activation]").click()
    explorer = page.locator("#explorer")
    usage = explorer.locator(".explorer-usage")
    for activation, said in (("rrelu", rrelu), ("noisy_relu", noisy)):
        with response_to(page, "GET", f"/api/activations/{activation}/curve"):
            explorer.locator(f"[data-activation={activation}]").click()
        expect(usage).to_contain_text(said)
    if lang == "zh":
        expect(explorer.locator("[data-activation=noisy_relu]")).to_have_text("带噪 ReLU")
