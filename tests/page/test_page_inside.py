"""Inside the network, in a real browser: the step-through's arithmetic (forward and
backward, and the update it applies), the activation explorer, dead units, vanishing
gradients, the confusion matrix and divergence. The server's API is the referee: every
number the page prints is compared with the API's own answer. Every test ends by checking
that the page logged no console errors and no page errors.

Fixtures and helpers are those of test_page.py beside it (one server per module, one
browser, a fresh page per test); without Chromium or Playwright the tests are skipped
(CI: fail).
"""

from __future__ import annotations

import re

import pytest

from .page_support import (
    CHINESE,
    NUMBER,
    Playground,
    expect,
    js_fixed,
    js_sig,
    response_to,
    save_shot,
    wait_until,
)

XOR_2_3_2_1 = "lang=en&dataset=xor&features=x1,x2&hidden=3:tanh:0,2:tanh:0"
ORANGE = (0xF5, 0x93, 0x22)   # the explorer's f(z) line, #f59322


# ---------------------------------------------------------------------------- formatting
def trace_fmt(x: float) -> str:
    """The server's formula numbers: 3 decimals, or 3 significant digits when tiny/huge."""
    if x == 0:
        return "0"
    return f"{x:.3f}" if 1e-3 <= abs(x) < 1e5 else f"{x:.3g}"


def assert_3_decimals(text: str, x: float, what: str) -> None:
    """A number of a formula against the API's: the same text as the server's formatting,
    and within half a unit of the last printed digit."""
    assert text == trace_fmt(x), f"{what}: panel {text}, API {x}"
    assert abs(float(text) - x) <= 5e-4 + 1e-12, f"{what}: panel {text}, API {x}"


# ---------------------------------------------------------------------------- page helpers
def panel_lines(page) -> list[str]:
    return page.get_by_test_id("calc-panel").inner_text().splitlines()


def edge_labels(page) -> dict[str, str]:
    """The step-through's edge labels, each matched to the edge it sits on (the label is
    drawn at 42 % of its edge's curve, 3 px above): {"L:I:J": text}."""
    rows = page.evaluate("""() => {
        const svg = document.querySelector('#network svg.edges');
        return [...svg.querySelectorAll('text.edge-label')].map((t) => {
            const x = Number(t.getAttribute('x')), y = Number(t.getAttribute('y')) + 3;
            let best = null, distance = Infinity;
            for (const g of svg.querySelectorAll('g.edge')) {
                const line = g.querySelector('path.edge-line');
                const p = line.getPointAtLength(line.getTotalLength() * 0.42);
                const d = Math.hypot(p.x - x, p.y - y);
                if (d < distance) { distance = d; best = g.dataset.weight; }
            }
            return [best, t.textContent, distance];
        });
    }""")
    assert all(d < 0.5 for _, _, d in rows), f"a label is off its edge: {rows}"
    labels = {edge: text for edge, text, _ in rows}
    assert len(labels) == len(rows), f"two labels on one edge: {rows}"
    return labels


def active_edges(page) -> set[str]:
    return set(page.eval_on_selector_all("g.edge.active", "els => els.map(e => e.dataset.weight)"))


def current_nodes(page) -> list[str]:
    return page.eval_on_selector_all("[data-node].current", "els => els.map(e => e.dataset.node)")


def choose_point(ui: Playground, x1: str, x2: str, label: str = "") -> None:
    """Type the point (and label) in the step-through's inputs, as a user would."""
    page = ui.page
    for selector, text in [("#point-x1", x1), ("#point-x2", x2), ("#point-label", label)]:
        box = page.locator(selector)
        box.click()
        box.fill(text)
        box.press("Tab")
    expect(page.get_by_test_id("calc-panel")).to_contain_text(
        f"Chosen point: ({float(x1):.2f}, {float(x2):.2f})")


