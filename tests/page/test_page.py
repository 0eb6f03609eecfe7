"""The page in a real browser (Chromium through Playwright), driven the way a user drives
it: through buttons, menus, the keyboard and the mouse, with the server's API as the
referee. Every test ends by checking that the page logged no errors.

The server runs as `python -m playground` in a subprocess (one per module). Without
Chromium or Playwright the tests are skipped, unless CI=true, where that is a failure.
"""

from __future__ import annotations

import json
import re

import pytest

from .page_support import (
    CHINESE,
    NUMBER,
    Playground,
    expect,
    response_to,
    save_shot,
    wait_until,
)

LABELS = ["Dataset", "Learning rate", "Activation", "Batch size", "Noise", "Regularization",
          "Regularization rate", "Optimizer", "Output", "Language"]


# ---------------------------------------------------------------------------- tests
def test_page_loads_in_english_with_the_contract_handles(ui, tmp_path):
    page = ui.open("lang=en").page
    expect(page).to_have_title("Neural Playground")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for name in ["Play", "Step", "Reset", "Add hidden layer", "Remove hidden layer"]:
        expect(ui.button(name)).to_be_visible()
    snap = ui.snapshot()
    hidden = len(snap["layers"]) - 2
    assert hidden == len(snap["config"]["hidden"]) >= 1
    expect(ui.button("Add neuron")).to_have_count(hidden)
    expect(ui.button("Remove neuron")).to_have_count(hidden)

    # every labelled control exists once, and shows the session's value as a contract id
    for label in LABELS:
        expect(ui.control(label)).to_be_visible()
    config = snap["config"]
    expect(ui.control("Dataset")).to_have_value(config["dataset"])
    expect(ui.control("Learning rate")).to_have_value("0.03")
    expect(ui.control("Activation")).to_have_value(config["hidden"][0]["activation"])
    expect(ui.control("Batch size")).to_have_value(str(config["batch_size"]))
    expect(ui.control("Noise")).to_have_value("0")
    expect(ui.control("Regularization")).to_have_value(config["regularization"])
    expect(ui.control("Regularization rate")).to_have_value("0")
    expect(ui.control("Optimizer")).to_have_value(config["optimizer"])
    expect(ui.control("Output")).to_have_value(config["head"])
    expect(ui.control("Language")).to_have_value("en")
    option_values = {label: ui.control(label).locator("option").evaluate_all(
        "os => os.map(o => o.value)") for label in
        ["Dataset", "Learning rate", "Activation", "Regularization", "Optimizer", "Output",
         "Language", "Batch size", "Regularization rate"]}
    assert "0.03" in option_values["Learning rate"] and "0.1" in option_values["Learning rate"]
    assert {"relu", "tanh", "sigmoid", "linear"} <= set(option_values["Activation"])
    assert option_values["Language"] == ["en", "zh"]
    assert {"circle", "xor", "gauss", "spiral", "moons"} <= set(option_values["Dataset"])
    assert {"sgd", "momentum", "adam"} <= set(option_values["Optimizer"])
    assert {"none", "l1", "l2"} <= set(option_values["Regularization"])
    assert "sigmoid" in option_values["Output"] and "10" in option_values["Batch size"]

    # read-outs are plain numbers, equal to the API's (3 decimals on the page)
    for testid in ["train-loss", "test-loss", "epoch"]:
        expect(page.get_by_test_id(testid)).to_have_text(NUMBER)
    assert ui.epoch() == snap["epoch"] == 0
    assert float(ui.readout("train-loss")) == pytest.approx(snap["metrics"]["train_loss"], abs=5e-4)
    assert float(ui.readout("test-loss")) == pytest.approx(snap["metrics"]["test_loss"], abs=5e-4)
    plot = page.get_by_test_id("data-plot")
    expect(plot).to_be_visible()
    box = plot.bounding_box()
    assert box["width"] >= 200 and box["height"] >= 200

    # the network: nodes and edges carry the API's structure and weights
    expect(page.locator('[data-node="0:0"]')).to_be_visible()
    expect(page.locator('[data-weight="0:0:0"]')).to_have_count(1)
    ui.assert_matches_api(snap)
    save_shot(page, tmp_path, "page-en.png")
    ui.assert_clean()


