"""Wide layers in a real browser (issue 13, item 1): a hidden layer of more than 16 neurons
is drawn as a grid of cells with bands between layers, not thousands of edges; the unit
picker reaches any neuron for the step-through and any weight for editing; the play loop
asks for the shown units' heatmaps only. In English and Chinese, the API as referee."""

from __future__ import annotations

import json
import re

import pytest

from .page_support import CHINESE, expect, save_shot, wait_until

WIDE = "hidden=124:tanh:0,124:tanh:0&dataset=xor&features=x1,x2"
# the picker's labels, and the calc panel's step line, in each language
WORDS = {
    "en": {"layer": "Layer", "unit": "Neuron", "from": "Weight into it", "value": "New value",
           "step": "Step to this neuron", "set": "Set", "node": "node {node} ({i}/{n})",
           "units": "Neurons in layer 1"},
    "zh": {"layer": "层", "unit": "神经元", "from": "输入它的权重", "value": "新数值",
           "step": "单步走到此神经元", "set": "设定", "node": "节点{node}（{i}/{n}）",
           "units": "第1层的神经元数"},
}


def params(ui) -> dict:
    r = ui.api.get(f"/api/sessions/{ui.session_id}/params")
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_wide_layer_is_drawn_as_cells_and_bands(ui, tmp_path, lang):
    page = ui.page
    ui.open(f"lang={lang}&{WIDE}")
    assert [layer["units"] for layer in ui.snapshot()["layers"]] == [2, 124, 124, 1]
    for layer in (1, 2):
        expect(page.locator(f'.cell[data-node^="{layer}:"]')).to_have_count(124)
    # every node still has its element, but no edge of the 15,000 does: bands on a canvas
    assert len(ui.dom_nodes()) == 2 + 124 + 124 + 1
    assert page.locator("[data-weight]").count() == 0
    assert page.evaluate("document.querySelectorAll('#network *').length") < 400
    assert page.locator("canvas.band-strokes").count() == 1
    drawn = page.evaluate("""() => {
        const c = document.querySelector('canvas.band-strokes');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }""")
    assert drawn > 10_000, "the bands are not drawn"
    # one unit expanded on hover: its square with its heatmap, named
    page.hover('[data-node="1:40"]')
    expect(page.locator(".expanded-node")).to_have_count(1)
    expect(page.locator(".expanded-id")).to_have_text("1:40")
    expect(page.locator('[data-node="1:40"]')).to_have_class(re.compile(r"\bexpanded\b"))
    expect(page.locator("#tooltip")).to_contain_text("1:40")
    # and by the keyboard: focus moves through the grid as it lies (4 columns)
    page.locator('[data-node="1:40"]').focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator(".expanded-id")).to_have_text("1:44")
    picker = page.locator("#unit-picker")
    expect(picker).to_be_visible()
    if lang == "zh":
        assert CHINESE.search(picker.inner_text())
    save_shot(page, tmp_path, f"wide-{lang}.png")


def test_the_play_loop_asks_for_the_shown_units_heatmaps_only(ui):
    page = ui.page
    sent: list[dict] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(
        json.loads(payload)) if isinstance(payload, str) else None))
    ui.open(f"lang=en&{WIDE}")
    ui.control("Layer").select_option("2")   # the picked unit stays expanded
    ui.control("Neuron").fill("99")
    ui.control("Neuron").press("Tab")
    expect(page.locator(".expanded-id")).to_have_text("2:99")
    ui.button("Play").click()
    wait_until(page, lambda: sum(1 for f in sent if f.get("nodes")) >= 2, message="diagram frames")
    ui.button("Pause").click()
    ui.settle()
    with_grids = [f for f in sent if f.get("nodes")]
    for frame in with_grids:
        assert sorted(frame["node_ids"]) == ["0:0", "0:1", "2:99", "3:0"], frame["node_ids"]