def canvas_pixels(page, selector: str) -> dict:
    """Non-transparent pixels of a canvas, those in the explorer's orange, and a hash of
    the orange ones (to tell two drawings apart)."""
    return page.evaluate("""([selector, [R, G, B]]) => {
        const c = document.querySelector(selector);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let drawn = 0, orange = 0, hash = 0;
        for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] === 0) continue;
            drawn++;
            if (d[i + 3] > 160 && Math.abs(d[i] - R) < 30 && Math.abs(d[i + 1] - G) < 40
                && Math.abs(d[i + 2] - B) < 45) {
                orange++;
                hash = (Math.imul(hash, 31) + i) | 0;
            }
        }
        return { drawn, orange, hash, width: c.width, height: c.height };
    }""", [selector, list(ORANGE)])


def js_exponential(x: float) -> str:
    """Number(x).toExponential(1)."""
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa}e{int(exponent):+d}"


# ---------------------------------------------------------------------------- 1. forward
def test_step_through_every_node_of_the_forward_pass(ui):
    page = ui.page
    page_traces = []
    page.on("response", lambda r: r.url.endswith("/trace") and page_traces.append(r))
    ui.open(XOR_2_3_2_1)
    snap = ui.snapshot()
    assert [layer["units"] for layer in snap["layers"]] == [2, 3, 2, 1]
    choose_point(ui, "1.5", "-2.25")

    trace = ui.api.post(f"/api/sessions/{ui.session_id}/trace", json={"point": [1.5, -2.25]}).json()
    forward = trace["forward"]
    assert [s["node"] for s in forward] == ["1:0", "1:1", "1:2", "2:0", "2:1", "3:0"]
    assert "backward" not in trace or not trace["backward"]
    # the trace itself is the session's network: its weights and biases, the point as input
    for step in forward:
        l, j = map(int, step["node"].split(":"))
        assert [i["weight"] for i in step["inputs"]] == [row[j] for row in snap["weights"][l - 1]]
        assert step["bias"] == snap["biases"][l - 1][j]
    assert [i["value"] for i in forward[0]["inputs"]] == [1.5, -2.25]

    next_node = ui.button("Next node")
    panel = page.get_by_test_id("calc-panel")
    for k, step in enumerate(forward):
        node = step["node"]
        next_node.click()
        expect(panel).to_contain_text(f"node {node} ({k + 1}/{len(forward)})")
        lines = panel_lines(page)
        assert lines[0] == "Chosen point: (1.50, -2.25)"
        assert lines[1] == f"node {node} ({k + 1}/{len(forward)})"
        formula = lines[2]
        assert formula == step["formula"], \
            f"node {node}: panel {formula!r}, API {step['formula']!r}"

        # the formula's numbers, one by one: value*weight terms, bias, z and the value
        m = re.fullmatch(r"(\w+)\((.*)\) = (\w+)\(([^()]*)\) = (\S+)", formula)
        assert m, f"node {node}: unexpected formula {formula!r}"
        act, sum_text, act2, z_text, value_text = m.groups()
        assert act == act2 == step["activation"] == ("sigmoid" if node == "3:0" else "tanh")
        *terms, bias_text = sum_text.split(" + ")
        assert len(terms) == len(step["inputs"])
        for term, source in zip(terms, step["inputs"]):
            value_part, weight_part = term.split("*")
            assert_3_decimals(value_part, source["value"], f"{node} input from {source['from']}")
            assert_3_decimals(weight_part, source["weight"], f"{node} weight from {source['from']}")
        assert_3_decimals(bias_text, step["bias"], f"{node} bias")
        assert_3_decimals(z_text, step["z"], f"{node} z")
        assert_3_decimals(value_text, step["value"], f"{node} value")
        assert float(z_text) == pytest.approx(round(step["z"], 3), abs=1e-9)
        assert float(value_text) == pytest.approx(round(step["value"], 3), abs=1e-9)

        # the network: this node is the current one, and the edges feeding it are labelled
        # value×weight with the trace's numbers
        assert current_nodes(page) == [node]
        expect(page.locator(f'[data-node="{node}"]')).to_have_class(re.compile(r"\bcurrent\b"))
        l, j = map(int, node.split(":"))
        incoming = {f"{l - 1}:{i}:{j}" for i in range(len(step["inputs"]))}
        assert active_edges(page) == incoming
        expected = {f"{l - 1}:{s['from'].split(':')[1]}:{j}":
                    f"{js_fixed(s['value'], 2)}×{js_fixed(s['weight'], 2)}"
                    for s in step["inputs"]}
        assert edge_labels(page) == expected, f"node {node}"

    # the end of the forward pass: the prediction, and the hint that a label goes on
    lines = panel_lines(page)
    out = trace["output"]
    assert lines[3] == (f"probability = {js_fixed(out['values'][0])}, threshold = "
                        f"{out['threshold']} → predicted class {out['prediction']}")
    assert out["values"][0] == forward[-1]["value"]
    assert lines[-1].startswith("Forward pass done.")
    next_node.click()                       # no backward steps without a label: it stays
    expect(panel).to_contain_text(f"node 3:0 ({len(forward)}/{len(forward)})")
    assert current_nodes(page) == ["3:0"]
    expect(ui.button("Apply this update")).to_be_disabled()

    # the page asked the server for this very trace
    assert page_traces, "the page did not ask the server for the trace"
    assert page_traces[-1].request.post_data_json == {"point": [1.5, -2.25]}
    assert page_traces[-1].json() == trace
    ui.assert_clean()


