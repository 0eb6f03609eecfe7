"""What a new learner tripped over, tried again in a real browser: typed points, limits,
colours and legends, high-DPI text, the tablet layout, the keyboard, the first hints,
links with a bad field, and messages in the reader's language."""

from __future__ import annotations

import json
import re

import pytest

from .page_support import CHINESE, Playground, expect, response_to, save_shot, wait_until


@pytest.fixture
def open_page(browser, server, api):
    """A page in its own context: a viewport, a pixel ratio, touch, a locale."""
    pages = []

    def make(query="lang=en", width=1280, height=720, dpr=1, touch=False, locale="en-US"):
        ctx = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url,
                                  device_scale_factor=dpr, has_touch=touch, locale=locale)
        ctx.set_default_timeout(10_000)
        play = Playground(ctx.new_page(), api)
        pages.append((ctx, play))
        return play.open(query)

    yield make
    for ctx, play in pages:
        assert play.log.unexpected() == [], "the page logged errors"
        ctx.close()


# ---------------------------------------------------------------------------- 2. typed points
def test_typed_points_take_comma_decimals_and_refuse_what_is_not_a_number(ui):
    page = ui.open().page
    x1, x2 = page.locator("#point-x1"), page.locator("#point-x2")
    error = page.locator('[data-error-for="point"]')
    x1.fill("1,5")
    x1.press("Tab")                       # x2 is empty: nothing is guessed, the page asks
    expect(x2).to_be_focused()
    expect(x2).to_have_value("")
    expect(error).to_have_text("Now type x2.")
    page.keyboard.type("-3")
    with response_to(page, "POST", "/trace") as traced:
        x2.press("Enter")
    assert traced.value.request.post_data_json["point"] == [1.5, -3]
    panel = page.get_by_test_id("calc-panel")
    expect(panel).to_contain_text("Chosen point: (1.50, -3.00)")
    expect(error).to_be_hidden()

    for typed, said in [("abc", "“abc” is not a number"), ("1e999", "“1e999” is not a number"),
                        ("0x10", "“0x10” is not a number"), ("", "“” is not a number"),
                        ("7", "x1 must be between -6 and 6")]:
        x1.fill(typed)
        x1.press("Enter")
        expect(error).to_contain_text(said)
        expect(x1).to_have_attribute("aria-invalid", "true")
        expect(panel).to_contain_text("Chosen point: (1.50, -3.00)")   # the old point stays
    x1.fill("-2,25")
    x1.press("Enter")
    expect(panel).to_contain_text("Chosen point: (-2.25, -3.00)")
    expect(x1).not_to_have_attribute("aria-invalid", "true")


# ---------------------------------------------------------------------------- 16, 19, 22
def test_a_newcomer_is_told_where_to_start_and_next_node_asks_for_a_point(ui):
    page = ui.open().page
    panel = page.get_by_test_id("calc-panel")
    expect(panel).to_have_text(re.compile("Click a point in the plot, then press"))
    expect(page.get_by_text("Which properties do you want to feed in?")).to_be_visible()
    expect(page.get_by_text("Features", exact=True)).to_be_visible()
    traced = []
    page.on("request", lambda r: r.url.endswith("/trace") and traced.append(r))
    ui.button("Next node").click()
    expect(page.locator('[data-error-for="point"]')).to_have_text(re.compile("Choose a point first"))
    page.wait_for_timeout(300)
    assert traced == [], "Next node traced a point the learner never chose"

    # the ids are explained where the diagram is
    page.get_by_text("What do “1:2” and “0:1 → 1:2” mean?").click()
    expect(page.get_by_text(re.compile("layer 0 is the inputs, layer 1 the first hidden layer"))).to_be_visible()

    # a node shows its value at the chosen point; an input its feature's value
    ui.page.locator("#point-x1").fill("1")
    ui.page.locator("#point-x2").fill("2")
    with response_to(page, "POST", "/trace"):
        ui.page.locator("#point-x2").press("Enter")
    trace = ui.api.post(f"/api/sessions/{ui.session_id}/trace", json={"point": [1, 2]}).json()
    value = next(s["value"] for s in trace["forward"] if s["node"] == "1:1")
    page.locator('[data-node="1:1"]').click()
    tooltip = page.locator("#tooltip")
    expect(tooltip).to_contain_text(f"value at (1.00, 2.00) = {value:.3f}")
    page.locator('[data-node="0:1"]').hover()
    expect(tooltip).to_contain_text("at (1.00, 2.00): X₂ = 2.000")


