// The network diagram: feature toggles, hidden layers with their controls, nodes drawn as
// small heatmaps, edges coloured by sign and sized by |w|. It draws what the server sent
// and reports what the user did through the handlers it is given; it computes nothing.
// Read-only (a class's spotlight), it shows the same network with nothing to press: no
// feature toggles, layer controls, bias or weight editors.
// The keyboard (one tab stop, arrows between nodes) is in network_keys.js, the edges
// between layers drawn unit by unit in network_edges.js; a layer of more than 16 units is
// drawn compactly (wide_layers.js, its bands wide_bands.js).

import { el } from "../dom.js";
import { BLUE, ORANGE, css, diverging } from "./colors.js";
import { LayerHeads } from "./layer_heads.js";
import { DiagramEdges, SVG_NS } from "./network_edges.js";
import { DiagramKeys } from "./network_keys.js";
import { drawing } from "./scale.js";
import { markOverflow } from "./scroll_edges.js";
import { NodeThumbnails } from "./thumbnails.js";
import { WideBands } from "./wide_bands.js";
import { WideLayers, isCompactLayer, stripShape } from "./wide_layers.js";

const NODE = 38;        // node square, px (times drawing.size, as every length below)
const GAP = 12;         // vertical gap between nodes
const TOP_WIDE = 70;    // room for the layer headers
const TOP_NARROW = 104; // narrow columns stack the header's controls
const MIN_SPACING = 66; // px between columns, below which the diagram scrolls
const BORDER = 1, DEAD_BORDER = 2;   // a node square's border, as playground.css draws it
const NOTHING = () => {};

export { limitButton } from "./layer_heads.js";

export class NetworkView {
  constructor(root, { catalog, handlers, readOnly = false }) {
    this.root = root;
    this.catalog = catalog;
    this.readOnly = readOnly;
    // read-only, a handler it was not given does nothing (network_keys.js calls editBias
    // and editWeight on Enter)
    this.on = readOnly ? new Proxy(handlers, { get: (h, key) => h[key] ?? NOTHING }) : handlers;
    root.classList.toggle("read-only", readOnly);
    // a diagram wider than its box scrolls: the box shows that it does
    const box = root.parentElement;
    this.markOverflow = box?.classList.contains("network-scroll") ? markOverflow(box) : NOTHING;
    this.structure = "";
    this.nodes = new Map();   // "L:J" -> {div, x, y}
    this.edges = new Map();   // "L:I:J" -> path (between two layers drawn unit by unit)
    this.strips = new Map();  // a compact layer's L -> its cell grid (wide_layers.js)
    this.bands = [];
    this.focusId = "0:0";     // the node that holds the diagram's one tab stop
    Object.assign(this, DiagramKeys);   // keepingFocus, takeFocus, focusNode, nodeKey, incoming, edgeKey
    Object.assign(this, DiagramEdges);  // addEdge, updateEdges, weightOf: edges drawn one by one
    Object.assign(this, LayerHeads);    // layerControls, layerFacts
    Object.assign(this, WideLayers);    // strips of cells, the expanded unit
    Object.assign(this, WideBands);     // the bands between a wide layer and its neighbours
    this.clearEdges();
  }

  setTranslator(tr) {
    this.tr = tr;
    this.structure = "";      // rebuild labels in the new language
  }

  // Build again at the next render (the room or the drawing scale changed).
  relayout() {
    this.structure = "";
  }

  // lazyValues: the edges' data-value may be written when the page is idle (playing)
  render(snapshot, { maxUnits, lazyValues = false }) {
    const features = snapshot.config.features;
    const key = JSON.stringify([snapshot.layers, features, this.tr.lang, maxUnits, drawing.size]);
    if (key !== this.structure) {
      this.structure = key;
      this.keepingFocus(() => {
        this.build(snapshot, maxUnits);
        this.expand(null, "hover");   // the pinned unit again (the step-through's, the picker's)
      });
    }
    this.updateEdges(snapshot, lazyValues);
  }

  // The nodes' dead marks and heatmaps (after render, which builds them).
  paintNodes(snapshot, heatmaps, outputColor) {
    this.markDead(snapshot.diagnostics?.dead_units || []);
    this.paintHeatmaps(heatmaps, outputColor);
  }

