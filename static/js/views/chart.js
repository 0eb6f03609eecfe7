// The loss chart: training (grey) and test (black) loss over the run, and for classifiers
// the test accuracy (dashed, on its own 0..1 scale at the right), with a loss axis at the
// left and the epochs below. The server keeps the history bounded, so a redraw costs the
// same after 20,000 epochs as after 20. Drawn in CSS pixels on a DPR-scaled canvas.

import { scaleForScreen } from "./plot.js";

const LEFT = 34, RIGHT = 22, TOP = 6, BOTTOM = 16;

export class LossChart {
  constructor(canvas, { width, height }) {
    this.canvas = canvas;
    this.width = width;
    this.height = height;
    this.drawn = null;
    scaleForScreen(canvas, width, height);
  }

  draw(history, labels) {
    const last = history[history.length - 1];
    const key = `${history.length}:${last?.step}:${last?.train_loss}:${labels.epoch}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const ctx = this.canvas.getContext("2d");
    const dpr = this.canvas.width / this.width;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const W = this.width, H = this.height;
    ctx.clearRect(0, 0, W, H);
    if (history.length < 1) return;
    let max = 0;
    for (const p of history) max = Math.max(max, p.train_loss ?? 0, p.test_loss ?? 0);
    max = niceCeil(max || 1);
    const first = history[0].step, span = Math.max(1, last.step - first);
    const plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
    const x = (p) => LEFT + ((p.step - first) / span) * plotW;
    const y = (v) => TOP + plotH - (Math.min(v, max) / max) * plotH;
    this.drawAxes(ctx, { W, H, plotW, plotH, max, first: history[0].epoch, lastEpoch: last.epoch, labels,
                         accuracy: history.some((p) => p.test_accuracy != null) });
    for (const [field, color] of [["train_loss", "#999"], ["test_loss", "#111"]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let started = false;
      for (const p of history) {
        const v = p[field];
        if (v === null || v === undefined) continue;
        if (!started) { ctx.moveTo(x(p), y(v)); started = true; } else ctx.lineTo(x(p), y(v));
      }
      ctx.stroke();
    }
    if (history.some((p) => p.test_accuracy != null)) {
      ctx.strokeStyle = "rgba(8, 119, 189, 0.8)";
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      let started = false;
      for (const p of history) {
        if (p.test_accuracy == null) continue;
        const py = TOP + plotH - p.test_accuracy * plotH;
        if (!started) { ctx.moveTo(x(p), py); started = true; } else ctx.lineTo(x(p), py);
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  drawAxes(ctx, { W, H, plotW, plotH, max, first, lastEpoch, labels, accuracy }) {
    ctx.strokeStyle = "#ccc";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(LEFT - 0.5, TOP); ctx.lineTo(LEFT - 0.5, TOP + plotH + 0.5); ctx.lineTo(LEFT + plotW, TOP + plotH + 0.5);
    ctx.stroke();
    ctx.fillStyle = "#666";
    ctx.font = "10px sans-serif";
    ctx.textAlign = "right";
    ctx.fillText(formatTick(max), LEFT - 4, TOP + 8);
    ctx.fillText(formatTick(max / 2), LEFT - 4, TOP + plotH / 2 + 3);
    ctx.fillText("0", LEFT - 4, TOP + plotH + 3);
    if (accuracy) {
      ctx.textAlign = "left";
      ctx.fillStyle = "rgba(8, 119, 189, 0.9)";
      ctx.fillText("1", LEFT + plotW + 4, TOP + 8);
      ctx.fillText("0", LEFT + plotW + 4, TOP + plotH + 3);
      ctx.fillStyle = "#666";
    }
    ctx.textAlign = "left";
    ctx.fillText(String(first), LEFT, H - 3);
    ctx.textAlign = "right";
    ctx.fillText(String(lastEpoch), LEFT + plotW, H - 3);
    ctx.textAlign = "center";
    ctx.fillText(labels.epoch, LEFT + plotW / 2, H - 3);
    ctx.textAlign = "left";
  }
}

// The next "nice" number at or above v: 1, 2 or 5 times a power of ten.
function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const formatTick = (v) => (v >= 10 ? String(Math.round(v)) : String(Number(v.toPrecision(2))));