# ---------------------------------------------------------------------------- 2. backward
def test_a_backward_step_shows_the_gradient_and_applies_the_update(ui, tmp_path):
    page = ui.open(XOR_2_3_2_1).page
    choose_point(ui, "1.5", "-2.25", "1")
    body = {"point": [1.5, -2.25], "label": 1}
    trace = ui.api.post(f"/api/sessions/{ui.session_id}/trace", json=body).json()
    forward, backward = trace["forward"], trace["backward"]
    assert [s["node"] for s in backward] == ["3:0", "2:0", "2:1", "1:0", "1:1", "1:2"]
    total = len(forward) + len(backward)
    lr = ui.snapshot()["config"]["learning_rate"]
    assert lr == 0.03

    panel = page.get_by_test_id("calc-panel")
    next_node = ui.button("Next node")
    for k in range(len(forward)):
        next_node.click()
        expect(panel).to_contain_text(f"node {forward[k]['node']} ({k + 1}/{total})")
    assert not any(line.startswith("Forward pass done.") for line in panel_lines(page))

    for k, step in enumerate(backward):
        node = step["node"]
        index = len(forward) + k + 1
        next_node.click()
        expect(panel).to_contain_text(f"Back-propagation · node {node} ({index}/{total})")
        lines = panel_lines(page)
        assert lines[0] == f"Back-propagation · node {node} ({index}/{total})"
        assert lines[1] == f"Loss of this example = {js_fixed(trace['loss'])}"
        assert float(lines[1].rsplit(" ", 1)[1]) == pytest.approx(trace["loss"], abs=5e-4)
        assert lines[2] == step["formula"]
        dz_text = lines[2].rsplit(" = ", 1)[1]
        assert_3_decimals(dz_text, step["dz"], f"{node} dL/dz")
        assert lines[3] == "dL/dw = a × dL/dz:"
        fwd = next(s for s in forward if s["node"] == node)
        inputs = {i["from"]: i["value"] for i in fwd["inputs"]}
        grad_lines = lines[4:4 + len(step["weight_grads"])]
        for line, g in zip(grad_lines, step["weight_grads"], strict=True):
            assert line == (f"  {g['from']}→{node}: {js_fixed(inputs[g['from']])} × "
                            f"{js_sig(step['dz'])} = {js_sig(g['grad'])};  "
                            f"Δw = −{lr} × {js_sig(g['grad'])} = {js_sig(-lr * g['grad'])}")
            # the printed gradient is the trace's, and is a × dL/dz
            printed = float(line.split(" = ")[1].split(";")[0])
            assert printed == pytest.approx(g["grad"], abs=5e-4)
            assert g["grad"] == pytest.approx(inputs[g["from"]] * step["dz"], rel=1e-9, abs=1e-15)
        bias_line = lines[4 + len(step["weight_grads"])]
        assert bias_line == (f"  bias: dL/db = {js_sig(step['bias_grad'])};  "
                             f"Δb = {js_sig(-lr * step['bias_grad'])}")
        assert lines[-1] == f"(update −lr × dL/dw with lr = {lr})"
        # the network: this node, and its incoming edges labelled with their gradients
        assert current_nodes(page) == [node]
        l, j = map(int, node.split(":"))
        assert edge_labels(page) == {f"{l - 1}:{g['from'].split(':')[1]}:{j}": js_fixed(g["grad"])
                                     for g in step["weight_grads"]}
        expect(ui.button("Apply this update")).to_be_enabled()

    save_shot(page, tmp_path, "inside-backward-step.png")

    # Apply this update: every weight moves by exactly -lr × its gradient (one plain SGD
    # step on this example), every bias by -lr × its bias gradient
    before = ui.snapshot()
    with response_to(page, "POST", "/example_step") as response:
        ui.button("Apply this update").click()
    assert response.value.ok
    assert response.value.request.post_data_json == body
    expect(page.locator("#data-note")).to_have_text("Applied one SGD step on this example.")
    after = ui.snapshot()
    assert after["step"] == before["step"] and after["epoch"] == before["epoch"]
    for step in backward:
        l, j = map(int, step["node"].split(":"))
        for g in step["weight_grads"]:
            i = int(g["from"].split(":")[1])
            old, new = before["weights"][l - 1][i][j], after["weights"][l - 1][i][j]
            assert new == old - lr * g["grad"], \
                f"weight {l - 1}:{i}:{j}: {old} -> {new}, grad {g['grad']}"
        old_b, new_b = before["biases"][l - 1][j], after["biases"][l - 1][j]
        assert new_b == old_b - lr * step["bias_grad"], f"bias {step['node']}: {old_b} -> {new_b}"
    ui.assert_matches_api(after)

    # the panel now shows the same step of the new trace: the example's loss went down
    new_trace = ui.api.post(f"/api/sessions/{ui.session_id}/trace", json=body).json()
    assert new_trace["loss"] < trace["loss"]
    expect(panel).to_contain_text(f"Loss of this example = {js_fixed(new_trace['loss'])}")
    assert panel_lines(page)[2] == new_trace["backward"][-1]["formula"]
    ui.assert_clean()


