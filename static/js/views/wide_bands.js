// The bands between a wide layer and its neighbours, mixed into NetworkView (with
// wide_layers.js). One band per pair of groups (a unit of a narrow layer is a group of its
// own) stands for their weights together: its hue the sign of their mean, grey when they
// disagree, and the darker the larger they are. Bands are drawn on a canvas, not made
// elements (a network of three 128-unit layers has ~200): the pointer finds one by its
// ribbon's path; the keyboard moves one stand-in element from band to band (B on a unit,
// then the arrows). Pointed at or focused, a band is outlined and its tooltip says what
// it joins and its weights' mean and largest size; a click, Enter or Space opens the unit
// picker at that pair of groups.

import { el } from "../dom.js";
import { BLUE, ORANGE, css, mix } from "./colors.js";
import { scaleForScreen } from "./plot.js";

const GREY = [150, 150, 150];

// A band's ribbon from its first group's slot to its second's (as the canvas fills it).
function ribbon({ x1, x2, ya, yb }) {
  const mx = (x1 + x2) / 2;
  const path = new Path2D();
  path.moveTo(x1, ya[0]);
  path.bezierCurveTo(mx, ya[0], mx, yb[0], x2, yb[0]);
  path.lineTo(x2, yb[1]);
  path.bezierCurveTo(mx, yb[1], mx, ya[1], x1, ya[1]);
  path.closePath();
  return path;
}

