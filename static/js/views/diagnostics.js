// Diagnostics beside the network: each layer's gradient size over training (log scale)
// with a plain-words flag, dead units, overfitting, and the confusion matrix. Numbers and
// flags from the server; this view only words and draws them.

import { onScreen, setProp, setText } from "../dom.js";
import { scaleForScreen } from "./plot.js";

const LAYER_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
  "#999999", "#000000", "#F0E442"];
const CHART = { width: 300, height: 90 };

export class DiagnosticsView {
  constructor({ chart, legend, flag, dead, overfit, confusion, confusionBox }) {
    Object.assign(this, { chart, legend, flag, dead, overfit, confusion, confusionBox });
    this.drawn = null;
    this.behind = null;          // the chart's last drawing, waiting for it to be seen
    this.onScreen = onScreen(chart, () => this.catchUp());
    scaleForScreen(chart, CHART.width, CHART.height);
  }

  // playing: the gradient chart is drawn only while on screen (caught up when it comes back)
  render(snapshot, tr, { playing = false } = {}) {
    const d = snapshot.diagnostics;
    if (!d) return;
    const t = tr.t;
    setText(this.flag, gradientText(d, snapshot.config, t));
    setProp(this.flag, "className", d.gradient_flag ? "warn" : "");
    setText(this.dead, d.dead_units.length
      ? tr.tn("deadSome", d.dead_units.length, { list: d.dead_units.join(", ") }) : t("deadNone"));
    setProp(this.dead, "className", d.dead_units.length ? "warn" : "");
    const o = d.overfitting;
    setText(this.overfit, o ? t("overfitting", { train: o.train_loss.toFixed(3), test: o.test_loss.toFixed(3) }) : "");
    setProp(this.overfit, "className", o ? "warn" : "");
    this.behind = [snapshot.history, snapshot.layers.length - 1, tr];
    if (!playing || this.onScreen.seen) this.catchUp();
    this.drawConfusion(d.confusion, t);
  }

  catchUp() {
    if (this.behind) this.drawGradients(...this.behind);
    this.behind = null;
  }

  drawGradients(history, depth, tr) {
    const points = history.filter((p) => p.gradient_sizes && p.gradient_sizes.length === depth);
    const last = points[points.length - 1];
    const key = `${points.length}:${last?.step}:${depth}:${tr.lang}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const ctx = this.chart.getContext("2d");
    ctx.setTransform(this.chart.width / CHART.width, 0, 0, this.chart.width / CHART.width, 0, 0);
    const W = CHART.width, H = CHART.height;
    ctx.clearRect(0, 0, W, H);
    if (!points.length) return;
    let lo = Infinity, hi = -Infinity;
    for (const p of points) {
      for (const s of p.gradient_sizes) {
        if (s > 0) { lo = Math.min(lo, Math.log10(s)); hi = Math.max(hi, Math.log10(s)); }
      }
    }
    if (!Number.isFinite(lo)) return;
    lo = Math.floor(lo); hi = Math.ceil(hi);
    if (hi === lo) hi = lo + 1;
    const first = points[0].step, span = Math.max(1, last.step - first);
    const x = (p) => 26 + ((p.step - first) / span) * (W - 30);
    const y = (v) => H - 4 - ((Math.log10(v) - lo) / (hi - lo)) * (H - 10);
    ctx.fillStyle = "#777";
    ctx.font = "10px sans-serif";
    ctx.fillText(`1e${hi}`, 0, 10);
    ctx.fillText(`1e${lo}`, 0, H - 2);
    for (let l = 0; l < depth; l++) {
      ctx.strokeStyle = LAYER_COLORS[l % LAYER_COLORS.length];
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let started = false;
      for (const p of points) {
        const s = p.gradient_sizes[l];
        if (!(s > 0)) continue;
        if (!started) { ctx.moveTo(x(p), y(s)); started = true; } else ctx.lineTo(x(p), y(s));
      }
      if (points.length === 1 && started) ctx.arc(x(last), y(last.gradient_sizes[l]), 1.5, 0, 7);
      ctx.stroke();
    }
    this.drawLegend(depth, tr);
  }

  // One swatch a layer, made again only when the depth or the language changes.
  drawLegend(depth, tr) {
    const key = `${depth}:${tr.lang}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    this.legend.replaceChildren(...Array.from({ length: depth }, (_, l) => {
      const span_ = document.createElement("span");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.borderTopColor = LAYER_COLORS[l % LAYER_COLORS.length];
      span_.append(swatch, `W${l}`);
      span_.title = `${tr.t("layerName")} ${l} → ${l + 1}`;
      return span_;
    }));
  }

  // The confusion table, its cells rewritten in place while its shape stays.
  drawConfusion(confusion, t) {
    setProp(this.confusionBox, "hidden", !confusion);
    if (!confusion) return;
    const max = Math.max(1, ...confusion.flat());
    const shape = `${confusion.length}:${t("truePredicted")}`;
    if (shape === this.confusionShape) {
      confusion.forEach((row, i) => row.forEach((n, j) => paintCell(this.confusion.rows[i + 1].cells[j + 1], i, j, n, max)));
      return;
    }
    this.confusionShape = shape;
    const k = confusion.length;
    const head = document.createElement("tr");
    head.append(Object.assign(document.createElement("th"), { textContent: t("truePredicted") }));
    for (let j = 0; j < k; j++) head.append(Object.assign(document.createElement("th"), { textContent: String(j) }));
    const rows = confusion.map((row, i) => {
      const tr = document.createElement("tr");
      tr.append(Object.assign(document.createElement("th"), { textContent: String(i) }));
      row.forEach((n, j) => {
        const td = document.createElement("td");
        paintCell(td, i, j, n, max);
        tr.append(td);
      });
      return tr;
    });
    this.confusion.replaceChildren(head, ...rows);
  }
}

function paintCell(td, i, j, n, max) {
  setText(td, String(n));
  setProp(td, "className", i === j ? "hit" : n ? "miss" : "");
  const share = String(n / max);
  if (td.style.getPropertyValue("--share") !== share) td.style.setProperty("--share", share);
}

// The gradient flag in words: what is true of this network, with advice it can act on.
function gradientText(d, config, t) {
  if (d.gradient_flag === "blocked") return t("gradBlocked", { layer: d.blocked_layer });
  if (d.gradient_flag === "exploding") return t("gradExploding");
  const ratio = d.gradient_ratio == null ? null : d.gradient_ratio.toExponential(1);
  if (d.gradient_flag === "vanishing") {
    return d.gradient_cause === "saturation" ? t("gradSaturated", { lr: config.learning_rate })
      : t("gradVanishing", { r: ratio });
  }
  return ratio === null ? t("gradNone") : t("gradOk", { r: ratio });
}