# ---------------------------------------------------------------------------- 3. explorer
SAME_CURVE = {"noisy_relu": "relu"}


def check_every_activation(ui: Playground, catalog: dict, chinese: bool) -> None:
    page = ui.page
    dialog = page.locator("#explorer")
    buttons = dialog.locator(".explorer-list button")
    ids = buttons.evaluate_all("bs => bs.map(b => b.dataset.activation)")
    assert ids == [a["id"] for a in catalog["activations"]]
    formulas = {a["id"]: a["formula"] for a in catalog["activations"]}
    seen = {}
    for k, activation in enumerate(ids):
        buttons.nth(k).click()
        expect(buttons.nth(k)).to_have_attribute("aria-pressed", "true")
        expect(dialog.locator(".explorer-formula")).to_have_text(formulas[activation])
        assert dialog.locator('.explorer-list button[aria-pressed="true"]').count() == 1
        usage = dialog.locator(".explorer-usage").inner_text().strip()
        assert usage, f"{activation}: no usage line"
        assert bool(CHINESE.search(usage)) == chinese, f"{activation}: usage {usage!r}"
        pixels = canvas_pixels(page, "#explorer canvas")
        assert pixels["orange"] > 200, f"{activation}: f(z) not drawn ({pixels})"
        seen[activation] = pixels["hash"]
    # Noisy ReLU outside training is ReLU, and the curve is the evaluation's: the same line
    # (the usage line says what differs in training)
    for activation, same in SAME_CURVE.items():
        assert seen.pop(activation) == seen[same], f"{activation} is drawn unlike {same}"
    assert len(set(seen.values())) == len(seen), f"two activations drew the same curve: {seen}"


def test_small_gradients_are_written_with_significant_digits(ui):
    """A Δw of 0.03 × 0.011 reads 0.00033, not 0.000 (nor -0.000): the page's fmtSig, as
    the server's formulas write numbers."""
    values = [0.00033, -0.000654, 1.2e-7, -2.5e-12, 0.0123, -0.0004999, 123456.0, 0.0, 1.5]
    page = ui.open("lang=en").page
    shown = page.evaluate("""async (values) => {
        const { fmtSig } = await import("/static/js/numbers.js");
        return values.map(fmtSig);
    }""", values)
    assert shown == [js_sig(v) for v in values]
    assert shown[:4] == ["0.00033", "-0.000654", "1.2e-7", "-2.5e-12"]


