// The edges between two layers drawn unit by unit, mixed into NetworkView. Each is an SVG
// group (for the pointer, the keyboard, the contract's data-weight and data-value, and the
// highlighted states) whose stroke is drawn on one canvas by EdgeStrokes (edge_strokes.js,
// a worker); data-value is written when it changes, while playing when the page is idle
// (edge_values.js).

import { EdgeStrokes, NEGATIVE, POSITIVE } from "./edge_strokes.js";
import { EdgeValues } from "./edge_values.js";
import { drawing } from "./scale.js";

export const SVG_NS = "http://www.w3.org/2000/svg";

export const DiagramEdges = {
  // No edges (before a build): their elements, values and strokes gone.
  clearEdges() {
    this.edges.clear();
    this.values = new EdgeValues();
    this.strokes?.close();
    this.geometry = [];   // 4 numbers an edge, EdgeStrokes' geometry
  },

  addEdge(id) {
    const [l, i, j] = id.split(":").map(Number);
    const a = this.nodes.get(`${l}:${i}`);
    const b = this.nodes.get(`${l + 1}:${j}`);
    const x1 = a.x + this.node, y1 = a.y + this.node / 2, x2 = b.x, y2 = b.y + this.node / 2;
    const band = Math.round(4 * drawing.size);
    const mx = (x1 + x2) / 2;
    this.geometry.push(x1, y1, x2, y2);
    // The edge is a group: its curve (drawn by EdgeStrokes; shown here only highlighted,
    // its width and colour in --w and --c), and a transparent band 8 px high around it
    // that takes the pointer (a 1 px curve is hard to hit, and a flat one has no height).
    const path = document.createElementNS(SVG_NS, "g");
    path.setAttribute("class", "edge");
    path.setAttribute("data-weight", id);
    const line = document.createElementNS(SVG_NS, "path");
    line.setAttribute("d", `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`);
    line.setAttribute("class", "edge-line");
    const hit = document.createElementNS(SVG_NS, "path");
    hit.setAttribute("d", `M${x1},${y1 - band} C${mx},${y1 - band} ${mx},${y2 - band} ${x2},${y2 - band} ` +
                          `L${x2},${y2 + band} C${mx},${y2 + band} ${mx},${y1 + band} ${x1},${y1 + band} Z`);
    hit.setAttribute("class", "edge-hit");
    path.append(line, hit);
    path._line = line;
    [path._l, path._i, path._j] = [l, i, j];
    path.setAttribute("tabindex", "-1");
    path.setAttribute("role", "button");
    path.addEventListener("mouseenter", (ev) => this.on.hoverEdge(id, path, ev));
    path.addEventListener("mouseleave", () => this.on.hoverEdge(null));
    path.addEventListener("focus", (ev) => {
      path.setAttribute("aria-label", this.edgeLabel(id));
      this.on.hoverEdge(id, path, ev);
    });
    path.addEventListener("blur", () => this.on.hoverEdge(null));
    if (!this.readOnly) path.addEventListener("click", (ev) => this.on.editWeight(id, path, ev));
    path.addEventListener("keydown", (ev) => this.edgeKey(ev, id, path));
    this.svg.append(path);
    this.edges.set(id, path);
  },

  // The strokes' canvas of the edges added, under their SVG elements (after a build).
  strokeEdges(svg, width, height) {
    this.strokes = new EdgeStrokes({ width, height, geometry: Float32Array.from(this.geometry) });
    svg.before(this.strokes.canvas);
  },

  updateEdges(snapshot, lazyValues) {
    // Only what changed is written: a MAX network has ~1,900 edges, redrawn up to 15 times
    // a second; a stroke changes only when its width (to 0.1 px) or its sign does. The
    // tooltip and the editor read data-value; the spoken label is written on focus.
    const weights = snapshot.weights;
    if (!lazyValues) this.values.flush();
    let restroke = false;
    for (const [id, path] of this.edges) {
      const w = weights[path._l][path._i][path._j];
      if (path._w === w) continue;
      if (path._w === undefined) path.setAttribute("aria-label", `${this.tr.t("weight")} ${id}`);
      const width = (drawing.line * Math.min(7, 0.6 + Math.abs(w) * 2.2)).toFixed(1);
      const color = w >= 0 ? POSITIVE : NEGATIVE;
      restroke ||= path._width !== width || path._color !== color;
      Object.assign(path, { _w: w, _width: width, _color: color });
      this.values.set(path, { lazy: lazyValues });
    }
    if (restroke) this.drawStrokes();
    this.weights = weights;
    if (this.strips.size) {
      this.drawBands(weights);
      this.drawFocusEdges();
    }
  },

  // Every edge's stroke, in the edges' order (EdgeStrokes' geometry).
  drawStrokes() {
    const widths = new Float32Array(this.edges.size), positive = new Uint8Array(this.edges.size);
    let k = 0;
    for (const path of this.edges.values()) {
      widths[k] = Number(path._width);
      positive[k++] = path._color === POSITIVE ? 1 : 0;
    }
    this.strokes.draw(widths, positive);
  },

  edgeLabel(id) {
    const { t } = this.tr;
    const [l, i, j] = id.split(":").map(Number);
    const w = this.weightOf(this.edges.get(id));
    return `${t("weight")} ${t("from")} ${l}:${i} ${t("to")} ${l + 1}:${j} = ${w.toFixed(3)}`;
  },

  // The weight an edge shows (its data-value may not be written yet).
  weightOf(edge) {
    return edge._w ?? Number(edge.dataset.value);
  },
};
