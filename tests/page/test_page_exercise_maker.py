"""'Make this an exercise' in Chromium: a teacher makes an exercise from the page (a goal,
a locked and a hidden control, a prompt), gets a link, and a learner who opens it finds
the lesson panel with that prompt and goal, the locked control disabled and the hidden
one gone; a bad goal and an empty prompt are refused inside the dialog, in the page's
language. In English and in Chinese."""

from __future__ import annotations

import re

import pytest

from .page_support import Playground, expect, save_shot

WORDS = {
    "en": {"lock": "Lock Learning rate", "hide": "Hide Noise", "prompt": "#exmaker-prompt-en",
           "text": "Get the test loss below 0.25 without changing the learning rate.",
           "goal": "test loss < 0.25"},
    "zh": {"lock": "锁定学习率", "hide": "隐藏噪声", "prompt": "#exmaker-prompt-zh",
           "text": "不改学习率，让测试损失低于 0.25。", "goal": "测试损失 < 0.25"},
}


def open_maker(page):
    page.get_by_test_id("exercise-maker-button").click()
    expect(page.get_by_test_id("exercise-maker")).to_be_visible()
    rows = page.get_by_test_id("exercise-goals").locator("li")
    expect(rows).to_have_count(1)
    return rows


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_teacher_makes_an_exercise_and_a_learner_opens_its_link(ui, context, lang, tmp_path):
    w = WORDS[lang]
    page = ui.open(f"lang={lang}").page
    rows = open_maker(page)
    first = rows.first
    assert first.locator(".goal-metric").input_value() == "test_loss"   # the default goal
    first.locator(".goal-op").select_option("<")
    first.locator(".goal-value").fill("0,25")                             # a decimal comma
    page.get_by_role("checkbox", name=w["lock"], exact=True).check()
    page.get_by_role("checkbox", name=w["hide"], exact=True).check()
    page.locator(w["prompt"]).fill(w["text"])
    with_weights = lang == "en"
    if with_weights:
        page.locator("#exmaker-weights").check()
    save_shot(page, tmp_path, f"exercise-maker-{lang}.png")
    page.locator("#exmaker-create").click()
    link_box = page.get_by_test_id("exercise-link")
    expect(link_box).to_be_visible()
    link = link_box.input_value()
    found = re.fullmatch(r"http://127\.0\.0\.1:\d+/\?exercise=([0-9a-f]{10})", link)
    assert found, link
    assert page.locator("#exmaker-open").get_attribute("href") == link
    expect(page.get_by_test_id("exercise-error")).to_have_text("")

    # what the server keeps is what the teacher picked, from the playground as it is
    kept = ui.api.get(f"/api/exercises/{found.group(1)}").json()
    assert kept["goals"] == [{"metric": "test_loss", "op": "<", "value": 0.25}]
    assert kept["locked"] == ["learning_rate"] and kept["hidden"] == ["noise"]
    assert kept["prompt"][lang] == w["text"]
    snap = ui.snapshot()
    assert kept["config"] == snap["config"]
    if with_weights:
        assert kept["params"]["weights"] == snap["weights"]
        assert kept["params"]["biases"] == snap["biases"]
    else:
        assert "params" not in kept

    # a learner opens the link (in English through the dialog's Open link)
    if lang == "en":
        with context.expect_page() as opened:
            page.locator("#exmaker-open").click()
        learner = Playground(opened.value, ui.api)
    else:
        learner = Playground(context.new_page(), ui.api)
        learner.page.goto(f"{link}&lang=zh")
    learner.wait_ready()
    panel = learner.page.get_by_test_id("lesson-panel")
    expect(panel).to_contain_text(w["text"])
    expect(learner.page.get_by_test_id("lesson-goals")).to_contain_text(w["goal"])
    expect(learner.page.locator("#learning-rate")).to_be_disabled()
    expect(learner.page.locator("#noise")).to_be_hidden()
    expect(learner.page.locator("#dataset")).to_be_enabled()
    expect(learner.page.locator("#batch-size")).to_be_visible()
    assert learner.snapshot()["lesson"]["lesson_id"] == f"exercise-{found.group(1)}"
    if with_weights:
        assert learner.snapshot()["weights"] == snap["weights"]
    save_shot(learner.page, tmp_path, f"exercise-opened-{lang}.png")
    learner.assert_clean()


