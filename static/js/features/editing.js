// Editing the network: features on and off, layers and neurons added and removed (each
// button off at its limit, saying why), per-layer activation and dropout, a weight, a
// bias or a PReLU slope typed in (batch norm's values: norm_editor.js), and the tooltips
// that show a node's or an edge's numbers.

import { api } from "../api.js";
import { $, setText } from "../dom.js";
import { fmt, parseDecimal, short } from "../numbers.js";
import { NetworkView, limitButton } from "../views/network.js";
import { PageMessage } from "./messages.js";

const DEFAULT_VALUE_RANGE = [-1e6, 1e6];   // the server's bound on a typed weight or bias

export class NetworkEditing {
  constructor(state, { tr, settings, output, stepper }) {
    this.state = state;
    this.tr = tr;
    this.settings = settings;
    this.output = output;
    this.stepper = stepper;
    this.hoveredEdge = null;
    this.editorApply = null;
    this.view = new NetworkView($("#network"), { catalog: state.catalog, handlers: this.handlers() });
  }

  get limits() {
    return this.state.catalog.limits;
  }

  setTranslator(tr) {
    this.tr = tr;
    this.view.setTranslator(tr);
  }

  bind() {
    const editor = $("#value-editor");
    editor.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); this.applyEditor(); }
      if (ev.key === "Escape") { ev.preventDefault(); this.closeEditor(); }
    });
    editor.addEventListener("input", () => editor.removeAttribute("aria-invalid"));
    editor.addEventListener("blur", () => setTimeout(() => {
      if (document.activeElement !== editor) this.closeEditor();   // not if reopened meanwhile
    }, 150));
  }

  handlers() {
    const state = this.state;
    const on = {
      // changes are computed when they run (after any change before them), never from a
      // config a queued change is about to replace
      toggleFeature: (fid) => this.settings.change(() => {
        const on = state.config.features.includes(fid);
        const features = on ? state.config.features.filter((f) => f !== fid)
          : state.catalog.features.map((f) => f.id).filter((f) => f === fid || state.config.features.includes(f));
        return { features };
      }, "hidden"),
      addNeuron: (k) => this.edit(() => api.addNeuron(state.sessionId, k), "hidden"),
      removeNeuron: (k, j) => this.edit(() => api.removeNeuron(state.sessionId, k, j), "hidden"),
      setUnits: (k, input) => {
        const n = Number(input.value), { min_units: min, max_units: max } = this.limits;
        if (!Number.isInteger(n) || n < min || n > max) {
          this.state.messages.error(new PageMessage("unitsRange", { min, max }), "hidden");
          input.value = String(state.config.hidden[k].units);   // what the layer has
          return;
        }
        on.setLayer(k, { units: n });
      },
      pickUnit: (id) => this.picker?.pick(id),
      pickBand: (band) => this.picker?.pickBand(band),
      expanded: (id) => this.fetchGrid(id),
      setLayer: (k, changes, field = "hidden") => this.settings.change(() => ({
        hidden: state.config.hidden.map((h, i) => (i === k ? { ...h, ...changes } : h)),
      }), field),
      editWeight: (id, path, ev) => {
        if (this.refusedByLesson()) return;
        const [l, i, j] = id.split(":").map(Number);
        this.openEditor(ev, path, this.view.weightOf(path), this.tr.t("editWeight"),
          this.tr.t("editWhatWeight", { from: `${l}:${i}`, to: `${l + 1}:${j}` }),
          (v) => api.setWeight(state.sessionId, l, i, j, v));
      },
      editBias: (nodeId, anchor) => this.editNodeValue(nodeId, anchor.querySelector?.(".bias") || anchor,
        "editBias", "editWhatBias", api.setBias),
      // a PReLU node's learned slope: prelu_slopes[hidden layer][node]
      editSlope: (nodeId, button) => this.editNodeValue(nodeId, button, "editSlope", "editWhatSlope", api.setSlope),
      // a batch-normalized node's gamma, beta and running statistics (norm_editor.js)
      editNorm: (nodeId, anchor) => this.normEditor?.open(nodeId, anchor),
      explain: (activation) => this.explain?.(activation),
      limit: (reason) => this.state.messages.error(new PageMessage("limitHere", { reason }), "hidden"),
      hoverNode: (id, div) => this.hoverNode(id, div),
      hoverEdge: (id, path, ev) => this.hoverEdge(id, path, ev),
      hoverBand: (band, ev, anchor) => this.hoverBand(band, ev, anchor),
    };
    return on;
  }

  // A wide layer's unit expanded whose heatmap the page lacks (frames and State.show ask
  // for the shown units' only: NetworkView.nodeIdsFor): its grid alone, at the node grids'
  // resolution. One request at a time; the unit expanded last is fetched next.
  async fetchGrid(id) {
    this.wantedGrid = id;
    if (this.fetching) return;
    this.fetching = true;
    try {
      for (;;) {
        const want = this.wantedGrid, heatmaps = this.state.heatmaps;
        if (!want || !heatmaps || heatmaps.nodes[want] || this.playing?.()) break;
        const R = heatmaps.node_resolution || heatmaps.resolution;
        const found = await api.heatmaps(this.state.sessionId, R, [want]);
        if (this.state.heatmaps !== heatmaps) continue;   // newer heatmaps came: ask again
        if (!found.nodes[want]) break;                      // the network has no such node now
        heatmaps.nodes[want] = found.nodes[want];
        this.view.repaintThumbnails();
      }
    } catch (err) {
      this.state.messages.error(err, null);
    } finally {
      this.fetching = false;
    }
  }

  // A node's bias or PReLU slope typed in: `set(session, hidden layer, node, value)`.
  editNodeValue(nodeId, button, title, what, set) {
    if (this.refusedByLesson()) return;
    const [l, j] = nodeId.split(":").map(Number);
    this.openEditor(null, button, Number(button.dataset.value), this.tr.t(title),
      this.tr.t(what, { node: nodeId }), (v) => set(this.state.sessionId, l - 1, j, v));
  }

  // A lesson that locks "weights" keeps every weight, bias and PReLU slope: said in the
  // banner (the editor's own slot is not shown, the editor staying closed).
  refusedByLesson() {
    if (!this.locked?.()) return false;
    this.state.messages.error(new PageMessage("lessonWeightsLocked"), null);
    return true;
  }

  async edit(call, field) {
    await this.state.change(async () => this.state.show(await call()), field);
  }

  // spread: a big diagram while playing (redrawn every few frames, see play.js), whose
  // redraw is split over three animation frames (the edges now, the biases at the next,
  // the node heatmaps at the one after) so that none misses the display's beat, and whose
  // edges' data-value may wait for an idle moment (NetworkView.render's lazyValues).
  render(snap, { spread = false } = {}) {
    const t = this.tr.t;
    const max = this.limits.max_hidden_layers;
    this.view.render(snap, { maxUnits: this.limits.max_units, lazyValues: spread });
    cancelAnimationFrame(this.nextPart);
    const heatmaps = this.state.heatmaps;
    const parts = [
      () => this.view.updateBiases(snap),
      () => this.view.paintNodes(snap, heatmaps, (id) => this.output.outputColor(id)),
    ];
    if (spread) this.later(parts);
    else parts.forEach((part) => part());
    this.fetchGrid(this.view.expanded);   // an expanded unit the heatmaps came without
    const hidden = snap.layers.length - 2;
    setText($("#layer-count"), this.tr.tn("hiddenLayerCount", hidden));
    const state = this.state;
    const on = this.handlers();
    limitButton($("#add-layer"), hidden >= max && t("limitLayers", { max }), t("addLayer"), () => this.edit(() => {
      const layers = state.config.hidden;
      const act = layers[layers.length - 1]?.activation || $("#activation").value || "tanh";
      return api.addLayer(state.sessionId, layers.length, 4, act);
    }, "hidden"), on.limit);
    limitButton($("#remove-layer"), hidden === 0 && t("noLayerToRemove"), t("removeLayer"), () => this.edit(() =>
      api.removeLayer(state.sessionId, state.config.hidden.length - 1), "hidden"), on.limit);
    const tip = $("#tooltip");
    const node = this.output.hovered && this.view.nodes.get(this.output.hovered);
    if (node && !tip.hidden) this.hoverNode(this.output.hovered, node.div);   // new numbers
    const edge = this.hoveredEdge && this.view.edges.get(this.hoveredEdge);
    if (edge && !tip.hidden) this.hoverEdge(this.hoveredEdge, edge);   // the new weight
    const band = this.view.bandLit;
    if (band && !tip.hidden) this.hoverBand(band);   // its new weights, where it was
  }

  // Draw the parts one per animation frame.
  later([part, ...rest]) {
    if (part) this.nextPart = requestAnimationFrame(() => { part(); this.later(rest); });
  }

  // ---------------------------------------------------------------- tooltips
  hoverNode(id, div) {
    this.output.hovered = id;
    this.output.drawPlot();
    const tip = $("#tooltip");
    if (!id) { tip.hidden = true; return; }
    const [l, j] = id.split(":").map(Number);
    const { t, name } = this.tr;
    const snap = this.state.snapshot;
    const at = this.stepper.valueAt(id);
    const where = at && { x1: fmt(at.point[0], 2), x2: fmt(at.point[1], 2) };
    let lines;
    if (l === 0) {
      const f = this.state.catalog.features.find((x) => x.id === snap.config.features[j]);
      lines = [`${t("input")} ${id} · ${f.name} = ${f.formula}`,
               at ? t("inputValue", { ...where, name: f.name, v: fmt(at.value) }) : t("chooseForValue")];
    } else {
      const layer = snap.layers[l];
      const act = this.state.catalog.activations.find((a) => a.id === layer.activation);
      const head = this.state.catalog.heads.find((h) => h.id === layer.activation);
      const row = act || head;
      const slope = snap.prelu_slopes?.[l - 1]?.[j];
      lines = [`${t("node")} ${id} · ${row ? name(act ? "activations" : "heads", row) : layer.activation}`,
               `${t("bias")} = ${fmt(snap.biases[l - 1][j])}`, slope === undefined ? "" : t("slopeLine", { s: fmt(slope) }),
               ...(layer.batch_norm ? this.batchNormLines(id, l, j) : []),
               row?.formula || "",
               at ? t("nodeValue", { ...where, v: fmt(at.value) }) : t("chooseForValue")];
    }
    this.showTooltip(lines.filter(Boolean).join("\n"), div.getBoundingClientRect());
  }

  // A batch-normalized node's gamma, beta and running statistics. Frames do not carry
  // them: GET /params is asked once per snapshot (never while playing: the session is
  // busy with frames), and the tooltip is drawn again when they come; meanwhile the last
  // ones asked show, if they are of this node.
  batchNormLines(id, l, j) {
    const snap = this.state.snapshot;
    const known = this.norms?.session === snap.id ? this.norms : null;
    if (known?.snap !== snap && !this.fetchingNorms && !this.playing?.()) {
      this.fetchingNorms = true;
      api.params(snap.id).then((params) => {
        this.norms = { session: snap.id, snap, params };
        const node = this.output.hovered === id && this.view.nodes.get(id);
        if (node && !$("#tooltip").hidden) this.hoverNode(id, node.div);
      }, () => {}).finally(() => { this.fetchingNorms = false; });
    }
    const p = known?.params;
    const gamma = p?.bn_gamma?.[l - 1]?.[j];
    if (gamma === undefined) return [];
    const t = this.tr.t;
    return [t("bnTip", { gamma: fmt(gamma), beta: fmt(p.bn_beta[l - 1][j]) }),
            t("bnRunningTip", { mean: fmt(p.bn_mean[l - 1][j]), var: fmt(p.bn_var[l - 1][j]) })];
  }

  hoverEdge(id, path, ev) {
    const tip = $("#tooltip");
    this.hoveredEdge = id;
    if (!id) { tip.hidden = true; return; }
    const t = this.tr.t;
    const w = this.view.weightOf(path);
    const [l, i, j] = id.split(":").map(Number);
    const sign = w > 0 ? t("positive") : w < 0 ? t("negative") : t("zero");
    const signed = `${w > 0 ? "+" : ""}${w.toFixed(3)}`;
    this.showTooltip(t("edgeTip", { text: t("weightInto", { from: `${l}:${i}`, to: `${l + 1}:${j}`, w: signed }), sign }),
      ev?.clientX ? { left: ev.clientX + 8, top: ev.clientY + 8, bottom: ev.clientY + 8 }
        : path.getBoundingClientRect());
  }

  // A wide layer's band: what it joins, its weights' mean and largest size, and that a
  // click reaches them (at the pointer, or below the keyboard's stand-in `anchor`).
  hoverBand(band, ev = null, anchor = null) {
    if (!band) { $("#tooltip").hidden = true; return; }
    const rect = anchor ? anchor.getBoundingClientRect() : ev?.clientX !== undefined
      ? { left: ev.clientX + 8, top: ev.clientY + 8, bottom: ev.clientY + 8 } : this.bandRect;
    this.bandRect = rect;
    this.showTooltip(`${this.view.bandText(band)}\n${this.tr.t("bandClick")}`, rect);
  }

  showTooltip(text, rect) {
    const tip = $("#tooltip");
    tip.textContent = text;
    tip.hidden = false;
    tip.style.left = `${rect.left + window.scrollX}px`;
    tip.style.top = `${rect.bottom + window.scrollY + 6}px`;
  }

  // ---------------------------------------------------------------- the value editor
  // The editor names what it edits (on a touch screen the finger hides which edge it hit).
  openEditor(ev, anchor, value, title, what, apply) {
    $("#value-editor-label").textContent = what;
    const box = $("#value-editor-box");
    const editor = $("#value-editor");
    const rect = anchor.getBoundingClientRect();
    const x = ev?.clientX ?? rect.left + rect.width / 2;
    const y = ev?.clientY ?? rect.top + rect.height / 2;
    box.style.left = `${x + window.scrollX - 40}px`;
    box.style.top = `${y + window.scrollY - 14}px`;
    editor.value = Number.isFinite(value) ? short(value) : "";
    editor.title = title;
    editor.setAttribute("aria-label", title);
    editor.removeAttribute("aria-invalid");
    this.state.messages.clear("weight");
    box.hidden = false;
    this.editorApply = apply;
    this.editorAnchor = anchor;
    editor.focus();
    editor.select();
  }

  // Enter: a number in range goes to the server; anything else, or the server's refusal,
  // is said beside the editor, which stays open for another try.
  async applyEditor() {
    const editor = $("#value-editor");
    const value = this.typedValue(editor, "weight");
    if (value === null) return;
    const ok = await this.state.change(async () => this.state.show(await this.editorApply(value)), "weight");
    if (ok) this.closeEditor();
    else { editor.setAttribute("aria-invalid", "true"); editor.focus(); }
  }

  // A typed weight or bias: the number, or null when it is none or out of the server's
  // range (said in `field`'s slot, the input marked and focused for another try).
  typedValue(input, field) {
    const [min, max] = this.limits.weight_range || DEFAULT_VALUE_RANGE;
    const value = parseDecimal(input.value);
    let problem = null;
    if (value === null) problem = new PageMessage("notANumber", { text: input.value });
    else if (value < min || value > max) problem = new PageMessage("weightRange", { min, max });
    if (!problem) return value;
    input.setAttribute("aria-invalid", "true");
    this.state.messages.error(problem, field);
    input.focus();
    return null;
  }

  closeEditor() {
    const box = $("#value-editor-box");
    if (box.hidden) return;
    box.hidden = true;
    this.state.messages.clear("weight");
    this.editorAnchor?.focus?.();
  }
}