# ---------------------------------------------------------------------------- 1. banner
def test_the_error_banner_spans_the_page(ui):
    page = ui.open().page
    ui.log.expect(r"net::ERR_FAILED")
    page.route("**/api/sessions/*/step", lambda route: route.abort())
    page.route("**/api/health", lambda route: route.abort())
    ui.button("Step").click()
    banner = page.locator("#banner")
    expect(banner).to_contain_text("Connection to the server lost")
    box = banner.bounding_box()
    assert box["width"] >= 1280 - 20, f"the banner is {box['width']} px wide"
    assert box["height"] < 60


# ---------------------------------------------------------------------------- 7, 11, 23
def test_limits_turn_buttons_off_and_say_why(ui):
    page = ui.open("lang=en&hidden=127:tanh:0").page   # limits.max_units: 128
    expect(page.locator("#layer-count")).to_have_text("1 hidden layer")
    plus = ui.button("Add neuron")
    with response_to(page, "POST", "/neurons"):
        plus.click()
    expect(page.locator("[data-node^='1:']")).to_have_count(128)
    expect(plus).to_be_disabled()
    expect(plus).to_have_attribute("title", "Layer 1 has the most neurons allowed (128).")

    for _ in range(1):
        with response_to(page, "DELETE", "/layers/0"):
            ui.button("Remove hidden layer").click()
    expect(page.locator("#layer-count")).to_have_text("0 hidden layers")
    remove = ui.button("Remove hidden layer")
    expect(remove).to_be_disabled()
    expect(remove).to_have_attribute("title", "There is no hidden layer to remove.")
    activation = ui.control("Activation")
    expect(activation).to_be_disabled()
    expect(activation.locator("option:checked")).to_have_text("no hidden layers")

    add = ui.button("Add hidden layer")
    for n in range(8):
        with response_to(page, "POST", "/layers"):
            add.click()
        expect(page.locator("#layer-count")).to_have_text(f"{n + 1} hidden layer" + ("s" if n else ""))
    expect(add).to_be_disabled()
    expect(add).to_have_attribute("title", "At most 8 hidden layers.")

    # different activations: the global menu says so
    page.get_by_label("Layer activation 2").select_option("relu")
    expect(activation.locator("option:checked")).to_have_text("Mixed")
    expect(activation).to_be_enabled()


