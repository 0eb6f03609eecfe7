// Wide layers, mixed into NetworkView. A hidden layer of more than COMPACT_ABOVE units
// would need a column of 128 node squares and 16,000 edge elements; it is drawn as a grid
// of small cells instead (each unit's value at the chosen point, or its bias while no
// point is chosen), in groups of four rows. The edges into and out of it are bands, one
// per pair of groups (wide_bands.js). One unit at a time is expanded (hovered, focused, the
// step-through's or the unit picker's): its heatmap in a node square beside the grid and
// its own edges drawn one by one. Only the expanded unit's heatmap is asked for.

import { el } from "../dom.js";
import { BLUE, ORANGE, css, diverging } from "./colors.js";
import { drawing } from "./scale.js";

export const COMPACT_ABOVE = 16;   // wider layers are drawn as cells
const GROUP_ROWS = 4;              // a band's group: four rows of cells
const CELL = 10, PITCH = 12, GROUP_GAP = 5;   // px, times drawing.size

// Whether layer c of a network of these layer sizes is drawn compactly (a hidden one only).
export function isCompactLayer(sizes, c) {
  return c > 0 && c < sizes.length - 1 && sizes[c] > COMPACT_ABOVE;
}

// The ids whose heatmaps a network of these layer sizes shows: every unit of a layer drawn
// unit by unit, and of a compact layer's units only those in `expanded` (ids, or null); null:
// every node's, when no layer is compact.
export function shownNodeIds(sizes, expanded) {
  if (!sizes.some((_, c) => isCompactLayer(sizes, c))) return null;
  const ids = sizes.flatMap((n, l) => (isCompactLayer(sizes, l) ? [] : Array.from({ length: n }, (_, j) => `${l}:${j}`)));
  for (const id of new Set(expanded)) {
    const [l, j] = id ? id.split(":").map(Number) : [-1, -1];
    if (isCompactLayer(sizes, l) && j < sizes[l]) ids.push(id);
  }
  return ids;
}

// The cell grid of a compact layer of `units`: 2 to 4 columns, at most 32 rows.
export function stripShape(units) {
  const cols = Math.min(4, Math.max(2, Math.ceil(units / 32)));
  const rows = Math.ceil(units / cols);
  const groups = Math.ceil(rows / GROUP_ROWS);
  const pitch = Math.round(PITCH * drawing.size);
  const gap = Math.round(GROUP_GAP * drawing.size);
  return { units, cols, rows, groups, groupSize: cols * GROUP_ROWS, pitch, gap,
           cell: Math.round(CELL * drawing.size), width: cols * pitch, height: rows * pitch + (groups - 1) * gap };
}

