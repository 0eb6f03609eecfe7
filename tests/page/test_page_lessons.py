"""The lesson player in Chromium: the Crash Course task played end to end through the
page as a learner would, in English and in Chinese: the picker, a predict-first question
answered wrong then right, the goals' live progress while playing, success, the next
step's start, and the controls the lesson locks."""

from __future__ import annotations

import pytest

from .page_support import CHINESE, expect, save_shot, wait_until

LESSON = "crash-course-task"
WORDS = {
    "en": {"lessons": "Lessons", "check": "Check", "next": "Next →", "play": "Play",
           "pause": "Pause", "wrong": "Not quite", "right": "Right", "met": "Goal reached",
           "hint": "Show a hint"},
    "zh": {"lessons": "课程", "check": "检查答案", "next": "下一步 →", "play": "播放",
           "pause": "暂停", "wrong": "还不对", "right": "答对了", "met": "目标达成",
           "hint": "给我一个提示"},
}


def lesson_state(ui) -> dict:
    return ui.snapshot()["lesson"]


def play_until_done(ui, step: int, timeout: float = 30.0) -> None:
    ui.page.locator("#play").click()
    try:
        wait_until(ui.page, lambda: lesson_state(ui)["steps"][step]["done"], timeout,
                   f"step {step}'s goals met while playing")
    except AssertionError:
        snap = ui.snapshot()
        raise AssertionError(f"epoch {snap['epoch']}: {snap['lesson']['steps'][step]}") from None
    ui.page.locator("#play").click()   # pause
    ui.settle()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_crash_course_task_played_end_to_end(ui, lang, tmp_path):
    w = WORDS[lang]
    page = ui.open(f"lang={lang}&speed=10").page
    page.get_by_test_id("lessons-button").click()
    picker = page.get_by_test_id("lesson-list")
    expect(picker).to_be_visible()
    page.locator(f"[data-lesson={LESSON}]").click()
    panel = page.get_by_test_id("lesson-panel")
    expect(panel).to_be_visible()
    wait_until(page, lambda: (ui.snapshot().get("lesson") or {}).get("lesson_id") == LESSON,
               message="the lesson started in the session")
    assert ui.snapshot()["config"]["dataset"] == "xor"
    assert f"lesson={LESSON}" in page.url
    if lang == "zh":
        assert CHINESE.search(panel.inner_text())
    # the lesson fixes the data: its controls are disabled
    expect(page.locator("#dataset")).to_be_disabled()
    expect(page.locator("#noise")).to_be_disabled()
    expect(page.locator("#dataset-thumbs button").first).to_be_disabled()
    expect(page.locator("#learning-rate")).to_be_enabled()

    # step 1: predict first; a wrong answer, then the right one with its explanation
    page.locator("input[name=lesson-choice][value='0']").check()
    page.get_by_role("button", name=w["check"]).click()
    expect(page.get_by_test_id("lesson-result")).to_contain_text(w["wrong"])
    page.get_by_role("button", name=w["hint"]).click()
    expect(page.locator("#lesson-hints li")).to_have_count(1)
    page.locator("input[name=lesson-choice][value='1']").check()
    page.get_by_role("button", name=w["check"]).click()
    expect(page.get_by_test_id("lesson-result")).to_contain_text(w["right"])
    expect(page.locator("#lesson-explanation")).to_contain_text("0.69")
    save_shot(page, tmp_path, f"lesson-question-{lang}.png")

    # step 2: the goals show their values live; ReLU and three neurons, then play
    page.get_by_role("button", name=w["next"]).click()
    goals = page.get_by_test_id("lesson-goals").locator("li")
    expect(goals).to_have_count(2)
    expect(goals.first).to_contain_text("0.")     # the training loss read now
    page.locator("#activation").select_option("relu")
    wait_until(page, lambda: ui.snapshot()["config"]["hidden"][0]["activation"] == "relu")
    for units in (2, 3):
        page.locator("[data-control='add:0']").click()
        wait_until(page, lambda: ui.snapshot()["config"]["hidden"][0]["units"] == units)
    page.locator("#reset").click()     # fresh weights for the new network
    wait_until(page, lambda: ui.snapshot()["epoch"] == 0)
    play_until_done(ui, 1)
    expect(page.get_by_test_id("lesson-result")).to_contain_text(w["met"])
    expect(goals.first).to_have_class("met")
    expect(page.locator("#lesson-dots .lesson-dot.done")).to_have_count(2)
    save_shot(page, tmp_path, f"lesson-task-met-{lang}.png")

    # step 3 starts from a bigger network; the learner shrinks it and plays again
    page.get_by_role("button", name=w["next"]).click()
    wait_until(page, lambda: [h["units"] for h in ui.snapshot()["config"]["hidden"]] == [6, 4])
    page.locator("#remove-layer").click()
    wait_until(page, lambda: len(ui.snapshot()["config"]["hidden"]) == 1)
    for units in (5, 4, 3):
        page.locator("[data-control='remove:0']").click()
        wait_until(page, lambda: ui.snapshot()["config"]["hidden"][0]["units"] == units)
    page.locator("#reset").click()
    wait_until(page, lambda: ui.snapshot()["epoch"] == 0)
    play_until_done(ui, 2)
    expect(page.get_by_test_id("lesson-result")).to_contain_text(w["met"])
    assert all(s["done"] for s in lesson_state(ui)["steps"])
    save_shot(page, tmp_path, f"lesson-done-{lang}.png")