# ---------------------------------------------------------------------------- 5, 6. colours
def test_one_colour_per_class_and_a_legend_for_every_class(ui):
    page = ui.open("lang=en&dataset=blobs&classes=4&features=x1,x2&hidden=6:relu:0").page
    legend = page.get_by_test_id("plot-legend")
    expect(legend).to_have_text(re.compile(r"class 0\s*class 1\s*class 2\s*class 3"))
    swatches = page.eval_on_selector_all("#plot-legend .dot", "els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert swatches[:2] == ["rgb(8, 119, 189)", "rgb(245, 147, 34)"]   # blue and orange, as on binary data
    assert len(set(swatches)) == 4

    # hovering output node 2:0 (class 0) paints class 0's colour where class 0 is likely
    ui.api.post(f"/api/sessions/{ui.session_id}/step", json={"epochs": 60})
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    page.locator('[data-node="2:0"]').hover()
    point = confident_spot(ui, klass=0)
    r, g, b = plot_color_at(page, point)
    assert r < 150 and b > g, f"class 0's probability is painted {r, g, b}, not blue"


def confident_spot(ui, klass: int) -> list[float]:
    """A grid cell where `klass` wins with p > 0.9, at least 0.6 from every data point
    (so a dot does not cover the pixel looked at)."""
    sid = ui.session_id
    maps = ui.api.get(f"/api/sessions/{sid}/heatmaps?resolution=30&encoding=list").json()
    data = ui.api.get(f"/api/sessions/{sid}/data").json()
    points = data["train"]["x"] + data["test"]["x"]
    for r, x2 in enumerate(maps["x2"]):
        for c, x1 in enumerate(maps["x1"]):
            if maps["output_class"][r][c] == klass and maps["output"][r][c] > 0.9 and all(
                    (x1 - a) ** 2 + (x2 - b) ** 2 > 0.36 for a, b in points):
                return [x1, x2]
    raise AssertionError(f"no confident, empty spot for class {klass}")


def plot_color_at(page, point):
    """The plot's colour at a point of the input square."""
    return page.evaluate("""([x1, x2]) => {
        const c = document.querySelector('[data-testid=data-plot]');
        const s = c.width / 300, px = ((x1 + 6) / 12) * 300, py = ((6 - x2) / 12) * 300;
        const d = c.getContext('2d').getImageData(Math.round(px * s), Math.round(py * s), 1, 1).data;
        return [d[0], d[1], d[2]];
    }""", point)


# ---------------------------------------------------------------------------- 8. high DPI
def test_plot_text_keeps_its_size_at_device_pixel_ratio_2(open_page):
    sizes = {}
    for dpr in (1, 2):
        play = open_page("lang=en", dpr=dpr)
        sizes[dpr] = play.page.evaluate("""() => {
            const c = document.querySelector('[data-testid=data-plot]');
            const ctx = c.getContext('2d');
            return {backing: c.width, css: c.getBoundingClientRect().width,
                    scale: ctx.getTransform().a, font: ctx.font};
        }""")
    assert sizes[1]["css"] == sizes[2]["css"] == 300
    assert sizes[2]["backing"] == 2 * sizes[1]["backing"] == 600
    assert sizes[2]["scale"] == 2 and sizes[1]["scale"] == 1   # drawn in CSS pixels
    assert sizes[1]["font"] == sizes[2]["font"] == "10px sans-serif"


# ---------------------------------------------------------------------------- 20. tablet
def test_tablet_keeps_the_plot_near_the_top_and_bias_handles_touchable(open_page, tmp_path):
    play = open_page("lang=en", width=768, height=1024, dpr=2, touch=True)
    page = play.page
    heading = page.locator("#output-heading").bounding_box()
    plot = page.get_by_test_id("data-plot").bounding_box()
    metrics = page.get_by_test_id("test-loss").bounding_box()
    diagnostics = page.locator("#diag-heading").bounding_box()
    assert plot["y"] < diagnostics["y"], "the plot sits below Diagnostics"
    assert plot["y"] - heading["y"] < 60 and abs(metrics["y"] - plot["y"]) < 120, \
        "the output heading, the numbers and the plot are split apart"
    assert plot["y"] < 900
    # a bias handle takes a tap 12 px beside its centre (a 24 px target at least)
    bias = page.locator('button.bias[data-bias="1:0"]')
    box = bias.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in [(-12, 0), (12, 0), (0, -12), (0, 12)]:
        hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.dataset?.bias", [cx + dx, cy + dy])
        assert hit == "1:0", f"a tap at ({dx}, {dy}) from the bias centre misses it"
    page.tap('button.bias[data-bias="1:0"]')
    expect(page.get_by_role("textbox", name="Type a bias, Enter applies")).to_be_visible()
    save_shot(page, tmp_path, "tablet-en.png")


# ---------------------------------------------------------------------------- 21. keyboard
def test_keyboard_reaches_nodes_weights_and_the_plot_in_a_sensible_order(ui):
    page = ui.open("lang=en").page
    page.locator("#remove-layer").focus()
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("""() => {
            const e = document.activeElement;
            return e.dataset.node ? 'node' : e.dataset.weight ? 'edge' : e.id || e.className || e.tagName;
        }"""))
        if stops[-1] == "data-plot":
            break
    assert "edge" not in stops, "Tab visits the edges"
    assert stops.count("node") == 1, f"the diagram should be one tab stop: {stops}"
    assert stops.index("node") < stops.index("data-plot")

    # inside the diagram: arrows move between nodes, W walks the weights in, Enter edits
    page.locator('[data-node="0:0"]').focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator('[data-node="1:0"]')).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator('[data-node="1:1"]')).to_be_focused()
    page.keyboard.press("w")
    expect(page.locator('[data-weight="0:0:1"]')).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator('[data-weight="0:1:1"]')).to_be_focused()
    page.keyboard.press("Enter")
    editor = page.get_by_role("textbox", name="Type a weight, Enter applies")
    editor.fill("0,75")
    with response_to(page, "PATCH", "/weight"):
        editor.press("Enter")
    expect(editor).to_be_hidden()
    expect(page.locator('[data-weight="0:1:1"]')).to_be_focused()   # back where it was
    assert ui.snapshot()["weights"][0][1][1] == 0.75
    page.keyboard.press("Escape")
    expect(page.locator('[data-node="1:1"]')).to_be_focused()

    # the plot: arrow keys move the chosen point
    plot = page.get_by_test_id("data-plot")
    plot.focus()
    with response_to(page, "POST", "/trace") as traced:
        page.keyboard.press("ArrowUp")
    assert traced.value.request.post_data_json["point"] == [0, 0.5]
    with response_to(page, "POST", "/trace") as traced:
        page.keyboard.press("Shift+ArrowRight")
    assert traced.value.request.post_data_json["point"] == [0.1, 0.5]


