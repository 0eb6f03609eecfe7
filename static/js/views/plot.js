// The big output plot: the decision surface (or a hovered node's output) under the
// training points (white ring) and, optionally, the test points (dark ring). It draws in
// CSS pixels on a context scaled by devicePixelRatio, so text and points keep their size
// on high-DPI screens; its points grow with its size, its text and lines with the drawing
// scale (scale.js). Focused, the arrow keys move the chosen point (Shift: finer). A tool
// (drawing.js) may take the pointer instead: it gets data coordinates from the same mapping,
// and its pending points, the points it will remove and the eraser are drawn on top.

import { BLUE, CLASS_COLORS, ORANGE, css, decodeGrid, diverging, labelColor, paint } from "./colors.js";
import { drawing } from "./scale.js";

export const EXTENT = 6;   // the input square is [-6, 6]^2
const KEY_STEP = 0.5, FINE_STEP = 0.1;

export class OutputPlot {
  constructor(canvas, { size, onPick }) {
    this.canvas = canvas;
    this.size = size;
    this.surface = document.createElement("canvas");
    this.points = document.createElement("canvas");   // the data points, drawn once (below)
    this.onPick = onPick;
    this.cursor = null;
    this.tool = null;
    scaleForScreen(canvas, size, size);
    canvas.addEventListener("click", (ev) => {
      if (!this.tool) this.onPick(this.at(ev), { snap: true });
    });
    this.bindTool();
    canvas.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {          // choose where the cursor is
        ev.preventDefault();
        if (this.tool) this.tool.key(this.cursor || [0, 0]);
        else this.onPick(this.cursor || [0, 0], { snap: false });
        return;
      }
      const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[ev.key];
      if (!move) return;
      ev.preventDefault();
      const step = ev.shiftKey ? FINE_STEP : KEY_STEP;
      const [x1, x2] = this.cursor || [0, 0];
      this.onPick([clamp(round2(x1 + move[0] * step)), clamp(round2(x2 + move[1] * step))], { snap: false });
    });
  }

  // The point of the square under a pointer event, to 0.01, kept inside the square.
  at(ev) {
    const r = this.canvas.getBoundingClientRect();
    const x1 = -EXTENT + (2 * EXTENT * (ev.clientX - r.left)) / r.width;
    const x2 = EXTENT - (2 * EXTENT * (ev.clientY - r.top)) / r.height;
    return [clamp(round2(x1)), clamp(round2(x2))];
  }

  // A tool ({down, move, up, hover, key}, each given a point) takes the pointer and Enter
  // from the step-through while set; null gives them back.
  setTool(tool) {
    this.tool = tool;
    this.canvas.classList.toggle("with-tool", Boolean(tool));
  }

  bindTool() {
    const canvas = this.canvas;
    let stroke = null;   // the pointer drawing a stroke
    canvas.addEventListener("pointerdown", (ev) => {
      if (!this.tool || ev.button !== 0) return;
      ev.preventDefault();
      canvas.setPointerCapture?.(ev.pointerId);
      stroke = ev.pointerId;
      this.tool.down(this.at(ev));
    });
    canvas.addEventListener("pointermove", (ev) => {
      if (!this.tool) return;
      if (stroke === ev.pointerId) this.tool.move(this.at(ev));
      else this.tool.hover(this.at(ev));
    });
    const end = (ev) => {
      if (stroke !== ev.pointerId) return;
      stroke = null;
      this.tool?.up();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("pointerleave", () => this.tool?.hover(null));
  }

  // Draw at SIZE x SIZE CSS px from now on, at the drawing scale of now (the caller draws again).
  resize(size) {
    if (size !== this.size) scaleForScreen(this.canvas, size, size);
    this.size = size;
    this.pointsOf = null;   // the drawing scale may have changed too
  }

  // Colour of one output value. Whenever the server sends the winning class (softmax,
  // one-vs-all, on any dataset) the plot is coloured by class; a sigmoid's probability
  // runs from blue (class 0) to orange (class 1); a regression's value likewise.
  static colorFor({ kind, discretize, threshold, classIndex }) {
    if (classIndex) {
      return (p, i) => {
        const c = CLASS_COLORS[Math.round(classIndex[i])];   // u8-decoded: 2.996 is class 3
        const a = discretize ? 1 : Math.max(0, Math.min(1, p));
        return [232 + (c[0] - 232) * a, 234 + (c[1] - 234) * a, 235 + (c[2] - 235) * a];
      };
    }
    if (kind === "regression") return (v) => diverging(v);
    return discretize ? (p) => (p >= threshold ? ORANGE : BLUE) : (p) => diverging(2 * p - 1);
  }

  draw({ heatmaps, grid, gridColor, data, kind, threshold, discretize, showTest, chosen, overlay = null }) {
    // a canvas of no size (a panel not laid out yet, e.g. while presenter mode resizes) has
    // nothing to show, and drawImage from a zero-size layer throws
    if (!this.canvas.width || !this.canvas.height) return;
    const R = grid ? heatmaps.node_resolution || heatmaps.resolution : heatmaps.resolution;
    const values = decodeGrid(grid || heatmaps.output, R);
    let color;
    if (grid) color = gridColor || diverging;
    else {
      const classIndex = heatmaps.output_class ? decodeGrid(heatmaps.output_class, R) : null;
      color = OutputPlot.colorFor({ kind, discretize, threshold, classIndex });
    }
    paint(this.surface, values, R, color);
    const ctx = this.canvas.getContext("2d");
    const dpr = this.canvas.width / this.size;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const W = this.size, H = this.size;
    ctx.imageSmoothingEnabled = !discretize;
    ctx.drawImage(this.surface, 0, 0, W, H);
    if (!grid && kind === "binary" && !heatmaps.output_class) this.drawBoundary(ctx, values, R, threshold, W, H);
    if (data && !overlay?.hideData) {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(this.pointLayer(data, kind, showTest), 0, 0);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    }
    if (overlay) this.drawOverlay(ctx, overlay, kind, W, H);
    this.cursor = chosen || null;
    if (chosen) {
      const [px, py] = toPixel(chosen, W, H);
      const arm = 7 * drawing.line;
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2 * drawing.line;
      ctx.beginPath();
      ctx.moveTo(px - arm, py); ctx.lineTo(px + arm, py); ctx.moveTo(px, py - arm); ctx.lineTo(px, py + arm);
      ctx.stroke();
    }
    this.drawAxes(ctx, W, H);
  }

  // The threshold line: every cell edge where the predicted class changes.
  drawBoundary(ctx, values, R, threshold, W, H) {
    const cw = W / R, ch = H / R;
    ctx.strokeStyle = "rgba(20, 20, 20, 0.75)";
    ctx.lineWidth = 1.5 * drawing.line;
    ctx.beginPath();
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < R; c++) {
        const here = values[r * R + c] >= threshold;
        if (c + 1 < R && here !== (values[r * R + c + 1] >= threshold)) {
          ctx.moveTo((c + 1) * cw, r * ch); ctx.lineTo((c + 1) * cw, (r + 1) * ch);
        }
        if (r + 1 < R && here !== (values[(r + 1) * R + c] >= threshold)) {
          ctx.moveTo(c * cw, (r + 1) * ch); ctx.lineTo((c + 1) * cw, (r + 1) * ch);
        }
      }
    }
    ctx.stroke();
  }

  // The training (white ring) and test (dark ring) points on a layer of their own, drawn
  // again only when they change: ~500 circles cost ~1.5 ms to draw, every frame.
  pointLayer(data, kind, showTest) {
    const layer = this.points;
    const { width, height } = this.canvas;
    if (this.pointsOf?.data === data && this.pointsOf.kind === kind && this.pointsOf.showTest === showTest
        && layer.width === width && layer.height === height) return layer;
    this.pointsOf = { data, kind, showTest };
    layer.width = width;
    layer.height = height;
    const ctx = layer.getContext("2d");
    const dpr = width / this.size;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.drawPoints(ctx, data.train, kind, "white", this.size, this.size);
    if (showTest) this.drawPoints(ctx, data.test, kind, "#222", this.size, this.size);
    return layer;
  }

  drawPoints(ctx, set, kind, ring, W, H) {
    const radius = 3.2 * Math.max(1, W / 300);   // a bigger plot (presenter mode), bigger points
    ctx.lineWidth = drawing.line;
    ctx.strokeStyle = ring;
    for (let i = 0; i < set.x.length; i++) {
      const [px, py] = toPixel(set.x[i], W, H);
      ctx.fillStyle = css(labelColor(kind, set.y[i]));
      ctx.beginPath();
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }

  // A tool's marks: points about to be removed crossed out, points not yet sent (a dark
  // ring), the eraser's reach (a dashed circle).
  drawOverlay(ctx, { pending = [], removing = [], eraser = null }, kind, W, H) {
    const radius = 3.2 * Math.max(1, W / 300);
    const arm = radius + 1.5 * drawing.line;
    ctx.lineWidth = 1.5 * drawing.line;
    ctx.strokeStyle = "#111";
    ctx.beginPath();
    for (const point of removing) {
      const [px, py] = toPixel(point, W, H);
      ctx.moveTo(px - arm, py - arm); ctx.lineTo(px + arm, py + arm);
      ctx.moveTo(px + arm, py - arm); ctx.lineTo(px - arm, py + arm);
    }
    ctx.stroke();
    for (const [x1, x2, label] of pending) {
      const [px, py] = toPixel([x1, x2], W, H);
      ctx.fillStyle = css(labelColor(kind, label));
      ctx.beginPath();
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    if (eraser) {
      const [px, py] = toPixel(eraser.at, W, H);
      ctx.setLineDash([4 * drawing.line, 3 * drawing.line]);
      ctx.beginPath();
      ctx.arc(px, py, (eraser.radius / (2 * EXTENT)) * W, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  drawAxes(ctx, W, H) {
    const k = drawing.text;
    ctx.fillStyle = "rgba(0,0,0,0.55)";
    ctx.font = `${10 * k}px sans-serif`;
    for (const v of [-6, -3, 0, 3, 6]) {
      const [px] = toPixel([v, 0], W, H);
      ctx.fillText(String(v), Math.min(W - 12 * k, Math.max(1, px - 4 * k)), H - 2 * k);
      const [, py] = toPixel([0, v], W, H);
      ctx.fillText(String(v), 2, Math.min(H - 12 * k, Math.max(10 * k, py + 3 * k)));
    }
  }
}

// A canvas of w x h CSS pixels backed by w*dpr x h*dpr device pixels; draw with
// ctx.setTransform(dpr, ...) in CSS pixels.
export function scaleForScreen(canvas, w, h) {
  const dpr = Math.min(3, window.devicePixelRatio || 1);
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  return dpr;
}

function toPixel([x1, x2], W, H) {
  return [((x1 + EXTENT) / (2 * EXTENT)) * W, ((EXTENT - x2) / (2 * EXTENT)) * H];
}

const round2 = (v) => Math.round(v * 100) / 100;
const clamp = (v) => Math.max(-EXTENT, Math.min(EXTENT, v));
