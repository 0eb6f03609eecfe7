"""The page never loses work silently (Chromium): a reload takes up the tab's session; a
server killed (kill -9) and started again on the same port and data directory is
reconnected to, and the same session plays on; a session gone from the server is made
again from what the page last showed, and the page says so, in English and in Chinese.

These tests kill and restart their module's server; each leaves it running."""

from __future__ import annotations

import pytest

from .page_support import CHINESE, expect, response_to, save_shot, wait_until

LOST = "Connection to the server lost"
RESTORED = "Your session had expired; it was restored from what this page last showed"
# what the browser logs when the server is gone, or a session was deleted, on purpose
OFFLINE_ERRORS = r"ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|WebSocket|ERR_FAILED"
NOT_FOUND = r"status of 404"


def opened(ui, query: str, *provoked: str):
    """The page at /?query, which may log the errors `provoked` on purpose, and its banner."""
    page = ui.open(query).page
    for pattern in provoked:
        ui.log.expect(pattern)
    return page, page.locator("#banner")


@pytest.fixture
def kill_server(server):
    """kill -9 for the module's server (the test starts it again, on the same port and
    data directory); it is running again after the test, whatever happened."""
    yield server.kill
    if server.proc.poll() is not None:
        server.start()


def play_to(ui, epoch: int) -> None:
    ui.button("Play").click()
    wait_until(ui.page, lambda: ui.epoch() >= epoch, 20, f"epoch {epoch}")


def pause(ui) -> int:
    ui.button("Pause").click()
    return ui.settle()


def edit_weight(ui, edge: str, typed: str, value: str, label: str = "Type a weight, Enter applies"):
    page = ui.page
    page.locator(f'[data-weight="{edge}"]').click()
    editor = page.get_by_role("textbox", name=label)
    editor.fill(typed)
    with response_to(page, "PATCH", "/weight"):
        editor.press("Enter")
    expect(page.locator(f'[data-weight="{edge}"]')).to_have_attribute("data-value", value)


def run_through_the_tries(page, gave_up: str) -> None:
    """Run the page's clock (installed) through its ~30 s of tries to reach the server,
    each failing at once, until the banner says `gave_up`."""
    banner = page.locator("#banner")
    for _ in range(40):
        if gave_up in banner.inner_text():
            return
        page.clock.run_for(2000)
        page.wait_for_timeout(50)     # the failed try lands and the next is set
    expect(banner).to_contain_text(gave_up)


# ---------------------------------------------------------------------------- a reload
def test_a_reload_keeps_the_session_and_a_link_with_other_settings_opens_a_new_one(ui):
    page = ui.open("lang=en").page
    play_to(ui, 15)
    epoch = pause(ui)
    edit_weight(ui, "1:0:0", "1,5", "1.5")
    sid, edges = ui.session_id, ui.dom_edges()
    assert "session" not in page.url and sid not in page.url     # the link carries settings only

    page.reload()
    ui.wait_ready()
    assert ui.session_id == sid
    assert ui.epoch() == epoch
    assert ui.dom_edges() == edges
    expect(page.locator('[data-weight="1:0:0"]')).to_have_attribute("data-value", "1.5")
    expect(page.locator("#banner")).to_be_hidden()

    # a reload while playing: the same session, where the server got to
    play_to(ui, epoch + 10)
    shown = ui.epoch()
    page.reload()
    ui.wait_ready()
    assert ui.session_id == sid
    assert ui.epoch() >= shown and ui.epoch() == ui.snapshot()["epoch"]
    ui.assert_matches_api()
    epoch, edges = ui.epoch(), ui.dom_edges()

    # a link with other settings pasted into the tab: what it says, afresh
    trained = page.url
    page.goto("/?lang=en&dataset=xor&hidden=3:relu:0")
    ui.wait_ready()
    assert ui.session_id != sid
    assert ui.epoch() == 0 and ui.snapshot()["config"]["dataset"] == "xor"
    # and back to the address of the trained one: the tab takes it up again
    page.goto(trained)
    ui.wait_ready()
    assert ui.session_id == sid
    assert ui.epoch() == epoch and ui.dom_edges() == edges
    ui.assert_clean()


