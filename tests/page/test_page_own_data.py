"""Own data in Chromium (issue 12): a CSV chosen with the file picker or dropped on the
plot becomes the playground's data (the address names it, training works, the picker
marks it); a CSV breaking a rule is refused naming its row, in English and in Chinese;
Draw adds points of the picked class or value where the plot is clicked (checked through
the API), shown before the server answers, one request per stroke, with the play loop
going on; the eraser removes the point under it; Clear and two clicks leave exactly those
two; a copied link rebuilds the same points in a new page, and one whose data is gone
falls back and says why; Download CSV answers the data as a CSV file."""

from __future__ import annotations

import json
import re
import time

import pytest

from .page_support import Playground, expect, wait_until

CLOUDS = "x1,x2,label\n" + "\n".join(
    f"{-3 - (i % 5) * 0.3:.2f},{(i % 7) - 3:.2f},0\n{3 + (i % 5) * 0.3:.2f},{(i % 7) - 3:.2f},1"
    for i in range(30)) + "\n"          # 60 points: class 0 on the left, class 1 on the right
OWN_ADDRESS = re.compile(r"[?&]dataset=custom:b-[a-z2-7]{16}(&|$)")
ORANGE = [245, 147, 34]


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def upload(ui, path: str) -> None:
    before = ui.page.evaluate("window.playground.config.dataset")
    ui.page.get_by_test_id("own-data-file").set_input_files(path)
    ui.page.wait_for_function(
        "b => window.playground.config.dataset !== b && window.playground.config.dataset.startsWith('custom:')",
        arg=before)


def points(ui) -> list[tuple[float, float, float]]:
    """The session's points as the API lists them (train, then test)."""
    data = ui.api.get(f"/api/sessions/{ui.session_id}/data").json()
    return [(x[0], x[1], y) for part in ("train", "test")
            for x, y in zip(data[part]["x"], data[part]["y"])]


def shown_count(ui) -> int:
    return ui.page.evaluate("(() => { const d = window.playground.data; return d.train.x.length + d.test.x.length; })()")


def wait_count(ui, n: int) -> None:
    ui.page.wait_for_function(
        "n => { const d = window.playground.data; return d.train.x.length + d.test.x.length === n; }", arg=n)


def plot_spot(page, x1: float, x2: float) -> tuple[float, float]:
    """The page position of the plot's point (x1, x2)."""
    box = page.get_by_test_id("data-plot").bounding_box()
    return box["x"] + (x1 + 6) / 12 * box["width"], box["y"] + (6 - x2) / 12 * box["height"]


def click_plot(page, x1: float, x2: float) -> None:
    page.mouse.click(*plot_spot(page, x1, x2))


def near(point, x1, x2, tolerance=0.06) -> bool:
    return abs(point[0] - x1) <= tolerance and abs(point[1] - x2) <= tolerance


def start_drawing(ui) -> None:
    ui.page.get_by_test_id("draw-toggle").click()
    expect(ui.page.get_by_test_id("draw-tools")).to_be_visible()
    expect(ui.page.get_by_test_id("draw-toggle")).to_have_attribute("aria-pressed", "true")


