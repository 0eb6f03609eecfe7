"""Presenter mode in Chromium, as a teacher uses it on a projector: the P key, the button
and Escape; P typed into a field stays a letter; the diagram's numbers and the
step-through's arithmetic drawn larger; at 1280x720 and 1920x1080 no sideways scrolling,
and Play, Step, Reset, the plot and the arithmetic on screen; the mode kept over a reload;
the controls it puts away one click from sight; in English and in Chinese. Screenshots of
each size and language go to /tmp/presenter-shots/ to be looked at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .page_support import CHINESE, expect, wait_until

SHOTS = Path("/tmp/presenter-shots")
PRESENTING = "document.body.classList.contains('presenter')"
SCREENS = [(1280, 720), (1920, 1080)]
WORDS = {"en": {"present": "Present", "settings": "Settings", "pause": "Pause", "play": "Play"},
         "zh": {"present": "演示模式", "settings": "设置", "pause": "暂停", "play": "运行"}}


def presenting(page) -> bool:
    return page.evaluate(PRESENTING)


def font_px(page, selector: str) -> float:
    return page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)")


def walk_two_nodes(page) -> None:
    """Choose the plot's centre for the step-through and walk to the second node."""
    page.locator("#data-plot").click()
    expect(page.get_by_test_id("calc-panel")).to_contain_text("(")
    page.locator("#next-node").click()
    page.locator("#next-node").click()
    expect(page.locator("text.node-value")).to_have_count(1)


def train_a_few_epochs(ui, words) -> None:
    ui.page.locator("#play").click()
    wait_until(ui.page, lambda: ui.epoch() >= 20, message="a few epochs of training")
    ui.page.locator("#play").click()
    expect(ui.button(words["play"])).to_be_visible()
    ui.settle()


def inside_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(selector, """e => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.left >= 0 && r.top >= 0
            && r.right <= innerWidth && r.bottom <= innerHeight;
    }""")


def test_the_p_key_and_the_button_toggle_it_and_escape_leaves(ui):
    page = ui.open().page
    button = page.get_by_test_id("present-button")
    assert not presenting(page)
    expect(button).to_have_text("Present")
    assert "P" in button.get_attribute("title")
    page.locator("h1").click()                     # focus on the page, not on a control
    page.keyboard.press("p")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert presenting(page)
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-pressed", "false")
    assert not presenting(page)
    page.keyboard.press("Shift+P")
    assert presenting(page)
    page.keyboard.press("P")
    assert not presenting(page)
    page.keyboard.press("Alt+p")                   # a modifier: someone else's shortcut
    assert not presenting(page)
    button.click()
    assert presenting(page)
    page.keyboard.press("p")                       # the button keeps the focus: P still works
    assert not presenting(page)
    button.click()
    assert presenting(page)
    button.click()
    assert not presenting(page)


def test_p_typed_into_a_field_is_a_letter(ui):
    page = ui.open().page
    x1 = page.locator("#point-x1")
    x1.click()
    page.keyboard.type("p")
    assert not presenting(page)
    assert x1.input_value() == "p"
    x1.fill("")
    page.locator("#learning-rate").focus()
    page.keyboard.press("p")
    assert not presenting(page)
    # presenting, a field opened from Settings: P and Escape stay the field's
    page.get_by_test_id("present-button").click()
    page.get_by_test_id("present-settings").click()
    x1.click()
    page.keyboard.type("p")
    page.keyboard.press("Escape")
    assert presenting(page)
    assert x1.input_value() == "p"