def test_build_a_network_with_the_buttons(ui):
    page = ui.open().page
    start = ui.snapshot()
    units = [layer["units"] for layer in start["layers"]]
    assert units == [2, 4, 2, 1]

    def after(click, expected: list[int], path_end: str, method: str) -> dict:
        with response_to(page, method, path_end) as response:
            click()
        assert response.value.ok, response.value.text()
        expect(page.locator("[data-node]")).to_have_count(sum(expected))
        expect(ui.button("Add neuron")).to_have_count(len(expected) - 2)
        snap = ui.snapshot()
        assert [layer["units"] for layer in snap["layers"]] == expected
        wait_until(page, lambda: ui.dom_nodes() == sorted(
            f"{l}:{j}" for l, n in enumerate(expected) for j in range(n)), 5, "the nodes")
        ui.assert_matches_api(snap)
        return snap

    snap = after(lambda: ui.button("Add hidden layer").click(), [2, 4, 2, 4, 1], "/layers", "POST")
    # a new last hidden layer leaves the weights upstream of it as they were
    assert snap["weights"][0] == start["weights"][0]
    assert snap["weights"][1] == start["weights"][1]
    expect(page.locator("#layer-count")).to_have_text("3 hidden layers")
    after(lambda: ui.button("Add neuron").nth(0).click(), [2, 5, 2, 4, 1], "/neurons", "POST")
    after(lambda: ui.button("Remove neuron").nth(2).click(), [2, 5, 2, 3, 1], "/neurons/3",
          "DELETE")
    after(lambda: ui.button("Remove hidden layer").click(), [2, 5, 2, 1], "/layers/2", "DELETE")
    expect(page.locator("#layer-count")).to_have_text("2 hidden layers")
    ui.assert_clean()


def test_train_xor_below_test_loss_0_2(ui, tmp_path):
    page = ui.open().page
    with response_to(page, "PATCH", "/config"):
        ui.control("Dataset").select_option("xor")
    with response_to(page, "PATCH", "/config"):
        ui.control("Activation").select_option("tanh")
    with response_to(page, "PATCH", "/config"):
        ui.control("Learning rate").select_option("0.1")
    with response_to(page, "POST", "/neurons"):
        ui.button("Add neuron").nth(1).click()
    expect(page.locator("[data-node]")).to_have_count(2 + 4 + 3 + 1)
    config = ui.snapshot()["config"]
    assert config["dataset"] == "xor" and config["learning_rate"] == 0.1
    assert [(h["units"], h["activation"]) for h in config["hidden"]] == [(4, "tanh"), (3, "tanh")]

    ui.button("Play").click()
    expect(ui.button("Pause")).to_be_visible()
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=test-loss]').textContent) < 0.2",
        timeout=60_000, polling=100)
    ui.button("Pause").click()
    expect(ui.button("Play")).to_be_visible()
    epoch = ui.settle()
    assert epoch > 0
    snap = ui.snapshot()
    assert snap["metrics"]["test_loss"] < 0.2
    assert float(ui.readout("test-loss")) == pytest.approx(snap["metrics"]["test_loss"], abs=5e-4)
    assert not snap["diverged"]
    ui.assert_matches_api(snap)
    save_shot(page, tmp_path, "page-xor-trained.png")
    ui.assert_clean()


def test_edit_a_weight_through_its_edge(ui):
    page = ui.open().page
    before = ui.snapshot()
    editor = page.get_by_role("textbox", name="Type a weight, Enter applies")

    # with the mouse: click the edge, type a comma decimal, Enter
    edge = page.locator('[data-weight="1:0:0"]')
    edge.click()
    expect(editor).to_be_visible()
    expect(editor).to_be_focused()
    editor.fill("1,5")
    with response_to(page, "PATCH", "/weight") as response:
        editor.press("Enter")
    assert response.value.ok
    expect(edge).to_have_attribute("data-value", "1.5")
    expect(editor).to_be_hidden()
    snap = ui.snapshot()
    assert snap["weights"][1][0][0] == 1.5
    changed = [(l, i, j) for l, m in enumerate(snap["weights"]) for i, row in enumerate(m)
               for j, w in enumerate(row) if w != before["weights"][l][i][j]]
    assert changed == [(1, 0, 0)]

    # with the keyboard: focus another edge, Enter opens the editor
    other = page.locator('[data-weight="0:1:2"]')
    other.focus()
    page.keyboard.press("Enter")
    expect(editor).to_be_focused()
    editor.fill("-0,25")
    with response_to(page, "PATCH", "/weight"):
        page.keyboard.press("Enter")
    expect(other).to_have_attribute("data-value", "-0.25")
    snap = ui.snapshot()
    assert snap["weights"][0][1][2] == -0.25 and snap["weights"][1][0][0] == 1.5
    ui.assert_matches_api(snap)
    ui.assert_clean()


