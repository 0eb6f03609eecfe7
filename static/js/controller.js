// The controller: the only module that talks to both the API and the views. It owns the
// session id, the last snapshot and heatmaps, the play loop and the step-through state.

import { api, ApiError, PlayChannel } from "./api.js";
import { BLUE, CLASS_COLORS, ORANGE, diverging } from "./colors.js";
import { applyStrings, translator } from "./i18n.js";
import { LossChart } from "./chart.js";
import { ActivationExplorer } from "./explorer.js";
import { DiagnosticsView } from "./diagnostics.js";
import { NetworkView } from "./network.js";
import { OutputPlot } from "./plot.js";
import { configToQuery, pageOptions, queryToConfig } from "./urlstate.js";

const RESOLUTION = 50;        // the output plot's grid
const NODE_RESOLUTION = 24;   // node thumbnails are 38 px: a coarser grid is enough
const HISTORY_CAP = 500;      // the server's History.capacity
const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const BATCH_SIZES = [1, 2, 5, 10, 16, 20, 25, 30, 32, 50, 64, 100, 128, 250, 500];
const SAMPLES = [100, 200, 300, 500, 1000, 2000];
const THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const SPEEDS = [1, 2, 5, 10, 20, 50, 100, 200];
const DATA_FIELDS = ["dataset", "classes", "num_samples", "noise", "train_ratio", "data_seed"];

const $ = (sel) => document.querySelector(sel);
const fmt = (v, digits = 3) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits));

export class Controller {
  constructor(lang) {
    this.lang = lang;
    this.tr = translator(lang);
    this.playing = false;
    this.generation = 0;        // bumped on every play/pause: an old loop sees it and stops
    this.snapshot = null;
    this.history = [];
    this.heatmaps = null;
    this.data = null;
    this.hovered = null;
    this.chosen = null;          // {point, label}
    this.trace = null;
    this.traceIndex = -1;
    this.offline = false;
  }

  // ------------------------------------------------------------------ start-up
  async start() {
    this.catalog = await api.catalog();
    const page = pageOptions(location.search);
    this.speed = page.speed;
    $("#show-test").checked = page.test;
    $("#discretize").checked = page.discrete;
    this.network = new NetworkView($("#network"), { catalog: this.catalog, handlers: this.networkHandlers() });
    this.plot = new OutputPlot($("#data-plot"), { onPick: (p) => this.choosePoint(p) });
    this.chart = new LossChart($("#loss-chart"));
    this.explorer = new ActivationExplorer($("#explorer"), this.catalog);
    this.diagnosticsView = new DiagnosticsView({
      chart: $("#grad-chart"), legend: $("#grad-legend"), flag: $("#grad-flag"),
      dead: $("#dead-units"), confusion: $("#confusion"), confusionBox: $("#confusion-box"),
    });
    this.scaleCanvas($("#grad-chart"), 300, 90);
    this.scaleCanvas($("#data-plot"), 300, 300);
    this.scaleCanvas($("#loss-chart"), 300, 70);
    this.setLanguage(this.lang);
    this.bindControls();
    const wanted = queryToConfig(location.search);
    try {
      await this.openSession(wanted);
    } catch (err) {
      // a bad value in a shared link: say so, and start from the defaults instead
      this.showError(err, null);
      await this.openSession({});
    }
    this.drawThumbnails();
  }

  scaleCanvas(canvas, w, h) {
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
  }

  async openSession(config) {
    const snap = await api.create(config);
    this.sessionId = snap.id;
    this.config = snap.config;
    await this.refresh(snap, { data: true });
  }

  // ------------------------------------------------------------------ language
  setLanguage(lang) {
    this.lang = lang;
    this.tr = translator(lang);
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = this.tr.t("title");
    applyStrings(document, this.tr.t);
    this.updatePlayButton();
    $("#language").value = lang;
    this.network.setTranslator(this.tr);
    this.explorer.setTranslator(this.tr);
    this.fillMenus();
    if (this.snapshot) this.render();
  }