def test_the_loss_charts_ticks_fit_their_margin(ui):
    """A small loss's tick reads 5e-4, not 0.0005 (whose 0 the chart's margin cut off)."""
    page = ui.open("lang=en").page
    ticks = page.evaluate("""async () => {
        const { formatTick } = await import("/static/js/views/chart.js");
        return [0.0005, 0.0032, 0.05, 0.69, 2.5, 12.3, 250].map(formatTick);
    }""")
    assert ticks == ["5e-4", "3e-3", "0.05", "0.69", "2.5", "12", "250"]


def test_the_activation_explorer_plots_every_activation(ui, context, tmp_path):
    page = ui.open("lang=en&dataset=xor&hidden=4:tanh:0,3:sigmoid:0").page
    catalog = ui.api.get("/api/catalog").json()
    dialog = page.locator("#explorer")
    expect(dialog).to_be_hidden()

    # the global "?" opens it on the first layer's activation (the layers differ)
    page.get_by_role("button", name="Explain activations", exact=True).click()
    expect(dialog).to_be_visible()
    expect(dialog.locator('[data-activation="tanh"]')).to_have_attribute("aria-pressed", "true")
    expect(dialog.locator(".explorer-formula")).to_have_text(
        next(a["formula"] for a in catalog["activations"] if a["id"] == "tanh"))
    check_every_activation(ui, catalog, chinese=False)
    save_shot(page, tmp_path, "inside-explorer.png")
    dialog.get_by_role("button", name="Close", exact=True).click()
    expect(dialog).to_be_hidden()

    # a layer's "?" opens it on that layer's activation; Escape closes it
    page.get_by_role("button", name="Explain activations 2", exact=True).click()
    expect(dialog).to_be_visible()
    expect(dialog.locator('[data-activation="sigmoid"]')).to_have_attribute("aria-pressed", "true")
    expect(dialog.locator(".explorer-formula")).to_have_text(
        next(a["formula"] for a in catalog["activations"] if a["id"] == "sigmoid"))
    assert canvas_pixels(page, "#explorer canvas")["orange"] > 200
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    ui.assert_clean()

    # in Chinese: the usage lines are Chinese, for every activation
    zh = Playground(context.new_page(), ui.api)
    zh.open("lang=zh&dataset=xor&hidden=4:relu:0,3:elu:0")
    zdialog = zh.page.locator("#explorer")
    zh.page.get_by_role("button", name="激活函数说明 2", exact=True).click()
    expect(zdialog).to_be_visible()
    expect(zdialog.locator('[data-activation="elu"]')).to_have_attribute("aria-pressed", "true")
    check_every_activation(zh, catalog, chinese=True)
    zdialog.get_by_role("button", name="关闭", exact=True).click()
    expect(zdialog).to_be_hidden()
    zh.page.get_by_role("button", name="激活函数说明", exact=True).click()
    expect(zdialog).to_be_visible()
    expect(zdialog.locator('[data-activation="relu"]')).to_have_attribute("aria-pressed", "true")
    zh.page.keyboard.press("Escape")
    expect(zdialog).to_be_hidden()
    zh.assert_clean()
    zh.page.close()