# ---------------------------------------------------------------------------- 13. links
def test_a_link_with_one_bad_field_keeps_the_good_ones(ui):
    page = ui.open("lang=en&dataset=xor&learning_rate=99&batch_size=5&hidden=3:relu:0").page
    snap = ui.snapshot()
    assert snap["config"]["dataset"] == "xor" and snap["config"]["batch_size"] == 5
    assert [h["units"] for h in snap["config"]["hidden"]] == [3]
    assert snap["config"]["learning_rate"] == 0.03
    banner = page.locator("#banner")
    expect(banner).to_contain_text("left out (Learning rate)")
    ui.log.expect(r"status of 422")


def test_dropout_offers_up_to_0_8_and_says_what_it_means(ui):
    page = ui.open("lang=en&hidden=4:tanh:0").page
    drop = page.get_by_label("Dropout 1")
    values = drop.locator("option").evaluate_all("os => os.map(o => Number(o.value))")
    assert values[0] == 0 and max(values) == 0.8 and max(values) < 0.9
    expect(drop).to_have_attribute("title", re.compile(r"0 = none; near 0\.9 \(the most allowed\) = almost all"))
    with response_to(page, "PATCH", "/config") as answer:
        drop.select_option("0.8")
    assert answer.value.ok
    assert ui.snapshot()["config"]["hidden"][0]["dropout"] == 0.8


