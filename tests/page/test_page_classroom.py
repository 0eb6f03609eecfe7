"""A student in a class, in Chromium: /?class=CODE asks for a name and joins (no other
session made), the teacher's dashboard sees that very session, a reload takes it up
again, and what the teacher sends to everyone reaches every open student page: a lesson,
an exercise, a starting playground. In English and in Chinese."""

from __future__ import annotations

import pytest

from .page_support import Playground, expect, wait_until


def make_class(api, name="Period 3") -> dict:
    r = api.post("/api/classes", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()


def board(api, made) -> list[dict]:
    r = api.get(f"/api/classes/{made['code']}", headers={"X-Teacher-Key": made["teacher_key"]})
    assert r.status_code == 200, r.text
    return r.json()["students"]


def send(api, made, body) -> dict:
    r = api.post(f"/api/classes/{made['code']}/broadcast", json=body,
                 headers={"X-Teacher-Key": made["teacher_key"]})
    assert r.status_code == 200, r.text
    return r.json()


def join(ui: Playground, made: dict, name: str, lang: str = "en") -> Playground:
    page = ui.page
    page.goto(f"/?lang={lang}&class={made['code'].lower()}")
    dialog = page.locator("#class-join")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(made["name"])
    page.locator("#class-join-input").fill(name)
    page.locator("#class-join-submit").click()
    ui.wait_ready()
    expect(page.get_by_test_id("class-badge")).to_contain_text(name)
    return ui


@pytest.mark.parametrize("lang, words", [
    ("en", {"title": "Join the class", "badge": "Class: Period 3 · Ada",
            "no_name": "Write your name first."}),
    ("zh", {"title": "加入班级", "badge": "班级：Period 3 · 李华", "no_name": "请先写下你的名字。"}),
])
def test_a_student_joins_by_name_and_the_teacher_sees_that_session(ui, api, lang, words):
    made = make_class(api)
    name = "Ada" if lang == "en" else "李华"
    created = []
    ui.page.on("request", lambda r: r.method == "POST" and r.url.endswith("/api/sessions")
               and created.append(r.url))
    ui.page.goto(f"/?lang={lang}&class={made['code']}")
    expect(ui.page.locator("#class-join h2")).to_have_text(words["title"])
    ui.page.locator("#class-join-submit").click()          # no name yet: said, not sent
    expect(ui.page.locator("#class-join-error")).to_have_text(words["no_name"])
    assert board(api, made) == []
    ui.page.locator("#class-join-input").fill(name)
    ui.page.locator("#class-join-submit").click()
    ui.wait_ready()
    expect(ui.page.get_by_test_id("class-badge")).to_have_text(words["badge"])
    rows = board(api, made)
    assert [r["name"] for r in rows] == [name]
    assert rows[0]["session_id"] == ui.session_id
    assert created == []                                     # the class's session, no other
    # a reload takes the same session up, without asking again
    ui.page.reload()
    ui.wait_ready()
    expect(ui.page.locator("#class-join")).to_be_hidden()
    assert ui.session_id == rows[0]["session_id"]
    expect(ui.page.get_by_test_id("class-badge")).to_have_text(words["badge"])
    assert len(board(api, made)) == 1


def test_send_to_everyone_reaches_every_open_student_page(browser, server, api):
    made = make_class(api)
    students = []
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720},
                                    base_url=server.url) for _ in range(3)]
    try:
        for k, ctx in enumerate(contexts):
            students.append(join(Playground(ctx.new_page(), api), made, f"Student {k}"))
        sent = send(api, made, {"lesson_id": "dead-relu"})
        assert sent["students"] == 3
        for ui in students:
            expect(ui.page.get_by_test_id("lesson-panel")).to_be_visible(timeout=10_000)
            expect(ui.page.locator("#banner")).to_contain_text(
                "Your teacher sent a lesson: it is open in the lesson panel.")
            wait_until(ui.page, lambda ui=ui: (ui.snapshot()["lesson"] or {}).get("lesson_id")
                       == "dead-relu", message="the lesson opened in the student's session")
        assert {r["lesson_id"] for r in board(api, made)} == {"dead-relu"}

        exercise = api.post("/api/exercises", json={
            "config": {"dataset": "xor"}, "prompt": {"en": "Reach a test loss below 0.3"},
            "goals": [{"metric": "test_loss", "op": "<", "value": 0.3}]}).json()
        send(api, made, {"exercise_id": exercise["id"]})
        for ui in students:
            expect(ui.page.get_by_test_id("lesson-panel")).to_contain_text(
                "Reach a test loss below 0.3", timeout=10_000)
            expect(ui.page.locator("#banner")).to_contain_text(
                "Your teacher sent an exercise: it is open in the lesson panel.")

        send(api, made, {"config": {"dataset": "spiral", "learning_rate": 0.01,
                                    "hidden": [{"units": 6, "activation": "relu"}]}})
        for ui in students:
            wait_until(ui.page, lambda ui=ui: ui.snapshot()["config"]["dataset"] == "spiral",
                       message="the teacher's playground in the student's session")
            expect(ui.page.get_by_test_id("lesson-panel")).to_be_hidden()
            wait_until(ui.page, lambda ui=ui: ui.page.evaluate(
                "window.playground.config.hidden[0].units") == 6, message="the page shows it")
            assert ui.log.unexpected() == []
        # a reload does not open what was already received again
        ui = students[0]
        ui.page.reload()
        ui.wait_ready()
        ui.page.wait_for_timeout(3500)
        assert ui.snapshot()["lesson"] is None and ui.snapshot()["config"]["dataset"] == "spiral"
    finally:
        for ctx in contexts:
            ctx.close()


def test_a_student_joining_late_gets_what_was_sent_before(ui, api):
    made = make_class(api)
    send(api, made, {"lesson_id": "overfitting"})
    join(ui, made, "Late")
    wait_until(ui.page, lambda: (ui.snapshot()["lesson"] or {}).get("lesson_id") == "overfitting",
               message="the lesson sent before joining")


def test_an_unknown_class_code_says_so_and_the_playground_opens(ui):
    ui.log.expect("404")
    ui.open("lang=en&class=ZZZZZZ")
    expect(ui.page.locator("#banner")).to_contain_text("no class with the code ZZZZZZ")
    expect(ui.page.get_by_test_id("class-badge")).to_be_hidden()


def test_not_now_opens_the_playground_without_joining(ui, api):
    made = make_class(api)
    ui.page.goto(f"/?lang=en&class={made['code']}")
    ui.page.locator("#class-join-skip").click()
    ui.wait_ready()
    expect(ui.page.get_by_test_id("class-badge")).to_be_hidden()
    assert board(api, made) == []
