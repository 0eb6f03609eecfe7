// The compare panel: the kept runs' test-loss curves over the run under way, a legend row
// per run (what differed from the settings now, its final losses, its epochs, Restore, ×),
// a row hovered or focused lifting its curve; and the door to A/B (ab_form.js, ab.js).

import { $, el, setText } from "../dom.js";
import { fieldName } from "../i18n.js";
import { fmt } from "../numbers.js";
import { lineSwatch, NOW_STYLE, RUN_STYLES, RunsChart } from "../views/runs_chart.js";
import { drawing } from "../views/scale.js";
import { PageMessage } from "./messages.js";
import { clearRuns, removeRun } from "./run_store.js";
import { settingWords } from "./run_words.js";

const CHART_HEIGHT = 200;     // CSS px at a desk
const LIVE_MS = 250;          // the run under way is redrawn at most this often while it plays
const CONFIRM_MS = 4000;      // "Clear all" asks for a second click within this time

// A kept run's curve style, by its number: it keeps it while newer runs come and go.
const runStyle = (run) => RUN_STYLES[(run.n - 1) % RUN_STYLES.length];

export class ComparePanel {
  constructor(state, { tr, runs, settings, lesson, ab, chooser }) {
    Object.assign(this, { state, tr, runs, settings, lesson, ab, chooser });
    this.chart = new RunsChart($("#runs-chart"));
    this.highlight = null;
    this.error = null;
  }

  setTranslator(tr) {
    this.tr = tr;
    this.count();
    if (this.isOpen) this.refresh();
  }

  get isOpen() {
    return $("#compare").open;
  }

  bind() {
    $("#compare-btn").addEventListener("click", () => this.open());
    $("#compare .explorer-close").addEventListener("click", () => $("#compare").close());
    $("#compare").addEventListener("close", () => this.ab.leave());   // Escape too
    $("#runs-clear").addEventListener("click", () => this.clear());
    $("#ab-start").addEventListener("click", () => this.startAb());
    this.runs.on("kept", () => { this.count(); if (this.isOpen) this.refresh(); });
    this.runs.on("live", () => this.liveLater());
    this.count();
  }

  count() {
    const n = this.runs.kept.length;
    setText($("#compare-count"), n ? ` (${n})` : "");
  }

  open() {
    this.say(null);
    $("#ab-form-error").textContent = "";
    $("#compare-main").hidden = false;
    $("#compare").showModal();
    this.chooser.fill();
    this.refresh();
  }

  refresh() {
    const box = $(".runs-chart-box");
    this.chart.resize(Math.max(240, box.clientWidth), Math.round(CHART_HEIGHT * drawing.size));
    this.rows();
    this.draw();
  }