# ---------------------------------------------------------------------------- 4. dead unit
def test_a_dead_unit_is_marked(ui, tmp_path):
    page = ui.open("lang=en&dataset=xor&features=x1,x2&hidden=4:relu:0").page
    assert ui.snapshot()["diagnostics"]["dead_units"] == []
    node = page.locator('[data-node="1:1"]')
    expect(node).not_to_have_class(re.compile(r"\bdead\b"))
    expect(page.get_by_test_id("dead-units")).to_have_text("No dead units.")

    tooltip = page.locator("#tooltip")
    page.locator('button.bias[data-bias="1:1"]').click()
    editor = page.get_by_role("textbox", name="Type a bias, Enter applies")
    expect(editor).to_be_focused()
    editor.fill("-50")
    with response_to(page, "PATCH", "/bias") as response:
        editor.press("Enter")
    assert response.value.ok
    snap = ui.snapshot()
    assert snap["biases"][0][1] == -50
    assert snap["diagnostics"]["dead_units"] == ["1:1"]

    expect(node).to_have_class(re.compile(r"\bdead\b"))
    dead_nodes = page.eval_on_selector_all("[data-node].dead",
                                           "els => els.map(e => e.dataset.node)")
    assert dead_nodes == ["1:1"]
    dead_text = page.get_by_test_id("dead-units")
    expect(dead_text).to_contain_text("1 dead unit: 1:1.")
    expect(dead_text).to_have_class("warn")
    expect(page.locator('button.bias[data-bias="1:1"]')).to_have_attribute("data-value", "-50")
    # the pointer is on the node again (the editor is gone): its tooltip shows the new bias
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("node 1:1 · ReLU")
    expect(tooltip).to_contain_text("Bias = -50.000")

    # a tooltip open over a node follows its bias while training moves it
    page.locator("h1").click()
    page.locator('[data-node="1:0"]').hover()
    before = js_fixed(ui.snapshot()["biases"][0][0])
    expect(tooltip).to_contain_text(f"node 1:0 · ReLU\nBias = {before}")
    with response_to(page, "POST", "/step"):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    after = js_fixed(ui.snapshot()["biases"][0][0])
    assert after != before
    expect(tooltip).to_contain_text(f"node 1:0 · ReLU\nBias = {after}")
    page.mouse.move(5, 5)
    expect(tooltip).to_be_hidden()
    assert ui.snapshot()["diagnostics"]["dead_units"] == ["1:1"]
    expect(node).to_have_class(re.compile(r"\bdead\b"))
    page.locator('[data-node="1:1"]').hover()
    expect(tooltip).to_contain_text("Bias = -50.000")
    save_shot(page, tmp_path, "inside-dead-unit.png")
    ui.assert_clean()


# ---------------------------------------------------------------------------- 5. gradients
def step_twice(ui: Playground) -> dict:
    page = ui.page
    for epoch in (1, 2):
        with response_to(page, "POST", "/step"):
            ui.button("Step").click()
        expect(page.get_by_test_id("epoch")).to_have_text(str(epoch))
    return ui.snapshot()


def test_vanishing_gradients_are_flagged(ui, context, tmp_path):
    deep = ",".join(["8:sigmoid:0"] * 8)
    page = ui.open(f"lang=en&dataset=xor&features=x1,x2&hidden={deep}&init=xavier").page
    snap = step_twice(ui)
    d = snap["diagnostics"]
    assert d["gradient_flag"] == "vanishing"
    flag = page.get_by_test_id("gradient-flag")
    expect(flag).to_contain_text("Vanishing gradients")
    expect(flag).to_contain_text(js_exponential(d["gradient_ratio"]))
    expect(flag).to_have_class("warn")
    # the chart: one line per weight matrix (9), drawn
    expect(page.locator("#grad-legend > span")).to_have_count(9)
    expect(page.locator("#grad-legend")).to_contain_text("W8")
    assert canvas_pixels(page, "#grad-chart")["drawn"] > 100
    save_shot(page, tmp_path, "inside-vanishing.png")
    ui.assert_clean()

    # two ReLU layers: no vanishing flag
    relu = Playground(context.new_page(), ui.api)
    relu.open("lang=en&dataset=xor&features=x1,x2&hidden=8:relu:0,8:relu:0")
    snap = step_twice(relu)
    assert snap["diagnostics"]["gradient_flag"] is None
    rflag = relu.page.get_by_test_id("gradient-flag")
    expect(rflag).to_contain_text("Gradients reach every layer")
    assert "anishing" not in rflag.inner_text()
    expect(relu.page.locator("#grad-legend > span")).to_have_count(3)
    assert canvas_pixels(relu.page, "#grad-chart")["drawn"] > 100
    relu.assert_clean()
    relu.page.close()


