"""The teacher's page (/class) in Chromium: a teacher starts a class, thirty students join
and work over the API, and the dashboard shows each one as the server says they are (the
roster, the gallery's decision surfaces), spotlights one student's network read-only,
sends a lesson, an exercise and a playground to everyone; a wrong key gets the refusal in
the page's language; the whole in English and in Chinese."""

from __future__ import annotations

import re

import pytest

from .page_support import CHINESE, PageLog, expect, save_shot, wait_until

LESSON = "crash-course-task"
SOLVED = {"hidden": [{"units": 3, "activation": "relu"}]}   # the lesson's own solution
BLUE, ORANGE = (8, 119, 189), (245, 147, 34)                 # views/colors.js
WORDS = {
    "en": {"question": "question", "free": "free play", "gone": "gone", "tab": "Students",
           "sent": "Sent to 30 students", "title": "Your first network", "ended": "session has ended"},
    "zh": {"question": "问题", "free": "自由练习", "gone": "已离开", "tab": "学生",
           "sent": "已发给 30 名学生", "title": "你的第一个网络", "ended": "会话已结束"},
}
REFUSAL = {
    "en": "This needs the class’s teacher key",
    "zh": "这需要班级的教师密钥",
}


@pytest.fixture
def teacher(context):
    page = context.new_page()
    log = PageLog()
    log.watch(page)
    page.log = log
    yield page
    assert log.unexpected() == [], "the page logged errors"


def start_class(page, lang: str, name: str = "Period 3") -> str:
    page.goto(f"/class?lang={lang}")
    page.locator("#class-name").fill(name)
    page.locator("#start-class").click()
    expect(page.get_by_test_id("join-code")).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
    return page.get_by_test_id("join-code").inner_text()


def class_of_thirty(api, code: str) -> list[dict]:
    """30 students: 00-11 start the Crash Course task, 00-05 solve its first task (step 1)
    with the lesson's solution; 14-19 train 20 epochs on their own; 29's session is gone."""
    students = []
    for k in range(30):
        r = api.post(f"/api/classes/{code}/students", json={"name": f"Student {k:02d}"})
        assert r.status_code == 201, r.text
        students.append(r.json())
    sid = [s["session"]["id"] for s in students]
    for k in range(12):
        assert api.post(f"/api/sessions/{sid[k]}/lesson", json={"lesson_id": LESSON}).status_code == 200
    for k in range(6):
        api.post(f"/api/sessions/{sid[k]}/lesson", json={"lesson_id": LESSON, "step": 1})
        api.patch(f"/api/sessions/{sid[k]}/config", json=SOLVED)
        api.post(f"/api/sessions/{sid[k]}/reset", json={})
        for _ in range(3):
            snap = api.post(f"/api/sessions/{sid[k]}/step", json={"epochs": 100}).json()
        assert snap["lesson"]["steps"][1]["done"], snap["metrics"]
    for k in range(14, 20):
        api.post(f"/api/sessions/{sid[k]}/step", json={"epochs": 20})
    assert api.delete(f"/api/sessions/{sid[29]}").status_code == 204
    return students


def cells(page, student_id: str) -> dict[str, str]:
    return page.eval_on_selector_all(
        f"#roster tr[data-student='{student_id}'] [data-col]",
        "els => Object.fromEntries(els.map(e => [e.dataset.col, e.textContent]))")


def corner_colors(page, student_id: str) -> list[tuple[int, int, int]]:
    """The top-left and top-right cells of a gallery tile's surface."""
    return [tuple(c) for c in page.evaluate("""(id) => {
        const canvas = document.querySelector(`.tile[data-student="${id}"] canvas`);
        const ctx = canvas.getContext("2d");
        const at = (x, y) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
        return [at(1, 1), at(canvas.width - 2, 1)];
    }""", student_id)]