def test_the_diagram_numbers_and_the_arithmetic_are_larger(ui):
    page = ui.open().page
    walk_two_nodes(page)
    desk = {sel: font_px(page, sel) for sel in ("text.node-value", "text.edge-label", "#calc-panel")}
    plot_desk = page.locator("#data-plot").bounding_box()["width"]
    page.locator("[data-node='1:1']").hover()
    tip_desk = font_px(page, "#tooltip")
    page.locator("h1").click()
    page.keyboard.press("p")
    # the diagram is drawn again at the new scale, still walking the same node
    expect(page.locator("[data-node='1:1']")).to_have_class("node current")
    expect(page.locator("text.node-value")).to_have_count(1)
    for selector, size in desk.items():
        assert font_px(page, selector) >= 1.4 * size, selector
    assert page.locator("#data-plot").bounding_box()["width"] >= 1.4 * plot_desk
    page.locator("[data-node='1:1']").hover()
    assert font_px(page, "#tooltip") >= 1.4 * tip_desk
    page.keyboard.press("Escape")
    expect(page.locator("text.node-value")).to_have_count(1)
    for selector, size in desk.items():
        assert font_px(page, selector) == size, selector
    assert page.locator("#data-plot").bounding_box()["width"] == plot_desk


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_it_fits_the_projector(ui, lang, width, height):
    words = WORDS[lang]
    page = ui.page
    page.set_viewport_size({"width": width, "height": height})
    ui.open(f"lang={lang}&speed=10&present=1")
    assert presenting(page)
    assert "present=" not in page.url              # a link copied from the projector: a desk
    expect(page.get_by_test_id("present-button")).to_have_text(words["present"])
    train_a_few_epochs(ui, words)
    walk_two_nodes(page)
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "scrolls sideways"
    for selector in ("#play", "#step", "#reset", "#data-plot", "[data-testid=test-loss]",
                     "#next-node", "#calc-panel > div:nth-child(3)", "[data-node='1:1']"):
        assert inside_viewport(page, selector), f"{selector} is not on screen at {width}x{height}"
    # what the demo does not need is out of sight
    for selector in (".tagline", ".diagnostics", "#confusion-box", "#learning-rate", "#network-hint"):
        expect(page.locator(selector)).to_be_hidden()
    if lang == "zh":
        assert CHINESE.search(page.locator("#calc-panel").inner_text())
        assert CHINESE.search(page.locator(".metrics").inner_text())
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"presenter-{width}x{height}-{lang}.png"
    page.screenshot(path=str(path))              # what the projector shows: the viewport
    assert path.stat().st_size > 10_000
    # playing, the figures keep up
    page.locator("#play").click()
    expect(ui.button(words["pause"])).to_be_visible()
    page.locator("#play").click()
    ui.settle()


def test_every_control_is_one_click_away(ui):
    page = ui.open("lang=en&present=1").page
    settings = page.get_by_test_id("present-settings")
    for selector in ("#learning-rate", "#activation", "#dataset", "#noise", "#point-x1", "#pick-train"):
        expect(page.locator(selector)).to_be_hidden()
    expect(settings).to_have_attribute("aria-expanded", "false")
    settings.click()
    expect(settings).to_have_attribute("aria-expanded", "true")
    for selector in ("#learning-rate", "#activation", "#dataset", "#noise", "#point-x1", "#pick-train"):
        expect(page.locator(selector)).to_be_visible()
    assert presenting(page)
    page.locator("#learning-rate").select_option("0.1")
    wait_until(page, lambda: ui.snapshot()["config"]["learning_rate"] == 0.1)
    settings.click()
    expect(page.locator("#learning-rate")).to_be_hidden()
    # the dataset thumbnails stay on screen: one click changes the data
    page.locator("#dataset-thumbs [data-dataset=xor]").click()
    wait_until(page, lambda: ui.snapshot()["config"]["dataset"] == "xor")
    # the settings close with the mode; outside it everything shows as before
    settings.click()
    page.keyboard.press("Escape")
    expect(settings).to_be_hidden()
    for selector in (".tagline", ".diagnostics", "#learning-rate", "#point-x1"):
        expect(page.locator(selector)).to_be_visible()


def test_it_survives_a_reload(ui):
    page = ui.open().page
    page.locator("h1").click()
    page.keyboard.press("p")
    assert presenting(page)
    page.reload()
    ui.wait_ready()
    assert presenting(page)
    expect(page.get_by_test_id("present-button")).to_have_attribute("aria-pressed", "true")
    assert page.locator("#data-plot").bounding_box()["width"] > 300
    page.keyboard.press("Escape")
    page.reload()
    ui.wait_ready()
    assert not presenting(page)
    page.goto("/?lang=en&present=1")
    ui.wait_ready()
    assert presenting(page)
    page.goto("/?lang=en&present=0")
    ui.wait_ready()
    assert not presenting(page)


def test_a_lesson_in_presenter_mode_fits_in_chinese(ui):
    page = ui.open("lang=zh&present=1&lesson=crash-course-task").page
    panel = page.get_by_test_id("lesson-panel")
    expect(panel).to_be_visible()
    assert CHINESE.search(panel.inner_text())
    assert font_px(page, "#lesson-text") >= 16
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    for selector in ("#play", "#data-plot", "#lesson-title"):
        assert inside_viewport(page, selector), selector
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "presenter-lesson-1280x720-zh.png"))


@pytest.fixture(autouse=True, scope="module")
def fresh_shots():
    """Screenshots of this run only."""
    shutil.rmtree(SHOTS, ignore_errors=True)
    yield
