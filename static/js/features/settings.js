// Settings: the menus (built from the catalog, never a second list of names), what a
// change of one of them sends, the dataset thumbnails, the language, and the address
// that mirrors the whole configuration. Own data ("custom:<id>") is in the picker too: an
// entry and a thumbnail "Your data" for this page's latest, its kind the snapshot's.

import { api } from "../api.js";
import { $, setAttr, setProp, setText } from "../dom.js";
import { applyStrings } from "../i18n.js";
import { css, labelColor } from "../views/colors.js";
import { EXTENT } from "../views/plot.js";
import { SPEEDS, configToQuery, isOwnDataset, layerDefaults } from "./address.js";
import { DATA_FIELDS } from "./state.js";

// The menus' numbers (the A/B chooser offers the same ones: ab_form.js).
export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const BATCH_SIZES = [1, 2, 5, 10, 16, 20, 25, 30, 32, 50, 64, 100, 128, 250, 500];
const SAMPLES = [100, 200, 300, 500, 1000, 2000];
const THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const MIXED = "";    // the Activation menu's value when the layers differ


export class Settings {
  constructor(state, { tr, play, page, onLanguage }) {
    this.state = state;
    this.tr = tr;
    this.play = play;
    this.page = page;            // {test, discrete}: view options that travel in the link
    this.onLanguage = onLanguage;
    this.own = null;             // this page's latest own data ("custom:<id>"), once there is one
    this.ownThumb = thumbButton(() => this.change({ dataset: this.own }, "dataset"));
  }

  setTranslator(tr) {
    this.tr = tr;
    document.documentElement.lang = tr.lang === "zh" ? "zh-CN" : "en";
    document.title = tr.t("title");
    applyStrings(document, tr.t);
    $("#language").value = tr.lang;
    $("#teach-link").href = `/class?lang=${tr.lang}`;   // the dashboard in the same language
    this.fillMenus();
    this.drawThumbnails();
  }