  fillMenus() {
    const { name } = this.tr;
    const options = (select, rows, label = (r) => r.name) => {
      const keep = select.value;
      select.replaceChildren(...rows.map((r) => new Option(label(r), r.id)));
      if (keep) select.value = keep;
    };
    const numbers = (select, values, label = String) =>
      options(select, values.map((v) => ({ id: String(v), name: label(v) })));
    const datasetSelect = $("#dataset");
    datasetSelect.replaceChildren();
    for (const kind of ["binary", "multiclass", "regression"]) {
      const group = document.createElement("optgroup");
      group.label = this.tr.t("kinds")[kind];
      for (const d of this.catalog.datasets.filter((x) => x.kind === kind)) {
        group.append(new Option(name("datasets", d), d.id));
      }
      datasetSelect.append(group);
    }
    numbers($("#learning-rate"), LEARNING_RATES);
    options($("#activation"), this.catalog.activations, (r) => name("activations", r));
    options($("#regularization"), this.catalog.regularizers, (r) => name("regularizers", r));
    numbers($("#reg-rate"), REG_RATES);
    options($("#optimizer"), this.catalog.optimizers, (r) => name("optimizers", r));
    options($("#head"), this.catalog.heads, (r) => name("heads", r));
    numbers($("#threshold"), THRESHOLDS);
    numbers($("#speed"), SPEEDS, (v) => `${v} ${this.tr.t("speedUnit")}`);
    numbers($("#classes"), [3, 4, 5, 6]);
    numbers($("#batch-size"), BATCH_SIZES);
    numbers($("#samples"), SAMPLES);
    $("#speed").value = String(this.speed);
  }

