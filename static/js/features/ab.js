// A/B: two NEW playgrounds made from this one's settings and seeds (the same data, the
// same starting weights where the shapes agree), B with one setting changed, trained side
// by side in step: each round asks both for the same number of epochs and waits for both
// before the next, so they never drift apart. The learner's own playground waits, paused,
// its session untouched; leaving A/B deletes the two sessions. Every number is the
// server's; nothing is waited on forever.

import { api, ApiError } from "../api.js";
import { $, el, setProp, setText } from "../dom.js";
import { fmt } from "../numbers.js";
import { OutputPlot } from "../views/plot.js";
import { lineSwatch, RUN_STYLES, RunsChart } from "../views/runs_chart.js";
import { drawing } from "../views/scale.js";
import { PageMessage } from "./messages.js";
import { epochsPerCall } from "./play.js";
import { settingWords } from "./run_words.js";

const RESOLUTION = 40;       // the two plots' grids: 240 px, each cell 6 px, smoothed
const PLOT = 240;            // each plot's size at a desk, CSS px (presenter mode: larger)
const HISTORY_CAP = 500;     // the server's History.capacity (as play.js)
const WAIT_S = 20;           // a round not answered by then is given up, and said
const BUSY_TRIES = 3;        // a busy session (429) is asked again, after its Retry-After
const ROUND_EPOCHS = [1, 2, 5, 10, 20, 50];
const STYLES = { A: { ...RUN_STYLES[0], width: 2.5 }, B: { ...RUN_STYLES[1], width: 2.5 } };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));   // none in a hidden tab

export class AbTest {
  constructor(state, { tr, play, onLeft }) {
    this.state = state;
    this.tr = tr;
    this.play = play;          // the learner's own play loop: paused while A/B runs
    this.onLeft = onLeft;      // the compare panel shows its runs again
    this.sides = null;         // [{key: "A"|"B", id, snapshot, history, heatmaps, data, plot, board}]
    this.playing = false;
    this.generation = 0;
    this.round = Promise.resolve();
    this.status = null;        // {err} or {key, values}: what the status line says
    this.chart = new RunsChart($("#ab-chart"));
  }

  get active() {
    return Boolean(this.sides);
  }

  setTranslator(tr) {
    this.tr = tr;
    const speed = $("#ab-speed");
    const keep = speed.value || "5";
    speed.replaceChildren(...ROUND_EPOCHS.map((n) => new Option(String(n), String(n))));
    speed.value = keep;
    if (this.sides) this.label();
    this.render();
  }

  bind() {
    $("#ab-play").addEventListener("click", () => (this.playing ? this.pause() : this.start()));
    $("#ab-step").addEventListener("click", () => this.stepOnce());
    $("#ab-leave").addEventListener("click", () => this.leave());
  }

  // Make A (the config now) and B (with `patch`), then show them side by side. Throws
  // the refusal when either cannot be made (nothing is left behind on the server).
  async begin(patch) {
    this.wasPlaying = this.play.playing;
    await this.play.halt();
    const base = structuredClone(this.state.config);
    const made = [];
    try {
      for (const config of [base, { ...base, ...patch }]) made.push(await api.create(config));
      const sides = await Promise.all(made.map(async (snap, i) => {
        const [heatmaps, data] = await Promise.all([api.heatmaps(snap.id, RESOLUTION, false), api.data(snap.id)]);
        return { key: "AB"[i], id: snap.id, snapshot: snap, history: snap.history, heatmaps, data };
      }));
      this.show(sides);
    } catch (err) {
      for (const snap of made) api.remove(snap.id).catch(() => {});
      if (this.wasPlaying) this.play.play();
      throw err;
    }
  }

  show(sides) {
    this.sides = sides;
    this.generation++;
    this.status = null;
    const size = Math.round(PLOT * drawing.size);
    $("#ab-boards").replaceChildren(...sides.map((side) => this.board(side, size)));
    $("#ab-view").hidden = false;
    const box = $(".ab-chart-box");
    this.chart.resize(Math.max(260, box.clientWidth), size + Math.round(40 * drawing.text));
    this.label();
    this.draw();
    $("#ab-play").focus();
  }