  fillMenus() {
    const { name, t } = this.tr;
    const catalog = this.state.catalog;
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
      group.label = t("kinds")[kind];
      for (const d of catalog.datasets.filter((x) => x.kind === kind)) {
        group.append(new Option(name("datasets", d), d.id));
      }
      datasetSelect.append(group);
    }
    this.ownOption();
    numbers($("#learning-rate"), LEARNING_RATES);
    options($("#activation"), catalog.activations, (r) => name("activations", r));
    $("#activation").prepend(new Option(t("mixed"), MIXED));
    $("#activation").options[0].disabled = true;
    options($("#regularization"), catalog.regularizers, (r) => name("regularizers", r));
    numbers($("#reg-rate"), REG_RATES);
    options($("#optimizer"), catalog.optimizers, (r) => name("optimizers", r));
    options($("#init"), catalog.initializers, (r) => name("initializers", r));
    options($("#head"), catalog.heads, (r) => name("heads", r));
    numbers($("#threshold"), THRESHOLDS);
    numbers($("#speed"), SPEEDS, (v) => `${v} ${t("speedUnit")}`);
    numbers($("#classes"), [3, 4, 5, 6]);
    numbers($("#batch-size"), BATCH_SIZES);
    numbers($("#samples"), SAMPLES);
    $("#speed").value = String(this.play.speed);
    if (this.state.snapshot) this.render();
  }

  bind() {
    const change = (changes, field) => this.change(changes, field);
    $("#regenerate").addEventListener("click", () =>
      change({ data_seed: Math.floor(Math.random() * 2 ** 31) }, "data_seed"));
    $("#language").addEventListener("change", (ev) => this.onLanguage(ev.target.value));
    const bind = (sel, field, parse = (v) => v) =>
      $(sel).addEventListener("change", (ev) => change({ [field]: parse(ev.target.value) }, field));
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
    $("#init").addEventListener("change", async (ev) => {
      if (await this.change({ init: ev.target.value }, "init")) this.state.messages.note("initNote");
    });
    $("#noise").addEventListener("input", (ev) => ($("#noise-out").textContent = ev.target.value));
    $("#train-ratio").addEventListener("input", (ev) => ($("#train-ratio-out").textContent = ev.target.value));
    $("#activation").addEventListener("change", (ev) => {
      const activation = ev.target.value;
      change(() => ({ hidden: this.state.config.hidden.map((h) => ({ ...h, activation })) }), "activation");
    });
    $("#speed").addEventListener("change", (ev) => {
      this.play.speed = Number(ev.target.value);
      this.writeAddress();
    });
  }

  // Send a config change (an object, or a function that makes it from the config of the
  // moment it runs); the note under the data says exactly what the server rebuilt.
  async change(changes, field) {
    const state = this.state;
    return state.change(async () => {
      const patch = typeof changes === "function" ? changes() : changes;
      const data = DATA_FIELDS.some((k) => k in patch);
      const snap = await api.patch(state.sessionId, patch);
      await state.show(snap, { data });
      this.noteRebuilt(snap.rebuilt, data);
    }, field);
  }

  noteRebuilt(rebuilt, dataChanged) {
    const note = (key, values) => this.state.messages.note(key, values);
    const heads = this.state.catalog.heads;
    const headName = (id) => this.tr.name("heads", heads.find((h) => h.id === id) || { id, name: id });
    if (!rebuilt) { note(dataChanged ? "resetsData" : null); return; }
    if (rebuilt.all_weights) note("rebuiltAll");
    else if (rebuilt.head) note("headSwitched", { from: headName(rebuilt.head.from), to: headName(rebuilt.head.to) });
    else if (rebuilt.output_weights) note("rebuiltOutput");
    else if (rebuilt.input_weights) note("rebuiltInputs");
    else note(rebuilt.data ? "resetsData" : null);
  }

  // The controls show the session's config (never one the server refused).
  render(snap = this.state.snapshot) {
    const c = snap.config;
    // a slider being dragged is left alone; a menu always shows the session's value
    const set = (sel, v) => {
      const e = $(sel);
      if (e && !(e.type === "range" && document.activeElement === e)) setProp(e, "value", String(v));
    };
    offerValue($("#learning-rate"), c.learning_rate);   // a rate typed beside the menu
    set("#learning-rate", c.learning_rate);
    set("#regularization", c.regularization);
    set("#reg-rate", c.reg_rate);
    set("#optimizer", c.optimizer);
    set("#init", c.init);
    set("#threshold", c.threshold);
    this.showOwn(snap);
    set("#dataset", c.dataset);
    set("#classes", c.classes);
    set("#batch-size", c.batch_size);
    set("#samples", c.num_samples);
    set("#noise", c.noise);
    set("#train-ratio", c.train_ratio);
    setText($("#noise-out"), String(c.noise));
    setText($("#train-ratio-out"), String(c.train_ratio));
    const acts = new Set(c.hidden.map((h) => h.activation));
    const activation = $("#activation");
    setProp(activation, "disabled", c.hidden.length === 0);
    setText(activation.options[0], this.tr.t(c.hidden.length ? "mixed" : "noHiddenLayers"));
    setProp(activation, "value", acts.size === 1 ? [...acts][0] : MIXED);
    const heads = this.state.catalog.heads.filter((h) => h.kinds.includes(snap.kind)).map((h) => h.id);
    for (const option of $("#head").options) setProp(option, "disabled", !heads.includes(option.value));
    set("#head", c.head);
    setProp($("#threshold-field"), "hidden", c.head !== "sigmoid");
    // own data has its classes and its count: the panel "Your data" says them
    const own = isOwnDataset(c.dataset);
    setProp($("#classes-field"), "hidden", own || snap.kind !== "multiclass");
    setProp($("#samples-field"), "hidden", own);
    for (const b of $("#dataset-thumbs").children) {
      setAttr(b, "aria-pressed", String(b.dataset.dataset === c.dataset));
    }
    this.writeAddress();
  }

  drawThumbnails() {
    const box = $("#dataset-thumbs");
    box.replaceChildren();
    for (const d of this.state.catalog.datasets) {
      const button = thumbButton(() => this.change({ dataset: d.id }, "dataset"), d.id);
      named(button, this.tr.name("datasets", d));
      button.setAttribute("aria-pressed", String(d.id === this.state.config?.dataset));
      box.append(button);
      this.thumbnail(d.id).then((p) => drawThumb(button.firstChild, p)).catch(() => {});
    }
    named(this.ownThumb, this.tr.t("ownData"));
    box.append(this.ownThumb);
  }

  // The picker's "Your data": shown once the page has own data, drawn from its points
  // whenever they change, kept (to come back to) while a built-in set is tried.
  showOwn(snap) {
    const dataset = snap.config.dataset;
    if (isOwnDataset(dataset) && dataset !== this.own) {
      this.own = dataset;
      this.ownOption();
    }
    const thumb = this.ownThumb;
    setProp(thumb, "hidden", !this.own);
    setAttr(thumb, "data-dataset", this.own || "");
    const data = this.state.data;
    if (dataset === this.own && data && data !== this.ownDrawn) {
      this.ownDrawn = data;
      drawThumb(thumb.firstChild, { kind: snap.kind, points: {
        x: data.train.x.concat(data.test.x), y: data.train.y.concat(data.test.y) } });
    }
  }

  ownOption() {
    const select = $("#dataset");
    if (!this.own) return;
    let group = select.querySelector("optgroup.own");
    if (!group) {
      group = document.createElement("optgroup");
      group.className = "own";
      select.append(group);
    }
    group.label = this.tr.t("ownData");
    group.replaceChildren(new Option(this.tr.t("ownDataOption"), this.own));
  }

  thumbnail(id) {
    this.previews ??= new Map();
    if (!this.previews.has(id)) this.previews.set(id, api.preview(id, { num_samples: 150, noise: 0 }));
    return this.previews.get(id);
  }

  writeAddress() {
    const config = this.state.config;
    if (!config) return;
    const lesson = this.state.snapshot?.lesson?.lesson_id;
    const query = configToQuery(config, {
      lang: this.tr.lang, speed: this.play.speed,
      test: $("#show-test").checked ? 1 : 0, discrete: $("#discretize").checked ? 1 : 0,
      ...(lesson?.startsWith("exercise-") ? { exercise: lesson.slice(9) } : lesson ? { lesson } : {}),
      ...(this.state.classCode ? { class: this.state.classCode } : {}),
    }, layerDefaults(this.state.catalog));
    if (query === this.written) return;   // a frame does not rewrite the same address
    this.written = query;
    history.replaceState(null, "", `?${query}`);
  }
}