  // The run under way is drawn again as it trains, at most every LIVE_MS.
  liveLater() {
    if (!this.isOpen || this.ab.active || this.liveTimer) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = null;
      if (!this.isOpen) return;
      this.draw();
      this.numbers($("#runs-rows tr[data-now]"), this.runs.current());
    }, LIVE_MS);
  }

  // Every run in the panel: the one under way first, then the kept ones, newest first.
  entries() {
    const now = this.runs.current();
    return [...(now ? [{ ...now, now: true }] : []), ...this.runs.kept];
  }

  rows() {
    const { t } = this.tr;
    const words = settingWords(this.tr, this.state.catalog);
    const config = this.state.config;
    const rows = this.entries().map((run) => {
      const row = el("tr", { tabindex: "0", "data-testid": "run-row", "data-run": run.id });
      if (run.now) row.dataset.now = "1";
      const name = el("th", { scope: "row" }, run.now ? t("runNow") : t("runN", { n: run.n }));
      if (!run.now) name.append(el("small", {}, time(run.at, this.tr.lang)));
      const diff = el("td", { class: "run-diff", "data-testid": "run-diff" },
                      run.now ? t("runNowDiff") : words.describe(run.config, config));
      if (run.from) diff.append(el("small", {}, t("runFrom", { epoch: run.from })));
      const actions = el("td", { class: "run-actions" });
      if (!run.now) {
        const restore = el("button", { type: "button", class: "text-btn small", "data-testid": "run-restore",
                                       title: t("runRestoreTitle") }, t("runRestore"));
        restore.addEventListener("click", () => this.restore(run));
        const remove = el("button", { type: "button", class: "round-btn small", "data-testid": "run-remove",
                                      "aria-label": t("runRemove", { n: run.n }), title: t("runRemove", { n: run.n }) }, "×");
        remove.addEventListener("click", () => this.remove(run));
        actions.append(restore, remove);
      }
      const swatch = el("td", { class: "run-swatch" });
      swatch.append(lineSwatch(run.now ? NOW_STYLE : runStyle(run)));
      row.append(swatch, name, diff, el("td", { class: "num", "data-col": "test" }),
                 el("td", { class: "num", "data-col": "train" }), el("td", { class: "num", "data-col": "epochs" }), actions);
      this.numbers(row, run);
      for (const [on, id] of [["mouseenter", run.id], ["focusin", run.id], ["mouseleave", null], ["focusout", null]]) {
        row.addEventListener(on, () => this.lift(id));
      }
      return row;
    });
    $("#runs-rows").replaceChildren(...rows);
    $("#runs-empty").hidden = this.runs.kept.length > 0;
    $("#runs-clear").hidden = this.runs.kept.length === 0;
  }

  numbers(row, run) {
    if (!row || !run) return;
    setText(row.querySelector("[data-col=test]"), fmt(run.end.test_loss));
    setText(row.querySelector("[data-col=train]"), fmt(run.end.train_loss));
    setText(row.querySelector("[data-col=epochs]"), run.from ? `${run.from}–${run.end.epoch}` : String(run.end.epoch - run.offset));
  }

  lift(id) {
    if (this.highlight === id) return;
    this.highlight = id;
    this.draw();
  }

  // The curves: x the epochs the run's weights trained, y its test loss; the oldest first,
  // so the newer lie on top, and the run under way over them all.
  draw() {
    const series = this.entries().reverse().map((run) => ({
      id: run.id, ...(run.now ? NOW_STYLE : runStyle(run)),
      points: run.points.map((p) => [p[1] - run.offset, p[3]]),
    }));
    this.chart.draw(series, {
      labels: { x: this.tr.t("epochAxis"), y: this.tr.t("runsAxisLoss") }, highlight: this.highlight,
    });
  }

  // A past run's settings back on the playground, the way the settings panel changes them
  // (so the address follows): every field that differs, in one change.
  async restore(run) {
    const now = this.state.config;
    const patch = {};
    for (const k of Object.keys(now)) {
      if (k in run.config && JSON.stringify(run.config[k]) !== JSON.stringify(now[k])) patch[k] = run.config[k];
    }
    const words = settingWords(this.tr, this.state.catalog);
    const fields = new Set([...Object.keys(patch), ...words.differences(run.config, now).map((d) => d.field)]);
    const locked = [...fields].filter((f) => this.lesson.locked.has(f));
    if (locked.length) {
      const names = locked.map((f) => fieldName(f, this.tr.lang)).join(this.tr.lang === "zh" ? "、" : ", ");
      this.say(new PageMessage("runRestoreLocked", { n: run.n, fields: names }));
      return;
    }
    $("#compare").close();
    const keys = Object.keys(patch);
    if (!keys.length) { this.state.messages.note("runRestoredSame", { n: run.n }); return; }
    if (await this.settings.change(patch, keys.length === 1 ? keys[0] : null)) {
      const snap = this.state.snapshot;
      const fresh = snap.step === 0 || snap.rebuilt?.all_weights;
      this.state.messages.note(fresh ? "runRestoredFresh" : "runRestoredKept", { n: run.n });
    }
  }

  remove(run) {
    const rows = [...document.querySelectorAll("#runs-rows tr")];
    const next = rows[rows.findIndex((r) => r.dataset.run === run.id) + 1];
    removeRun(run.id);
    this.runs.changed();   // redraws the panel
    (document.querySelector(`#runs-rows tr[data-run="${next?.dataset.run}"]`) || $("#compare .explorer-close")).focus();
  }

  // Eight runs are not thrown away by one slip: the first click asks, the second clears.
  clear() {
    const button = $("#runs-clear");
    if (!this.confirming) {
      this.confirming = setTimeout(() => { this.confirming = null; button.textContent = this.tr.t("runsClear"); }, CONFIRM_MS);
      button.textContent = this.tr.t("runsClearSure", { n: this.runs.kept.length });
      return;
    }
    clearTimeout(this.confirming);
    this.confirming = null;
    button.textContent = this.tr.t("runsClear");
    clearRuns();
    this.runs.changed();
  }

  say(err) {
    this.error = err;
    $("#compare-error").textContent = err ? this.state.messages.describe(err) : "";
  }

  async startAb() {
    const button = $("#ab-start");
    const error = $("#ab-form-error");
    error.textContent = "";
    let change;
    try {
      change = this.chooser.read();
    } catch (err) {
      error.textContent = this.state.messages.describe(err);
      return;
    }
    button.disabled = true;
    try {
      await this.ab.begin(change.patch);
      $("#compare-main").hidden = true;
    } catch (err) {
      error.textContent = this.ab.describe(err);
    } finally {
      button.disabled = false;
    }
  }

  // A/B left: the runs again (still open), or nothing (the panel closed).
  backFromAb() {
    if (!this.isOpen) return;
    $("#compare-main").hidden = false;
    this.refresh();
    $("#ab-start").focus();
  }
}

// When a run was kept: the time of day (the date too when not today).
function time(at, lang) {
  const when = new Date(at);
  const today = new Date().toDateString() === when.toDateString();
  const locale = lang === "zh" ? "zh-CN" : "en";
  return today ? when.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" })
    : when.toLocaleDateString(locale, { month: "short", day: "numeric" });
}
