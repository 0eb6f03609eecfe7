// The output column: the numbers (losses, accuracies), the loss chart, the plot of the
// data and the decision surface (or the hovered node's output), and the plot's legend
// (one colour per class, the same as the points, nodes and thumbnails).

import { CLASS_COLORS, css, diverging, outputColor } from "../views/colors.js";
import { LossChart } from "../views/chart.js";
import { OutputPlot } from "../views/plot.js";
import { $, onScreen, setProp, setText } from "../dom.js";
import { fmt } from "../numbers.js";

// The plot's and the loss chart's size at a desk, in CSS px (presenter mode asks for more).
export const DESK_SIZES = { plot: 300, chart: { width: 300, height: 96 } };

export class OutputPanel {
  constructor(state, { tr, page, onPick }) {
    this.state = state;
    this.tr = tr;
    this.hovered = null;         // a node id whose output the plot shows instead
    this.chosen = null;          // the step-through's point, drawn as a cross
    this.overlay = () => null;   // a tool's marks on the plot (drawing.js), or null
    $("#show-test").checked = page.test;
    $("#discretize").checked = page.discrete;
    this.plot = new OutputPlot($("#data-plot"), { size: DESK_SIZES.plot, onPick });
    this.chart = new LossChart($("#loss-chart"), DESK_SIZES.chart);
    this.chartBehind = null;     // the chart's last history, waiting for it to be seen
    this.chartOnScreen = onScreen($("#loss-chart"), () => this.catchUp());
  }

  catchUp() {
    if (this.chartBehind) this.chart.draw(this.chartBehind, { epoch: this.tr.t("epochAxis") });
    this.chartBehind = null;
  }

  // The plot and the chart at these sizes (DESK_SIZES' shape), drawn at the next render.
  resize({ plot, chart }) {
    this.plot.resize(plot);
    this.chart.resize(chart.width, chart.height);
  }

  bind(onViewChange) {
    for (const id of ["#show-test", "#discretize"]) {
      $(id).addEventListener("change", () => { this.drawPlot(); onViewChange(); });
    }
  }

  setTranslator(tr) {
    this.tr = tr;   // the chart's and the legend's keys hold the language: both redraw
  }

  // playing: the loss chart is drawn only while on screen (caught up when it comes back)
  render(snap, { playing = false } = {}) {
    setText($("[data-testid=epoch]"), String(snap.epoch));
    setText($("[data-testid=train-loss]"), fmt(snap.metrics.train_loss));
    setText($("[data-testid=test-loss]"), fmt(snap.metrics.test_loss));
    const classifier = snap.kind !== "regression";
    if (classifier !== this.classifier) {   // a search of the whole page: not every frame
      this.classifier = classifier;
      for (const el of document.querySelectorAll(".metrics .acc, .chart-legend .acc")) el.hidden = !classifier;
    }
    if (classifier) {
      setText($("[data-testid=train-accuracy]"), fmt(snap.metrics.train_accuracy));
      setText($("[data-testid=test-accuracy]"), fmt(snap.metrics.test_accuracy));
    }
    this.chartBehind = snap.history;
    if (!playing || this.chartOnScreen.seen) this.catchUp();
    this.drawPlot();
    this.drawLegend(snap);
  }

  outputColor(id) {
    return outputColor(this.state.snapshot, id);
  }

  drawPlot() {
    const { heatmaps, snapshot: snap, data } = this.state;
    if (!heatmaps || !snap) return;
    const grid = this.hovered && heatmaps.nodes[this.hovered];
    const isOutput = this.hovered && Number(this.hovered.split(":")[0]) === snap.layers.length - 1;
    const overlay = this.overlay();   // while drawing, every point is shown: the test ones too
    this.plot.draw({
      heatmaps, grid: grid || null, gridColor: grid && isOutput ? this.outputColor(this.hovered) : diverging,
      data, kind: snap.kind, threshold: snap.config.threshold, discretize: $("#discretize").checked,
      showTest: $("#show-test").checked || Boolean(overlay), chosen: this.chosen, overlay,
    });
  }

  drawLegend(snap) {
    const key = `${snap.kind}:${snap.classes}:${snap.config.head}:${snap.config.threshold}:${this.tr.lang}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    const t = this.tr.t;
    const box = $("#plot-legend");
    const item = (color, text) => {
      const span = document.createElement("span");
      const dot = document.createElement("span");
      dot.className = "dot";
      dot.style.background = css(color);
      span.append(dot, text);
      return span;
    };
    if (snap.kind === "regression") {
      const ramp = document.createElement("span");
      ramp.className = "ramp";
      ramp.style.background = `linear-gradient(to right, ${css(diverging(-1))}, ${css(diverging(0))}, ${css(diverging(1))})`;
      const label = document.createElement("span");
      label.append(t("regressionFrom"), ramp, "+1");
      box.replaceChildren(label);
      return;
    }
    const k = snap.classes || 2;
    const items = Array.from({ length: k }, (_, c) => item(CLASS_COLORS[c], t("classN", { k: c })));
    if (snap.config.head === "sigmoid") items.push(t("boundaryLegend", { th: snap.config.threshold }));
    box.replaceChildren(...items.map((x) => (typeof x === "string" ? Object.assign(document.createElement("span"), { textContent: x }) : x)));
  }
}
