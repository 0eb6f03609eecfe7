// The step-through: choose a point (a click on the plot, the arrow keys on it, typed x1
// and x2, or a picked example), then walk the server's trace node by node through the
// forward pass and, with a label, back through back-propagation, and apply that one
// example's update. The page computes nothing: every number is the trace's.

import { api } from "../api.js";
import { $, setProp } from "../dom.js";
import { fmt, fmtSig, parseDecimal, short } from "../numbers.js";
import { EXTENT } from "../views/plot.js";
import { PageMessage } from "./messages.js";
import { DATA_FIELDS } from "./state.js";

const SNAP_DISTANCE = 0.3;   // a click this close to a data point takes that example

// A line under a node's arithmetic where its activation has more to it than the formula
// shows: PReLU's learned slope (the trace's `slope`), and what RReLU and Noisy ReLU do
// outside training, which is what a trace computes. `layer` is the node's hidden layer.
const ACTIVATION_LINES = {
  prelu: (t, step) => t(step.z < 0 ? "preluStep" : "preluStepPositive", { s: fmt(step.slope), z: fmt(step.z), v: fmt(step.value) }),
  rrelu: (t) => t("rreluStep"),
  noisy_relu: (t, step, layer) => t("noisyReluStep", { sigma: layer?.noise_sigma }),
};

export class StepThrough {
  constructor(state, { tr, output, network }) {
    this.state = state;
    this.tr = tr;
    this.output = output;
    this.network = network;      // set by the wiring once the network view exists
    this.chosen = null;          // {point, label}
    this.trace = null;
    this.index = -1;
  }

  setTranslator(tr) {
    this.tr = tr;
    this.show();
  }

  bind() {
    $("#next-node").addEventListener("click", () => this.walk(+1));
    $("#prev-node").addEventListener("click", () => this.walk(-1));
    $("#run-to-end").addEventListener("click", () => this.walk(Infinity));
    $("#apply-update").addEventListener("click", () => this.applyUpdate());
    $("#pick-train").addEventListener("click", () => this.pickExample("train"));
    $("#pick-test").addEventListener("click", () => this.pickExample("test"));
    for (const id of ["#point-x1", "#point-x2", "#point-label"]) {
      $(id).addEventListener("change", () => this.pointFromInputs(id));
      $(id).addEventListener("keydown", (ev) => { if (ev.key === "Enter") this.pointFromInputs(id); });
      $(id).addEventListener("input", () => $(id).removeAttribute("aria-invalid"));
    }
  }

  // ---------------------------------------------------------------- choosing the point
  choose(point, { snap }) {
    let label;
    if (snap) {
      let best = SNAP_DISTANCE;
      for (const set of [this.state.data.train, this.state.data.test]) {
        set.x.forEach(([a, b], i) => {
          const d = Math.hypot(a - point[0], b - point[1]);
          if (d < best) { best = d; point = [a, b]; label = set.y[i]; }
        });
      }
    }
    this.setPoint(point, label);
  }

  async setPoint(point, label) {
    this.chosen = { point, label: label ?? undefined, data: this.dataKey() };
    $("#point-x1").value = short(point[0]);
    $("#point-x2").value = short(point[1]);
    $("#point-label").value = label === undefined || label === null ? "" : short(label);
    this.clearInvalid();
    this.trace = null;
    this.index = -1;
    this.network.highlight(null);
    this.output.chosen = point;
    this.output.drawPlot();
    this.show();
    this.settling = this.retrace();   // the node tooltips show the values at this point
    await this.settling;
    this.show();
  }

  // Typed coordinates: both must be numbers in the plot's square (a comma decimal is
  // fine); until the other one is typed the page waits and says so, never guessing 0.
  pointFromInputs(changedId) {
    const fields = [["#point-x1", "x1"], ["#point-x2", "x2"]];
    const values = [];
    for (const [id, name] of fields) {
      const text = $(id).value;
      if (text.trim() === "") {
        if (changedId !== id) return this.refuse(id, new PageMessage("typeOther", { name }), false);
        return this.refuse(id, new PageMessage("notANumber", { text }));
      }
      const v = parseDecimal(text);
      if (v === null) return this.refuse(id, new PageMessage("notANumber", { text }));
      if (Math.abs(v) > EXTENT) return this.refuse(id, new PageMessage("outOfPlot", { name }));
      values.push(v);
    }
    const raw = $("#point-label").value;
    const label = raw.trim() === "" ? undefined : parseDecimal(raw);
    if (label === null) return this.refuse("#point-label", new PageMessage("badLabel"));
    this.state.messages.clear("point");
    this.setPoint(values, label);
  }