  // ------------------------------------------------------------------ controls
  bindControls() {
    $("#play").addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    $("#step").addEventListener("click", () => this.stepOnce({ epochs: 1 }));
    $("#step-batch").addEventListener("click", () => this.stepOnce({ steps: 1 }));
    $("#reset").addEventListener("click", () => this.reset(false));
    $("#reseed").addEventListener("click", () => this.reset(true));
    $("#regenerate").addEventListener("click", () =>
      this.change({ data_seed: Math.floor(Math.random() * 2 ** 31) }, "data_seed"));
    $("#language").addEventListener("change", (ev) => {
      this.setLanguage(ev.target.value);
      this.writeAddress();
    });
    const bind = (sel, field, parse = (v) => v) =>
      $(sel).addEventListener("change", (ev) => this.change({ [field]: parse(ev.target.value) }, field));
    bind("#learning-rate", "learning_rate", Number);
    bind("#regularization", "regularization");
    bind("#reg-rate", "reg_rate", Number);
    bind("#optimizer", "optimizer");
    bind("#head", "head");
    bind("#threshold", "threshold", Number);
    bind("#dataset", "dataset");
    bind("#classes", "classes", Number);
    bind("#batch-size", "batch_size", Number);
    bind("#samples", "num_samples", Number);
    bind("#noise", "noise", Number);
    bind("#train-ratio", "train_ratio", Number);
    $("#noise").addEventListener("input", (ev) => ($("#noise-out").textContent = ev.target.value));
    $("#train-ratio").addEventListener("input", (ev) => ($("#train-ratio-out").textContent = ev.target.value));
    $("#activation").addEventListener("change", (ev) => {
      const hidden = this.config.hidden.map((h) => ({ ...h, activation: ev.target.value }));
      this.change({ hidden }, "activation");
    });
    $("#speed").addEventListener("change", (ev) => {
      this.speed = Number(ev.target.value);
      this.writeAddress();
    });
    for (const id of ["#show-test", "#discretize"]) {
      $(id).addEventListener("change", () => { this.drawPlot(); this.writeAddress(); });
    }
    $("#add-layer").addEventListener("click", () => this.edit(() => {
      const n = this.config.hidden.length;
      const act = this.config.hidden[n - 1]?.activation || $("#activation").value || "tanh";
      return api.addLayer(this.sessionId, n, 4, act);
    }, "hidden"));
    $("#remove-layer").addEventListener("click", () => this.edit(() =>
      api.removeLayer(this.sessionId, this.config.hidden.length - 1), "hidden"));
    document.querySelector("[data-explain=activation]").addEventListener("click", () =>
      this.explorer.open($("#activation").value || this.config.hidden[0]?.activation));
    $("#next-node").addEventListener("click", () => this.walk(+1));
    $("#prev-node").addEventListener("click", () => this.walk(-1));
    $("#run-to-end").addEventListener("click", () => this.walk(Infinity));
    $("#apply-update").addEventListener("click", () => this.applyUpdate());
    $("#pick-train").addEventListener("click", () => this.pickExample("train"));
    $("#pick-test").addEventListener("click", () => this.pickExample("test"));
    for (const id of ["#point-x1", "#point-x2", "#point-label"]) {
      $(id).addEventListener("change", () => this.pointFromInputs());
    }
    document.addEventListener("keydown", (ev) => {
      const typing = ev.target.closest?.("input, select, textarea, button, [role=button]");
      if (ev.code === "Space" && !typing) {
        ev.preventDefault();
        this.playing ? this.pause() : this.play();
      } else if (ev.key === "ArrowRight" && !typing) {
        ev.preventDefault();
        this.stepOnce({ epochs: 1 });
      }
    });
    const editor = $("#value-editor");
    editor.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); this.applyEditor(); }
      if (ev.key === "Escape") this.closeEditor();
    });
    editor.addEventListener("blur", () => setTimeout(() => {
      if (document.activeElement !== editor) this.closeEditor();   // not if reopened meanwhile
    }, 150));
  }

  networkHandlers() {
    return {
      toggleFeature: (fid) => {
        const on = this.config.features.includes(fid);
        const features = on ? this.config.features.filter((f) => f !== fid)
          : this.catalog.features.map((f) => f.id).filter((f) => f === fid || this.config.features.includes(f));
        this.change({ features }, "hidden");
      },
      addNeuron: (k) => this.edit(() => api.addNeuron(this.sessionId, k), "hidden"),
      removeNeuron: (k, j) => this.edit(() => api.removeNeuron(this.sessionId, k, j), "hidden"),
      setLayer: (k, changes) => {
        const hidden = this.config.hidden.map((h, i) => (i === k ? { ...h, ...changes } : h));
        this.change({ hidden }, "hidden");
      },
      editWeight: (id, path, ev) => {
        const [l, i, j] = id.split(":").map(Number);
        this.openEditor(ev, path, Number(path.dataset.value), this.tr.t("editWeight"),
          (v) => api.setWeight(this.sessionId, l, i, j, v));
      },
      editBias: (nodeId, button) => {
        const [l, j] = nodeId.split(":").map(Number);
        this.openEditor(null, button, Number(button.dataset.value), this.tr.t("editBias"),
          (v) => api.setBias(this.sessionId, l - 1, j, v));
      },
      explain: (activation) => this.explorer.open(activation),
      hoverNode: (id, div) => this.hoverNode(id, div),
      hoverEdge: (id, path, ev) => this.hoverEdge(id, path, ev),
    };
  }

  // ------------------------------------------------------------------ requests
  async change(changes, field) {
    const dataChange = DATA_FIELDS.some((k) => k in changes);
    await this.request(async () => {
      const snap = await api.patch(this.sessionId, changes);
      await this.refresh(snap, { data: dataChange });
      this.note(dataChange ? "resetsData" : null);
      if ("hidden" in changes && changes.hidden.length !== this.snapshot.layers.length - 2) {
        this.note("resetsWeights");
      }
    }, field);
  }

  async edit(call, field) {
    await this.request(async () => this.refresh(await call()), field);
  }

  async stepOnce(body) {
    this.pause();
    await this.looping;   // the loop's last frame lands first
    await this.request(async () => this.refresh(await api.step(this.sessionId, body)), null);
  }

  async reset(newSeed) {
    this.pause();
    await this.looping;   // the loop's last frame lands first
    const seed = newSeed ? Math.floor(Math.random() * 2 ** 31) : undefined;
    await this.request(async () => this.refresh(await api.reset(this.sessionId, seed)), null);
  }

  // Run a request; a refusal shows its message by the control, a lost server the banner.
  async request(run, field) {
    this.clearError(field);
    try {
      await run();
      this.recovered();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && /unknown session/.test(err.message)) {
        await this.openSession(this.config);   // expired while idle: start it again
        return false;
      }
      this.showError(err, field);
      if (this.snapshot) this.syncControls();   // the menus show what the server kept
      return false;
    }
  }

  async refresh(snap, { data = false } = {}) {
    this.snapshot = snap;
    this.history = snap.history;
    this.config = snap.config;
    const [heatmaps, points] = await Promise.all([
      api.heatmaps(this.sessionId, RESOLUTION),
      data || !this.data ? api.data(this.sessionId) : Promise.resolve(this.data),
    ]);
    this.heatmaps = heatmaps;
    this.data = points;
    if (this.trace) await this.retrace();
    this.render();
    this.writeAddress();
  }

  // ------------------------------------------------------------------ play loop
  play() {
    if (this.playing || this.snapshot?.diverged) return;
    this.playing = true;
    const generation = ++this.generation;
    this.updatePlayButton();
    // a new loop starts only when the previous one has landed its frame: one step in flight
    this.looping = (this.looping || Promise.resolve())
      .then(() => this.loop(generation)).catch((err) => this.showError(err, null));
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.generation++;
    this.updatePlayButton();
  }

  async loop(generation) {
    // One frame in flight at a time: the next step is asked for after this one is drawn.
    // A frame is one request (train + snapshot + heatmaps), and carries only the history
    // points the page does not have yet; past HISTORY_CAP points the page takes the
    // server's thinned history again, so a long run costs what a short one does.
    while (this.playing && generation === this.generation) {
      try {
        const last = this.history.length ? this.history[this.history.length - 1].step : -1;
        const full = this.history.length >= HISTORY_CAP;
        const body = {
          epochs: this.speed, resolution: RESOLUTION, node_resolution: NODE_RESOLUTION,
          history_since: full ? undefined : last,
        };
        const channel = await this.playChannel();
        const answer = channel ? await channel.frame(body) : await api.frame(this.sessionId, body);
        // paused meanwhile: still show this frame (the server did train it)
        const snap = answer.snapshot;
        this.history = full ? snap.history : this.history.concat(snap.history);
        snap.history = this.history;
        this.snapshot = snap;
        this.config = snap.config;
        this.heatmaps = answer.heatmaps;
        if (this.trace) await this.retrace();
        this.render();
        this.framesDrawn = (this.framesDrawn || 0) + 1;   // read by benchmarks/page_play.py
        this.recovered();
        if (snap.diverged) { this.pause(); return; }
      } catch (err) {
        if (generation !== this.generation) return;
        this.pause();
        if (err instanceof ApiError && err.status === 404 && /unknown session/.test(err.message)) {
          await this.openSession(this.config);
        } else {
          this.showError(err, null);
        }
        return;
      }
      // No wait for the next animation frame: the canvases are drawn already and the
      // browser shows them at its next paint; waiting would cost up to a frame of
      // training per frame, on top of the request itself.
    }
  }

  // The WebSocket for this session, opened on first use; null where it cannot open (a
  // proxy that refuses WebSockets): the loop then uses POST /frame, the same frames.
  async playChannel() {
    if (this.channel?.open && this.channel.sessionId === this.sessionId) return this.channel;
    this.channel?.close();
    this.channel = null;
    if (this.noWebSocket) return null;
    try {
      this.channel = await PlayChannel.open(this.sessionId);
    } catch {
      this.noWebSocket = true;
    }
    return this.channel;
  }

  updatePlayButton() {
    const button = $("#play");
    button.setAttribute("aria-label", this.playing ? "Pause" : "Play");
    button.title = this.tr.t(this.playing ? "pause" : "play");
    button.classList.toggle("playing", this.playing);
    button.querySelector(".play-icon").textContent = this.playing ? "❚❚" : "▶";
  }

  // ------------------------------------------------------------------ rendering
  render() {
    const snap = this.snapshot;
    const t = this.tr.t;
    $("[data-testid=epoch]").textContent = String(snap.epoch);
    $("[data-testid=train-loss]").textContent = fmt(snap.metrics.train_loss);
    $("[data-testid=test-loss]").textContent = fmt(snap.metrics.test_loss);
    const classifier = snap.kind !== "regression";
    for (const el of document.querySelectorAll(".metrics .acc")) el.hidden = !classifier;
    if (classifier) {
      $("[data-testid=train-accuracy]").textContent = fmt(snap.metrics.train_accuracy);
      $("[data-testid=test-accuracy]").textContent = fmt(snap.metrics.test_accuracy);
    }
    this.syncControls();
    this.network.render(snap);
    this.network.paintNodes(this.heatmaps, (id) => this.outputColor(id));
    this.chart.draw(snap.history);
    const hoveredNode = this.hovered && this.network.nodes.get(this.hovered);
    if (hoveredNode && !$("#tooltip").hidden) this.hoverNode(this.hovered, hoveredNode.div);   // new numbers (and the plot)
    else this.drawPlot();
    const edge = this.hoveredEdge && this.network.edges.get(this.hoveredEdge.id);
    if (edge && !$("#tooltip").hidden) this.hoverEdge(this.hoveredEdge.id, edge);   // the new weight
    this.diagnosticsView.render(snap, this.tr);
    this.network.markDead(snap.diagnostics?.dead_units || []);
    const hidden = snap.layers.length - 2;
    $("#layer-count").textContent = `${hidden} ${t("hiddenLayers")}`;
    $("#add-layer").disabled = hidden >= this.catalog.limits.max_hidden_layers;
    $("#remove-layer").disabled = hidden === 0;
    if (snap.diverged) {
      this.banner(`${t("diverged")} ${t("divergedHint")} (${snap.divergence_reason})`, "error");
    }
    if (this.trace) this.showTraceStep();
  }

  syncControls() {
    const c = this.config;
    const set = (sel, v) => { const e = $(sel); if (e && document.activeElement !== e) e.value = String(v); };
    set("#learning-rate", c.learning_rate);
    set("#regularization", c.regularization);
    set("#reg-rate", c.reg_rate);
    set("#optimizer", c.optimizer);
    set("#threshold", c.threshold);
    set("#dataset", c.dataset);
    set("#classes", c.classes);
    set("#batch-size", c.batch_size);
    set("#samples", c.num_samples);
    set("#noise", c.noise);
    set("#train-ratio", c.train_ratio);
    $("#noise-out").textContent = String(c.noise);
    $("#train-ratio-out").textContent = String(c.train_ratio);
    const acts = new Set(c.hidden.map((h) => h.activation));
    $("#activation").value = acts.size === 1 ? [...acts][0] : "";
    const dataset = this.catalog.datasets.find((d) => d.id === c.dataset);
    for (const option of $("#head").options) option.disabled = !dataset.heads.includes(option.value);
    set("#head", c.head);
    $("#threshold-field").hidden = c.head !== "sigmoid";
    $("#classes-field").hidden = dataset.kind !== "multiclass";
    for (const b of document.querySelectorAll(".thumb")) {
      b.setAttribute("aria-pressed", String(b.dataset.dataset === c.dataset));
    }
  }

  outputColor() {
    const kind = this.snapshot.kind;
    if (kind === "regression") return diverging;
    return (p) => diverging(2 * p - 1);   // a probability: 0 blue, 1/2 white, 1 orange
  }

  drawPlot() {
    if (!this.heatmaps) return;
    const hovered = this.hovered && this.heatmaps.nodes[this.hovered];
    this.plot.draw({
      heatmaps: this.heatmaps, grid: hovered || null, data: this.data, kind: this.snapshot.kind,
      threshold: this.config.threshold, discretize: $("#discretize").checked,
      showTest: $("#show-test").checked, chosen: this.chosen?.point,
    });
  }

  async drawThumbnails() {
    const box = $("#dataset-thumbs");
    box.replaceChildren();
    for (const d of this.catalog.datasets) {
      const button = document.createElement("button");
      button.className = "thumb";
      button.dataset.dataset = d.id;
      button.title = this.tr.name("datasets", d);
      button.setAttribute("aria-label", this.tr.name("datasets", d));
      button.setAttribute("aria-pressed", String(d.id === this.config.dataset));
      const canvas = document.createElement("canvas");
      canvas.width = 48;
      canvas.height = 48;
      button.append(canvas);
      button.addEventListener("click", () => this.change({ dataset: d.id }, "dataset"));
      box.append(button);
      api.preview(d.id, { num_samples: 150, noise: 0 }).then((p) => drawThumb(canvas, p)).catch(() => {});
    }
  }

  // ------------------------------------------------------------------ hover and edit
  hoverNode(id, div) {
    this.hovered = id;
    this.drawPlot();
    const tip = $("#tooltip");
    if (!id) { tip.hidden = true; return; }
    const [l, j] = id.split(":").map(Number);
    const t = this.tr.t;
    const snap = this.snapshot;
    let text;
    if (l === 0) {
      const f = this.catalog.features.find((x) => x.id === this.config.features[j]);
      text = `${t("input")} ${f.name} = ${f.formula}`;
    } else {
      const layer = snap.layers[l];
      const act = this.catalog.activations.find((a) => a.id === layer.activation);
      const head = this.catalog.heads.find((h) => h.id === layer.activation);
      const formula = act ? act.formula : head?.formula;
      text = `${t("node")} ${id} · ${layer.activation}\n${t("bias")} = ${fmt(snap.biases[l - 1][j])}\n${formula}`;
    }
    this.showTooltip(text, div.getBoundingClientRect());
  }

  hoverEdge(id, path, ev) {
    const tip = $("#tooltip");
    this.hoveredEdge = id ? { id, path } : null;
    if (!id) { tip.hidden = true; return; }
    const t = this.tr.t;
    const w = Number(path.dataset.value);
    const [l, i, j] = id.split(":").map(Number);
    const sign = w > 0 ? t("positive") : w < 0 ? t("negative") : t("zero");
    const signed = `${w > 0 ? "+" : ""}${w.toFixed(3)}`;
    this.showTooltip(`${t("weight")} ${l}:${i} → ${l + 1}:${j} = ${signed} (${sign})`,
      ev?.clientX ? { left: ev.clientX + 8, top: ev.clientY + 8, bottom: ev.clientY + 8 }
        : path.getBoundingClientRect());
  }

  showTooltip(text, rect) {
    const tip = $("#tooltip");
    tip.textContent = text;
    tip.hidden = false;
    tip.style.left = `${rect.left + window.scrollX}px`;
    tip.style.top = `${rect.bottom + window.scrollY + 6}px`;
  }

  openEditor(ev, anchor, value, title, apply) {
    const editor = $("#value-editor");
    const rect = anchor.getBoundingClientRect();
    const x = ev?.clientX ?? rect.left + rect.width / 2;
    const y = ev?.clientY ?? rect.top + rect.height / 2;
    editor.style.left = `${x + window.scrollX - 40}px`;
    editor.style.top = `${y + window.scrollY - 14}px`;
    editor.value = Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : "";
    editor.title = title;
    editor.setAttribute("aria-label", title);
    editor.hidden = false;
    this.editorApply = apply;
    this.editorAnchor = anchor;
    editor.focus();
    editor.select();
  }

  async applyEditor() {
    const editor = $("#value-editor");
    const text = editor.value.trim().replace(",", ".");
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) {
      this.showError(new ApiError(`“${editor.value}” is not a number; type e.g. 0.5 or -1,25`, 422), "weight");
      return;
    }
    const apply = this.editorApply;
    this.closeEditor();
    await this.request(async () => this.refresh(await apply(value)), "weight");
  }

  closeEditor() {
    const editor = $("#value-editor");
    if (!editor.hidden) {
      editor.hidden = true;
      this.editorAnchor?.focus?.();
    }
  }

  // ------------------------------------------------------------------ step-through
  // A click on the plot (or typed x1, x2, or a picked example) chooses the point; a click
  // within 0.3 of a data point takes that example and its label. Next node walks the
  // forward steps of the server's trace, then, with a label, its backward steps.
  choosePoint(point, label) {
    if (label === undefined) {
      let best = 0.3;
      for (const set of [this.data.train, this.data.test]) {
        set.x.forEach(([a, b], i) => {
          const d = Math.hypot(a - point[0], b - point[1]);
          if (d < best) { best = d; point = [a, b]; label = set.y[i]; }
        });
      }
    }
    this.setPoint(point, label);
  }

  setPoint(point, label) {
    this.chosen = { point, label: label ?? undefined };
    $("#point-x1").value = String(Math.round(point[0] * 1000) / 1000);
    $("#point-x2").value = String(Math.round(point[1] * 1000) / 1000);
    $("#point-label").value = label === undefined || label === null ? "" : String(label);
    this.trace = null;
    this.traceIndex = -1;
    this.network.highlight(null);
    $("#apply-update").disabled = true;
    this.drawPlot();
    const t = this.tr.t;
    $("#calc-panel").textContent = `${t("chosenPoint")}: (${fmt(point[0], 2)}, ${fmt(point[1], 2)})` +
      (label !== undefined && label !== null ? ` · ${t("labelOptional")} ${label}` : "");
  }

  pointFromInputs() {
    const x1 = Number($("#point-x1").value.replace(",", "."));
    const x2 = Number($("#point-x2").value.replace(",", "."));
    const raw = $("#point-label").value.trim().replace(",", ".");
    if (!Number.isFinite(x1) || !Number.isFinite(x2) || (raw !== "" && !Number.isFinite(Number(raw)))) {
      this.showError(new ApiError("x1 and x2 must be numbers (e.g. 1.5 or -2,25); the label a number or empty", 422), "point");
      return;
    }
    this.clearError("point");
    this.setPoint([x1, x2], raw === "" ? undefined : Number(raw));
  }

  pickExample(which) {
    const set = this.data[which];
    if (!set.x.length) return;
    const i = Math.floor(Math.random() * set.x.length);
    this.setPoint(set.x[i], set.y[i]);
  }

  async retrace() {
    if (!this.chosen) return;
    try {
      this.trace = await api.trace(this.sessionId, this.chosen.point, this.chosen.label);
    } catch (err) {
      this.trace = null;
      this.showError(err, "point");
    }
  }

  steps() {
    if (!this.trace) return [];
    return [...this.trace.forward.map((s) => ({ phase: "forward", s })),
            ...(this.trace.backward || []).map((s) => ({ phase: "backward", s }))];
  }

  async walk(delta) {
    if (!this.chosen) this.choosePoint([1, 1]);
    if (!this.trace) await this.retrace();
    if (!this.trace) return;
    const last = this.steps().length - 1;
    const forwardEnd = this.trace.forward.length - 1;
    if (delta === Infinity) {
      // "run to the end": of the forward pass first, then of the backward pass
      this.traceIndex = this.traceIndex < forwardEnd ? forwardEnd : last;
    } else {
      this.traceIndex = Math.max(0, Math.min(last, this.traceIndex + delta));
    }
    this.showTraceStep();
  }

  showTraceStep() {
    const steps = this.steps();
    const index = this.traceIndex;
    if (index < 0 || !steps.length) return;
    const { phase, s: step } = steps[Math.min(index, steps.length - 1)];
    const lines = phase === "forward" ? this.forwardLines(step, index) : this.backwardLines(step, index);
    $("#apply-update").disabled = phase !== "backward";
    $("#calc-panel").replaceChildren(...lines.map((line) =>
      Object.assign(document.createElement("div"), { textContent: line })));
  }

  forwardLines(step, index) {
    const t = this.tr.t;
    const trace = this.trace;
    const labels = new Map(step.inputs.map((i) => {
      const [, from] = i.from.split(":");
      const [l, j] = step.node.split(":");
      return [`${l - 1}:${from}:${j}`, `${fmt(i.value, 2)}×${fmt(i.weight, 2)}`];
    }));
    this.network.highlight(step.node, labels);
    const lines = [
      `${t("chosenPoint")}: (${fmt(trace.point[0], 2)}, ${fmt(trace.point[1], 2)})`,
      `${t("node")} ${step.node} (${index + 1}/${this.steps().length})`,
      step.formula,
    ];
    if (["relu"].includes(step.activation) && step.z <= 0) {
      lines.push(t("hiddenChange", { act: step.activation }));
    }
    if (index === trace.forward.length - 1) {
      const out = trace.output;
      if (out.threshold !== undefined) {
        lines.push(`${t("probability")} = ${fmt(out.values[0])}, ${t("threshold").toLowerCase()} = ${out.threshold} → ${t("predicted")} ${t("classLabel")} ${out.prediction}`);
      } else if (out.probability_sum !== undefined) {
        lines.push(`${out.values.map((v, k) => `p${k} = ${fmt(v)}`).join(", ")}; ${t("sumOfProbabilities")} = ${fmt(out.probability_sum)} → ${t("predicted")} ${t("classLabel")} ${out.prediction}`);
      } else {
        lines.push(`${t("predicted")} = ${fmt(out.prediction)}`);
      }
      if (!trace.backward) lines.push(t("noLabel"));
    }
    return lines;
  }

  backwardLines(step, index) {
    const t = this.tr.t;
    const lr = this.config.learning_rate;
    const [l, j] = step.node.split(":").map(Number);
    const forward = this.trace.forward.find((f) => f.node === step.node);
    const labels = new Map(step.weight_grads.map((g) => [`${l - 1}:${g.from.split(":")[1]}:${j}`, fmt(g.grad)]));
    this.network.highlight(step.node, labels);
    const lines = [
      `${t("backwardStep")} · ${t("node")} ${step.node} (${index + 1}/${this.steps().length})`,
      `${t("lossOfExample")} = ${fmt(this.trace.loss)}`,
      step.formula,
      `${t("weightGrad")}:`,
    ];
    for (const g of step.weight_grads) {
      const input = forward.inputs.find((i) => i.from === g.from);
      lines.push(`  ${g.from}→${step.node}: ${fmt(input.value)} × ${fmt(step.dz)} = ${fmt(g.grad)};  ` +
                 `Δw = −${lr} × ${fmt(g.grad)} = ${fmt(g.update)}`);
    }
    lines.push(`  bias: dL/db = ${fmt(step.bias_grad)};  Δb = ${fmt(step.bias_update)}`);
    lines.push(`(${t("update")} = ${lr})`);
    return lines;
  }

  async applyUpdate() {
    if (!this.chosen || this.chosen.label === undefined) return;
    const ok = await this.request(async () => {
      const snap = await api.exampleStep(this.sessionId, this.chosen.point, this.chosen.label);
      await this.refresh(snap);
    }, "point");
    if (ok) this.note("applied");
  }

  // ------------------------------------------------------------------ messages
  showError(err, field) {
    if (err instanceof ApiError && err.status === 0) {
      this.lostConnection();
      return;
    }
    const slotField = (err instanceof ApiError && err.field) || field;
    const slot = slotField && document.querySelector(`[data-error-for="${slotField}"]`);
    if (slot) slot.textContent = err.message;
    else this.banner(err.message, "error");
  }

  clearError(field) {
    for (const slot of document.querySelectorAll(".error")) {
      if (!field || slot.dataset.errorFor === field || slot.textContent) slot.textContent = "";
    }
    if (!this.offline && !this.snapshot?.diverged) $("#banner").hidden = true;
  }

  banner(text, kind) {
    const b = $("#banner");
    b.textContent = text;
    b.className = `banner ${kind}`;
    b.hidden = false;
  }

  note(key) {
    $("#data-note").textContent = key ? this.tr.t(key) : "";
  }

  lostConnection() {
    this.pause();
    if (this.offline) return;
    this.offline = true;
    this.banner(this.tr.t("connectionLost"), "error");
    const retry = async () => {
      try {
        await api.health();
      } catch {
        setTimeout(retry, 1500);
        return;
      }
      this.offline = false;
      try {
        await this.refresh(await api.get(this.sessionId));
      } catch {
        await this.openSession(this.config);
      }
      this.banner(this.tr.t("connectionBack"), "ok");
      setTimeout(() => { if (!this.offline) $("#banner").hidden = true; }, 2500);
    };
    setTimeout(retry, 1000);
  }

  recovered() {
    if (this.offline) this.offline = false;
  }

  writeAddress() {
    if (!this.config) return;
    const query = configToQuery(this.config, {
      lang: this.lang, speed: this.speed,
      test: $("#show-test").checked ? 1 : 0, discrete: $("#discretize").checked ? 1 : 0,
    });
    history.replaceState(null, "", `?${query}`);
  }
}

function drawThumb(canvas, preview) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#f4f5f6";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const { x, y } = preview.points;
  for (let i = 0; i < x.length; i++) {
    const px = ((x[i][0] + 6) / 12) * canvas.width;
    const py = ((6 - x[i][1]) / 12) * canvas.height;
    const c = preview.kind === "multiclass" ? CLASS_COLORS[y[i] | 0]
      : preview.kind === "regression" ? diverging(y[i]) : y[i] >= 0.5 ? ORANGE : BLUE;
    ctx.fillStyle = `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
    ctx.fillRect(px - 1, py - 1, 2.2, 2.2);
  }
}