def test_a_bad_goal_is_refused_inside_the_dialog(ui):
    page = ui.open("lang=en").page
    ui.log.expect("422")   # the browser logs the refused POST
    rows = open_maker(page)
    page.locator("#exmaker-prompt-en").fill("Make node 1:0 positive at (0.5, 0).")
    page.locator("#exmaker-add").click()
    expect(rows).to_have_count(2)
    second = rows.nth(1)
    second.locator(".goal-metric").select_option("node_value")
    second.locator(".goal-op").select_option(">")
    second.locator(".goal-value").fill("0")
    second.locator(".goal-layer").fill("1")
    second.locator(".goal-node").fill("0")
    page.locator("#exmaker-create").click()       # no point: the server says what is missing
    error = page.get_by_test_id("exercise-error")
    expect(error).to_have_text("Goal 2: The goal on value (of a node, at a point) needs point.")
    expect(second).to_have_class(re.compile(r"\binvalid\b"))
    expect(rows.first).not_to_have_class(re.compile(r"\binvalid\b"))
    expect(page.get_by_test_id("exercise-link")).to_be_hidden()

    second.locator(".goal-x1").fill("half")        # not a number: said before sending
    second.locator(".goal-x2").fill("0")
    expect(error).to_have_text("")                 # an edit clears the old refusal
    page.locator("#exmaker-create").click()
    expect(error).to_contain_text("Goal 2: “half” is not a number")

    second.locator(".goal-x1").fill("0.5")
    rows.first.locator(".goal-metric").select_option("test_accuracy")   # a goal never met
    rows.first.locator(".goal-op").select_option(">=")
    rows.first.locator(".goal-value").fill("5")
    page.locator("#exmaker-create").click()
    expect(error).to_contain_text("Goal 1: Value must be between 0 and 1 (not 5)")
    expect(rows.first).to_have_class(re.compile(r"\binvalid\b"))
    rows.first.locator(".goal-value").fill("0.9")
    page.locator("#exmaker-create").click()
    link = page.get_by_test_id("exercise-link")
    expect(link).to_be_visible()
    exercise_id = link.input_value().rsplit("=", 1)[1]
    kept = ui.api.get(f"/api/exercises/{exercise_id}").json()
    assert kept["goals"][1] == {"metric": "node_value", "op": ">", "value": 0.0, "layer": 1,
                                "node": 0, "point": [0.5, 0.0]}


def test_an_empty_prompt_is_refused_in_chinese_and_a_goal_can_be_removed(ui):
    page = ui.open("lang=zh").page
    ui.log.expect("422")
    rows = open_maker(page)
    expect(page.locator("#exmaker-goals .goal-remove")).to_be_disabled()   # at least one goal
    page.locator("#exmaker-add").click()
    rows.nth(1).locator(".goal-metric").select_option("optimizer")
    expect(rows.nth(1).locator(".goal-name")).to_have_value("sgd")
    rows.nth(1).locator(".goal-name").select_option("adam")
    page.get_by_role("button", name="删除目标 1").click()
    expect(rows).to_have_count(1)
    page.locator("#exmaker-create").click()
    expect(page.get_by_test_id("exercise-error")).to_have_text(
        "请用英文或中文（或两种语言）写下学生要做什么。")
    page.locator("#exmaker-prompt-zh").fill("换用 Adam。")
    page.locator("#exmaker-create").click()
    link = page.get_by_test_id("exercise-link")
    expect(link).to_be_visible()
    kept = ui.api.get(f"/api/exercises/{link.input_value().rsplit('=', 1)[1]}").json()
    assert kept["goals"] == [{"metric": "optimizer", "is": "adam"}]
    assert kept["prompt"] == {"en": "", "zh": "换用 Adam。"}
