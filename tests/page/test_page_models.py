"""'Save & share' in Chromium: the model file downloaded from the page loads back in a
fresh page as the same network; a bad file is refused inside the dialog in the page's
language; a share link opens a new playground with the same weights and epoch (in
English and in Chinese); the export links download scripts that print PREDICT_POINTS."""

from __future__ import annotations

import json
import re

import pytest

from .page_support import Playground, expect

PARAMS = ("weights", "biases", "prelu_slopes")


def trained(ui, query: str = "lang=en") -> dict:
    ui.open(query)
    for epoch in (1, 2):
        ui.page.locator("#step").click()
        ui.page.wait_for_function(f"() => window.playground.snapshot.epoch >= {epoch}")
    ui.settle()
    return ui.snapshot()


def open_dialog(page):
    page.get_by_test_id("models-button").click()
    dialog = page.get_by_test_id("models-dialog")
    expect(dialog).to_be_visible()
    return dialog


def same_network(a: dict, b: dict) -> None:
    for key in PARAMS:
        assert a[key] == b[key], key
    assert a["epoch"] == b["epoch"] and a["config"] == b["config"]


def test_a_downloaded_model_loads_back_in_a_fresh_page(ui, context, tmp_path):
    original = trained(ui)
    open_dialog(ui.page)
    with ui.page.expect_download() as got:
        ui.page.get_by_test_id("model-download").click()
    path = tmp_path / "model.json"
    got.value.save_as(path)
    model = json.loads(path.read_text())
    assert model["format"] == "neural-playground-model"
    assert got.value.suggested_filename.endswith(".json")

    other = Playground(context.new_page(), ui.api).open("lang=en&dataset=xor")
    before = other.session_id
    open_dialog(other.page)
    other.page.get_by_test_id("model-file").set_input_files(str(path))
    expect(other.page.get_by_test_id("models-dialog")).to_be_hidden()
    other.page.wait_for_function(f"() => window.playground.sessionId !== {before!r}")
    expect(other.page.locator("#banner")).to_contain_text("Loaded the model file")
    loaded = other.snapshot()
    same_network(loaded, original)
    assert other.epoch() == original["epoch"]
    other.assert_matches_api(loaded)
    other.assert_clean()


def test_a_model_loaded_inside_an_exercise_says_the_exercise_is_left(ui, tmp_path):
    made = ui.api.post("/api/exercises", json={
        "config": {"dataset": "xor"}, "locked": ["learning_rate"], "prompt": {"en": "Train."},
        "goals": [{"metric": "test_loss", "op": "<", "value": 0.3}]}).json()
    page = ui.open(f"lang=en&exercise={made['id']}").page
    expect(page.get_by_test_id("lesson-panel")).to_be_visible()
    other = ui.api.post("/api/sessions", json={"dataset": "circle"}).json()["id"]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(ui.api.get(f"/api/sessions/{other}/model").json()))
    open_dialog(page)
    page.get_by_test_id("model-file").set_input_files(str(path))
    expect(page.locator("#banner")).to_contain_text("the lesson or exercise is left")
    expect(page.get_by_test_id("lesson-panel")).to_be_hidden()


@pytest.mark.parametrize("lang, words", [
    ("en", "The parameters do not fit this network"),
    ("zh", "这些参数与网络不匹配"),
])
def test_a_bad_file_is_refused_inside_the_dialog(ui, tmp_path, lang, words):
    ui.open(f"lang={lang}")
    ui.log.expect("422")
    model = ui.api.get(f"/api/sessions/{ui.session_id}/model").json()
    model["params"]["weights"][0].pop()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(model))
    before = ui.session_id
    open_dialog(ui.page)
    ui.page.get_by_test_id("model-file").set_input_files(str(bad))
    error = ui.page.get_by_test_id("model-load-error")
    expect(error).to_contain_text(words)
    expect(ui.page.get_by_test_id("models-dialog")).to_be_visible()
    assert ui.session_id == before

    # a file that is no model file at all: said as such, not in the server's terms
    (tmp_path / "notes.txt").write_text("not a model")
    (tmp_path / "other.json").write_text('{"a": 1}')
    for name in ("notes.txt", "other.json"):
        ui.page.get_by_test_id("model-file").set_input_files(str(tmp_path / name))
        expect(error).to_have_text(
            f"“{name}” is not a model file: choose a .json file saved with “Download model”."
            if lang == "en" else f"“{name}”不是模型文件：请选择用“下载模型”保存的 .json 文件。")
    assert ui.session_id == before


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_shared_link_opens_the_same_trained_network(ui, context, lang):
    original = trained(ui, f"lang={lang}")
    open_dialog(ui.page)
    ui.page.locator("#models-share").click()
    box = ui.page.get_by_test_id("share-link")
    expect(box).to_be_visible()
    link = box.input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?share=[0-9a-f]{12}", link), link

    friend = Playground(context.new_page(), ui.api)
    friend.page.goto(link + ("&lang=zh" if lang == "zh" else ""))
    friend.wait_ready()
    assert friend.session_id != ui.session_id
    same_network(friend.snapshot(), original)
    assert friend.epoch() == original["epoch"]
    notice = "This is a shared trained network" if lang == "en" else "这是一个分享的、训练好的网络"
    expect(friend.page.locator("#banner")).to_contain_text(notice)
    expect(friend.page).not_to_have_url(re.compile(r"share="))   # a reload keeps this copy
    friend.assert_clean()


def test_an_unknown_share_is_said_and_the_page_opens_as_usual(ui):
    ui.log.expect("404")
    ui.page.goto("/?share=0123456789ab&lang=en")
    ui.wait_ready()
    expect(ui.page.locator("#banner")).to_contain_text("There is no shared network “0123456789ab”")


def test_the_export_links_download_scripts_that_print_predict_points(ui, tmp_path):
    ui.open("lang=en")
    open_dialog(ui.page)
    for fmt in ("numpy", "pytorch", "keras"):
        link = ui.page.get_by_test_id(f"export-{fmt}")
        assert link.get_attribute("href") == f"/api/sessions/{ui.session_id}/export?format={fmt}"
        with ui.page.expect_download() as got:
            link.click()
        path = tmp_path / f"{fmt}.py"
        got.value.save_as(path)
        assert got.value.suggested_filename.endswith(".py")
        assert "PREDICT_POINTS" in path.read_text()
    expect(ui.page.get_by_test_id("models-dialog")).to_contain_text("PREDICT_POINTS")


def test_in_presenter_mode_it_waits_in_settings_with_the_teachers_tools(ui):
    page = ui.open("lang=zh&present=1").page
    button = page.get_by_test_id("models-button")
    expect(button).to_be_hidden()
    page.get_by_test_id("present-settings").click()
    expect(button).to_be_visible()
    expect(button).to_have_text("保存与分享")
    open_dialog(page)
    expect(page.get_by_test_id("models-dialog")).to_contain_text("可运行的代码")