# ---------------------------------------------------------------------------- server restarts
def test_a_server_killed_while_playing_comes_back_and_the_session_plays_on(ui, kill_server, server, tmp_path):
    page, banner = opened(ui, "lang=en", OFFLINE_ERRORS)
    play_to(ui, 120)
    sid = ui.session_id

    kill_server()
    expect(banner).to_contain_text(LOST)
    expect(ui.button("Play")).to_be_visible()          # training waits for the server
    save_shot(page, tmp_path, "resume-lost-en.png")
    shown = ui.epoch()
    page.wait_for_timeout(1500)                        # a few tries fail
    expect(banner).to_contain_text(LOST)

    server.start()
    expect(banner).to_contain_text("Connected again", timeout=15_000)
    save_shot(page, tmp_path, "resume-back-en.png")
    expect(ui.button("Pause")).to_be_visible()         # playing again, by itself
    assert ui.session_id == sid
    # the server kept what it had answered ~1 s before the kill (at most ~60 epochs at
    # this speed): training goes on from there, not from 0
    assert ui.epoch() >= shown - 90
    wait_until(page, lambda: ui.epoch() > shown + 20, 20, "the epoch to grow past the one shown")
    pause(ui)
    ui.assert_matches_api()
    ui.assert_clean()


def test_a_server_killed_while_paused_keeps_the_hand_edited_weight_in_chinese(ui, kill_server, server, tmp_path):
    page, banner = opened(ui, "lang=zh", OFFLINE_ERRORS)
    ui.button("运行").click()
    wait_until(page, lambda: ui.epoch() >= 5, 20, "epoch 5")
    ui.button("暂停").click()
    epoch = ui.settle()
    edit_weight(ui, "1:0:0", "-2,5", "-2.5", label="输入权重，按回车应用")
    sid = ui.session_id
    page.wait_for_timeout(1500)   # the store writes what it answered within ~1 s

    # nothing is playing: the page notices the closed socket by itself
    kill_server()
    expect(banner).to_contain_text("与服务器的连接中断")
    assert CHINESE.search(banner.inner_text())
    save_shot(page, tmp_path, "resume-lost-zh.png")
    server.start()
    expect(banner).to_contain_text("已重新连接", timeout=15_000)
    save_shot(page, tmp_path, "resume-back-zh.png")
    assert ui.session_id == sid
    assert ui.epoch() == epoch
    expect(page.locator('[data-weight="1:0:0"]')).to_have_attribute("data-value", "-2.5")
    expect(ui.button("运行")).to_be_visible()          # it was paused: it stays paused
    with response_to(page, "POST", "/step"):
        ui.button("单步").click()
    expect(page.get_by_test_id("epoch")).to_have_text(str(epoch + 1))
    assert ui.snapshot()["epoch"] == epoch + 1
    ui.assert_clean()


def test_a_step_while_the_server_is_down_waits_for_it(ui, kill_server, server):
    page, banner = opened(ui, "lang=en", OFFLINE_ERRORS)
    edit_weight(ui, "0:1:0", "0,75", "0.75")
    sid = ui.session_id
    page.wait_for_timeout(1500)
    kill_server()
    ui.button("Step").click()                            # no socket open: the request fails
    expect(banner).to_contain_text(LOST)
    assert ui.epoch() == 0
    server.start()
    expect(banner).to_contain_text("Connected again", timeout=15_000)
    assert ui.session_id == sid
    expect(page.locator('[data-weight="0:1:0"]')).to_have_attribute("data-value", "0.75")
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    ui.assert_clean()