# ------------------------------------------------------------------ upload
def test_a_csv_chosen_with_the_file_picker_becomes_the_data_and_trains(ui, tmp_path):
    page = ui.open("lang=en&dataset=circle&num_samples=200").page
    expect(page.locator("#samples-field")).to_be_visible()
    upload(ui, write(tmp_path, "clouds.csv", CLOUDS))
    snap = ui.snapshot()
    dataset = snap["config"]["dataset"]
    assert snap["kind"] == "binary" and len(points(ui)) == 60
    assert shown_count(ui) == 60                       # what the plot draws
    expect(page).to_have_url(OWN_ADDRESS)
    assert f"dataset={dataset}" in page.url
    expect(page.get_by_test_id("own-data-status")).to_have_text("Now: clouds.csv, 60 points, 2 classes.")
    expect(page.locator("#samples-field")).to_be_hidden()        # own data has its own count
    expect(page.locator("#dataset")).to_have_value(dataset)
    own_thumb = page.locator(f'#dataset-thumbs button[data-dataset="{dataset}"]')
    expect(own_thumb).to_have_attribute("aria-pressed", "true")
    expect(own_thumb).to_have_attribute("aria-label", "Your data")
    # the head menu follows the kind: a regression head is not offered for two classes
    assert page.eval_on_selector('#head option[value="linear"]', "o => o.disabled")

    page.locator("#play").click()
    wait_until(page, lambda: ui.epoch() >= 40, message="40 epochs on the uploaded data")
    page.locator("#play").click()
    ui.settle()
    assert ui.snapshot()["metrics"]["test_accuracy"] >= 0.9

    # a built-in set tried, then back to the uploaded data by its thumbnail
    page.locator('#dataset-thumbs button[data-dataset="xor"]').click()
    expect(page.locator("#samples-field")).to_be_visible()
    expect(own_thumb).to_have_attribute("aria-pressed", "false")
    own_thumb.click()
    expect(own_thumb).to_have_attribute("aria-pressed", "true")
    assert ui.snapshot()["config"]["dataset"] == dataset and len(points(ui)) == 60


@pytest.mark.parametrize("lang, words", [
    ("en", "Row 3: x2 = 9.0 is outside the plot's square"),
    ("zh", "第3行：x2 = 9.0 超出了图的正方形范围"),
])
def test_a_csv_breaking_a_rule_is_refused_naming_its_row(ui, tmp_path, lang, words):
    page = ui.open(f"lang={lang}&dataset=xor").page
    ui.log.expect("status of 422")
    page.get_by_test_id("own-data-file").set_input_files(
        write(tmp_path, "bad.csv", "x1,x2,label\n1,2,0\n0,9,1\n-1,1,1\n"))
    expect(page.get_by_test_id("own-data-error")).to_contain_text(words)
    assert ui.snapshot()["config"]["dataset"] == "xor"
    # a file with a word where a number belongs: its line and column named as well
    page.get_by_test_id("own-data-file").set_input_files(
        write(tmp_path, "words.csv", "1,2,0\n3,4,1\n5,six,0\n"))
    expect(page.get_by_test_id("own-data-error")).to_contain_text(
        "Row 3: x2 = “six” is not a number." if lang == "en" else "第3行：x2 =“six”不是数字。")
    # a file over the server's limit is refused before it is sent
    big = "\n".join(["1.0000000000,2.0000000000,0"] * 40_000)
    page.get_by_test_id("own-data-file").set_input_files(write(tmp_path, "big.csv", big))
    expect(page.get_by_test_id("own-data-error")).to_contain_text("big.csv")
    expect(page.get_by_test_id("own-data-error")).to_contain_text("1024 KB")
    # too many uploads from this address (the test server's limit is raised, so the
    # server's 429 is played back here): said with the wait, in the page's language
    ui.log.expect("status of 429")
    page.route("**/api/datasets", lambda route: route.fulfill(
        status=429, headers={"retry-after": "12"}, content_type="application/json",
        body=json.dumps({"message": "too many", "code": "too_many_uploads",
                         "params": {"max": 30, "retry_after": 12}})), times=1)
    page.get_by_test_id("own-data-file").set_input_files(write(tmp_path, "again.csv", CLOUDS))
    expect(page.get_by_test_id("own-data-error")).to_contain_text(
        "at most 30 a minute); try again in 12 s" if lang == "en" else "每分钟最多30个）；请在12秒后重试")
    assert ui.snapshot()["config"]["dataset"] == "xor"
    # the next good upload clears it
    upload(ui, write(tmp_path, "good.csv", CLOUDS))
    expect(page.get_by_test_id("own-data-error")).to_be_hidden()


def test_a_csv_dropped_on_the_plot_is_uploaded(ui):
    page = ui.open("lang=en&dataset=spiral").page
    drop = """([selector, text, stage]) => {
        const target = document.querySelector(selector);
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], "dropped.csv", { type: "text/csv" }));
        for (const type of stage) {
            target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
        }
    }"""
    page.evaluate(drop, ["#data-plot", CLOUDS, ["dragenter", "dragover"]])
    assert page.evaluate("document.body.classList.contains('file-dragging')")
    expect(page.locator(".output-plot .drop-label")).to_be_visible()
    expect(page.locator(".output-plot")).to_have_class(re.compile("drop-over"))
    page.evaluate(drop, ["#data-plot", CLOUDS, ["drop"]])
    page.wait_for_function("() => window.playground.config.dataset.startsWith('custom:b-')")
    assert len(points(ui)) == 60
    expect(page.locator(".output-plot .drop-label")).to_be_hidden()
    expect(page.get_by_test_id("own-data-status")).to_contain_text("dropped.csv, 60 points")