# ---------------------------------------------------------------------------- 10. Chinese
def test_the_chinese_page_words_refusals_and_its_own_messages_in_chinese(open_page):
    play = open_page("lang=zh", locale="zh-CN")
    page = play.page
    expect(page.get_by_test_id("data-plot")).to_have_attribute("aria-label", "数据与决策边界")
    x1 = page.locator("#point-x1")
    x1.fill("abc")
    x1.press("Enter")
    expect(page.locator('[data-error-for="point"]')).to_have_text("“abc”不是数字：请输入例如 1.5、-2,25 或 3e-2。")
    # a refusal from the server is worded from its code
    body = {"message": "layer 1 has 16 neurons; at most 16 are allowed", "code": "too_many_units",
            "params": {"layer": 1, "units": 16, "max": 16, "room": 0}, "detail": None, "allowed": None}
    page.route("**/neurons", lambda route: route.fulfill(status=422, content_type="application/json",
                                                         body=json.dumps(body)))
    play.log.expect(r"status of 422")
    play.button("添加神经元").first.click()
    alert = page.locator('[data-error-for="hidden"]')
    expect(alert).to_have_text("第1层有16个神经元；最多允许16个。")
    assert CHINESE.search(alert.inner_text())


def test_a_chinese_link_refusal_is_worded_in_chinese(open_page):
    play = open_page("lang=zh&learning_rate=99&dataset=xor", locale="zh-CN")
    play.log.expect(r"status of 422")
    banner = play.page.locator("#banner")
    expect(banner).to_contain_text("学习率必须在0.000001到10之间")
    assert play.snapshot()["config"]["dataset"] == "xor"


# ---------------------------------------------------------------------------- 9. what was rebuilt
def test_changing_the_dataset_says_what_was_rebuilt(ui):
    page = ui.open("lang=en&dataset=circle").page
    note = page.locator("#data-note")
    with response_to(page, "PATCH", "/config"):
        ui.control("Dataset").select_option("blobs")
    expect(note).to_have_text("The output changed from Sigmoid to Softmax, and the output layer "
                              "was rebuilt with new weights.")
    with response_to(page, "PATCH", "/config"):
        ui.control("Dataset").select_option("circle")
    expect(note).to_contain_text("from Softmax to Sigmoid")
    assert ui.snapshot()["config"]["head"] == "sigmoid"
    expect(ui.control("Output")).to_have_value("sigmoid")
    with response_to(page, "PATCH", "/config"):
        ui.control("Dataset").select_option("xor")
    expect(note).to_have_text("New data: the weights are kept; the loss is measured on the new points.")


# ---------------------------------------------------------------------------- 3, 26. diagnostics
def test_no_false_exploding_flag_after_switching_activation(ui):
    page = ui.open("lang=en&hidden=" + ",".join(["4:sigmoid:0"] * 6)).page
    ui.api.post(f"/api/sessions/{ui.session_id}/step", json={"epochs": 40})
    with response_to(page, "PATCH", "/config"):
        ui.control("Activation").select_option("relu")
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    flag = page.get_by_test_id("gradient-flag")
    expect(flag).not_to_contain_text("Exploding")
    assert ui.snapshot()["diagnostics"]["gradient_flag"] != "exploding"


def test_overfitting_is_flagged_with_advice(ui):
    # all seven features and 2 x 8 units for 50 noisy training points: learnt by heart
    page = ui.open("lang=en&dataset=spiral&noise=20&num_samples=100&hidden=8:tanh:0,8:tanh:0"
                   "&features=x1,x2,x1_sq,x2_sq,x1x2,sin_x1,sin_x2").page
    flag = page.get_by_test_id("overfitting-flag")
    expect(flag).to_be_hidden()
    for _ in range(10):   # as a learner's Play records it: a history point per call
        ui.api.post(f"/api/sessions/{ui.session_id}/step", json={"epochs": 50})
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    snap = ui.snapshot()
    assert snap["diagnostics"]["overfitting"], snap["metrics"]
    expect(flag).to_contain_text("Overfitting")
    expect(flag).to_contain_text("fewer features, L2 regularization, dropout, or more data")


