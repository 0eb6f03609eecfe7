// The diagram's edge strokes, drawn on one canvas under the edges' SVG elements (which stay
// for the pointer, the keyboard, the contract's data-weight/data-value and the highlighted
// states) by a worker (edge_worker.js). Chromium rasterizes an SVG on a single raster
// thread here and makes the whole page wait for it: a big diagram's redraw (~100 of 1,900
// strokes restyled) took 20-40 ms to rasterize, a dropped frame or two every time, on top
// of ~5 ms of restyle, layout and repaint on the main thread. A worker's canvas is drawn
// and shown on its own. Where a worker cannot draw (no OffscreenCanvas) the page does.

import { BLUE, ORANGE, css } from "./colors.js";
import { scaleForScreen } from "./plot.js";

export const POSITIVE = css(ORANGE, 0.85), NEGATIVE = css(BLUE, 0.85);   // by the weight's sign

// Each edge a cubic from (x1, y1) to (x2, y2), flat at both ends (geometry: 4 numbers an
// edge), stroked `widths[k]` CSS px wide in its sign's colour, in the edges' order.
export function drawEdges(ctx, { dpr, width, height, geometry, widths, positive }) {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  for (let k = 0; k < widths.length; k++) {
    const x1 = geometry[4 * k], y1 = geometry[4 * k + 1], x2 = geometry[4 * k + 2], y2 = geometry[4 * k + 3];
    const mx = (x1 + x2) / 2;
    const color = positive[k] ? POSITIVE : NEGATIVE;
    if (ctx.strokeStyle !== color) ctx.strokeStyle = color;   // a colour string is parsed
    ctx.lineWidth = widths[k];
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.bezierCurveTo(mx, y1, mx, y2, x2, y2);
    ctx.stroke();
  }
}

export class EdgeStrokes {
  // width x height: the diagram's size in CSS px; geometry: see drawEdges
  constructor({ width, height, geometry }) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "edge-strokes";
    const dpr = scaleForScreen(this.canvas, width, height);   // before the worker takes it
    this.scene = { dpr, width, height, geometry };
    this.worker = null;   // none: the page draws
    if (!this.canvas.transferControlToOffscreen) return;
    let worker = null;
    try {
      worker = new Worker(new URL("./edge_worker.js", import.meta.url), { type: "module" });
      const offscreen = this.canvas.transferControlToOffscreen();
      worker.postMessage({ canvas: offscreen, ...this.scene }, [offscreen]);
      this.worker = worker;
    } catch {
      worker?.terminate();
    }
  }

  // widths: Float32Array, positive: Uint8Array, an entry an edge (both handed over)
  draw(widths, positive) {
    if (this.worker) this.worker.postMessage({ widths, positive }, [widths.buffer, positive.buffer]);
    else drawEdges(this.canvas.getContext("2d"), { ...this.scene, widths, positive });
  }

  close() {
    this.worker?.terminate();
  }
}