# ------------------------------------------------------------------ drawing
def test_drawing_adds_points_of_the_picked_class_erases_and_clears(ui):
    page = ui.open("lang=en&dataset=blobs&classes=4&num_samples=100&noise=0").page
    start_drawing(ui)
    classes = page.locator("#draw-labels .draw-class")
    expect(classes).to_have_count(4)
    expect(page.get_by_test_id("draw-hint")).to_have_text(
        "Click or drag on the plot to add points of the picked class.")
    # class 3, then class 1, each where it was clicked (the corners hold no blob point)
    page.get_by_test_id("draw-class-3").click()
    expect(page.get_by_test_id("draw-class-3")).to_have_attribute("aria-pressed", "true")
    click_plot(page, -5.5, 5.5)
    wait_count(ui, 101)
    page.get_by_test_id("draw-class-1").click()
    click_plot(page, 5.5, -5.5)
    wait_count(ui, 102)
    got = points(ui)
    assert len(got) == 102
    assert [p[2] for p in got if near(p, -5.5, 5.5)] == [3.0]
    assert [p[2] for p in got if near(p, 5.5, -5.5)] == [1.0]
    snap = ui.snapshot()
    assert snap["config"]["dataset"].startswith("custom:m4-") and snap["classes"] == 4
    expect(page).to_have_url(re.compile(r"dataset=custom:m4-"))
    expect(page.get_by_test_id("own-data-status")).to_have_text("Now: 102 points, 4 classes.")

    # the eraser: the point under it, and only it, goes
    page.get_by_test_id("draw-eraser").click()
    expect(page.get_by_test_id("draw-hint")).to_contain_text("Drag over points")
    click_plot(page, -5.5, 5.5)
    wait_count(ui, 101)
    got = points(ui)
    assert not [p for p in got if near(p, -5.5, 5.5, 0.7)] and [p for p in got if near(p, 5.5, -5.5)]

    # Clear waits for two new points, then they are all the data
    page.get_by_test_id("draw-clear").click()
    hint = page.get_by_test_id("draw-hint")
    expect(hint).to_have_text("Click to add points: 2 needed to start again (the old points go then).")
    page.get_by_test_id("draw-class-2").click()
    click_plot(page, -2, -2)
    expect(hint).to_have_text("Click to add points: 1 more needed, then the old points are gone.")
    assert shown_count(ui) == 101                      # nothing sent yet
    click_plot(page, 2, 2)
    wait_count(ui, 2)
    got = points(ui)
    assert len(got) == 2 and all(p[2] == 2.0 for p in got)
    assert sorted(round(c) for p in got for c in p[:2]) == [-2, -2, 2, 2]
    expect(hint).to_have_text("Click or drag on the plot to add points of the picked class.")

    page.get_by_test_id("draw-done").click()
    expect(page.get_by_test_id("draw-tools")).to_be_hidden()
    # drawing is off: a click chooses the step-through's point again, and adds nothing
    click_plot(page, 0, 0)
    expect(page.get_by_test_id("calc-panel")).to_contain_text("(")
    assert len(points(ui)) == 2