def test_after_half_a_minute_the_page_says_what_to_do_and_offers_a_button(ui, tmp_path):
    page, banner = opened(ui, "lang=en", OFFLINE_ERRORS)
    sid = ui.session_id

    def cut(route):
        route.abort()

    page.clock.install()
    page.route("**/api/**", cut)
    ui.button("Step").click()
    expect(banner).to_contain_text(LOST)
    run_through_the_tries(page, "The server is still not answering")
    expect(banner).to_contain_text("press “Try again”")
    save_shot(page, tmp_path, "resume-silent-en.png")
    page.clock.run_for(60_000)
    expect(banner).to_contain_text("still not answering")   # no more tries by itself

    page.unroute("**/api/**", cut)
    banner.get_by_role("button", name="Try again").click()
    expect(banner).to_contain_text(LOST)
    page.clock.run_for(1000)
    expect(banner).to_contain_text("Connected again")
    assert ui.session_id == sid
    ui.assert_clean()


def test_the_chinese_page_says_what_to_do_when_the_server_stays_silent(ui, tmp_path):
    page, banner = opened(ui, "lang=zh", OFFLINE_ERRORS)
    page.clock.install()
    page.route("**/api/**", lambda route: route.abort())
    ui.button("单步").click()
    run_through_the_tries(page, "服务器仍然没有响应")
    expect(banner.get_by_role("button", name="重试")).to_be_visible()
    save_shot(page, tmp_path, "resume-silent-zh.png")


# ---------------------------------------------------------------------------- a session gone
def test_a_session_deleted_behind_the_page_is_restored_from_what_it_showed(ui, tmp_path):
    page, banner = opened(ui, "lang=en", NOT_FOUND)
    play_to(ui, 12)
    epoch = pause(ui)
    edit_weight(ui, "1:0:0", "1,5", "1.5")
    held = ui.snapshot()
    gone = ui.session_id
    assert ui.api.delete(f"/api/sessions/{gone}").status_code == 204

    # the next change finds the session gone: restored, then the change is made on it
    with response_to(page, "PUT", "/params"):
        ui.control("Learning rate").select_option("0.1")
    expect(banner).to_contain_text(RESTORED)
    expect(banner).to_contain_text(f"The epoch counter starts again at 0: it was at {epoch}.")
    save_shot(page, tmp_path, "resume-restored-en.png")
    assert ui.session_id != gone
    wait_until(page, lambda: ui.snapshot()["config"]["learning_rate"] == 0.1, 5, "the change")
    snap = ui.snapshot()
    assert snap["weights"] == held["weights"] and snap["biases"] == held["biases"]
    assert snap["epoch"] == 0
    assert {**snap["config"], "learning_rate": 0.03} == held["config"]
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    expect(page.locator('[data-weight="1:0:0"]')).to_have_attribute("data-value", "1.5")
    expect(ui.control("Learning rate")).to_have_value("0.1")
    ui.assert_matches_api(snap)

    # the tab keeps the restored session
    restored = ui.session_id
    page.reload()
    ui.wait_ready()
    assert ui.session_id == restored
    ui.assert_clean()


def test_a_restored_session_keeps_its_batch_norm_values(ui):
    """gamma, beta and the running statistics learned while playing come back with the
    weights: the network restored computes what the one gone did."""
    page, banner = opened(ui, "lang=en&hidden=3:tanh:0:bn,2:tanh:0", NOT_FOUND)
    play_to(ui, 12)
    pause(ui)
    edit_weight(ui, "1:0:0", "1,5", "1.5")
    held = ui.snapshot()
    assert held["bn_gamma"][0] != [1.0, 1.0, 1.0] and held["bn_mean"][0] != [0.0, 0.0, 0.0]
    gone = ui.session_id
    assert ui.api.delete(f"/api/sessions/{gone}").status_code == 204
    with response_to(page, "PUT", "/params"):
        ui.control("Learning rate").select_option("0.1")
    expect(banner).to_contain_text(RESTORED)
    wait_until(page, lambda: ui.snapshot()["config"]["learning_rate"] == 0.1, 5, "the change")
    snap = ui.snapshot()
    for key in ("weights", "biases", "bn_gamma", "bn_beta", "bn_mean", "bn_var"):
        assert snap[key] == held[key], key
    ui.assert_clean()