# ---------------------------------------------------------------------------- issue 9: pacing
def test_play_asks_at_most_once_per_animation_frame_and_not_at_all_without_frames(ui):
    page = ui.page
    page.add_init_script("""{
        window.__ticks = 0;
        window.__frozen = false;                       // a hidden tab gets no animation frames
        const raf = window.requestAnimationFrame.bind(window);
        window.requestAnimationFrame = (cb) => raf((t) => {
            if (window.__frozen) { window.requestAnimationFrame(cb); return; }
            window.__ticks++; cb(t);
        });
    }""")
    sent = []
    page.on("websocket", lambda ws: ws.url.endswith("/play")
            and ws.on("framesent", lambda payload: sent.append(payload)))
    ui.open("lang=en&speed=200")
    ui.button("Play").click()
    page.wait_for_timeout(1500)
    ticks = page.evaluate("window.__ticks")
    assert 5 < len(sent) <= ticks, f"{len(sent)} frame requests in {ticks} animation frames"
    assert max(json.loads(m)["epochs"] for m in sent) > 1, "the fastest speed sent 1 epoch a frame"
    page.evaluate("window.__frozen = true")
    page.wait_for_timeout(300)                         # the frame in flight lands
    before = len(sent)
    page.wait_for_timeout(1000)
    assert len(sent) == before, "a page with no animation frames kept asking for frames"
    page.evaluate("window.__frozen = false")
    wait_until(page, lambda: len(sent) > before, 5, "frames again once the tab is visible")
    ui.button("Pause").click()


# ---------------------------------------------------------------------------- a learner's walkthrough
def test_a_label_does_not_follow_the_learner_to_another_dataset(ui):
    page = ui.open("lang=en&dataset=blobs&classes=5").page
    with response_to(page, "POST", "/trace"):
        ui.button("Training example").click()
    label = page.locator("#point-label")
    expect(label).not_to_have_value("")
    with response_to(page, "POST", "/trace") as traced:   # the point is traced on the new data
        ui.control("Dataset").select_option("circle")
    assert "label" not in traced.value.request.post_data_json
    expect(label).to_have_value("")
    expect(page.locator('[data-error-for="point"]')).to_be_hidden()
    ui.button("Next node").click()
    expect(page.get_by_test_id("calc-panel")).to_contain_text("node 1:0")


def test_after_divergence_training_waits_for_reset_even_at_a_lower_rate(ui):
    page = ui.open("lang=en&dataset=plane&head=linear&hidden=8:relu:0,8:relu:0"
                   "&learning_rate=10&batch_size=1").page
    ui.log.expect(r"status of 409")           # the step the page asked for was refused
    ui.api.post(f"/api/sessions/{ui.session_id}/step", json={"epochs": 20})
    assert ui.snapshot()["diverged"]
    with response_to(page, "POST", "/step"):
        page.keyboard.press("ArrowRight")
    expect(ui.button("Play")).to_be_disabled()
    with response_to(page, "PATCH", "/config"):
        ui.control("Learning rate").select_option("0.01")
    expect(ui.button("Play")).to_be_disabled()
    expect(page.locator("#banner")).to_contain_text("press Reset")
    ui.button("Reset").click()
    expect(ui.button("Play")).to_be_enabled()
    expect(page.locator("#banner")).to_be_hidden()


def test_a_link_leaves_out_only_the_part_that_was_refused(open_page):
    play = open_page("lang=en&hidden=3:relu:0.9&features=x1,foo")
    play.log.expect(r"status of 422")
    config = play.snapshot()["config"]
    assert [(h["units"], h["activation"], h["dropout"]) for h in config["hidden"]] == [(3, "relu", 0)]
    assert config["features"] == ["x1"]
    banner = play.page.locator("#banner")
    expect(banner).to_contain_text("must be at least 0 and below 0.9 (not 0.9)")
    expect(banner).to_contain_text("Features: “foo” is not known")

    zh = open_page("lang=zh&dataset=nope", locale="zh-CN")
    zh.log.expect(r"status of 422")
    expect(zh.page.locator("#banner")).to_contain_text("圆形、异或")      # ids worded as names
    expect(zh.page.locator("#banner")).to_contain_text("多高斯、上传或画出的数据。")  # own data too
    expect(zh.page.locator("#banner")).not_to_contain_text("custom:")