  refuse(id, message, invalid = true) {
    if (invalid) $(id).setAttribute("aria-invalid", "true");
    this.state.messages.error(message, "point");
    if (!invalid) $(id).focus();
  }

  clearInvalid() {
    for (const id of ["#point-x1", "#point-x2", "#point-label"]) $(id).removeAttribute("aria-invalid");
    this.state.messages.clear("point");
  }

  pickExample(which) {
    const set = this.state.data[which];
    if (!set.x.length) return;
    const i = Math.floor(Math.random() * set.x.length);
    this.setPoint(set.x[i], set.y[i]);
  }

  // The data a label was taken from: another dataset's label means nothing here.
  dataKey() {
    const c = this.state.config;
    return c && JSON.stringify(DATA_FIELDS.map((k) => c[k]));
  }

  // ---------------------------------------------------------------- the trace
  async retrace() {
    if (!this.chosen) return;
    if (this.chosen.label !== undefined && this.chosen.data !== this.dataKey()) {
      // the data changed: keep the point, drop the old example's label (and the walk)
      this.chosen = { point: this.chosen.point, label: undefined, data: this.dataKey() };
      $("#point-label").value = "";
      this.index = -1;
      this.network.highlight(null);
    }
    const chosen = this.chosen;
    try {
      const trace = await api.trace(this.state.sessionId, chosen.point, chosen.label);
      if (this.chosen === chosen) this.trace = trace;   // a point chosen meanwhile wins
    } catch (err) {
      if (this.chosen !== chosen) return;
      this.trace = null;
      this.state.messages.error(err, "point");
    }
  }

  // The chosen point's trace: the one on its way (a second request would find the
  // session busy), else a new one.
  async traced() {
    if (!this.trace && this.settling) await this.settling;
    if (!this.trace) await this.retrace();
  }

  // While playing, frames do not wait for the trace: one runs in the background at a time,
  // and the panel and tooltips follow when it lands.
  retraceLater() {
    if (!this.chosen) return;
    if (this.tracing) { this.stale = true; return; }
    this.stale = false;
    this.tracing = this.retrace().then(() => {
      this.tracing = null;
      this.show();
      if (this.stale) this.retraceLater();
    });
  }

  // A node's value at the chosen point (input nodes: the feature's value), for tooltips
  // and a wide layer's cells (looked up by id: 256 cells a frame).
  valueAt(nodeId) {
    if (!this.trace) return null;
    const trace = this.trace;
    if (this.values?.trace !== trace) {
      const byNode = new Map([...trace.features, ...trace.forward].map((s) => [s.node, s.value]));
      this.values = { trace, byNode };
    }
    const value = this.values.byNode.get(nodeId);
    return value === undefined ? null : { point: trace.point, value };
  }

  // Jump to a node's forward step (the unit picker: a wide layer's 100th neuron is 100
  // presses of Next away).
  async goTo(nodeId) {
    if (!this.chosen) {
      this.state.messages.error(new PageMessage("pointNeeded"), "point");
      return;
    }
    await this.traced();
    const index = this.trace ? this.trace.forward.findIndex((s) => s.node === nodeId) : -1;
    if (index < 0) return;
    this.index = index;
    this.show();
  }

  steps() {
    if (!this.trace) return [];
    return [...this.trace.forward.map((s) => ({ phase: "forward", s })),
            ...(this.trace.backward || []).map((s) => ({ phase: "backward", s }))];
  }

  async walk(delta) {
    if (!this.chosen) {                       // never guess a point: ask for one
      this.state.messages.error(new PageMessage("pointNeeded"), "point");
      return;
    }
    await this.traced();
    if (!this.trace) return;
    const last = this.steps().length - 1;
    const forwardEnd = this.trace.forward.length - 1;
    if (delta === Infinity) {
      // "run to the end": of the forward pass first, then of the backward pass
      this.index = this.index < forwardEnd ? forwardEnd : last;
    } else {
      this.index = Math.max(0, Math.min(last, this.index + delta));
    }
    this.show();
  }