def test_switch_language(ui, context, tmp_path):
    page = ui.open("lang=en").page
    play = page.locator("#play")
    expect(page.locator("h1")).to_have_text("Neural Playground")
    expect(play).to_have_attribute("title", "Play")
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    numbers = {t: ui.readout(t) for t in ["epoch", "train-loss", "test-loss"]}

    ui.control("Language").select_option("zh")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
    expect(page.locator("h1")).to_have_text(CHINESE)
    expect(play).to_have_attribute("title", CHINESE)
    expect(page.locator("#data-heading")).to_have_text(CHINESE)
    expect(page.get_by_label("语言", exact=True)).to_have_value("zh")
    expect(page.get_by_role("button", name="添加隐藏层", exact=True)).to_be_visible()
    assert "lang=zh" in page.url
    # numbers keep their formatting: the same text, a dot as the decimal mark
    assert {t: ui.readout(t) for t in numbers} == numbers
    assert all(NUMBER.match(v) for v in numbers.values())
    save_shot(page, tmp_path, "page-zh.png")

    # a fresh page opened with ?lang=zh is Chinese from the start
    other = Playground(context.new_page(), ui.api)
    other.open("lang=zh")
    expect(other.page.locator("h1")).to_have_text(CHINESE)
    expect(other.page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
    expect(other.page.locator("#language")).to_have_value("zh")
    assert NUMBER.match(other.readout("test-loss"))
    other.assert_clean()
    other.page.close()

    # and back to English
    page.get_by_label("语言", exact=True).select_option("en")
    expect(page.locator("h1")).to_have_text("Neural Playground")
    expect(play).to_have_attribute("title", "Play")
    expect(ui.control("Language")).to_have_value("en")
    expect(ui.button("Add hidden layer")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert not CHINESE.search(page.locator("main").inner_text())
    assert {t: ui.readout(t) for t in numbers} == numbers
    ui.assert_clean()


def test_a_shared_link_rebuilds_the_same_playground(ui, context):
    page = ui.open().page
    with response_to(page, "PATCH", "/config"):
        ui.control("Dataset").select_option("spiral")
    with response_to(page, "POST", "/layers"):
        ui.button("Add hidden layer").click()
    for feature in ["X₁²", "sin(X₁)"]:
        with response_to(page, "PATCH", "/config"):
            page.get_by_role("button", name=f"input {feature}", exact=True).click()
    with response_to(page, "PATCH", "/config"):
        ui.control("Learning rate").select_option("0.1")
    with response_to(page, "PATCH", "/config"):
        ui.control("Noise").fill("10")
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    first = ui.snapshot()
    config = first["config"]
    assert config["dataset"] == "spiral" and config["learning_rate"] == 0.1
    assert config["noise"] == 10 and len(config["hidden"]) == 3
    assert config["features"] == ["x1", "x2", "x1_sq", "sin_x1"]
    wait_until(page, lambda: "learning_rate=0.1" in page.url and "dataset=spiral" in page.url,
               5, "the address to carry the configuration")
    link = page.url

    # the first playground, reset: its starting weights
    with response_to(page, "POST", "/reset"):
        ui.button("Reset").click()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    start = ui.snapshot()

    second = Playground(context.new_page(), ui.api)
    second.page.goto(link)
    second.wait_ready()
    assert second.session_id != ui.session_id
    snap = second.snapshot()
    assert snap["config"] == config
    assert snap["epoch"] == 0
    assert snap["weights"] == start["weights"]
    assert snap["biases"] == start["biases"]
    assert snap["metrics"] == start["metrics"]
    expect(second.control("Dataset")).to_have_value("spiral")
    expect(second.control("Learning rate")).to_have_value("0.1")
    expect(second.control("Noise")).to_have_value("10")
    expect(second.button("Add neuron")).to_have_count(3)
    second.assert_matches_api(snap)
    second.assert_clean()
    ui.assert_clean()


def test_play_and_pause_never_run_two_loops(ui):
    page = ui.page
    steps = {"in_flight": 0, "most": 0, "sent": 0}

    def is_step(request):   # a training request: /step (or /frame, step + heatmaps in one)
        return request.method == "POST" and request.url.endswith(("/step", "/frame"))

    def sent(request):
        if is_step(request):
            steps["sent"] += 1
            steps["in_flight"] += 1
            steps["most"] = max(steps["most"], steps["in_flight"])

    def done(request):
        if is_step(request):
            steps["in_flight"] -= 1

    page.on("request", sent)
    page.on("requestfinished", done)
    page.on("requestfailed", done)

    # the play loop's frames go over a WebSocket: a message out is a request in flight
    # until the answer comes back
    def frame_sent(_payload):
        steps["sent"] += 1
        steps["in_flight"] += 1
        steps["most"] = max(steps["most"], steps["in_flight"])

    def frame_received(_payload):
        steps["in_flight"] -= 1

    def on_socket(ws):
        if ws.url.endswith("/play"):
            ws.on("framesent", frame_sent)
            ws.on("framereceived", frame_received)

    page.on("websocket", on_socket)
    ui.open()
    play = page.locator("#play")

    play.click(click_count=3)                  # play, pause, play as fast as a hand can
    for _ in range(3):
        play.click()
        play.click()
    page.keyboard.press("Space")               # the focused button: pause
    page.keyboard.press("Space")               # and play again
    page.evaluate("""() => {                   // pause/play/pause/play in one task
        const b = document.querySelector('#play');
        for (let k = 0; k < 4; k++) b.click();
    }""")
    expect(ui.button("Pause")).to_be_visible()
    started = ui.epoch()
    page.wait_for_timeout(2000)
    assert ui.epoch() > started, "the epoch did not advance while playing"
    ui.button("Pause").click()
    expect(ui.button("Play")).to_be_visible()
    wait_until(page, lambda: steps["in_flight"] == 0, 10, "the last frame to land")
    assert steps["sent"] > 5
    assert steps["most"] == 1, f"{steps['most']} training requests were in flight at once"
    epoch = ui.settle()
    page.wait_for_timeout(1000)
    assert ui.epoch() == epoch == ui.snapshot()["epoch"], "training went on after Pause"
    ui.assert_clean()


def test_refused_values_show_their_message(ui):
    page = ui.open().page
    ui.log.expect(r"status of 422")
    before = ui.snapshot()

    # what is not a number, or out of range, is refused beside the editor, which stays open
    edge = page.locator('[data-weight="0:0:0"]')
    edge.focus()
    page.keyboard.press("Enter")
    editor = page.get_by_role("textbox", name="Type a weight, Enter applies")
    beside = page.locator('#value-editor-box [data-error-for="weight"]')
    for typed, said in [("abc", "not a number"), ("0x10", "not a number"), ("", "not a number"),
                        ("1e308", "between -1000000 and 1000000"), ("1e999", "not a number")]:
        editor.fill(typed)
        editor.press("Enter")
        expect(beside).to_contain_text(said)
        expect(editor).to_be_visible()
        expect(editor).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#banner")).to_be_hidden()
    editor.press("Escape")
    expect(editor).to_be_hidden()
    expect(beside).to_be_hidden()
    expect(edge).to_be_focused()
    assert ui.snapshot()["weights"] == before["weights"]
    expect(edge).to_have_attribute("data-value", str(before["weights"][0][0][0]))

    # at a limit the button is off and says why: the last neuron of a layer stays
    with response_to(page, "DELETE", "/neurons/1"):
        ui.button("Remove neuron").nth(1).click()
    expect(page.locator("[data-node]")).to_have_count(2 + 4 + 1 + 1)
    last = ui.button("Remove neuron").nth(1)
    expect(last).to_be_disabled()
    expect(last).to_have_attribute("title", "Layer 2 keeps at least one neuron; remove the layer instead.")
    assert [layer["units"] for layer in ui.snapshot()["layers"]] == [2, 4, 1, 1]

    # the page still works: Step advances the epoch
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")

    # a refused setting (the server's 422 answer, forced): the message by its control
    body = {"message": "learning_rate: Input should be less than or equal to 10",
            "detail": [{"type": "less_than_equal", "loc": ["body", "learning_rate"],
                        "msg": "Input should be less than or equal to 10", "input": 30}],
            "allowed": None}

    def refuse(route):
        if route.request.method == "PATCH":
            route.fulfill(status=422, content_type="application/json", body=json.dumps(body))
        else:
            route.continue_()

    page.route("**/api/sessions/*/config", refuse)
    ui.control("Learning rate").select_option("10")
    slot = page.locator('[data-error-for="learning_rate"]')
    expect(slot).to_have_text(body["message"])
    expect(slot).to_be_visible()
    assert ui.snapshot()["config"]["learning_rate"] == 0.03
    page.unroute("**/api/sessions/*/config", refuse)
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("2")
    expect(slot).to_be_hidden()
    ui.assert_clean()


def test_keyboard_space_plays_and_arrow_right_steps(ui):
    page = ui.open().page
    page.locator("h1").click()                 # focus on the page, not on a control
    page.keyboard.press("Space")
    expect(ui.button("Pause")).to_be_visible()
    expect(page.get_by_test_id("epoch")).not_to_have_text("0")
    page.keyboard.press("Space")
    expect(ui.button("Play")).to_be_visible()
    epoch = ui.settle()
    assert epoch > 0
    with response_to(page, "POST", "/step"):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("epoch")).to_have_text(str(epoch + 1))
    assert ui.snapshot()["epoch"] == epoch + 1
    with response_to(page, "POST", "/step"):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("epoch")).to_have_text(str(epoch + 2))
    expect(ui.button("Play")).to_be_visible()
    ui.assert_clean()


