"""Runs side by side in Chromium: a run is kept when a setting changes after training (or
on Reset), and the compare panel overlays the kept runs' curves with the run under way,
a legend row per run saying what differed ("learning rate 0.03 → 0.3", in English and in
Chinese), hovering a row lifting its curve; Restore puts a run's settings back (the menu
and the address follow); A/B makes two new sessions that differ in one setting, start
from the same weights and train in step, and leaving it leaves the learner's own session
as it was; refusals are said in the page's language; what localStorage holds that is not
a run is ignored. Screenshots of the panel and of A/B go to /tmp/page-shots/."""

from __future__ import annotations

import json
import re

import pytest

from .page_support import expect, response_to, save_shot, wait_until

WORDS = {
    "en": {"lr": "learning rate 0.03 → 0.3", "back": "learning rate 0.3 → 0.03", "same": "same settings",
           "restored": "Run 1's settings are back", "ab": "A/B: learning rate 0.03 → 0.3",
           "same_value": "Choose a value for B that differs from the setting now.",
           "too_many": "Too many new playgrounds from this address (at most 30 a minute); try again in 12 s.",
           "full": "The server is full of playgrounds in use; try again in 7 s."},
    "zh": {"lr": "学习率 0.03 → 0.3", "back": "学习率 0.3 → 0.03", "same": "设置相同",
           "restored": "已恢复第 1 次训练的设置", "ab": "A/B：学习率 0.03 → 0.3",
           "same_value": "请为 B 选择一个与现在不同的值。",
           "too_many": "这个地址新建的游乐场太多（每分钟最多30个）；请在12秒后重试。",
           "full": "服务器上正在使用的游乐场已满；请在7秒后重试。"},
}
BLUE, BLACK = (0, 114, 178), (17, 17, 17)   # run 1's curve, the run under way's

# Opaque pixels of the chart within a small distance of a colour: a curve drawn in it
# (a faded curve is translucent, so it stops counting).
PIXELS = """([selector, rgb]) => {
  const c = document.querySelector(selector);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    const near = Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]);
    if (d[i + 3] > 200 && near < 40) n++;
  }
  return n;
}"""


def pixels(page, rgb, selector="#runs-chart") -> int:
    return page.evaluate(PIXELS, [selector, list(rgb)])


def step(ui, epochs: int) -> None:
    for _ in range(epochs):
        before = ui.epoch()
        with response_to(ui.page, "POST", "/step"):
            ui.page.locator("#step").click()
        expect(ui.page.get_by_test_id("epoch")).to_have_text(str(before + 1))


def learning_rate(ui, value: str) -> None:
    with response_to(ui.page, "PATCH", "/config"):
        ui.page.locator("#learning-rate").select_option(value)
    ui.page.wait_for_function(f"() => window.playground.config.learning_rate === {value}")


def open_compare(page):
    page.get_by_test_id("compare-button").click()
    panel = page.get_by_test_id("compare-panel")
    expect(panel).to_be_visible()
    return panel


def drawn(page, selector="#runs-chart") -> dict[str, int]:
    """The curves the chart drew: run id -> its number of points."""
    text = page.locator(selector).get_attribute("data-drawn") or ""
    return {k: int(v) for k, v in (part.rsplit(":", 1) for part in text.split())}