def test_a_drag_is_shown_at_once_and_sent_in_few_requests_while_play_goes_on(ui):
    page = ui.open("lang=en&dataset=circle&num_samples=100&noise=10").page
    start_drawing(ui)
    page.get_by_test_id("draw-class-1").click()
    sent = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/points") and sent.append(r))
    held = []
    page.route("**/points", lambda route: held.append(route))

    # a click: its point drawn in its class colour before the server has it
    x, y = plot_spot(page, -5.5, 5.5)
    page.mouse.click(x, y)
    wait_until(page, lambda: held, message="the point sent")
    box = page.get_by_test_id("data-plot").bounding_box()
    colour = page.evaluate("""([px, py]) => {
        const c = document.querySelector('#data-plot');
        const k = c.width / c.getBoundingClientRect().width;
        return Array.from(c.getContext('2d').getImageData(Math.round(px * k), Math.round(py * k), 1, 1).data.slice(0, 3));
    }""", [x - box["x"], y - box["y"]])
    assert all(abs(a - b) <= 12 for a, b in zip(colour, ORANGE)), colour
    assert len(points(ui)) == 100
    held[0].continue_()
    page.unroute("**/points")
    wait_count(ui, 101)

    # playing: a drag of 30 moves is a request every 0.25 s and one at its end, not one a move
    page.locator("#play").click()
    wait_until(page, lambda: ui.epoch() >= 3, message="training under way")
    sent.clear()
    page.mouse.move(*plot_spot(page, -5.5, -5.5))
    started = time.monotonic()
    page.mouse.down()
    for i in range(30):
        page.mouse.move(*plot_spot(page, -5.5 + i * 0.1, -5.5))
        page.wait_for_timeout(20)
    page.mouse.up()
    took = time.monotonic() - started
    page.wait_for_function("() => { const d = window.playground.data; return d.train.x.length + d.test.x.length > 105; }")
    page.wait_for_timeout(400)
    added = len(points(ui)) - 101
    assert 6 <= added <= 12, added                    # one point every 0.3 of the 2.9 dragged
    assert 1 <= len(sent) <= min(took / 0.25 + 2, 15), (len(sent), took)
    assert all(p[2] == 1.0 for p in points(ui) if p[1] < -5.4 and p[0] < -2.5)
    epoch = ui.epoch()
    wait_until(page, lambda: ui.epoch() > epoch, message="play going on after the drag")
    assert page.evaluate("window.playground.snapshot.config.noise") == 0   # now in the points
    page.locator("#play").click()
    ui.settle()


def test_drawing_on_regression_data_uses_the_value_picked(ui):
    page = ui.open("lang=zh&dataset=plane&num_samples=100").page
    start_drawing(ui)
    expect(page.locator("#draw-labels")).to_be_hidden()
    value = page.get_by_test_id("draw-value")
    value.fill("-0.5")
    expect(page.locator("#draw-value-out")).to_have_text("-0.5")
    expect(page.get_by_test_id("draw-hint")).to_have_text("在图上点击或拖动，添加所选数值的点。")
    click_plot(page, 5.5, 5.5)
    wait_count(ui, 101)
    assert [p[2] for p in points(ui) if near(p, 5.5, 5.5)] == [-0.5]
    # from the keyboard: Enter on the focused plot draws where its cursor is (the centre)
    page.get_by_test_id("data-plot").focus()
    page.keyboard.press("Enter")
    wait_count(ui, 102)
    assert [p[2] for p in points(ui) if near(p, 0, 0, 0.001)] == [-0.5]
    assert ui.snapshot()["config"]["dataset"].startswith("custom:r-")
    expect(page.get_by_test_id("own-data-status")).to_have_text("当前：102个点，每个点一个数值（回归）。")


# ------------------------------------------------------------------ links and files
def test_a_copied_link_rebuilds_the_same_points_in_a_new_page(ui, context, tmp_path):
    page = ui.open("lang=en&dataset=xor").page
    upload(ui, write(tmp_path, "clouds.csv", CLOUDS))
    start_drawing(ui)
    page.get_by_test_id("draw-class-0").click()
    click_plot(page, 0, 5.5)
    wait_count(ui, 61)
    link = page.url
    expect(page).to_have_url(OWN_ADDRESS)
    friend = Playground(context.new_page(), ui.api)
    friend.page.goto(link)
    friend.wait_ready()
    assert friend.session_id != ui.session_id
    assert sorted(points(friend)) == sorted(points(ui)) and len(points(friend)) == 61
    assert friend.snapshot()["config"]["dataset"] == ui.snapshot()["config"]["dataset"]
    expect(friend.page.locator("#dataset")).to_have_value(ui.snapshot()["config"]["dataset"])
    expect(friend.page.get_by_test_id("own-data-status")).to_have_text("Now: 61 points, 2 classes.")
    expect(friend.page.locator("#banner")).to_be_hidden()
    friend.assert_clean()