  // ------------------------------------------------------------------ layout
  build(snapshot, maxUnits) {
    const { t } = this.tr;
    const root = this.root;
    root.replaceChildren();
    this.nodes.clear();
    this.clearEdges();
    this.strips.clear();
    this.bands = [];
    Object.assign(this, { expanded: null, expandedBox: null, bandCanvas: null, bandLit: null, weights: null });
    this.expandedBy = { trace: this.expandedBy?.trace, pick: this.expandedBy?.pick };
    const sizes = snapshot.layers.map((l) => l.units);
    this.sizes = sizes;
    const compact = (c) => isCompactLayer(sizes, c);
    const allFeatures = this.catalog.features;
    const active = snapshot.config.features;
    const columns = sizes.length;
    const px = (v) => Math.round(v * drawing.size);
    const node = px(NODE), gap = px(GAP), left = px(80), right = px(50);
    this.node = node;
    // at least MIN_SPACING between columns: a deep network on a narrow screen scrolls
    // sideways (its box scrolls) rather than squeezing nodes and controls together
    const room = root.parentElement?.clientWidth || root.clientWidth || 560;
    this.leastWidth = Math.max(px(360), left + right + node + (columns - 1) * px(MIN_SPACING));
    const width = Math.max(room, this.leastWidth);
    root.style.width = width > room ? `${width}px` : "";
    const colX = (c) => left + (c * (width - left - right - node)) / Math.max(1, columns - 1);
    const spacing = colX(1) - colX(0);
    const narrow = spacing < px(114);   // many layers: each header gets its column's width only
    const headWidth = narrow ? Math.max(px(46), spacing - 6) : Math.min(px(124), spacing - 4);
    const TOP = px(narrow ? TOP_NARROW : TOP_WIDE);
    const tallest = Math.max(allFeatures.length, ...sizes.slice(1).filter((n, c) => !compact(c + 1)));
    const strips = sizes.map((n, c) => (compact(c) ? stripShape(n).height + px(18) : 0));
    const height = TOP + Math.max(tallest * (node + gap), ...strips) + px(10);
    root.style.height = `${height}px`;

    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "edges");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    root.append(svg);
    this.svg = svg;
    this.thumbnails = new NodeThumbnails({ width, height, size: node });

    // the inputs' heading; with many layers the hint moves into its title, to leave room
    const inHead = el("div", { class: "layer-head in", title: t("featuresHint") });
    inHead.append(el("strong", {}, t("features")));
    if (!narrow && !this.readOnly) inHead.append(el("span", {}, t("featuresHint")));
    inHead.style.left = `${colX(0) - px(72)}px`;
    inHead.style.top = `${TOP - px(narrow ? 24 : 50)}px`;
    inHead.style.width = `${px(150)}px`;
    root.append(inHead);

    // inputs: every feature in its own row; the selected ones are nodes 0:J in the order
    // of config.features, the others are dimmed squares that switch them on
    allFeatures.forEach((f, row) => {
      const y = TOP + row * (node + gap);
      const j = active.indexOf(f.id);
      const toggle = this.readOnly
        ? el("span", { class: "feature-toggle" + (j >= 0 ? " on" : ""), title: f.formula }, f.name)
        : el("button", {
          class: "feature-toggle" + (j >= 0 ? " on" : ""), "aria-pressed": String(j >= 0),
          "aria-label": `${t("input")} ${f.name}`, title: f.formula,
        }, f.name);
      toggle.style.left = `${colX(0) - px(72)}px`;
      toggle.style.top = `${y + node / 2 - px(11)}px`;
      toggle.style.width = `${px(66)}px`;
      if (!this.readOnly) toggle.addEventListener("click", () => this.on.toggleFeature(f.id));
      root.append(toggle);
      if (j >= 0) {
        this.addNode(root, `0:${j}`, colX(0), y, f.name);
      } else {
        const off = el(this.readOnly ? "span" : "button", { class: "node off", title: f.formula,
                                                            tabindex: "-1", "aria-hidden": "true" });
        off.style.left = `${colX(0)}px`;
        off.style.top = `${y}px`;
        off.style.width = off.style.height = `${node}px`;
        if (!this.readOnly) off.addEventListener("click", () => this.on.toggleFeature(f.id));
        root.append(off);
      }
    });