def test_step_through_the_forward_pass(ui):
    page = ui.page
    traced = []
    page.on("request", lambda r: r.url.endswith("/trace") and traced.append(r.post_data_json))
    ui.open()
    plot = page.get_by_test_id("data-plot")
    box = plot.bounding_box()
    # x1 = 3, x2 = 3 on the [-6, 6] square
    plot.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.25})
    panel = page.get_by_test_id("calc-panel")
    expect(panel).to_contain_text("Chosen point")
    next_node = ui.button("Next node")
    for _ in range(3):
        next_node.click()
    expect(panel).to_contain_text("(3/")
    assert traced, "the page did not ask the server for the trace"
    point = traced[-1]["point"]
    assert abs(point[0] - 3) <= 0.35 and abs(point[1] - 3) <= 0.35

    # a click near a data point takes that example, label included: then the walk goes on
    # into the backward steps, and the counter counts them too
    trace = ui.api.post(f"/api/sessions/{ui.session_id}/trace", json=traced[-1]).json()
    forward = trace["forward"]
    total = len(forward) + len(trace.get("backward") or [])
    assert [s["node"] for s in forward] == ["1:0", "1:1", "1:2", "1:3", "2:0", "2:1", "3:0"]
    lines = panel.inner_text().splitlines()
    assert f"node {forward[2]['node']} (3/{total})" in lines
    assert forward[2]["formula"] in lines
    assert f"({point[0]:.2f}, {point[1]:.2f})" in lines[0]

    for k in range(3, len(forward)):
        next_node.click()
        expect(panel).to_contain_text(f"node {forward[k]['node']} ({k + 1}/{total})")
        assert forward[k]["formula"] in panel.inner_text().splitlines()
    text = panel.inner_text()
    assert f"predicted class {trace['output']['prediction']}" in text
    ui.button("Previous node").click()
    expect(panel).to_contain_text(f"node {forward[-2]['node']} ({len(forward) - 1}/")
    ui.assert_clean()