// A menu of numbers shows a value that is none of its own (typed, or from a link) as one
// more option, in order; the one it added before goes when that value is gone.
function offerValue(select, value) {
  const v = String(value);
  const added = select.querySelector("option.offered");
  if (added && added.value !== v) added.remove();
  if ([...select.options].some((o) => o.value === v)) return;
  const option = new Option(v, v);
  option.className = "offered";
  select.insertBefore(option, [...select.options].find((o) => Number(o.value) > value) || null);
}

// A dataset's thumbnail button (its canvas the first child); `onPick` when clicked.
function thumbButton(onPick, dataset = "") {
  const button = document.createElement("button");
  button.className = "thumb";
  button.dataset.dataset = dataset;
  const canvas = document.createElement("canvas");
  canvas.width = 48;
  canvas.height = 48;
  button.append(canvas);
  button.addEventListener("click", onPick);
  return button;
}

function named(button, name) {
  button.title = name;
  button.setAttribute("aria-label", name);
}

// A dataset's points on a thumbnail, coloured as on the plot.
function drawThumb(canvas, preview) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#f4f5f6";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const { x, y } = preview.points;
  for (let i = 0; i < x.length; i++) {
    const px = ((x[i][0] + EXTENT) / (2 * EXTENT)) * canvas.width;
    const py = ((EXTENT - x[i][1]) / (2 * EXTENT)) * canvas.height;
    ctx.fillStyle = css(labelColor(preview.kind, y[i]));
    ctx.fillRect(px - 1, py - 1, 2.2, 2.2);
  }
}
