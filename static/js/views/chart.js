// The loss chart: training (grey) and test (black) loss over the run, and for classifiers
// the test accuracy (dashed, on its own 0..1 scale at the right), with a loss axis at the
// left and the epochs below. The server keeps the history bounded, so a redraw costs the
// same after 20,000 epochs as after 20. Drawn in CSS pixels on a DPR-scaled canvas; its
// text, margins and lines grow with the drawing scale (scale.js).

import { scaleForScreen } from "./plot.js";
import { drawing } from "./scale.js";

const LEFT = 34, RIGHT = 22, TOP = 6, BOTTOM = 16;   // margins for 10 px text

export class LossChart {
  constructor(canvas, { width, height }) {
    this.canvas = canvas;
    this.width = width;
    this.height = height;
    this.drawn = null;
    scaleForScreen(canvas, width, height);
  }

  // Draw at WIDTH x HEIGHT CSS px from now on, at the drawing scale of now.
  resize(width, height) {
    if (width !== this.width || height !== this.height) scaleForScreen(this.canvas, width, height);
    Object.assign(this, { width, height, drawn: null });
  }

  draw(history, labels) {
    const last = history[history.length - 1];
    const key = `${history.length}:${last?.step}:${last?.train_loss}:${labels.epoch}:${drawing.text}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const ctx = this.canvas.getContext("2d");
    const dpr = this.canvas.width / this.width;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const W = this.width, H = this.height;
    const k = drawing.text;
    const [left, right, top, bottom] = [LEFT * k, RIGHT * k, TOP * k, BOTTOM * k];
    ctx.clearRect(0, 0, W, H);
    if (history.length < 1) return;
    let max = 0;
    for (const p of history) max = Math.max(max, p.train_loss ?? 0, p.test_loss ?? 0);
    max = niceCeil(max || 1);
    const first = history[0].step, span = Math.max(1, last.step - first);
    const plotW = W - left - right, plotH = H - top - bottom;
    const x = (p) => left + ((p.step - first) / span) * plotW;
    const y = (v) => top + plotH - (Math.min(v, max) / max) * plotH;
    this.drawAxes(ctx, { W, H, k, plotW, plotH, max, first: history[0].epoch, lastEpoch: last.epoch, labels,
                         accuracy: history.some((p) => p.test_accuracy != null) });
    for (const [field, color] of [["train_loss", "#999"], ["test_loss", "#111"]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5 * drawing.line;
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
      ctx.setLineDash([4 * drawing.line, 3 * drawing.line]);
      ctx.lineWidth = drawing.line;
      ctx.beginPath();
      let started = false;
      for (const p of history) {
        if (p.test_accuracy == null) continue;
        const py = top + plotH - p.test_accuracy * plotH;
        if (!started) { ctx.moveTo(x(p), py); started = true; } else ctx.lineTo(x(p), py);
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  // k: the text scale (margins, offsets and letters were measured for 10 px text)
  drawAxes(ctx, { W, H, k, plotW, plotH, max, first, lastEpoch, labels, accuracy }) {
    const [left, top] = [LEFT * k, TOP * k];
    ctx.strokeStyle = "#ccc";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left - 0.5, top); ctx.lineTo(left - 0.5, top + plotH + 0.5); ctx.lineTo(left + plotW, top + plotH + 0.5);
    ctx.stroke();
    ctx.fillStyle = "#666";
    ctx.font = `${10 * k}px sans-serif`;
    ctx.textAlign = "right";
    ctx.fillText(formatTick(max), left - 4 * k, top + 8 * k);
    ctx.fillText(formatTick(max / 2), left - 4 * k, top + plotH / 2 + 3 * k);
    ctx.fillText("0", left - 4 * k, top + plotH + 3 * k);
    if (accuracy) {
      ctx.textAlign = "left";
      ctx.fillStyle = "rgba(8, 119, 189, 0.9)";
      ctx.fillText("1", left + plotW + 4 * k, top + 8 * k);
      ctx.fillText("0", left + plotW + 4 * k, top + plotH + 3 * k);
      ctx.fillStyle = "#666";
    }
    ctx.textAlign = "left";
    ctx.fillText(String(first), left, H - 3 * k);
    ctx.textAlign = "right";
    ctx.fillText(String(lastEpoch), left + plotW, H - 3 * k);
    ctx.textAlign = "center";
    ctx.fillText(labels.epoch, left + plotW / 2, H - 3 * k);
    ctx.textAlign = "left";
  }
}

// The next "nice" number at or above v: 1, 2 or 5 times a power of ten.
export function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// A tick fits the left margin (4 characters): "12", "0.69", "0.05", then "5e-4" (a small
// loss, after a long run or a loaded model, read ".0005" with its 0 cut off).
export const formatTick = (v) => (v >= 10 ? String(Math.round(v))
  : v >= 0.01 || v <= 0 ? String(Number(v.toPrecision(2))) : v.toExponential(0));