@pytest.mark.parametrize("lang, dataset, words", [
    ("en", "custom:b-aaaaaaaaaaaaaaaa", "There is no dataset “b-aaaaaaaaaaaaaaaa” here"),
    ("zh", "custom:b-aaaaaaaaaaaaaaaa", "这里没有数据集“b-aaaaaaaaaaaaaaaa”"),
    ("en", "custom:../../etc", "“custom:../../etc” is not the name of uploaded or drawn data."),
    ("zh", "custom:B-AAAA", "“custom:B-AAAA”不是上传或画出的数据的名称。"),
])
def test_a_link_whose_data_is_gone_falls_back_and_says_why(ui, lang, dataset, words):
    ui.log.expect("status of 404")
    ui.page.goto(f"/?lang={lang}&dataset={dataset}&noise=20")
    ui.wait_ready()
    banner = ui.page.locator("#banner")
    expect(banner).to_contain_text(words)
    expect(banner).to_contain_text("Dataset" if lang == "en" else "数据集")
    snap = ui.snapshot()
    assert not snap["config"]["dataset"].startswith("custom:") and snap["config"]["noise"] == 20
    expect(ui.page).not_to_have_url(re.compile("custom"))


def test_download_csv_answers_the_data_as_a_csv_file(ui, tmp_path):
    page = ui.open("lang=en&dataset=xor").page
    upload(ui, write(tmp_path, "clouds.csv", CLOUDS))
    link = page.get_by_test_id("own-data-download")
    assert link.get_attribute("href") == f"/api/sessions/{ui.session_id}/data?format=csv"
    with page.expect_download() as got:
        link.click()
    saved = tmp_path / "down.csv"
    got.value.save_as(saved)
    text = saved.read_text()
    assert got.value.suggested_filename.endswith(".csv")
    assert text.splitlines()[0] == "x1,x2,label" and len(text.splitlines()) == 61
    # the same points: uploaded again they are the same dataset
    made = ui.api.post("/api/datasets", content=text, headers={"content-type": "text/csv"}).json()
    assert made["dataset"] == ui.snapshot()["config"]["dataset"]


def test_the_panel_speaks_the_page_language_and_waits_in_presenter_settings(ui, tmp_path):
    page = ui.open("lang=en&dataset=xor").page
    upload(ui, write(tmp_path, "clouds.csv", CLOUDS))
    page.locator("#language").select_option("zh")
    expect(page.get_by_test_id("own-data-status")).to_have_text("当前：clouds.csv，60个点，2个类别。")
    expect(page.locator("#own-data-upload")).to_have_text("上传 CSV")
    start_drawing(ui)
    expect(page.get_by_test_id("draw-class-1")).to_have_attribute("aria-label", "画类别1的点")
    # presenter mode puts the panel away, and drawing with it: a click on the plot draws
    # nothing where no tool is shown
    page.get_by_test_id("present-button").click()
    expect(page.get_by_test_id("own-data")).to_be_hidden()
    expect(page.get_by_test_id("draw-toggle")).to_have_attribute("aria-pressed", "false")
    click_plot(page, 0, 5.5)
    expect(page.get_by_test_id("calc-panel")).to_contain_text("(")
    assert len(points(ui)) == 60
    page.get_by_test_id("present-settings").click()
    expect(page.get_by_test_id("own-data")).to_be_visible()


def test_a_lesson_that_fixes_the_dataset_locks_upload_and_drawing(ui):
    page = ui.open("lang=en&lesson=binary-classification").page
    expect(page.get_by_test_id("lesson-panel")).to_be_visible()
    expect(page.locator("#own-data-upload")).to_be_disabled()
    expect(page.get_by_test_id("draw-toggle")).to_be_disabled()
    page.evaluate("""() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File(["1,2,0\\n3,4,1\\n"], "x.csv", { type: "text/csv" }));
        document.querySelector('#data-plot').dispatchEvent(
            new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }""")
    assert not page.evaluate("document.body.classList.contains('file-dragging')")