  // One playground's board: its plot and its numbers.
  board(side, size) {
    const lower = side.key.toLowerCase();
    const board = el("section", { class: "ab-board", "data-testid": `ab-${lower}`, "data-session": side.id });
    const title = el("h3", { class: "ab-label" });
    const canvas = el("canvas", { class: "ab-plot", role: "img" });
    const numbers = el("dl", { class: "ab-numbers" });
    for (const [key, label] of [["epoch", "epoch"], ["test_loss", "testLoss"], ["train_loss", "trainLoss"],
                                ["test_accuracy", "testAccuracy"]]) {
      const row = el("div", { "data-metric": key });
      row.append(el("dt", { "data-label": label }), el("dd", { "data-testid": `ab-${lower}-${key.replace("_", "-")}` }));
      numbers.append(row);
    }
    board.append(title, canvas, numbers);
    side.board = board;
    side.plot = new OutputPlot(canvas, { size, onPick: () => {} });   // a click chooses nothing here
    return board;
  }

  // The words of the view: what B changed, each board's setting, the legend.
  label() {
    const { t } = this.tr;
    const words = settingWords(this.tr, this.state.catalog);
    const [a, b] = this.sides.map((s) => s.snapshot.config);
    setText($("#ab-what"), t("abWhat", { what: words.describe(a, b) }));
    const fields = words.differences(a, b).map((d) => d.field);
    for (const side of this.sides) {
      const title = side.board.querySelector(".ab-label");
      const says = fields.map((f) => words.setting(f, side.snapshot.config)).join(this.tr.lang === "zh" ? "；" : "; ");
      title.replaceChildren(lineSwatch(STYLES[side.key]), el("strong", {}, side.key), ` ${says}`);
      side.board.querySelector(".ab-plot").setAttribute("aria-label", t("abPlot", { side: side.key, what: says }));
      for (const dt of side.board.querySelectorAll("dt")) dt.textContent = t(dt.dataset.label);
    }
    const legend = $("#ab-legend");
    legend.replaceChildren(...["A", "B"].flatMap((key) => [lineSwatch(STYLES[key]), el("span", {}, t("abTestLoss", { side: key }))]),
                           el("span", { class: "ab-faint" }, t("abTrainFaint")));
  }

  render() {
    const on = this.playing;
    const button = $("#ab-play");
    setProp(button, "title", this.tr.t(on ? "abPause" : "abPlay"));
    button.setAttribute("aria-label", this.tr.t(on ? "abPause" : "abPlay"));
    button.classList.toggle("playing", on);
    setText(button.querySelector(".play-icon"), on ? "❚❚" : "▶");
    const stopped = Boolean(this.sides?.some((s) => s.snapshot.diverged));
    setProp(button, "disabled", stopped && !on);
    setProp($("#ab-step"), "disabled", stopped);
    const status = $("#ab-status");
    const say = this.status;
    status.textContent = !say ? "" : say.err ? this.describe(say.err) : this.tr.t(say.key, say.values);
    status.classList.toggle("error", Boolean(say?.err));
  }

  describe(err) {
    if (err instanceof ApiError && err.status === 0) return this.tr.t("abServerLost");
    return this.state.messages.describe(err);
  }

  draw() {
    const { t } = this.tr;
    const epochs = this.sides.map((s) => s.snapshot.epoch);
    setText($("#ab-epoch"), epochs[0] === epochs[1] ? String(epochs[0]) : epochs.join(" / "));
    const series = [];
    for (const side of this.sides) {
      const snap = side.snapshot;
      for (const dd of side.board.querySelectorAll("dd")) {
        const key = dd.parentElement.dataset.metric;
        setText(dd, key === "epoch" ? String(snap.epoch) : fmt(snap.metrics[key]));
      }
      side.board.querySelector("[data-metric=test_accuracy]").hidden = snap.kind === "regression";
      side.plot.draw({ heatmaps: side.heatmaps, grid: null, data: side.data, kind: snap.kind,
                       threshold: snap.config.threshold, discretize: false, showTest: false, chosen: null });
      const style = STYLES[side.key];
      series.push({ id: `${side.key}-train`, ...style, width: 1.2, faint: true,
                    points: side.history.map((p) => [p.epoch, p.train_loss ?? null]) });
      series.push({ id: side.key, ...style, points: side.history.map((p) => [p.epoch, p.test_loss ?? null]) });
    }
    this.chart.draw(series, { labels: { x: t("epochAxis"), y: t("abAxisLoss") } });
    this.render();
  }

  // ------------------------------------------------------------------ training in step
  start() {
    if (this.playing || !this.sides) return;
    this.playing = true;
    const generation = ++this.generation;
    this.render();
    this.round = this.round.then(() => this.loop(generation));
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.generation++;
    this.render();
  }