def two_runs(ui, lang: str):
    """Three epochs at learning rate 0.03, then 0.3 and three more: run 1 kept, run 2 under way."""
    ui.open(f"lang={lang}&dataset=xor")
    step(ui, 3)
    learning_rate(ui, "0.3")
    step(ui, 3)
    return open_compare(ui.page)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_runs_are_overlaid_with_the_right_legend(ui, lang, tmp_path):
    words = WORDS[lang]
    panel = two_runs(ui, lang)
    page = ui.page
    history = {p["epoch"]: p for p in ui.snapshot()["history"]}
    rows = panel.get_by_test_id("run-row")
    expect(rows).to_have_count(2)
    now, kept = rows.nth(0), rows.nth(1)
    expect(kept.get_by_test_id("run-diff")).to_have_text(words["lr"])
    expect(kept.locator("[data-col=epochs]")).to_have_text("3")
    expect(now.locator("[data-col=epochs]")).to_have_text("3–6")   # went on from epoch 3
    # its final numbers are the server's at the epoch it ended
    expect(kept.locator("[data-col=test]")).to_have_text(f"{history[3]['test_loss']:.3f}")
    expect(kept.locator("[data-col=train]")).to_have_text(f"{history[3]['train_loss']:.3f}")
    expect(now.locator("[data-col=test]")).to_have_text(f"{history[6]['test_loss']:.3f}")
    expect(page.get_by_test_id("compare-button")).to_contain_text("(1)")

    # two curves, each with its four points (epochs 0-3, and 3-6), in their own colours
    curves = drawn(page)
    assert sorted(curves.values()) == [4, 4], curves
    assert set(curves) == {kept.get_attribute("data-run"), now.get_attribute("data-run")}
    blue, black = pixels(page, BLUE), pixels(page, BLACK)
    assert blue > 100 and black > 100, (blue, black)
    save_shot(page, tmp_path, f"compare-{lang}-1280x720.png")

    # pointing at run 1's row lifts its curve (thicker) and fades the others
    kept.hover()
    wait_until(page, lambda: pixels(page, BLUE) > 1.4 * blue, message="run 1's curve lifted")
    assert pixels(page, BLACK) < black / 2
    page.mouse.move(5, 5)
    kept.focus()   # a keyboard reaches it too
    wait_until(page, lambda: pixels(page, BLUE) > 1.4 * blue, message="run 1's curve lifted by focus")
    ui.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_restore_brings_the_old_learning_rate_back_into_the_settings_and_the_address(ui, lang):
    words = WORDS[lang]
    panel = two_runs(ui, lang)
    page = ui.page
    assert "learning_rate=0.3" in page.url
    with response_to(page, "PATCH", "/config"):
        panel.get_by_test_id("run-row").nth(1).get_by_test_id("run-restore").click()
    expect(panel).to_be_hidden()
    expect(page.locator("#learning-rate")).to_have_value("0.03")
    expect(page).to_have_url(re.compile(r"learning_rate=0\.03(&|$)"))
    assert ui.snapshot()["config"]["learning_rate"] == 0.03
    expect(page.locator("#data-note")).to_contain_text(words["restored"])

    # the run at 0.3 is kept now too: it differed in the learning rate, the first does not
    open_compare(page)
    rows = page.get_by_test_id("run-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1).get_by_test_id("run-diff")).to_have_text(re.compile("^" + re.escape(words["back"])))
    expect(rows.nth(2).get_by_test_id("run-diff")).to_have_text(words["same"])
    ui.assert_clean()


def test_reset_keeps_the_run_and_the_runs_survive_a_reload(ui):
    page = ui.open("lang=en").page
    step(ui, 2)
    with response_to(page, "POST", "/reset"):
        page.locator("#reset").click()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    step(ui, 1)
    rows = open_compare(page).get_by_test_id("run-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).get_by_test_id("run-diff")).to_have_text("same settings")
    expect(rows.nth(1).locator("[data-col=epochs]")).to_have_text("2")
    page.keyboard.press("Escape")

    # a reload goes on with the run under way (not kept twice) and keeps run 1
    page.reload()
    ui.wait_ready()
    rows = open_compare(page).get_by_test_id("run-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("[data-col=epochs]")).to_have_text("1")
    expect(rows.nth(1).locator("th")).to_contain_text("Run 1")

    # × removes run 1 from the panel and from the browser
    gone = rows.nth(1).get_attribute("data-run")
    rows.nth(1).get_by_test_id("run-remove").click()
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id("runs-empty")).to_be_visible()
    assert gone not in page.evaluate("localStorage.getItem('neural-playground.runs')")

    # Clear all asks first (a second click within a few seconds clears)
    page.keyboard.press("Escape")
    with response_to(page, "POST", "/reset"):
        page.locator("#reset").click()
    rows = open_compare(page).get_by_test_id("run-row")
    expect(rows).to_have_count(2)
    clear = page.get_by_test_id("runs-clear")
    clear.click()
    expect(clear).to_have_text("Clear all 1? Click again")
    expect(rows).to_have_count(2)
    clear.click()
    expect(rows).to_have_count(1)
    assert json.loads(page.evaluate("localStorage.getItem('neural-playground.runs')"))["runs"] == []
    expect(page.get_by_test_id("compare-button")).to_have_text("Compare runs")
    ui.assert_clean()


def test_a_b_trains_two_new_sessions_in_step_and_leaves_the_playground_as_it_was(ui, tmp_path):
    page = ui.open("lang=en&dataset=xor").page
    step(ui, 2)
    main_id, main_step = ui.session_id, ui.snapshot()["step"]
    open_compare(page)
    page.get_by_test_id("ab-field").select_option("learning_rate")
    page.locator("#ab-choice").select_option("0.3")
    page.get_by_test_id("ab-start").click()
    view = page.get_by_test_id("ab-view")
    expect(view).to_be_visible()
    expect(page.get_by_test_id("ab-what")).to_have_text(WORDS["en"]["ab"])
    a_id = page.get_by_test_id("ab-a").get_attribute("data-session")
    b_id = page.get_by_test_id("ab-b").get_attribute("data-session")
    assert len({a_id, b_id, main_id}) == 3

    def session(sid):
        r = ui.api.get(f"/api/sessions/{sid}")
        assert r.status_code == 200, r.text
        return r.json()

    a, b = session(a_id), session(b_id)
    # the configs differ in exactly the learning rate; A is the playground's settings
    differ = {k for k in a["config"] if a["config"][k] != b["config"][k]}
    assert differ == {"learning_rate"}
    assert a["config"] == ui.snapshot()["config"]
    assert (a["config"]["learning_rate"], b["config"]["learning_rate"]) == (0.03, 0.3)
    # both start from fresh weights, the same ones (same seed, same shapes)
    assert a["step"] == b["step"] == 0 and a["weights"] == b["weights"] and a["biases"] == b["biases"]

    page.get_by_test_id("ab-step").click()
    expect(page.get_by_test_id("ab-epoch")).to_have_text("1")
    assert session(a_id)["epoch"] == session(b_id)["epoch"] == 1

    page.get_by_test_id("ab-play").click()
    wait_until(page, lambda: int(page.get_by_test_id("ab-epoch").inner_text()) >= 30, 20, "30 epochs of A/B")
    page.get_by_test_id("ab-play").click()
    expect(page.get_by_test_id("ab-play")).to_have_attribute("aria-label", "Play A and B")
    shown = wait_until(page, lambda: (lambda e: e.isdigit() and int(e) == session(a_id)["epoch"] and e)(
        page.get_by_test_id("ab-epoch").inner_text()), message="the shown epoch settled")
    a, b = session(a_id), session(b_id)
    assert a["epoch"] == b["epoch"] == int(shown)
    for side, snap in (("a", a), ("b", b)):
        expect(page.get_by_test_id(f"ab-{side}-epoch")).to_have_text(shown)
        expect(page.get_by_test_id(f"ab-{side}-test-loss")).to_have_text(f"{snap['metrics']['test_loss']:.3f}")
    assert a["metrics"]["test_loss"] != b["metrics"]["test_loss"]   # the rate made a difference
    assert len(drawn(page, "#ab-chart")) == 4   # A's and B's test and training losses
    save_shot(page, tmp_path, "ab-en-1280x720.png")

    page.get_by_test_id("ab-leave").click()
    expect(view).to_be_hidden()
    expect(page.locator("#compare-main")).to_be_visible()
    assert ui.session_id == main_id and ui.snapshot()["step"] == main_step
    assert ui.epoch() == 2
    for sid in (a_id, b_id):   # both forgotten by the server
        wait_until(page, lambda sid=sid: ui.api.get(f"/api/sessions/{sid}").status_code == 404,
                   message=f"session {sid} deleted")
    ui.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_b_refusals_are_said_in_the_pages_language_and_leave_nothing_behind(ui, lang):
    words = WORDS[lang]
    page = ui.open(f"lang={lang}").page
    open_compare(page)
    error = page.get_by_test_id("ab-form-error")
    page.get_by_test_id("ab-start").click()   # the learning rate as it is: no difference
    expect(error).to_have_text(words["same_value"])

    ui.log.expect("429|503")
    page.route("**/api/sessions", lambda route: route.fulfill(status=429, content_type="application/json",
        body=json.dumps({"message": "too many", "code": "too_many_sessions", "params": {"max": 30, "retry_after": 12}}))
        if route.request.method == "POST" else route.continue_())
    page.locator("#ab-choice").select_option("0.3")
    page.get_by_test_id("ab-start").click()
    expect(error).to_have_text(words["too_many"])
    page.unroute("**/api/sessions")

    # A made, B refused: A is deleted again, and A/B does not open
    made, deleted = [], []

    def second_refused(route):
        if route.request.method != "POST":
            return route.continue_()
        if made:
            return route.fulfill(status=503, content_type="application/json", body=json.dumps(
                {"message": "full", "code": "store_full", "params": {"retry_after": 7}}))
        response = route.fetch()
        made.append(response.json()["id"])
        return route.fulfill(response=response)

    page.route("**/api/sessions", second_refused)
    page.on("request", lambda r: r.method == "DELETE" and deleted.append(r.url.rsplit("/", 1)[1]))
    page.get_by_test_id("ab-start").click()
    expect(error).to_have_text(words["full"])
    expect(page.get_by_test_id("ab-view")).to_be_hidden()
    wait_until(page, lambda: deleted == made, message="A deleted")
    wait_until(page, lambda: ui.api.get(f"/api/sessions/{made[0]}").status_code == 404, message="A gone")
    ui.assert_clean()


def a_run(n: int, lr: float, **change) -> dict:
    """A kept run as the page writes one (run_store.js)."""
    config = {"dataset": "circle", "classes": 3, "num_samples": 500, "noise": 0.0, "train_ratio": 50.0,
              "data_seed": 0, "features": ["x1", "x2"], "hidden": [{"units": 4, "activation": "tanh", "dropout": 0.0},
              {"units": 2, "activation": "tanh", "dropout": 0.0}], "head": "sigmoid", "threshold": 0.5,
              "learning_rate": lr, "batch_size": 10, "optimizer": "sgd", "momentum": 0.9,
              "regularization": "none", "reg_rate": 0.0, "init": "playground", "seed": 0}
    run = {"id": f"run-{n}", "n": n, "at": 1_700_000_000_000 + n, "config": config, "offset": 0, "from": 0,
           "points": [[0, 0, 0.7, 0.71, 0.5], [50, 1, 0.6, 0.62, 0.6], [100, 2, 0.5, 0.52, 0.7]],
           "end": {"epoch": 2, "train_loss": 0.5, "test_loss": 0.52, "test_accuracy": 0.7}}
    return {**run, **change}


def test_what_local_storage_holds_that_is_not_a_run_is_ignored(ui, context):
    runs = [a_run(1, 0.1), a_run(2, 0.3, points="junk"), {"id": 3}, "junk", None,
            a_run(4, 0.3, config={"learning_rate": "fast"}), a_run(5, 1.0, points=[[0, 0, 0.1, 0.1, None]] * 400)]
    context.add_init_script("localStorage.setItem('neural-playground.runs', %s)"
                            % json.dumps(json.dumps({"next": 6, "runs": runs})))
    page = ui.open("lang=en").page
    expect(page.get_by_test_id("compare-button")).to_contain_text("(1)")
    rows = open_compare(page).get_by_test_id("run-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).get_by_test_id("run-diff")).to_have_text("learning rate 0.1 → 0.03")
    expect(rows.nth(1).locator("th")).to_contain_text("Run 1")
    ui.assert_clean()

    other = context.new_page()
    other.add_init_script("localStorage.setItem('neural-playground.runs', '{{{ not json')")
    errors = []
    other.on("pageerror", lambda exc: errors.append(str(exc)))
    other.goto("/?lang=en")
    other.wait_for_function("() => window.playground && window.playground.snapshot")
    expect(other.get_by_test_id("compare-button")).to_have_text("Compare runs")
    assert errors == []


def test_in_presenter_mode_the_panel_is_drawn_for_the_back_row(ui, tmp_path):
    page = ui.open("lang=zh&present=1&dataset=xor").page
    step(ui, 2)
    page.get_by_test_id("present-settings").click()   # the hyper-parameters wait behind Settings
    learning_rate(ui, "0.3")
    page.get_by_test_id("present-settings").click()
    step(ui, 1)
    # beside the loss chart, under the plot (at 720p both are a scroll below)
    button = page.get_by_test_id("compare-button")
    expect(button).to_contain_text("比较训练")
    button.scroll_into_view_if_needed()
    panel = open_compare(page)
    expect(panel.get_by_test_id("run-row").nth(1).get_by_test_id("run-diff")).to_have_text(WORDS["zh"]["lr"])
    panel_box = panel.bounding_box()
    assert panel_box["height"] <= 720 and panel_box["width"] <= 1280
    save_shot(page, tmp_path, "compare-zh-presenter-1280x720.png")

    # at 1080p its type grows with the screen, as the chart's does, the small print too
    page.keyboard.press("Escape")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_function("() => getComputedStyle(document.body).getPropertyValue('--fit').trim() === '1.5'")
    open_compare(page)
    size = lambda sel: page.eval_on_selector(sel, "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size("#compare") == 22.5
    assert size(".runs-table thead th") >= 18 and size("#runs-rows td.run-diff") >= 20
    panel_box = panel.bounding_box()
    assert panel_box["height"] <= 1080 and panel_box["width"] <= 1920
    save_shot(page, tmp_path, "compare-zh-presenter-1920x1080.png")
    ui.assert_clean()
