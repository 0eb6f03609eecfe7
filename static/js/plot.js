// The big output plot: the decision surface (or a hovered node's output) under the
// training points (white ring) and, optionally, the test points (dark ring).

import { BLUE, CLASS_COLORS, ORANGE, css, decodeGrid, diverging, paint } from "./colors.js";

const EXTENT = 6;

export class OutputPlot {
  constructor(canvas, { onPick }) {
    this.canvas = canvas;
    this.surface = document.createElement("canvas");
    this.onPick = onPick;
    canvas.addEventListener("click", (ev) => {
      const r = canvas.getBoundingClientRect();
      const x1 = -EXTENT + (2 * EXTENT * (ev.clientX - r.left)) / r.width;
      const x2 = EXTENT - (2 * EXTENT * (ev.clientY - r.top)) / r.height;
      this.onPick([round2(x1), round2(x2)]);
    });
  }

  // Colour of one output value, by problem kind. `values` are the output grid; for
  // multi-class, `classes` the winning class grid.
  static colorFor({ kind, discretize, threshold, classIndex }) {
    if (kind === "multiclass") {
      return (p, i) => {
        const c = CLASS_COLORS[classIndex[i] | 0];
        const a = discretize ? 1 : Math.max(0, Math.min(1, p));
        return [232 + (c[0] - 232) * a, 234 + (c[1] - 234) * a, 235 + (c[2] - 235) * a];
      };
    }
    if (kind === "regression") return (v) => diverging(v);
    return discretize ? (p) => (p >= threshold ? ORANGE : BLUE) : (p) => diverging(2 * p - 1);
  }

  draw({ heatmaps, grid, data, kind, threshold, discretize, showTest, chosen, nodeColor }) {
    const R = grid ? heatmaps.node_resolution || heatmaps.resolution : heatmaps.resolution;
    const values = decodeGrid(grid || heatmaps.output, R);
    let color;
    if (grid) color = nodeColor || diverging;
    else {
      const classIndex = heatmaps.output_class ? decodeGrid(heatmaps.output_class, R) : null;
      color = OutputPlot.colorFor({ kind, discretize, threshold, classIndex });
    }
    paint(this.surface, values, R, color);
    const ctx = this.canvas.getContext("2d");
    const W = this.canvas.width, H = this.canvas.height;
    ctx.imageSmoothingEnabled = !discretize;
    ctx.drawImage(this.surface, 0, 0, W, H);
    if (!grid && kind === "binary") this.drawBoundary(ctx, values, R, threshold, W, H);
    if (data) {
      this.drawPoints(ctx, data.train, kind, "white", W, H);
      if (showTest) this.drawPoints(ctx, data.test, kind, "#222", W, H);
    }
    if (chosen) {
      const [px, py] = toPixel(chosen, W, H);
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(px - 7, py); ctx.lineTo(px + 7, py); ctx.moveTo(px, py - 7); ctx.lineTo(px, py + 7);
      ctx.stroke();
    }
    this.drawAxes(ctx, W, H);
  }

  // The threshold line: every cell edge where the predicted class changes.
  drawBoundary(ctx, values, R, threshold, W, H) {
    const cw = W / R, ch = H / R;
    ctx.strokeStyle = "rgba(20, 20, 20, 0.75)";
    ctx.lineWidth = 1.5;
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

  drawPoints(ctx, set, kind, ring, W, H) {
    ctx.lineWidth = 1;
    ctx.strokeStyle = ring;
    for (let i = 0; i < set.x.length; i++) {
      const y = set.y[i];
      let fill;
      if (kind === "multiclass") fill = CLASS_COLORS[y | 0];
      else if (kind === "regression") fill = diverging(y);
      else fill = y >= 0.5 ? ORANGE : BLUE;
      const [px, py] = toPixel(set.x[i], W, H);
      ctx.fillStyle = css(fill);
      ctx.beginPath();
      ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }

  drawAxes(ctx, W, H) {
    ctx.fillStyle = "rgba(0,0,0,0.55)";
    ctx.font = "10px sans-serif";
    for (const v of [-6, -3, 0, 3, 6]) {
      const [px] = toPixel([v, 0], W, H);
      ctx.fillText(String(v), Math.min(W - 12, Math.max(1, px - 4)), H - 2);
      const [, py] = toPixel([0, v], W, H);
      ctx.fillText(String(v), 2, Math.min(H - 12, Math.max(10, py + 3)));
    }
  }
}

function toPixel([x1, x2], W, H) {
  return [((x1 + EXTENT) / (2 * EXTENT)) * W, ((EXTENT - x2) / (2 * EXTENT)) * H];
}

const round2 = (v) => Math.round(v * 100) / 100;