def test_a_session_deleted_while_playing_is_restored_and_plays_on_in_chinese(ui, tmp_path):
    page, banner = opened(ui, "lang=zh", NOT_FOUND)
    ui.button("运行").click()
    wait_until(page, lambda: ui.epoch() >= 20, 20, "epoch 20")
    gone = ui.session_id
    ui.api.delete(f"/api/sessions/{gone}")
    expect(banner).to_contain_text("你的会话已过期，已根据本页最后显示的内容恢复")
    expect(banner).to_contain_text("周期计数从0重新开始")
    save_shot(page, tmp_path, "resume-restored-zh.png")
    assert ui.session_id != gone
    expect(ui.button("暂停")).to_be_visible()           # still playing, on the restored session
    first = ui.snapshot()["epoch"]
    wait_until(page, lambda: ui.snapshot()["epoch"] > first, 10, "the restored session to train")
    ui.button("暂停").click()
    ui.settle()
    ui.assert_clean()


def test_weights_the_server_will_not_take_back_are_said_too(ui, tmp_path):
    page, banner = opened(ui, "lang=en", NOT_FOUND, r"status of 422")
    page.route("**/params", lambda route: route.fulfill(
        status=422, content_type="application/json",
        body='{"message": "weights[0] must have shape [2, 4]", "code": "params_shape", "params": {}}'))
    gone = ui.session_id
    ui.api.delete(f"/api/sessions/{gone}")
    with response_to(page, "POST", "/step"):
        ui.button("Step").click()
    expect(banner).to_contain_text(
        "the network starts again from its initial weights, with the same settings")
    save_shot(page, tmp_path, "resume-fresh-en.png")
    assert ui.session_id != gone
    expect(page.get_by_test_id("epoch")).to_have_text("1")    # and the step was made on it


def test_a_session_gone_by_the_time_of_a_reload_is_restored_from_the_page(ui):
    page, banner = opened(ui, "lang=en", NOT_FOUND)
    for _ in range(3):
        with response_to(page, "POST", "/step"):
            ui.button("Step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("3")
    edit_weight(ui, "1:0:0", "2", "2")
    held = ui.snapshot()
    gone = ui.session_id

    # the session goes while the page is idle; the reload finds it gone and restores it
    # from what the page saved as it went away
    ui.api.delete(f"/api/sessions/{gone}")
    page.reload()
    ui.wait_ready()
    expect(banner).to_contain_text(RESTORED)
    expect(banner).to_contain_text("it was at 3.")
    assert ui.session_id != gone
    snap = ui.snapshot()
    assert snap["weights"] == held["weights"] and snap["biases"] == held["biases"]
    expect(page.locator('[data-weight="1:0:0"]')).to_have_attribute("data-value", "2")
    ui.assert_clean()


# ---------------------------------------------------------------------------- strings
def test_every_string_is_in_both_languages(ui):
    """en.js and zh.js key for key (the catalog's names, empty groups in en.js, come from
    the catalog in English)."""
    page = ui.open("lang=en").page
    missing = page.evaluate("""async () => {
        const { STRINGS: { en, zh } } = await import("/static/js/i18n.js");
        const keys = (o, at = "") => Object.entries(o).flatMap(([k, v]) =>
            v && typeof v === "object" && Object.keys(v).length ? keys(v, `${at}${k}.`) : [`${at}${k}`]);
        const has = (o, key) => key.split(".").reduce((x, k) => x?.[k], o) !== undefined;
        return { zh: keys(en).filter((k) => !has(zh, k)), en: Object.keys(zh).filter((k) => !(k in en)) };
    }""")
    assert missing == {"zh": [], "en": []}