# ---------------------------------------------------------------------------- 6. confusion
def confusion_on_page(page) -> tuple[list[str], list[list[int]]]:
    table = page.get_by_test_id("confusion-matrix")
    head = table.locator("tr").first.locator("th").all_inner_texts()
    rows = table.locator("tr").evaluate_all(
        "trs => trs.slice(1).map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent))")
    assert all(NUMBER.match(n) for row in rows for n in row), rows
    return head, [[int(n) for n in row] for row in rows]


def test_the_confusion_matrix_counts_the_test_set(ui, context):
    page = ui.open("lang=en&dataset=blobs&classes=3").page
    box = page.locator("#confusion-box")
    expect(box).to_be_visible()
    tests = len(ui.api.get(f"/api/sessions/{ui.session_id}/data").json()["test"]["x"])
    assert tests > 0
    for _ in range(2):                       # at the start, and after training
        snap = ui.snapshot()
        assert snap["kind"] == "multiclass" and snap["classes"] == 3
        head, matrix = confusion_on_page(page)
        assert head[1:] == ["0", "1", "2"]
        assert matrix == snap["diagnostics"]["confusion"]
        assert sum(map(sum, matrix)) == tests
        with response_to(page, "POST", "/step"):
            ui.button("Step").click()
        expect(page.get_by_test_id("epoch")).to_have_text(str(snap["epoch"] + 1))

    # regression: no confusion matrix (switching the dataset, and a fresh page)
    with response_to(page, "PATCH", "/config"):
        ui.control("Dataset").select_option("plane")
    assert ui.snapshot()["diagnostics"]["confusion"] is None
    expect(box).to_be_hidden()
    ui.assert_clean()

    plane = Playground(context.new_page(), ui.api)
    plane.open("lang=en&dataset=plane&head=linear")
    assert plane.snapshot()["diagnostics"]["confusion"] is None
    expect(plane.page.locator("#confusion-box")).to_be_hidden()
    plane.assert_clean()
    plane.page.close()


# ---------------------------------------------------------------------------- 7. divergence
def test_divergence_stops_play_and_says_what_to_do(ui):
    page = ui.open("lang=en&dataset=plane&head=linear&hidden=8:relu:0,8:relu:0"
                   "&learning_rate=10&batch_size=1").page
    frames = []   # play-loop frames: WebSocket messages (or POST /frame without one)
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/frame")
            and frames.append(r))
    page.on("websocket", lambda ws: ws.url.endswith("/play")
            and ws.on("framesent", lambda payload: frames.append(payload)))
    banner = page.locator("#banner")
    expect(banner).to_be_hidden()
    # the Play button's names, as they change (Pause may last one frame only)
    page.evaluate("""() => {
        const play = document.querySelector('#play');
        window.__playNames = [play.getAttribute('aria-label')];
        new MutationObserver(() => window.__playNames.push(play.getAttribute('aria-label')))
            .observe(play, { attributes: true, attributeFilter: ['aria-label'] });
    }""")
    ui.button("Play").click()
    wait_until(page, lambda: ui.snapshot()["diverged"], 30, "the network to diverge")
    expect(ui.button("Play")).to_be_visible()                   # the loop stopped by itself
    names = page.evaluate("window.__playNames")
    assert names[:2] == ["Play", "Pause"] and names[-1] == "Play", names
    assert frames, "Play sent no training request"
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Training stopped")
    assert re.search(r"[Ll]ower the learning rate", banner.inner_text())
    snap = ui.snapshot()
    assert snap["diverged"] and snap["divergence_reason"]
    # the reason, worded by the page from its code: the step that overflowed is named
    assert f"step {snap['divergence']['params']['step']}" in banner.inner_text()
    epoch = ui.settle()
    # Play, Step and One batch are off, each saying why; nothing trains
    for name in ["Play", "Step", "One batch"]:
        expect(ui.button(name)).to_be_disabled()
        expect(ui.button(name)).to_have_attribute("title", re.compile("lower the learning rate"))
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert ui.epoch() == epoch == ui.snapshot()["epoch"]
    expect(banner).to_contain_text("Lower the learning rate")
    # Reset: the network trains again and the banner goes
    ui.button("Reset").click()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    expect(banner).to_be_hidden()
    for name in ["Play", "Step", "One batch"]:
        expect(ui.button(name)).to_be_enabled()
    ui.assert_clean()
