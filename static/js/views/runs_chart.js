// Several loss curves over epochs on one pair of axes: the compare panel's runs, the A/B
// view's two playgrounds. Each curve has its own colour AND its own dash, so curves stay
// apart for a colour-blind reader and on a washed-out projector; one of them may be
// highlighted (the others fade). Drawn in CSS pixels on a DPR-scaled canvas, its text and
// strokes at the drawing scale (scale.js), as the loss chart is.

import { formatTick, niceCeil } from "./chart.js";
import { scaleForScreen } from "./plot.js";
import { drawing } from "./scale.js";

// Okabe and Ito's colour-blind-safe colours (not their yellow: it vanishes on white), then
// a brown and a grey.
export const RUN_STYLES = [
  { color: "#0072b2", dash: [] },
  { color: "#d55e00", dash: [8, 4] },
  { color: "#009e73", dash: [2, 3] },
  { color: "#cc79a7", dash: [10, 3, 2, 3] },
  { color: "#e69f00", dash: [14, 5] },
  { color: "#56b4e9", dash: [5, 5] },
  { color: "#8c564b", dash: [10, 3, 2, 3, 2, 3] },
  { color: "#6e6e6e", dash: [1, 3] },
];
export const NOW_STYLE = { color: "#111111", dash: [], width: 3 };   // the run under way

const LEFT = 40, RIGHT = 12, TOP = 16, BOTTOM = 30;   // margins for 10 px text

export class RunsChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.width = 0;
    this.height = 0;
  }

  resize(width, height) {
    if (width !== this.width || height !== this.height) scaleForScreen(this.canvas, width, height);
    Object.assign(this, { width, height });
  }

  // series: [{id, points: [[x, y|null], ...], color, dash, width (default 2.5), faint}];
  // labels: {x, y}: the axes' names; highlight: the id of the curve to bring forward.
  draw(series, { labels, highlight = null }) {
    const ctx = this.canvas.getContext("2d");
    const dpr = this.canvas.width / Math.max(1, this.width);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    const k = drawing.text;
    const box = { left: LEFT * k, top: TOP * k, width: this.width - (LEFT + RIGHT) * k,
                  height: this.height - (TOP + BOTTOM) * k };
    const { xMax, yMax } = ranges(series);
    const x = (v) => box.left + (v / xMax) * box.width;
    const y = (v) => box.top + box.height - (v / yMax) * box.height;
    this.axes(ctx, box, { xMax, yMax, k, labels });
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top - 2, box.width + 2, box.height + 2);
    ctx.clip();   // a spike above the scale runs off the top, not over the labels
    const order = [...series].sort((a, b) => (a.id === highlight) - (b.id === highlight));
    for (const s of order) {
      const lifted = s.id === highlight;
      ctx.globalAlpha = highlight && !lifted ? 0.25 : s.faint ? 0.5 : 1;
      ctx.strokeStyle = ctx.fillStyle = s.color;
      ctx.lineWidth = (s.width ?? 2.5) * (lifted ? 1.8 : 1) * drawing.line;
      ctx.setLineDash(s.dash.map((d) => d * drawing.line));
      ctx.beginPath();
      let open = false;
      for (const [px, py] of s.points) {
        if (py === null) { open = false; continue; }
        if (open) ctx.lineTo(x(px), y(py)); else ctx.moveTo(x(px), y(py));
        open = true;
      }
      ctx.stroke();
      const drawn = s.points.filter((p) => p[1] !== null);
      if (drawn.length === 1) {   // a run that has not trained yet: its one point
        ctx.beginPath();
        ctx.arc(x(drawn[0][0]), y(drawn[0][1]), 3 * drawing.line, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.restore();
    ctx.setLineDash([]);
    // for tests and the curious: which curves were drawn, with how many points
    this.canvas.dataset.drawn = series.map((s) => `${s.id}:${s.points.length}`).join(" ");
  }

  axes(ctx, box, { xMax, yMax, k, labels }) {
    const bottom = box.top + box.height;
    ctx.strokeStyle = "#bbb";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(box.left - 0.5, box.top);
    ctx.lineTo(box.left - 0.5, bottom + 0.5);
    ctx.lineTo(box.left + box.width, bottom + 0.5);
    ctx.stroke();
    ctx.fillStyle = "#555";
    ctx.font = `${11 * k}px sans-serif`;
    ctx.textAlign = "right";
    for (const v of [yMax, yMax / 2, 0]) {
      const py = bottom - (v / yMax) * box.height;
      ctx.fillText(v ? formatTick(v) : "0", box.left - 4 * k, py + 4 * k);
    }
    ctx.textAlign = "left";
    ctx.fillText(labels.y, box.left, box.top - 5 * k);
    ctx.textAlign = "center";
    const step = Math.max(1, niceCeil(xMax / 4));   // whole epochs: never "0 1 1"
    for (let v = 0; v <= xMax + 1e-9; v += step) {
      ctx.fillText(String(Math.round(v)), box.left + (v / xMax) * box.width, bottom + 13 * k);
    }
    ctx.fillText(labels.x, box.left + box.width / 2, bottom + 26 * k);
    ctx.textAlign = "left";
  }
}

// The axes' ends: x to the last epoch drawn; y from 0 to a nice number above the curves,
// but at most twice the highest starting loss, so that one run that blew up (a loss of
// 40) does not flatten every other curve into the floor.
function ranges(series) {
  let xMax = 1, yHigh = 0, firstHigh = 0;
  for (const s of series) {
    const first = s.points.find((p) => p[1] !== null);
    if (first) firstHigh = Math.max(firstHigh, first[1]);
    for (const [px, py] of s.points) {
      xMax = Math.max(xMax, px);
      if (py !== null) yHigh = Math.max(yHigh, py);
    }
  }
  const top = firstHigh > 0 ? Math.min(yHigh, 2 * firstHigh) : yHigh;
  return { xMax, yMax: niceCeil(top > 0 ? top : 1) };
}

// A curve's style as a short line for a legend (an SVG, so its dash shows as drawn).
export function lineSwatch({ color, dash, width = 2.5 }) {
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "line-swatch");
  svg.setAttribute("width", "30");
  svg.setAttribute("height", "10");
  svg.setAttribute("aria-hidden", "true");
  const line = document.createElementNS(NS, "line");
  for (const [k, v] of Object.entries({ x1: 1, y1: 5, x2: 29, y2: 5, stroke: color, "stroke-width": width })) {
    line.setAttribute(k, String(v));
  }
  if (dash.length) line.setAttribute("stroke-dasharray", dash.join(" "));
  svg.append(line);
  return svg;
}