export const WideLayers = {
  isCompact(l) {
    return this.strips.has(l);
  },

  // The strip of layer c: its frame, a cell per unit (data-node "c:j", as a node square
  // has), the whole at x (its left) from `top`.
  addStrip(root, c, units, x, top) {
    const { t, tn } = this.tr;
    const shape = { ...stripShape(units), x, top, l: c };
    this.strips.set(c, shape);
    const frame = el("div", { class: "strip", title: t("stripTitle", { n: units, g: shape.groupSize }) });
    Object.assign(frame.style, { left: `${x - 3}px`, top: `${top - 3}px`,
                                 width: `${shape.width + 4}px`, height: `${shape.height + 4}px` });
    frame.dataset.strip = String(c);
    root.append(frame);
    for (let j = 0; j < units; j++) {
      const [cx, cy] = this.cellAt(shape, j);
      const id = `${c}:${j}`;
      const cell = el("div", { class: "cell", "data-node": id, tabindex: id === this.focusId ? "0" : "-1",
                               role: "button", "aria-label": `${t("node")} ${id}` });
      Object.assign(cell.style, { left: `${cx}px`, top: `${cy}px`, width: `${shape.cell}px`, height: `${shape.cell}px` });
      cell.addEventListener("mouseenter", () => { this.expand(id, "hover"); this.on.hoverNode(id, cell); });
      cell.addEventListener("mouseleave", () => { this.expand(null, "hover"); this.on.hoverNode(null); });
      cell.addEventListener("focus", () => { this.takeFocus(id); this.expand(id, "focus"); this.on.hoverNode(id, cell); });
      cell.addEventListener("blur", () => { this.expand(null, "focus"); this.on.hoverNode(null); });
      cell.addEventListener("click", () => this.on.hoverNode(id, cell));
      cell.addEventListener("keydown", (ev) => this.nodeKey(ev, id));
      root.append(cell);
      this.nodes.set(id, { div: cell, x: cx, y: cy, bias: null, l: c, j, cell: true });
    }
    frame.append(el("span", { class: "strip-count" }, tn("unitCount", units)));
  },

  // Where unit j's cell sits: row by row, a gap after every GROUP_ROWS rows.
  cellAt(shape, j) {
    const row = Math.floor(j / shape.cols), col = j % shape.cols;
    const y = shape.top + row * shape.pitch + Math.floor(row / GROUP_ROWS) * shape.gap;
    return [shape.x + col * shape.pitch, y];
  },

  // Layer l's groups for the bands: [first unit, end, y top, y bottom] (a narrow layer's
  // units one each, the middle of their square).
  groupsOf(l, units) {
    const shape = this.strips.get(l);
    if (!shape) {
      return Array.from({ length: units }, (_, j) => {
        const n = this.nodes.get(`${l}:${j}`);
        const mid = n.y + this.node / 2;
        return [j, j + 1, mid - 0.3 * this.node, mid + 0.3 * this.node];
      });
    }
    return Array.from({ length: shape.groups }, (_, g) => {
      const first = g * shape.groupSize, end = Math.min(units, first + shape.groupSize);
      const top = this.cellAt(shape, first)[1];
      return [first, end, top, this.cellAt(shape, end - 1)[1] + shape.cell];
    });
  },

  // The right (out) or left (in) edge of layer l where its unit j's edges meet it.
  edgeEnd(l, j, out) {
    const shape = this.strips.get(l);
    if (shape) {
      const y = this.cellAt(shape, j)[1] + shape.cell / 2;
      return [out ? shape.x + shape.width : shape.x, y];
    }
    const n = this.nodes.get(`${l}:${j}`);
    return [out ? n.x + this.node : n.x, n.y + this.node / 2];
  },

  // expand(id, how): a unit hovered or focused is expanded while it is; else the pinned
  // one (the step-through's current unit, the unit picker's), if any.
  expand(id, how) {
    this.expandedBy ??= {};
    this.expandedBy[how] = id;
    if (id) this.expandedLast = how;   // the pointer or the keyboard: the later one wins
    const by = this.expandedBy;
    const next = by[this.expandedLast] || by.hover || by.focus || by.trace || by.pick || null;
    if (next === this.expanded) return;
    const before = this.expanded;
    this.expanded = next;
    const was = before && this.nodes.get(before);
    if (was?.cell) {
      was.div.classList.remove("expanded");
      this.thumbnails.unplace(before);
    }
    this.expandedBox?.remove();
    this.expandedBox = null;
    const node = next && this.nodes.get(next);
    if (node?.cell) {
      node.div.classList.add("expanded");
      const shape = this.strips.get(node.l);
      const x = shape.x + shape.width + Math.round(8 * drawing.size);
      // not up into the layers' headers, nor below the diagram
      const y = Math.max(shape.top - 3, Math.min(this.canvasSize[1] - this.node - 16, node.y + shape.cell / 2 - this.node / 2));
      const box = el("div", { class: "node expanded-node", "aria-hidden": "true" });
      Object.assign(box.style, { left: `${x}px`, top: `${y}px`, width: `${this.node}px`, height: `${this.node}px` });
      box.append(el("span", { class: "expanded-id" }, next));
      this.thumbnails.canvas.before(box);   // its heatmap is painted over it
      this.expandedBox = box;
      this.thumbnails.place(next, x, y);
      node.boxAt = [x, y];
    }
    this.repaintThumbnails();
    this.drawFocusEdges();
    this.on.expanded?.(next);
  },

  // Where the step-through's value of a compact layer's unit goes (its text `width` px
  // long): right of the expanded square, or, where the next layer is nearer than that (a
  // tablet's narrower diagram), above the square between the two layers (below its name
  // when the square is at the top, where the layers' headers are).
  cellValueAt(node, width) {
    const [x, y] = node.boxAt;
    const halo = 1.5 * drawing.text;   // the text's white stroke, each side
    const pad = 10 * drawing.size;
    const next = this.edgeEnd(node.l + 1, 0, false)[0] - 3 - halo;   // a strip's frame is 3 px out
    if (x + this.node + pad + width + halo <= next) return [x + this.node + pad, y + this.node / 2 + 4 * drawing.text];
    const shape = this.strips.get(node.l);
    const left = Math.max(shape.x + shape.width + 3 + halo, Math.min(next - width, x + this.node / 2 - width / 2));
    const above = y - 5 * drawing.size;
    return [left, above - 13 * drawing.text >= shape.top ? above : y + this.node + 27 * drawing.text];
  },

  // The ids whose heatmaps show (null: every node's, when no layer is compact).
  visibleNodeIds() {
    return this.sizes ? shownNodeIds(this.sizes, [this.expanded]) : null;
  },

  // Those the diagram will show once it draws `snapshot` (its layers may have changed):
  // the expanded unit's, and the step-through's and the picker's, which a rebuild keeps.
  nodeIdsFor(snapshot) {
    const by = this.expandedBy || {};
    return shownNodeIds(snapshot.layers.map((l) => l.units), [this.expanded, by.trace, by.pick]);
  },

  // The expanded unit's edges in and out, and the step-through's unit's edges in when a
  // compact layer feeds it, each drawn on its own (width |w|, colour its sign).
  drawFocusEdges() {
    if (!this.focusCanvas || !this.weights) return;
    const ctx = this.focusCanvas.getContext("2d");
    ctx.setTransform(this.bandDpr, 0, 0, this.bandDpr, 0, 0);
    ctx.clearRect(0, 0, ...this.canvasSize);
    const lines = [];
    const into = (l, j) => {     // the edges into unit j of layer l
      if (l === 0) return;
      this.weights[l - 1].forEach((row, i) => lines.push([l - 1, i, j, row[j]]));
    };
    const expanded = this.expanded && this.nodes.get(this.expanded);
    if (expanded?.cell) {
      into(expanded.l, expanded.j);
      (this.weights[expanded.l]?.[expanded.j] || []).forEach((w, k) => lines.push([expanded.l, expanded.j, k, w]));
    }
    const traced = this.traced && this.nodes.get(this.traced);
    if (traced && traced !== expanded && (traced.cell || this.isCompact(traced.l - 1))) into(traced.l, traced.j);
    for (const [l, i, j, w] of lines) {
      const [x1, y1] = this.edgeEnd(l, i, true), [x2, y2] = this.edgeEnd(l + 1, j, false);
      const mx = (x1 + x2) / 2;
      ctx.strokeStyle = css(w >= 0 ? ORANGE : BLUE, 0.9);
      ctx.lineWidth = drawing.line * Math.min(5, 0.5 + Math.abs(w) * 2);
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.bezierCurveTo(mx, y1, mx, y2, x2, y2);
      ctx.stroke();
    }
    this.outlineBand(ctx);
  },

  // Each cell's colour: its value at the chosen point (valueOf(id), the trace's), or its
  // bias while there is none.
  paintCells(snapshot, valueOf) {
    for (const node of this.nodes.values()) {
      if (!node.cell) continue;
      const id = `${node.l}:${node.j}`;
      const value = valueOf(id) ?? snapshot.biases[node.l - 1][node.j];
      const fill = css(diverging(value ?? 0));
      if (node.fill !== fill) { node.div.style.background = fill; node.fill = fill; }
    }
  },
};