def near(color, expected, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(color, expected))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_teacher_watches_a_class_of_thirty(teacher, api, lang, tmp_path):
    page, w = teacher, WORDS[lang]
    code = start_class(page, lang)
    # the key left the visible address for this browser's storage; the join address shows
    assert "#" not in page.url and "key=" not in page.url and f"code={code}" in page.url
    key = page.evaluate(f"JSON.parse(localStorage.getItem('class-key:{code}')).key")
    assert len(key) >= 20
    expect(page.get_by_test_id("join-address")).to_have_text(re.compile(rf"^http://127\.0\.0\.1:\d+/\?class={code}$"))
    students = class_of_thirty(api, code)
    ids = [s["student_id"] for s in students]

    rows = page.locator("#roster tbody tr")
    expect(rows).to_have_count(30, timeout=15_000)
    expect(page.locator(f"#roster tr[data-student='{ids[29]}']")).to_have_attribute("data-status", "gone")
    expect(page.locator(f"#roster tr[data-student='{ids[0]}'] [data-col=epoch]")).to_have_text("300")
    board = api.get(f"/api/classes/{code}", headers={"X-Teacher-Key": key}).json()["students"]
    assert [r["status"] for r in board].count("gone") == 1
    for k, row in enumerate(board):
        shown = cells(page, ids[k])
        assert shown["name"] == f"Student {k:02d}" and row["name"] == shown["name"]
        if k < 6:
            assert shown["goals"] == "✓ 2/2" and shown["step"] == "2/3" and shown["epoch"] == "300"
            assert w["title"] in shown["lesson"] and shown["network"] == "3"
            assert float(shown["loss"]) == pytest.approx(row["best_test_loss"], abs=6e-4)
            assert row["best_test_loss"] < 0.2
        elif k < 12:
            assert shown["goals"] == w["question"] and shown["step"] == "1/3" and shown["epoch"] == "0"
        elif k == 29:
            assert shown["seen"] == w["gone"] and shown["epoch"] == "–"
        else:
            assert shown["lesson"] == w["free"] and shown["epoch"] == str(row["epoch"])
            assert shown["epoch"] == ("20" if 14 <= k < 20 else "0")
        if k != 29:
            assert re.fullmatch(r"\d+ (s ago|秒前)", shown["seen"]), shown["seen"]
    expect(page.locator(f"#roster tr[data-student='{ids[0]}'] [data-col=goals]")).to_have_class("done")
    if lang == "zh":
        assert CHINESE.search(page.locator("#roster").inner_text())
    save_shot(page, tmp_path, f"class-roster-{lang}.png")

    # light: one GET of the whole class per refresh, nothing per student
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    page.wait_for_timeout(4500)
    assert asked and all(re.search(rf"/api/classes/{code}(\?|$)", url) for url in asked), asked
    assert 2 <= len(asked) <= 4
    # nothing while the tab is hidden; at once when it is shown again
    asked.clear()
    page.evaluate("""(hidden) => {
        Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
    }""", True)
    page.wait_for_timeout(4500)
    assert asked == []
    with page.expect_request(re.compile(rf"/api/classes/{code}$")):
        page.evaluate("""() => {
            delete document.hidden;
            document.dispatchEvent(new Event("visibilitychange"));
        }""")

    # the gallery: a tile each, coloured as the playground colours its plot
    page.locator("#tab-gallery").click()
    expect(page.locator("#gallery .tile")).to_have_count(30)
    expect(page.locator(".tile canvas[data-drawn]")).to_have_count(29)
    top_left, top_right = corner_colors(page, ids[0])     # XOR, solved: blue, then orange
    assert near(top_left, BLUE) and near(top_right, ORANGE), (top_left, top_right)
    expect(page.locator(f".tile[data-student='{ids[29]}']")).to_have_attribute("data-status", "gone")
    save_shot(page, tmp_path, f"class-gallery-{lang}.png")

    # spotlight: the student's own network, large and read-only
    before = api.get(f"/api/sessions/{students[0]['session']['id']}").json()
    page.locator(f".tile[data-student='{ids[0]}']").click()
    spot = page.get_by_test_id("spotlight")
    expect(spot).to_be_visible()
    expect(page.locator("#spotlight-name")).to_have_text("Student 00")
    network = page.get_by_test_id("spotlight-network")
    expect(network.locator("[data-node]")).to_have_count(2 + 3 + 1)
    expect(network.locator("[data-weight]")).to_have_count(2 * 3 + 3 * 1)
    assert network.locator("button, select, input").count() == 0
    network.locator("[data-weight='0:0:0'] .edge-hit").dispatch_event("click")
    network.locator("[data-bias='1:0']").click(force=True)
    network.locator("[data-node='1:1']").focus()
    page.keyboard.press("Enter")
    network.locator("[data-node='1:1']").hover()
    expect(page.locator("#spotlight-plot-caption")).to_contain_text("1:1")
    asked.clear()
    page.wait_for_timeout(2300)   # a refresh while open: the spotlight's GET alone
    assert asked and all(url.endswith(f"/students/{ids[0]}/spotlight") for url in asked), asked
    after = api.get(f"/api/sessions/{students[0]['session']['id']}").json()
    assert after["weights"] == before["weights"] and after["biases"] == before["biases"]
    assert page.locator("#value-editor").count() == 0
    save_shot(page, tmp_path, f"class-spotlight-{lang}.png")
    spot.locator(".dialog-close").click()
    expect(spot).to_be_hidden()
    page.log.expect(r"404")       # the browser logs the spotlight's refused request
    page.locator(f".tile[data-student='{ids[29]}']").click()       # a student who is gone
    expect(page.locator("#spotlight-note")).to_contain_text(WORDS[lang]["ended"])
    page.keyboard.press("Escape")
    expect(spot).to_be_hidden()

    # send to everyone: a lesson, an exercise's link, a playground's link
    page.locator("#send-open").click()
    page.locator("#send-lesson").select_option("dead-relu")
    page.locator("#send-go").click()
    expect(page.get_by_test_id("send-result")).to_contain_text(w["sent"])
    inbox = api.get(f"/api/classes/{code}/broadcast").json()["broadcast"]
    assert inbox["seq"] == 1 and inbox["lesson_id"] == "dead-relu"
    exercise = api.post("/api/exercises", json={
        "prompt": {"en": "Below 0.3"}, "goals": [{"metric": "test_loss", "op": "<", "value": 0.3}]}).json()
    page.locator("#send-link").fill(f"http://example.org/?exercise={exercise['id']}")
    expect(page.get_by_test_id("send-means")).to_contain_text(exercise["id"])
    page.locator("#send-link").fill(f" {exercise['id'].upper()} ")      # the bare id, as typed
    expect(page.get_by_test_id("send-means")).to_contain_text(exercise["id"])
    page.locator("#send-go").click()
    expect(page.get_by_test_id("send-result")).to_contain_text(exercise["id"])
    assert api.get(f"/api/classes/{code}/broadcast").json()["broadcast"]["exercise_id"] == exercise["id"]
    page.locator("#send-link").fill("/?dataset=spiral&learning_rate=0.01&hidden=4:relu:0,2:tanh:0")
    # what will be sent, worded as the page names its settings (not "spiral", "relu")
    expect(page.get_by_test_id("send-means")).to_contain_text(
        "Spiral" if lang == "en" else "螺旋")
    expect(page.get_by_test_id("send-means")).to_contain_text("4 ReLU → 2 Tanh")
    page.locator("#send-go").click()
    expect(page.get_by_test_id("send-result")).to_contain_text("message 3" if lang == "en" else "第 3 条")
    sent = api.get(f"/api/classes/{code}/broadcast").json()["broadcast"]
    assert sent["seq"] == 3 and sent["config"]["dataset"] == "spiral"
    assert [h["units"] for h in sent["config"]["hidden"]] == [4, 2]
    page.locator("#send-link").fill("not a link at all")
    page.locator("#send-go").click()
    expect(page.locator("#send-error")).not_to_be_empty()
    assert api.get(f"/api/classes/{code}/broadcast").json()["broadcast"]["seq"] == 3
    page.locator("#send-dialog .dialog-close").click()
    expect(page.get_by_test_id("last-sent")).not_to_be_empty()

    # a reload keeps the dashboard (the key from this browser), and the other language
    page.reload()
    expect(page.locator("#roster tbody tr")).to_have_count(30)
    other = "zh" if lang == "en" else "en"
    page.locator("#language").select_option(other)
    expect(page.locator("#tab-roster")).to_have_text(WORDS[other]["tab"])
    assert f"lang={other}" in page.url and "key=" not in page.url
    expect(page.locator(f"#roster tr[data-student='{ids[29]}'] [data-col=seen]")).to_have_text(WORDS[other]["gone"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_wrong_key_gets_the_refusal_in_the_pages_language(teacher, api, lang):
    page = teacher
    page.log.expect(r"403")       # the browser logs the refused request
    code = api.post("/api/classes", json={"name": "Period 4"}).json()["code"]
    page.goto(f"/class?code={code}&lang={lang}#key=not-the-key")
    refusal = page.get_by_test_id("refusal")
    expect(refusal).to_contain_text(REFUSAL[lang])
    assert "not-the-key" not in page.url
    assert page.evaluate(f"localStorage.getItem('class-key:{code}')") is None   # forgotten
    assert page.locator("#board").is_hidden()
    page.locator("#start-again").click()
    expect(page.locator("#class-name")).to_be_visible()
    assert page.url.endswith(f"/class?lang={lang}")


def test_the_playground_links_to_the_teachers_page(ui):
    page = ui.open("lang=zh").page
    link = page.locator("#teach-link")
    expect(link).to_have_text("开设班级")
    assert link.get_attribute("href") == "/class?lang=zh"
    link.click()
    expect(page.locator("#start-class")).to_have_text("开设班级")
    wait_until(page, lambda: page.evaluate("document.documentElement.lang") == "zh-CN")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_spotlight_shows_the_whole_network_on_a_tablet(teacher, api, lang):
    """At 820x1180 the spotlight's diagram fits its box, beside the plot (not under it):
    the Output node inside the box and the viewport, Close on one line, and each fact's
    label beside its value."""
    page = teacher
    page.set_viewport_size({"width": 820, "height": 1180})
    code = start_class(page, lang)
    student = api.post(f"/api/classes/{code}/students", json={"name": "Ann"}).json()
    hidden = [{"units": 4, "activation": "tanh"}, {"units": 2, "activation": "tanh"}]
    assert api.patch(f"/api/sessions/{student['session']['id']}/config", json={"hidden": hidden}).status_code == 200
    page.locator(f"#roster tr[data-student='{student['student_id']}']").click()
    network = page.get_by_test_id("spotlight-network")
    expect(network.locator("[data-node]")).to_have_count(2 + 4 + 2 + 1)
    seen = page.evaluate("""() => {
        const rect = (q) => document.querySelector(q).getBoundingClientRect();
        const box = document.querySelector(".spotlight-network-box");
        const text = document.createRange();
        text.selectNodeContents(document.querySelector("#spotlight .dialog-close"));
        return { box: rect(".spotlight-network-box"), out: rect("#spotlight-network [data-node='3:0']"),
                 plot: rect("#spotlight-plot"), hidden: box.scrollWidth - box.clientWidth,
                 closeLines: new Set([...text.getClientRects()].map((r) => Math.round(r.top))).size,
                 // each fact's label and value on one line ("Training loss: 0.111")
                 splitFacts: [...document.querySelectorAll("#spotlight-facts dt")].filter((dt) =>
                     Math.abs(dt.getBoundingClientRect().top
                              - dt.nextElementSibling.getBoundingClientRect().top) > 2).length };
    }""")
    box, out, plot = seen["box"], seen["out"], seen["plot"]
    assert box["x"] <= out["x"] and out["x"] + out["width"] <= box["x"] + box["width"] <= 820, seen
    assert box["y"] <= out["y"] and out["y"] + out["height"] <= min(box["y"] + box["height"], 1180), seen
    assert seen["hidden"] <= 1, seen     # nothing of the diagram scrolled out of sight
    overlap = (min(box["x"] + box["width"], plot["x"] + plot["width"]) > max(box["x"], plot["x"])
               and min(box["y"] + box["height"], plot["y"] + plot["height"]) > max(box["y"], plot["y"]))
    assert not overlap, seen
    assert seen["closeLines"] == 1, seen
    assert seen["splitFacts"] == 0, seen