  async loop(generation) {
    while (this.playing && generation === this.generation) {
      if (!(await this.advance(Number($("#ab-speed").value)))) break;
      await nextFrame();
    }
  }

  async stepOnce() {
    this.pause();
    await this.round;
    this.round = this.advance(1);
    await this.round;
  }

  // One round: both train `epochs` (at most what one call may carry on either network),
  // then both are drawn. False when training cannot go on (said in the status line).
  async advance(epochs) {
    const sides = this.sides;
    if (!sides) return false;
    const most = Math.min(...sides.map((s) => epochsPerCall(s.snapshot, this.state.catalog.limits)));
    try {
      if (most < 1) throw new PageMessage("abTooBig");
      if (this.outOfStep) await this.catchUp(sides);
      const n = Math.min(epochs, most);
      const frames = await this.inTime(Promise.all(sides.map((side) => this.frame(side, { epochs: n }))));
      if (sides !== this.sides) return false;   // left meanwhile
      sides.forEach((side, i) => this.accept(side, frames[i]));
      const diverged = sides.find((s) => s.snapshot.diverged);
      this.status = diverged ? { key: "abDiverged", values: this.divergence(diverged) } : null;
      this.draw();
      if (diverged) this.pause();
      return !diverged;
    } catch (err) {
      // one side may have trained and the other not: the next round first evens them
      this.outOfStep = true;
      if (sides !== this.sides) return false;
      this.pause();
      this.status = { err };
      this.render();
      return false;
    }
  }

  async frame(side, work) {
    for (let attempt = 1; ; attempt++) {
      try {
        const last = side.history[side.history.length - 1];
        const full = side.history.length >= HISTORY_CAP;
        return await api.frame(side.id, { ...work, resolution: RESOLUTION, nodes: false,
                                          history_since: full || !last ? undefined : last.step });
      } catch (err) {
        const busy = err instanceof ApiError && err.code === "busy";
        if (!busy || attempt >= BUSY_TRIES) throw err;
        await sleep(1000 * Math.min(2, err.params.retry_after || 1));
      }
    }
  }

  accept(side, frame) {
    const snap = frame.snapshot;
    const last = side.history[side.history.length - 1];
    if (snap.history.length) {   // the points since the last (or, past HISTORY_CAP, all of them again)
      const replaces = !last || snap.history[0].step <= last.step;
      side.history = replaces ? snap.history : side.history.concat(snap.history);
    }
    side.snapshot = snap;
    side.heatmaps = frame.heatmaps;
  }

  // After a failed round: read both again and train the one behind up to the other.
  async catchUp(sides) {
    const snaps = await this.inTime(Promise.all(sides.map((s) => api.get(s.id))));
    snaps.forEach((snap, i) => { sides[i].snapshot = snap; sides[i].history = snap.history; });
    const [behind, ahead] = snaps[0].epoch <= snaps[1].epoch ? [0, 1] : [1, 0];
    let gap = snaps[ahead].epoch - snaps[behind].epoch;
    while (gap > 0) {
      const n = Math.min(gap, epochsPerCall(sides[behind].snapshot, this.state.catalog.limits));
      this.accept(sides[behind], await this.inTime(this.frame(sides[behind], { epochs: n })));
      gap -= n;
    }
    this.outOfStep = false;
  }

  inTime(promise) {
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new PageMessage("abTimeout", { s: WAIT_S })), WAIT_S * 1000);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  divergence(side) {
    const snap = side.snapshot;
    const reason = snap.divergence
      ? this.tr.refusal({ ...snap.divergence, message: snap.divergence_reason }) : snap.divergence_reason;
    return { side: side.key, epoch: snap.epoch, reason };
  }

  // Stop, forget both sessions (a round still in flight is left to land nowhere), and give
  // the learner's playground back as it was, playing again if it was.
  leave() {
    const sides = this.sides;
    if (!sides) return;
    this.pause();
    this.sides = null;
    this.outOfStep = false;
    // once the round in flight has landed (a session busy with it would refuse), or 2 s
    const forget = () => Promise.all(sides.map((s) => api.remove(s.id).catch(() => {})));
    Promise.race([this.round.catch(() => {}), sleep(2000)]).then(forget);
    $("#ab-view").hidden = true;
    $("#ab-boards").replaceChildren();
    if (this.wasPlaying && !this.state.diverged) this.play.play();
    this.onLeft();
  }
}