def test_a_lesson_link_opens_the_lesson_and_a_reload_keeps_its_place(ui):
    page = ui.open(f"lang=en&lesson={LESSON}").page
    wait_until(page, lambda: (ui.snapshot().get("lesson") or {}).get("step") == 0,
               message="the lesson from the link")
    page.get_by_role("button", name="Next →").click()
    wait_until(page, lambda: ui.snapshot()["lesson"]["step"] == 1)
    sid = ui.session_id
    page.reload()
    ui.wait_ready()
    expect(page.get_by_test_id("lesson-goals").locator("li")).to_have_count(2)
    assert ui.session_id == sid and ui.snapshot()["lesson"]["step"] == 1
    page.locator("#remove-layer").click()
    wait_until(page, lambda: len(ui.snapshot()["config"]["hidden"]) == 0)
    page.get_by_role("button", name="Start this step again").click()
    wait_until(page, lambda: len(ui.snapshot()["config"]["hidden"]) == 1, message="the step's playground back")
    page.get_by_role("button", name="Leave lesson").click()
    expect(page.get_by_test_id("lesson-panel")).to_be_hidden()
    expect(page.locator("#dataset")).to_be_enabled()
    assert "lesson=" not in page.url


def test_an_exercise_link_opens_the_teachers_goals(ui):
    made = ui.api.post("/api/exercises", json={
        "config": {"dataset": "circle", "hidden": [{"units": 2, "activation": "linear"}]},
        "locked": ["dataset"], "prompt": {"zh": "让测试损失低于 0.3。"},
        "goals": [{"metric": "test_loss", "op": "<", "value": 0.3}]}).json()
    page = ui.open(f"lang=en&exercise={made['id']}").page
    panel = page.get_by_test_id("lesson-panel")
    expect(panel).to_contain_text("让测试损失低于 0.3。")     # one language, shown in both
    expect(page.get_by_test_id("lesson-goals")).to_contain_text("test loss < 0.3")
    expect(page.locator("#dataset")).to_be_disabled()
    expect(page.locator("#lesson-leave")).to_have_text("Leave exercise")
    expect(panel.get_by_text("让测试损失低于 0.3。")).to_have_count(1)   # the prompt said once
    assert f"exercise={made['id']}" in page.url and "lesson=" not in page.url


def diagram_view(page) -> dict:
    """Is the Output node inside the diagram's box and the window, and which of the box's
    sides say that more of the diagram lies past them (scroll_edges.js)."""
    return page.evaluate("""() => {
        const box = document.querySelector(".network-scroll"), r = box.getBoundingClientRect();
        const last = window.playground.snapshot.layers.length - 1;
        const out = box.querySelector(`[data-node="${last}:0"]`).getBoundingClientRect();
        return { inside: out.left >= r.left && out.right <= r.right && out.right <= innerWidth,
                 left: box.classList.contains("more-left"), right: box.classList.contains("more-right") };
    }""")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_lessons_network_shows_whole_or_says_it_scrolls(ui, lang):
    """At 1280x720 beside a lesson's panel: a one-layer network fits its narrower box (laid
    out again when the panel opens); seven layers cannot, and the box says so and scrolls."""
    page = ui.open(f"lang={lang}&lesson=why-nonlinearity").page
    expect(page.get_by_test_id("lesson-panel")).to_be_visible()
    whole = {"inside": True, "left": False, "right": False}
    wait_until(page, lambda: diagram_view(page) == whole, 5, f"the whole network in view: {diagram_view(page)}")

    ui.open(f"lang={lang}&lesson=vanishing-exploding")
    expect(page.locator(".network-scroll [data-node='8:0']")).to_have_count(1)
    more = {"inside": False, "left": False, "right": True}
    wait_until(page, lambda: diagram_view(page) == more, 5, f"more to the right: {diagram_view(page)}")
    page.locator(".network-scroll").evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    end = {"inside": True, "left": True, "right": False}
    wait_until(page, lambda: diagram_view(page) == end, 5, f"scrolled to the Output node: {diagram_view(page)}")