  // The panel: a first hint, the chosen point, or the current step's arithmetic.
  show() {
    const t = this.tr.t;
    if (this.network?.strips.size && this.state.snapshot) {
      this.network.paintCells(this.state.snapshot, (id) => this.valueAt(id)?.value ?? null);
    }
    const steps = this.steps();
    let lines;
    if (!this.chosen) lines = [t("calcHint")];
    else if (this.index < 0 || !steps.length) lines = [this.pointLine(), t("calcHint")];
    else {
      const { phase, s } = steps[Math.min(this.index, steps.length - 1)];
      lines = phase === "forward" ? this.forwardLines(s, this.index) : this.backwardLines(s, this.index);
    }
    setProp($("#apply-update"), "disabled",
      this.state.diverged || !(this.index >= 0 && steps[this.index]?.phase === "backward"));
    const panel = $("#calc-panel");
    if (this.shownLines === lines.join("\n") && panel.childElementCount === lines.length) return;
    this.shownLines = lines.join("\n");
    panel.replaceChildren(...lines.map((line) =>
      Object.assign(document.createElement("div"), { textContent: line })));
  }

  pointLine() {
    const { point, label } = this.chosen;
    const where = { x1: fmt(point[0], 2), x2: fmt(point[1], 2) };
    return label === undefined ? this.tr.t("chosenPointIs", where)
      : this.tr.t("chosenWithLabel", { ...where, label });
  }

  forwardLines(step, index) {
    const t = this.tr.t;
    const trace = this.trace;
    const [l, j] = step.node.split(":");
    const labels = new Map(step.inputs.map((i) => [`${l - 1}:${i.from.split(":")[1]}:${j}`, `${fmt(i.value, 2)}×${fmt(i.weight, 2)}`]));
    this.network.highlight(step.node, labels, fmt(step.value));
    const lines = [this.pointLine(), t("nodeOf", { node: step.node, i: index + 1, n: this.steps().length }), step.formula];
    // a batch-normalized node: its own line, and the activation reads y, not z
    const norm = step.batch_norm;
    if (norm) lines.push(t("bnStep"), norm.formula);
    const input = norm ? { ...step, z: norm.value } : step;
    if (step.activation === "relu" && input.z <= 0) {
      lines.push(t("hiddenChange", { act: step.activation, z: norm ? "y" : "z" }));
    }
    const layer = this.state.config.hidden[l - 1];
    if (layer?.activation === step.activation && ACTIVATION_LINES[step.activation]) {
      lines.push(ACTIVATION_LINES[step.activation](t, input, layer));
    }
    if (index === trace.forward.length - 1) {
      const out = trace.output;
      if (out.threshold !== undefined) {
        lines.push(t("outSigmoid", { p: fmt(out.values[0]), th: out.threshold, k: out.prediction }));
      } else if (out.probability_sum !== undefined) {
        const list = out.values.map((v, k) => `p${k} = ${fmt(v)}`).join(", ");
        const key = this.state.config.head === "one_vs_all" ? "outOneVsAll" : "outMulti";
        lines.push(t(key, { list, sum: fmt(out.probability_sum), k: out.prediction }));
      } else {
        lines.push(t("outRegression", { v: fmt(out.prediction) }));
      }
      if (!trace.backward) lines.push(t("noLabel"));
    }
    return lines;
  }

  backwardLines(step, index) {
    const t = this.tr.t;
    const lr = this.state.config.learning_rate;
    const [l, j] = step.node.split(":").map(Number);
    const forward = this.trace.forward.find((f) => f.node === step.node);
    const labels = new Map(step.weight_grads.map((g) => [`${l - 1}:${g.from.split(":")[1]}:${j}`, fmt(g.grad)]));
    this.network.highlight(step.node, labels);
    const lines = [
      t("backwardOf", { node: step.node, i: index + 1, n: this.steps().length }),
      `${t("lossOfExample")} = ${fmt(this.trace.loss)}`,
      step.formula,
      `${t("weightGrad")}:`,
    ];
    for (const g of step.weight_grads) {
      const input = forward.inputs.find((i) => i.from === g.from);
      lines.push(`  ${g.from}→${step.node}: ${fmt(input.value)} × ${fmtSig(step.dz)} = ${fmtSig(g.grad)};  ` +
                 `Δw = −${lr} × ${fmtSig(g.grad)} = ${fmtSig(g.update)}`);
    }
    lines.push(`  ${t("biasGradLine", { g: fmtSig(step.bias_grad), d: fmtSig(step.bias_update) })}`);
    if (step.gamma_grad !== undefined) {
      lines.push(`  ${t("bnGradLine", { g: fmtSig(step.gamma_grad), b: fmtSig(step.beta_grad) })}`);
    }
    lines.push(t("updateLine", { lr }));
    return lines;
  }

  async applyUpdate() {
    if (!this.chosen || this.chosen.label === undefined) return;
    const ok = await this.state.change(async () => {
      const snap = await api.exampleStep(this.state.sessionId, this.chosen.point, this.chosen.label);
      await this.state.show(snap);
    }, "point");
    if (ok) this.state.messages.note("applied");
  }
}