def test_a_stalled_link_while_playing_is_said_and_comes_back_without_a_burst(ui, context):
    """Wi-Fi gone with the socket still open: no frame comes back. The page says so within
    seconds (a frame's answer has a deadline), trains nothing meanwhile, and once the link
    is back plays on at its own pace, not a burst of the epochs owed while it waited."""
    page = ui.open("lang=en&dataset=circle").page
    ui.log.expect(r"ERR_INTERNET_DISCONNECTED|WebSocket")
    ui.button("Play").click()
    wait_until(page, lambda: ui.epoch() > 5, message="playing")
    context.set_offline(True)
    banner = page.locator("#banner")
    expect(banner).to_contain_text("Connection to the server lost", timeout=15_000)
    stalled = ui.snapshot()["epoch"]           # the test's own client is not offline
    page.wait_for_timeout(1500)
    assert ui.snapshot()["epoch"] == stalled   # nothing trained while the link was gone
    context.set_offline(False)
    wait_until(page, lambda: ui.snapshot()["epoch"] > stalled, timeout=20,
               message="playing again once connected")
    page.wait_for_timeout(500)
    gained = ui.snapshot()["epoch"] - stalled
    assert gained < 150, f"{gained} epochs at once after the link came back"
    ui.button("Pause").click()


def test_lost_connection_shows_a_banner_and_recovers(ui):
    page = ui.open().page
    ui.log.expect(r"net::ERR_FAILED")         # the browser logs the aborted requests
    banner = page.locator("#banner")
    expect(banner).to_be_hidden()

    def cut(route):
        route.abort()

    page.route("**/api/**", cut)
    ui.button("Step").click()
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Connection to the server lost")
    expect(page.get_by_role("status").filter(has_text="Connection to the server lost")).to_be_visible()
    assert ui.epoch() == 0
    page.wait_for_timeout(1200)               # at least one retry fails
    expect(banner).to_contain_text("Connection to the server lost")
    page.unroute("**/api/**", cut)
    expect(banner).to_contain_text("Connected again", timeout=6000)
    expect(banner).to_be_hidden(timeout=6000)
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    assert ui.snapshot()["epoch"] == 1
    ui.assert_matches_api()
    ui.assert_clean()
