// The spotlight: one student's network and decision surface, large, for the projector,
// refreshed every 2 s. Read-only: the diagram has no controls (NetworkView's readOnly)
// and the plot picks nothing; pointing at a node shows its output on the plot, as on the
// student's own page. Close (or Escape) hands the refreshing back to the dashboard.

import { el, setText } from "../dom.js";
import { fmt } from "../numbers.js";
import { diverging, outputColor } from "../views/colors.js";
import { NetworkView } from "../views/network.js";
import { OutputPlot } from "../views/plot.js";
import { Refresher } from "./refresh.js";
import { classApi } from "./teacher_api.js";
import { ago, failure, goalsMet, lessonName, stepOf } from "./words.js";

const MAX_ZOOM = 1.7;

export class Spotlight {
  // serverNow(): the server's time now (ISO), as the dashboard last read it
  constructor(dialog, { code, key, lessons, serverNow, onClosed, onRefused }) {
    this.dialog = dialog;
    this.code = code;
    this.key = key;
    this.lessons = lessons;
    this.serverNow = serverNow;
    this.onClosed = onClosed;
    this.onRefused = onRefused;
    this.found = null;          // the last spotlight answer
    this.hovered = null;        // a node whose output the plot shows instead
    this.refresher = new Refresher(() => this.refresh());
    dialog.querySelector(".dialog-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => this.closed());
  }

  setTranslator(tr) {
    this.tr = tr;
    this.network?.setTranslator(tr);
    if (this.found) this.show(this.found);
  }

  async open(studentId, name) {
    this.studentId = studentId;
    this.name = name;
    this.found = null;
    this.hovered = null;
    setText(this.dialog.querySelector("#spotlight-name"), name);
    this.dialog.querySelector("#spotlight-facts").replaceChildren();
    this.dialog.querySelector("#spotlight-network").replaceChildren();
    this.note(this.tr.t("classSpotlightNote", { name }));
    this.dialog.showModal();
    try {
      this.catalog ??= await classApi.catalog();
    } catch (err) {
      this.note(failure(err, this.tr));
      return;
    }
    this.makeViews();
    this.refresher.start();
  }

  makeViews() {
    if (this.network) return;
    const handlers = { hoverNode: (id) => this.hover(id), hoverEdge: () => {} };
    this.network = new NetworkView(this.dialog.querySelector("#spotlight-network"),
      { catalog: this.catalog, handlers, readOnly: true });
    this.network.setTranslator(this.tr);
    // as large as the screen leaves beside the diagram: the back row reads it
    const size = Math.max(280, Math.min(760, innerHeight - 220, innerWidth * 0.4));
    this.plot = new OutputPlot(this.dialog.querySelector("#spotlight-plot"), { size, onPick: () => {} });
  }

  closed() {
    this.refresher.stop();
    this.studentId = null;
    this.onClosed();
  }

  async refresh() {
    if (!this.studentId) return;
    const asked = this.studentId;
    try {
      const found = await classApi.spotlight(this.code, this.key, asked);
      if (asked !== this.studentId) return;     // another student was opened meanwhile
      this.found = found;
      this.show(found);
    } catch (err) {
      if (err.status === 403) { this.dialog.close(); this.onRefused(err); return; }
      if (err.status === 404) {
        this.note(this.tr.t("classSpotlightGone", { name: this.name }));
        this.refresher.stop();
        return;
      }
      this.note(failure(err, this.tr));
    }
  }

  note(text) {
    setText(this.dialog.querySelector("#spotlight-note"), text);
  }

  show({ name, last_seen: lastSeen, session: snap, heatmaps }) {
    const { t } = this.tr;
    setText(this.dialog.querySelector("#spotlight-name"), name);
    this.note(t("classSpotlightNote", { name }));
    const lesson = snap.lesson;
    const row = lesson ? {
      lesson_id: lesson.lesson_id, step: lesson.step, steps_total: lesson.steps.length,
      goals_met: lesson.steps[lesson.step].goals.filter((g) => g.met).length,
      goals_total: lesson.steps[lesson.step].goals.length,
    } : { lesson_id: null, step: null };
    const facts = [
      [t("classFactLesson"), lessonName(row.lesson_id, this.lessons, this.tr)],
      ...(lesson ? [[t("classFactStep"), stepOf(row)], [t("classFactGoals"), goalsMet(row, this.tr).text]] : []),
      [t("classFactEpoch"), String(snap.epoch)],
      [t("testLoss"), fmt(snap.metrics.test_loss)],
      [t("trainLoss"), fmt(snap.metrics.train_loss)],
      [t("classFactSeen"), ago(this.serverNow(), lastSeen, this.tr)],
    ];
    // a term and its value in one group (a <dl>'s <div>), so a narrow dialog wraps
    // between facts, never between a label and its number
    this.dialog.querySelector("#spotlight-facts").replaceChildren(...facts.map(([term, value]) => {
      const fact = el("div", { class: "spotlight-fact" });
      fact.append(el("dt", {}, term), el("dd", {}, value));
      return fact;
    }));
    this.network.render(snap, { maxUnits: this.catalog.limits.max_units });
    if (this.fitNetwork()) this.network.render(snap, { maxUnits: this.catalog.limits.max_units });
    this.network.updateBiases(snap);
    this.network.paintNodes(snap, heatmaps, (id) => outputColor(snap, id));
    this.drawPlot();
  }

  // Scale the diagram up to the height the dialog leaves it (a projector's back row reads
  // 38 px nodes badly): CSS zoom on its box, whose width the diagram then fills again.
  // Never wider than the box: a tablet's narrow column would hide the last layers.
  // True when the zoom changed and the diagram must be laid out anew.
  fitNetwork() {
    const box = this.dialog.querySelector(".spotlight-network-box");
    const natural = this.network.root.offsetHeight;   // in the box's own, unzoomed px
    const room = this.dialog.getBoundingClientRect().bottom - box.getBoundingClientRect().top - 28;
    const across = box.getBoundingClientRect().width / this.network.leastWidth;   // seen px over unzoomed px
    const zoom = Math.round(100 * Math.max(1, Math.min(MAX_ZOOM, room / natural, across))) / 100;
    if (!natural || Math.abs(zoom - (Number(box.style.zoom) || 1)) < 0.05) return false;
    box.style.zoom = String(zoom);
    this.network.structure = "";   // laid out again for the box's new width
    return true;
  }

  hover(nodeId) {
    this.hovered = nodeId;
    if (this.found) this.drawPlot();
  }

  drawPlot() {
    const { session: snap, heatmaps, data } = this.found;
    const grid = this.hovered && heatmaps.nodes[this.hovered];
    const isOutput = this.hovered && Number(this.hovered.split(":")[0]) === snap.layers.length - 1;
    this.plot.draw({
      heatmaps, grid: grid || null, gridColor: grid && isOutput ? outputColor(snap, this.hovered) : diverging,
      data, kind: snap.kind, threshold: snap.config.threshold, discretize: false, showTest: false,
    });
    setText(this.dialog.querySelector("#spotlight-plot-caption"),
      grid ? this.tr.t("classPlotNode", { node: this.hovered }) : "");
  }
}