def painted_at(page, selector: str) -> int:
    """How many of the node-heatmap canvas's pixels under `selector`'s box are painted."""
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        const canvas = document.querySelector('canvas.node-thumbs');
        const at = canvas.getBoundingClientRect(), k = canvas.width / at.width;
        const d = canvas.getContext('2d').getImageData(Math.round((box.left - at.left + 3) * k),
            Math.round((box.top - at.top + 3) * k), Math.round((box.width - 6) * k),
            Math.round((box.height - 6) * k)).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }""", selector)


def test_an_edit_fetches_the_shown_units_heatmaps_only(ui):
    """Outside play too (a weight typed, a reset), the page asks for the grids it shows:
    the narrow layers' nodes and the expanded unit, not 251; another unit hovered gets its
    own grid on demand, and shows it."""
    page = ui.page
    answers, pending = [], set()
    page.on("response", lambda r: answers.append(r) if "/heatmaps?" in r.url else None)
    page.on("request", lambda r: pending.add(r) if "/heatmaps?" in r.url else None)
    page.on("requestfinished", lambda r: pending.discard(r))
    page.on("requestfailed", lambda r: pending.discard(r))
    ui.open(f"lang=en&{WIDE}")
    ui.control("Layer").select_option("2")
    ui.control("Neuron").fill("99")
    ui.control("Neuron").press("Tab")
    expect(page.locator(".expanded-id")).to_have_text("2:99")

    def grids_after(edit) -> list[list[str]]:
        for _ in range(100):  # a fetch still under way (the picked unit's grid) is not the edit's
            if not pending:
                break
            page.wait_for_timeout(50)
        answers.clear()
        with page.expect_response(lambda r: "/heatmaps?" in r.url):
            edit()
        ui.settle()
        return [sorted(r.json()["nodes"]) for r in answers]

    ui.control("Weight into it").select_option("5")
    value = ui.control("New value")
    value.fill("0.75")
    fetched = grids_after(lambda: value.press("Enter"))
    assert fetched == [["0:0", "0:1", "2:99", "3:0"]], fetched   # not 2 + 124 + 124 + 1
    assert params(ui)["weights"][1][5][99] == 0.75
    fetched = grids_after(lambda: ui.button("Reset").click())
    assert fetched == [["0:0", "0:1", "2:99", "3:0"]], fetched
    assert painted_at(page, ".expanded-node") > 100
    # another unit hovered: its grid alone, at the node grids' resolution, then painted
    answers.clear()
    with page.expect_response(lambda r: "node_ids=1%3A40" in r.url) as got:
        page.hover('[data-node="1:40"]')
    assert sorted(got.value.json()["nodes"]) == ["1:40"]
    expect(page.locator(".expanded-id")).to_have_text("1:40")
    wait_until(page, lambda: painted_at(page, ".expanded-node") > 100, message="1:40's heatmap")
    assert page.evaluate("Boolean(window.playground.heatmaps.nodes['1:40'])")
    assert sum(len(r.json()["nodes"]) for r in answers) == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_weight_of_a_wide_layer_is_edited_through_the_picker(ui, lang):
    page = ui.page
    words = WORDS[lang]
    ui.open(f"lang={lang}&{WIDE}")
    before = params(ui)
    ui.control(words["layer"]).select_option("2")
    unit = ui.control(words["unit"])
    unit.fill("100")
    unit.press("Tab")
    ui.control(words["from"]).select_option("77")
    expect(page.get_by_test_id("pick-what")).to_contain_text("1:77")
    expect(page.get_by_test_id("pick-what")).to_contain_text("2:100")
    value = ui.control(words["value"])
    assert float(value.input_value()) == pytest.approx(before["weights"][1][77][100], abs=5e-4)
    value.fill("0,625" if lang == "zh" else "0.625")   # a comma decimal is a number too
    with page.expect_response(lambda r: r.url.endswith("/weight") and r.request.method == "PATCH"):
        ui.button(words["set"]).click()
    wait_until(page, lambda: params(ui)["weights"][1][77][100] == 0.625, message="the weight set")
    after = params(ui)
    changed = [(l, i, j) for l, m in enumerate(after["weights"]) for i, row in enumerate(m)
               for j, w in enumerate(row) if w != before["weights"][l][i][j]]
    assert changed == [(1, 77, 100)]
    assert after["biases"] == before["biases"]
    # the picked unit is expanded in the diagram; a bias is reached the same way
    expect(page.locator(".expanded-id")).to_have_text("2:100")
    ui.control(words["from"]).select_option("bias")
    value.fill("-1.5")
    value.press("Enter")
    wait_until(page, lambda: params(ui)["biases"][1][100] == -1.5, message="the bias set")
    assert params(ui)["weights"] == after["weights"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_step_through_reaches_a_unit_beyond_16(ui, lang):
    page = ui.page
    words = WORDS[lang]
    ui.open(f"lang={lang}&{WIDE}")
    panel = page.get_by_test_id("calc-panel")
    for selector, text in [("#point-x1", "1.5"), ("#point-x2", "-2.25"), ("#point-label", "1")]:
        page.locator(selector).fill(text)
        page.locator(selector).press("Tab")
    expect(panel).to_contain_text("(1.50, -2.25)")
    trace = ui.api.post(f"/api/sessions/{ui.session_id}/trace",
                        json={"point": [1.5, -2.25], "label": 1}).json()
    forward = trace["forward"]
    n = len(forward) + len(trace["backward"])
    index = [s["node"] for s in forward].index("1:100")
    ui.control(words["unit"]).fill("100")
    ui.control(words["unit"]).press("Tab")
    ui.button(words["step"]).click()
    expect(panel).to_contain_text(words["node"].format(node="1:100", i=index + 1, n=n))
    assert forward[index]["formula"] in panel.inner_text()
    expect(page.locator("[data-node].current")).to_have_count(1)
    expect(page.locator('[data-node="1:100"]')).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator(".expanded-id")).to_have_text("1:100")
    # the cells show the values at the point: the unit's cell is its value's colour
    assert page.locator('[data-node="1:100"]').evaluate("e => e.style.background") != ""
    # on from there, node by node
    page.locator("#next-node").click()
    expect(panel).to_contain_text(words["node"].format(node="1:101", i=index + 2, n=n))
    expect(page.locator(".expanded-id")).to_have_text("1:101")


BAND_WORDS = {
    "en": {"tip": "Band {a} → {b}: 256 weights", "click": "Click it (or press Enter)",
           "numbers": r"mean ([-+]?\d\.\d{3}) · mean \|w\| (\d\.\d{3}) · largest \|w\| (\d\.\d{3})",
           "picked": "From the band {a} → {b}"},
    "zh": {"tip": "色带 {a} → {b}：256个权重", "click": "点击它（或按回车）",
           "numbers": r"平均值 ([-+]?\d\.\d{3}) · 平均\|w\| (\d\.\d{3}) · 最大\|w\| (\d\.\d{3})",
           "picked": "来自色带 {a} → {b}"},
}


def band_point(page, group: int, slot: int) -> tuple[float, float]:
    """A point just right of layer 1's grid, in group `group`'s slot for layer 2's group
    `slot` (8 groups of 16 units a layer of 124): on the band that joins them."""
    frame = page.locator('[data-strip="1"]').bounding_box()
    top = page.locator(f'[data-node="1:{16 * group}"]').bounding_box()["y"]
    last = page.locator(f'[data-node="1:{16 * group + 15}"]').bounding_box()
    bottom = last["y"] + last["height"]
    return frame["x"] + frame["width"] + 2, top + (bottom - top) * (slot + 0.5) / 8


def band_numbers(weights, rows: range, cols: range) -> tuple[float, float, float]:
    values = [weights[1][i][j] for i in rows for j in cols]
    return (sum(values) / len(values), sum(abs(w) for w in values) / len(values),
            max(abs(w) for w in values))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_band_says_what_it_joins_and_opens_the_picker_there(ui, lang):
    """A band's tooltip names its two groups and their weights' mean, mean size and largest
    size (what its colour encodes), the API's numbers; a click, or B on a unit then the
    arrows and Enter, opens the unit picker at that pair of groups."""
    page = ui.page
    words, pick = BAND_WORDS[lang], WORDS[lang]
    ui.open(f"lang={lang}&{WIDE}")
    weights = params(ui)["weights"]
    tip = page.locator("#tooltip")
    x, y = band_point(page, 2, 5)   # 1:32–1:47 → 2:80–2:95
    page.mouse.move(x, y)
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(words["tip"].format(a="1:32–1:47", b="2:80–2:95"))
    expect(tip).to_contain_text(words["click"])
    shown = [float(v) for v in re.search(words["numbers"], tip.inner_text()).groups()]
    assert shown == pytest.approx(band_numbers(weights, range(32, 48), range(80, 96)), abs=6e-4)
    assert page.locator("svg.edges").evaluate("e => getComputedStyle(e).cursor") == "pointer"
    page.mouse.click(x, y)
    expect(ui.control(pick["layer"])).to_have_value("2")
    expect(ui.control(pick["unit"])).to_have_value("80")
    expect(ui.control(pick["from"])).to_have_value("32")
    expect(ui.control(pick["from"])).to_be_focused()
    expect(page.get_by_test_id("pick-band")).to_contain_text(words["picked"].format(a="1:32–1:47", b="2:80–2:95"))
    expect(page.get_by_test_id("pick-what")).to_contain_text("1:32")
    assert float(ui.control(pick["value"]).input_value()) == pytest.approx(weights[1][32][80], abs=5e-4)
    expect(page.locator(".expanded-id")).to_have_text("2:80")
    # a weight of the band's pair picked is still in it; one outside it is not
    ui.control(pick["from"]).select_option("40")
    expect(page.get_by_test_id("pick-band")).to_contain_text("1:32–1:47")
    ui.control(pick["from"]).select_option("77")
    expect(page.get_by_test_id("pick-band")).to_have_text("")
    page.mouse.move(x, y - 200)   # off the bands: no tooltip
    expect(tip).to_be_hidden()
    # the keyboard: B on unit 1:40 (group 2), the next band down, Enter
    page.locator('[data-node="1:40"]').focus()
    page.keyboard.press("b")
    stand = page.locator(".band-focus")
    expect(stand).to_be_focused()
    expect(stand).to_have_attribute("aria-label", re.compile(re.escape(
        words["tip"].format(a="1:32–1:47", b="2:0–2:15"))))
    page.keyboard.press("ArrowDown")
    expect(stand).to_have_attribute("aria-label", re.compile(re.escape(
        words["tip"].format(a="1:32–1:47", b="2:16–2:31"))))
    expect(tip).to_contain_text(words["tip"].format(a="1:32–1:47", b="2:16–2:31"))
    page.keyboard.press("Enter")
    expect(ui.control(pick["unit"])).to_have_value("16")
    expect(ui.control(pick["from"])).to_have_value("32")
    expect(page.get_by_test_id("pick-band")).to_contain_text(words["picked"].format(a="1:32–1:47", b="2:16–2:31"))
    # and Escape on a band goes back to the unit
    page.locator('[data-node="1:40"]').focus()
    page.keyboard.press("b")
    page.keyboard.press("Escape")
    expect(page.locator('[data-node="1:40"]')).to_be_focused()


LABEL_CLEAR = """() => {
    const label = document.querySelector('#network text.node-value').getBoundingClientRect();
    const net = document.querySelector('#network').getBoundingClientRect();
    const meets = (b) => b.left < label.right && b.right > label.left && b.top < label.bottom && b.bottom > label.top;
    const hits = [...document.querySelectorAll('#network .cell, #network .node, #network .layer-head')]
        .filter((e) => !e.classList.contains('expanded-node') && meets(e.getBoundingClientRect()))
        .map((e) => e.dataset.node || e.className);
    if (meets(document.querySelector('.expanded-node').getBoundingClientRect())) hits.push('its own square');
    if (label.left < net.left || label.right > net.right) hits.push('outside the diagram');
    return hits; }"""


@pytest.mark.parametrize("size", [(820, 1180), (1024, 768)])
@pytest.mark.parametrize("hidden", ["124:tanh:0,124:tanh:0", "124:tanh:0,124:tanh:0,124:tanh:0"])
def test_the_expanded_units_value_clears_the_next_layer_on_a_tablet(ui, tmp_path, size, hidden):
    """On a tablet's narrower diagram the step-through's value of a wide layer's unit
    stands where the next layer's cells leave it room, not over them (nor over the layers'
    headers or its own square)."""
    page = ui.page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    ui.open(f"lang=en&hidden={hidden}&dataset=xor&features=x1,x2")
    for selector, text in [("#point-x1", "1.5"), ("#point-x2", "-2.25")]:
        page.locator(selector).fill(text)
        page.locator(selector).press("Tab")
    last = hidden.count(",") + 1
    for unit in ["1:100", "1:0", "1:123", f"{last}:60"]:
        layer, j = unit.split(":")
        ui.control("Layer").select_option(layer)
        ui.control("Neuron").fill(j)
        ui.control("Neuron").press("Tab")
        ui.button("Step to this neuron").click()
        expect(page.locator(".expanded-id")).to_have_text(unit)
        expect(page.locator("#network text.node-value")).to_have_count(1)
        assert page.evaluate(LABEL_CLEAR) == [], f"{unit}'s value at {size}"
    save_shot(page, tmp_path, f"wide-value-{size[0]}x{size[1]}-{last}.png")


def test_a_layer_is_made_wide_from_its_header(ui):
    """The neurons typed into a layer's header: 124 at once (the + adds one at a time)."""
    page = ui.page
    ui.open("lang=en")
    box = ui.control(WORDS["en"]["units"])
    box.fill("124")
    with page.expect_response(lambda r: r.url.endswith("/config") and r.request.method == "PATCH"):
        box.press("Enter")
    expect(page.locator('.cell[data-node^="1:"]')).to_have_count(124)
    assert [layer["units"] for layer in ui.snapshot()["layers"]] == [2, 124, 2, 1]
    plus = ui.button("Add neuron").first
    plus.click()
    expect(page.locator('.cell[data-node^="1:"]')).to_have_count(125)
    box = ui.control(WORDS["en"]["units"])
    box.fill("129")
    box.press("Enter")
    expect(page.locator('[data-error-for="hidden"]')).to_contain_text("from 1 to 128")
    assert ui.snapshot()["layers"][1]["units"] == 125