    // hidden layers: header with +/- neuron, activation and dropout
    for (let c = 1; c < columns - 1; c++) {
      const layer = snapshot.layers[c];
      const head = el("div", { class: "layer-head" + (narrow ? " narrow" : "") });
      head.style.left = `${colX(c) + node / 2 - headWidth / 2}px`;
      head.style.width = `${headWidth}px`;
      if (this.readOnly) {
        head.append(...this.layerFacts(layer, narrow));
        head.style.top = `${TOP - 46}px`;
      } else {
        this.layerControls(head, layer, c, { narrow, maxUnits });
      }
      root.append(head);
      if (compact(c)) {
        this.addStrip(root, c, layer.units, colX(c) + node / 2 - stripShape(layer.units).width / 2, TOP);
        continue;
      }
      for (let j = 0; j < layer.units; j++) {
        this.addNode(root, `${c}:${j}`, colX(c), TOP + j * (node + gap), null, true, layer.activation === "prelu",
                     layer.batch_norm);
      }
    }
    // output
    const last = columns - 1;
    const outHead = el("div", { class: "layer-head out" }, t("output"));
    outHead.style.left = `${colX(last) - px(11)}px`;
    outHead.style.top = `${TOP - px(20)}px`;
    outHead.style.width = `${px(60)}px`;
    root.append(outHead);
    for (let j = 0; j < sizes[last]; j++) {
      this.addNode(root, `${last}:${j}`, colX(last), TOP + j * (node + gap), null, true);
    }
    // edges, drawn under the nodes
    for (let l = 0; l < columns - 1; l++) {
      if (compact(l) || compact(l + 1)) { this.addBands(l, sizes); continue; }
      for (let i = 0; i < sizes[l]; i++) {
        for (let j = 0; j < sizes[l + 1]; j++) this.addEdge(`${l}:${i}:${j}`);
      }
    }
    this.strokeEdges(svg, width, height);
    if (this.strips.size) this.addBandCanvases(svg, width, height);
    root.append(this.thumbnails.canvas);   // over the node squares, under their bias buttons
    this.markOverflow();
  }

  // hasSlope: a PReLU node, whose learned slope is a value to see and edit like its bias;
  // hasNorm: a batch-normalized node, whose "BN" opens its γ, β and running statistics
  addNode(root, id, x, y, label, hasBias = false, hasSlope = false, hasNorm = false) {
    const { t } = this.tr;
    const div = el("div", { class: "node", "data-node": id, tabindex: id === this.focusId ? "0" : "-1",
                            role: "button", "aria-label": `${t("node")} ${id}` });
    div.style.left = `${x}px`;
    div.style.top = `${y}px`;
    div.style.width = div.style.height = `${this.node}px`;
    let bias = null;
    if (hasBias) {
      bias = el(this.readOnly ? "span" : "button", { class: "bias", "data-bias": id, tabindex: "-1", "aria-label": `${t("bias")} ${id}` });
      if (!this.readOnly) bias.addEventListener("click", (ev) => { ev.stopPropagation(); this.on.editBias(id, bias); });
      div.append(bias);
    }
    let slope = null;
    if (hasSlope) {
      slope = el(this.readOnly ? "span" : "button", { class: "slope", "data-slope": id, tabindex: "-1", "aria-label": `${t("slope")} ${id}` }, "s");
      if (!this.readOnly) slope.addEventListener("click", (ev) => { ev.stopPropagation(); this.on.editSlope(id, slope); });
      div.append(slope);
    }
    let norm = null;
    if (hasNorm && !this.readOnly) {
      const what = t("normButton", { node: id });
      norm = el("button", { class: "norm-btn", "data-norm": id, tabindex: "-1", "aria-label": what, title: what }, t("bnBadge"));
      norm.addEventListener("click", (ev) => { ev.stopPropagation(); this.on.editNorm(id, norm); });
      div.append(norm);
    }
    div.addEventListener("mouseenter", () => this.on.hoverNode(id, div));
    div.addEventListener("mouseleave", () => this.on.hoverNode(null));
    div.addEventListener("focus", () => { this.takeFocus(id); this.on.hoverNode(id, div); });
    div.addEventListener("blur", () => this.on.hoverNode(null));
    div.addEventListener("click", () => this.on.hoverNode(id, div));   // a tap shows the numbers too
    div.addEventListener("keydown", (ev) => this.nodeKey(ev, id));
    root.append(div);
    const [l, j] = id.split(":").map(Number);
    this.nodes.set(id, { div, x, y, bias, slope, norm, l, j });
    this.thumbnails.place(id, x, y);
  }

  // The biases' colours and values, and the PReLU slopes' values (for the editor and a title).
  updateBiases(snapshot) {
    for (const { slope, l, j } of this.nodes.values()) {
      const s = slope && snapshot.prelu_slopes?.[l - 1]?.[j];
      if (s === undefined || s === null || slope._s === s) continue;
      slope._s = s;
      slope.dataset.value = String(s);
      slope.title = `${this.tr.t("slope")} ${s.toFixed(3)}`;
    }
    for (const { bias, l, j } of this.nodes.values()) {
      if (!bias || l === 0) continue;
      const b = snapshot.biases[l - 1][j];
      if (bias._b === b) continue;
      bias._b = b;
      bias.dataset.value = String(b);
      // the opacity to 3 decimals (the screen shows 256 levels): a restyle only when it shows
      const fill = css(b >= 0 ? ORANGE : BLUE, Math.round(1000 * Math.min(1, 0.25 + Math.abs(b))) / 1000);
      if (bias._fill !== fill) { bias.style.background = fill; bias._fill = fill; }
    }
  }

  // Paint each node's heatmap: tanh-like values on [-1, 1]; the output as the plot does.
  // Inside the square's border, which is wider on a dead node (markDead first).
  paintHeatmaps(heatmaps, outputColor) {
    this.painted = [heatmaps, outputColor];   // for a unit expanded later
    const R = heatmaps.node_resolution || heatmaps.resolution;
    const isOutput = (id) => !this.nodes.has(`${Number(id.split(":")[0]) + 1}:0`);
    this.thumbnails.paint(heatmaps.nodes, R,
      (id) => (isOutput(id) && outputColor ? outputColor(id) || diverging : diverging),
      (id) => (this.nodes.get(id).div.classList.contains("dead") ? DEAD_BORDER : BORDER));
  }

  // The heatmaps again (a unit expanded: its square's).
  repaintThumbnails() {
    if (this.painted) this.paintHeatmaps(...this.painted);
  }

  // Mark the current node of a step-through, label the edges feeding it (labels: Map
  // "L:I:J" -> text, e.g. "0.50×0.31" forward or a gradient backward) and write the node's
  // value beside it (value: text, or none).
  highlight(nodeId, labels = new Map(), value = null) {
    for (const [id, node] of this.nodes) node.div.classList.toggle("current", id === nodeId);
    this.traced = nodeId;   // a compact layer's unit: expanded, its edges drawn
    this.expand(this.nodes.get(nodeId)?.cell ? nodeId : null, "trace");
    this.drawFocusEdges();
    const [l, j] = nodeId ? nodeId.split(":").map(Number) : [-1, -1];
    for (const text of this.svg?.querySelectorAll("text.edge-label, text.node-value") || []) text.remove();
    for (const [id, path] of this.edges) {
      const [el_, , ej] = id.split(":").map(Number);
      const active = el_ === l - 1 && ej === j;
      path.classList.toggle("active", active);
      if (active && labels.has(id)) {
        const line = path._line;
        const mid = line.getPointAtLength(line.getTotalLength() * 0.42);
        this.svg.append(this.label("edge-label", mid.x, mid.y - 3 * drawing.text, 10, labels.get(id)));
      }
    }
    const node = this.nodes.get(nodeId);   // its value right of it, away from the edge labels
    if (node && value !== null) {
      const label = this.label("node-value", 0, 0, 13, value);
      this.svg.append(label);
      // a cell's by its expanded square, where the next layer leaves it room
      const [x, y] = node.cell ? this.cellValueAt(node, label.getComputedTextLength())
        : [node.x + this.node + 10 * drawing.size, node.y + this.node / 2 + 4 * drawing.text];
      label.setAttribute("x", x);
      label.setAttribute("y", y);
    }
  }

  // An SVG text of the step-through, its font FONT px times the drawing scale.
  label(className, x, y, font, text) {
    const label = document.createElementNS(SVG_NS, "text");
    for (const [k, v] of Object.entries({ class: className, x, y })) label.setAttribute(k, v);
    label.style.cssText = `font-size: ${font * drawing.text}px; stroke-width: ${3 * drawing.text}px`;
    label.textContent = text;
    return label;
  }

  markDead(ids) {
    const dead = new Set(ids);
    for (const [id, node] of this.nodes) node.div.classList.toggle("dead", dead.has(id));
  }
}