export const WideBands = {
  // The bands between layers l and l + 1 (one of them compact): one per pair of groups,
  // each leaving its first group in the slot of its second and arriving in the slot of
  // its first (as a Sankey diagram's), so that they part at both ends.
  addBands(l, sizes) {
    const from = this.groupsOf(l, sizes[l]), to = this.groupsOf(l + 1, sizes[l + 1]);
    const x1 = this.edgeEnd(l, 0, true)[0], x2 = this.edgeEnd(l + 1, 0, false)[0];
    const slot = ([, , top, bottom], k, n) => [top + ((bottom - top) * k) / n, top + ((bottom - top) * (k + 1)) / n];
    from.forEach((a, ia) => to.forEach((b, ib) => {
      const band = { l, a, b, x1, x2, ya: slot(a, ib, to.length), yb: slot(b, ia, from.length) };
      band.path = ribbon(band);
      this.bands.push(band);
    }));
  },

  // The canvases of the bands and of the expanded unit's edges, under the edges' SVG; the
  // pointer over the SVG's empty parts finds the bands, and the keyboard's stand-in.
  addBandCanvases(svg, width, height) {
    this.bandCanvas = el("canvas", { class: "band-strokes" });
    this.focusCanvas = el("canvas", { class: "focus-edges" });
    this.bandDpr = scaleForScreen(this.bandCanvas, width, height);
    scaleForScreen(this.focusCanvas, width, height);
    this.canvasSize = [width, height];
    svg.before(this.bandCanvas, this.focusCanvas);
    this.bandLit = null;
    const over = (ev) => (ev.target === svg ? this.bandAt(ev) : null);
    svg.addEventListener("pointermove", (ev) => this.lightBand(over(ev), ev));
    svg.addEventListener("pointerleave", () => this.lightBand(null));
    if (!this.readOnly) svg.addEventListener("click", (ev) => { const band = over(ev); if (band) this.on.pickBand(band); });
    const stand = el("div", { class: "band-focus", role: "button", tabindex: "-1" });
    stand.addEventListener("keydown", (ev) => this.bandKey(ev));
    stand.addEventListener("focus", () => this.lightBand(stand._band, null, stand));
    stand.addEventListener("blur", () => this.lightBand(null));
    svg.after(stand);
    this.bandStand = stand;
  },

  // The band under the pointer (the last drawn, on top, first), or null.
  bandAt(ev) {
    const box = this.svg.getBoundingClientRect();
    const x = ev.clientX - box.left, y = ev.clientY - box.top;
    const ctx = this.bandCanvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);   // the paths are in CSS px
    for (let k = this.bands.length - 1; k >= 0; k--) {
      if (ctx.isPointInPath(this.bands[k].path, x, y)) return this.bands[k];
    }
    return null;
  },

  // The band pointed at or focused (null: none): outlined, its tooltip shown (at the
  // pointer, or at the keyboard's stand-in), the pointer a hand over it.
  lightBand(band, ev = null, anchor = null) {
    if (band === this.bandLit && !anchor) return;
    this.bandLit = band;
    this.svg.classList.toggle("over-band", Boolean(band) && !this.readOnly);
    this.drawFocusEdges();
    this.on.hoverBand?.(band, ev, anchor);
  },

  // Each band as a ribbon from its first group to its second, coloured by their weights;
  // their mean, mean size, largest size and count kept for its tooltip.
  drawBands(weights) {
    if (!this.bandCanvas) return;
    const ctx = this.bandCanvas.getContext("2d");
    ctx.setTransform(this.bandDpr, 0, 0, this.bandDpr, 0, 0);
    ctx.clearRect(0, 0, ...this.canvasSize);
    for (const band of this.bands) {
      const { l, a, b } = band;
      let sum = 0, size = 0, largest = 0, n = 0;
      for (let i = a[0]; i < a[1]; i++) {
        const row = weights[l][i];
        for (let j = b[0]; j < b[1]; j++) {
          const w = row[j], abs = Math.abs(w);
          sum += w; size += abs; n++;
          if (abs > largest) largest = abs;
        }
      }
      const mean = sum / n, meanAbs = size / n;
      Object.assign(band, { mean, meanAbs, largest, n });
      const agree = meanAbs > 0 ? Math.abs(mean) / meanAbs : 0;   // 1: all one sign
      const color = mix(GREY, mean >= 0 ? ORANGE : BLUE, agree);
      ctx.fillStyle = css(color, Math.min(0.8, 0.15 + meanAbs * 1.2));
      ctx.fill(band.path);
    }
  },

  // The lit band's outline (on the focus canvas, drawFocusEdges clears it first).
  outlineBand(ctx) {
    if (!this.bandLit) return;
    const keyboard = document.activeElement === this.bandStand;   // the focus colour, as playground.css's
    ctx.strokeStyle = keyboard ? getComputedStyle(this.root).getPropertyValue("--focus").trim() || "#111" : "#111";
    ctx.lineWidth = 1.5;
    ctx.stroke(this.bandLit.path);
  },

  // A group of units by its ids: "1:0–1:15", or "0:1" for one unit.
  groupName(l, [first, end]) {
    return end - first === 1 ? `${l}:${first}` : `${l}:${first}–${l}:${end - 1}`;
  },

  // What a band is, in words: the groups it joins and its weights (the tooltip's first
  // lines, and the stand-in's spoken label).
  bandText(band) {
    const { l, a, b } = band;
    const signed = (v) => `${v > 0 ? "+" : ""}${v.toFixed(3)}`;
    return this.tr.tn("bandTip", band.n ?? 0, {
      from: this.groupName(l, a), to: this.groupName(l + 1, b), mean: signed(band.mean ?? 0),
      size: (band.meanAbs ?? 0).toFixed(3), largest: (band.largest ?? 0).toFixed(3),
    });
  },

  // B on a unit: its group's first band out (or, from the last layer, in), focused.
  focusBandOf(l, j) {
    const inGroup = (g) => g[0] <= j && j < g[1];
    const band = this.bands.find((x) => x.l === l && inGroup(x.a)) || this.bands.find((x) => x.l === l - 1 && inGroup(x.b));
    if (band) this.focusBand(band);
    return Boolean(band);
  },

  focusBand(band) {
    const stand = this.bandStand;
    const [ya, yb] = [(band.ya[0] + band.ya[1]) / 2, (band.yb[0] + band.yb[1]) / 2];
    Object.assign(stand.style, { left: `${(band.x1 + band.x2) / 2 - 4}px`, top: `${(ya + yb) / 2 - 4}px` });
    stand._band = band;
    stand.setAttribute("aria-label", this.bandText(band));
    if (document.activeElement === stand) this.lightBand(band, null, stand);
    else stand.focus();
  },

  // The stand-in's keys: arrows to the band before or after between the same layers,
  // Enter or Space the unit picker at it, Escape back to the unit.
  bandKey(ev) {
    const band = this.bandStand._band;
    const row = this.bands.filter((x) => x.l === band.l);
    const at = row.indexOf(band);
    const to = (k) => this.focusBand(row[Math.max(0, Math.min(row.length - 1, k))]);
    const keys = {
      ArrowUp: () => to(at - 1), ArrowLeft: () => to(at - 1),
      ArrowDown: () => to(at + 1), ArrowRight: () => to(at + 1),
      Enter: () => this.on.pickBand(band), " ": () => this.on.pickBand(band),
      Escape: () => this.focusNode(this.focusId),
    };
    if (!keys[ev.key]) return;
    ev.preventDefault();
    ev.stopPropagation();
    keys[ev.key]();
  },
};
