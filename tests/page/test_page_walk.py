"""Issue 12's "done when", as one learner's path in Chromium: upload a CSV, draw two more
points, train, download the model file and the PyTorch script, run the script and get
the page's numbers (the step-through's printed probability, and the server's to 1e-9),
then open a shared link: the same trained network on the same points.

The script run needs PyTorch; without it that part is skipped (the rest has run by then).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys

import pytest

from .page_support import Playground, expect, wait_until
from .test_page_own_data import CLOUDS, click_plot, points, start_drawing, wait_count, write

SMALL = "lang=en&dataset=circle&features=x1,x2&hidden=3:tanh:0"


def predict_points(script: str) -> list[list[float]]:
    for node in ast.parse(script).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PREDICT_POINTS":
            return ast.literal_eval(node.value)
    raise AssertionError("the script names no PREDICT_POINTS")


def printed_outputs(path) -> list[list[float]]:
    """What the script prints for each point: "(x1, x2) -> v ..." lines."""
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return [[float(v) for v in line.split("->")[1].split()]
            for line in done.stdout.splitlines() if "->" in line]


def page_probability(ui: Playground, x1: float, x2: float) -> str:
    """Step the chosen point through every node, as a learner would; the probability the
    panel prints at the end (3 decimals)."""
    page = ui.page
    for selector, text in [("#point-x1", f"{x1:g}"), ("#point-x2", f"{x2:g}"),
                           ("#point-label", "")]:
        box = page.locator(selector)
        box.fill(text)
        box.press("Tab")
    panel = page.get_by_test_id("calc-panel")
    expect(panel).to_contain_text(f"Chosen point: ({x1:.2f}, {x2:.2f})")
    next_node = ui.button("Next node")
    for _ in range(4):                     # 3 hidden units, then the output
        next_node.click()
    expect(panel).to_contain_text("Forward pass done.")
    found = re.search(r"probability = (-?\d+\.\d{3})", panel.inner_text())
    assert found, panel.inner_text()
    return found.group(1)


def test_own_data_trained_exported_run_and_shared(ui, context, tmp_path):
    page = ui.open(SMALL).page
    # 1. own data: a CSV from the file picker, then two more points drawn on the plot
    before = page.evaluate("window.playground.config.dataset")
    page.get_by_test_id("own-data-file").set_input_files(write(tmp_path, "clouds.csv", CLOUDS))
    page.wait_for_function("b => window.playground.config.dataset !== b", arg=before)
    wait_count(ui, 60)
    start_drawing(ui)
    click_plot(page, -1.0, 4.5)
    click_plot(page, 1.0, -4.5)
    wait_count(ui, 62)
    wait_until(page, lambda: len(points(ui)) == 62, message="the drawn points on the server")
    page.get_by_test_id("draw-toggle").click()          # drawing off: clicks pick points again
    own = ui.snapshot()["config"]["dataset"]
    assert own.startswith("custom:b-")

    # 2. train
    page.locator("#play").click()
    wait_until(page, lambda: ui.epoch() >= 30, message="30 epochs on the learner's data")
    page.locator("#play").click()
    ui.settle()
    trained = ui.snapshot()
    assert trained["metrics"]["train_accuracy"] >= 0.9

    # 3. the model file and the PyTorch script, from the Save & share dialog
    page.get_by_test_id("models-button").click()
    with page.expect_download() as got:
        page.get_by_test_id("model-download").click()
    model_path = tmp_path / "model.json"
    got.value.save_as(model_path)
    model = json.loads(model_path.read_text())
    assert model["config"]["dataset"] == own
    assert sorted((x1, x2, float(y)) for x1, x2, y in model["data"]["points"]) == sorted(
        (x1, x2, float(y)) for x1, x2, y in points(ui))
    with page.expect_download() as got:
        page.get_by_test_id("export-pytorch").click()
    script_path = tmp_path / got.value.suggested_filename
    got.value.save_as(script_path)
    script = script_path.read_text(encoding="utf-8")
    share = page.locator("#models-share")
    share.click()
    box = page.get_by_test_id("share-link")
    expect(box).to_have_value(re.compile(r"/\?share=[0-9a-f]{12}$"))   # once the server answered
    link = box.input_value()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("models-dialog")).to_be_hidden()

    # 4. the shared link opens the trained network on the same points
    friend = Playground(context.new_page(), ui.api)
    friend.page.goto(link)
    friend.wait_ready()
    copy = friend.snapshot()
    assert friend.session_id != ui.session_id
    for key in ("weights", "biases", "epoch", "config"):
        assert copy[key] == trained[key], key
    assert sorted(points(friend)) == sorted(points(ui))
    friend.assert_clean()

    # 5. the script, run as downloaded, prints the page's numbers
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed: the script was downloaded but not run")
    predicted = predict_points(script)
    printed = printed_outputs(script_path)
    assert len(printed) == len(predicted)
    for point, outputs in zip(predicted, printed):
        trace = ui.api.post(f"/api/sessions/{ui.session_id}/trace",
                            json={"point": point}).json()
        assert outputs[0] == pytest.approx(trace["output"]["values"][0], abs=1e-9)
    x1, x2 = predicted[0]
    assert abs(float(page_probability(ui, x1, x2)) - printed[0][0]) <= 0.0005
    ui.assert_clean()