def test_a_button_at_its_limit_says_why_when_pressed(open_page):
    play = open_page("lang=en&hidden=", width=768, height=1024, touch=True)
    remove = play.button("Remove hidden layer")
    expect(remove).to_be_disabled()
    remove.tap(force=True)            # a finger does not wait for the button to be enabled
    expect(play.page.locator('[data-error-for="hidden"]')).to_have_text("There is no hidden layer to remove.")


# ---------------------------------------------------------------------------- a reviewer's findings
def test_changes_while_playing_never_step_back(ui):
    page = ui.page
    page.add_init_script("""{
        window.__writes = 0;
        const replace = history.replaceState.bind(history);
        history.replaceState = (...args) => { window.__writes++; return replace(...args); };
    }""")
    ui.open("lang=en")
    epochs = []
    ui.button("Play").click()
    for rate, activation in [("0.1", "relu"), ("0.01", "tanh"), ("0.3", "sigmoid")]:
        ui.control("Learning rate").select_option(rate)
        ui.control("Activation").select_option(activation)
        page.get_by_label("Layer activation 1").select_option("relu")   # a second quick edit
        page.wait_for_timeout(400)
        epochs.append(ui.epoch())
        expect(ui.control("Learning rate")).to_have_value(rate)
    ui.button("Pause").click()
    snap = ui.snapshot()
    assert snap["config"]["learning_rate"] == 0.3
    assert [h["activation"] for h in snap["config"]["hidden"]] == ["relu", "sigmoid"]
    assert epochs == sorted(epochs) and epochs[-1] > 0, epochs
    assert page.evaluate("window.__writes") < 40, "the address was rewritten for every frame"


def test_a_refusal_in_the_banner_stays_and_follows_the_language(ui):
    page = ui.open("lang=en").page
    ui.log.expect(r"status of 429")
    body = {"message": "the session is busy; try again in 1 s", "code": "busy",
            "params": {"retry_after": 1}, "detail": None, "allowed": None}
    page.route("**/api/sessions/*/step", lambda route: route.fulfill(
        status=429, content_type="application/json", body=json.dumps(body)))
    ui.button("Step").click()
    banner = page.locator("#banner")
    expect(banner).to_be_visible()
    page.wait_for_timeout(500)
    expect(banner).to_be_visible()                     # not taken down by the redraw
    # a message beside a control is worded again in the new language
    page.locator("#point-x1").fill("abc")
    page.locator("#point-x1").press("Enter")
    ui.control("Language").select_option("zh")
    expect(page.locator('[data-error-for="point"]')).to_have_text(
        "“abc”不是数字：请输入例如 1.5、-2,25 或 3e-2。")


def test_every_class_region_has_its_own_colour(ui):
    """The winning class comes as a u8 grid (class 3 of 0..4 decodes as 2.996): each region
    is painted in its own class's colour, never its neighbour's."""
    palette = [(8, 119, 189), (245, 147, 34), (0, 158, 115), (204, 121, 167), (117, 112, 179)]
    page = ui.open("lang=en&dataset=blobs&classes=5&hidden=8:relu:0").page
    ui.api.post(f"/api/sessions/{ui.session_id}/step", json={"epochs": 60})
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    # the answer came; the plot is drawn once the read-out shows it, at the next frame
    wait_until(page, lambda: ui.epoch() == 61, 10, "epoch 61 shown")
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    for k in range(5):
        color = plot_color_at(page, confident_spot(ui, klass=k))
        nearest = min(range(5), key=lambda c: sum((a - b) ** 2 for a, b in zip(color, palette[c])))
        assert nearest == k, f"class {k}'s region is painted {color}, class {nearest}'s colour"
