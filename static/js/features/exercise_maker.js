// "Make this an exercise": a teacher turns the playground as it is into an exercise (a
// prompt, goals picked from the server's own goal menu, GET /api/goals, controls locked
// or hidden, optionally the current weights) and gets a link. The server keeps it under
// an id (POST /api/exercises), so editing the link cannot change the goals; the lesson
// player opens it (/?exercise=ID).

import { api, ApiError } from "../api.js";
import { $ } from "../dom.js";
import { fieldName, ID_GROUPS } from "../i18n.js";
import { parseDecimal } from "../numbers.js";
import { CONTROL_ELEMENTS, controlName } from "./lesson.js";
import { PageMessage } from "./messages.js";

const OP_SIGNS = { "<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=" };
// controls the page names by their button rather than by the setting they change
const CONTROL_KEYS = { data_seed: "regenerate", seed: "reseed" };
const NEEDS_INPUTS = { layer: ["layer"], node: ["node"], point: ["x1", "x2"] };

export class ExerciseMaker {
  constructor(state, { tr }) {
    this.state = state;
    this.tr = tr;
    this.menu = null;          // GET /api/goals: {metrics, controls, max_goals}
    this.drafted = false;      // the dialog holds the teacher's draft from the last opening
  }

  setTranslator(tr) {
    this.tr = tr;
    if (!this.menu) return;
    const goals = this.readRows();
    const chosen = this.readControls();
    this.drawControls(chosen);
    this.drawRows(goals);
    if (this.shownError) this.showError(this.shownError);
  }

  bind() {
    $("#exercise-maker-btn").addEventListener("click", () => this.open());
    $("#exercise-maker .explorer-close").addEventListener("click", () => $("#exercise-maker").close());
    $("#exmaker-add").addEventListener("click", () => {
      this.drawRows([...this.readRows(), this.defaultGoal()]);
      this.changed();
      $("#exmaker-goals").lastElementChild?.querySelector(".goal-metric").focus();
    });
    $("#exmaker-create").addEventListener("click", () => this.create());
    $("#exmaker-copy").addEventListener("click", () => this.copy());
    $("#exmaker-body").addEventListener("input", () => this.changed());
    $("#exmaker-body").addEventListener("change", () => this.changed());
  }

  async open() {
    try {
      this.menu ??= await api.goals();
    } catch (err) {
      this.state.messages.error(err);
      return;
    }
    if (!this.drafted) {
      this.drawControls({ locked: new Set(), hidden: new Set() });
      this.drawRows([this.defaultGoal()]);
      this.drafted = true;
    }
    this.changed();
    $("#exercise-maker").showModal();
  }

  // A first goal that asks for more than the playground does now: a test loss below 0.2,
  // or below half of what it is when it is there already.
  defaultGoal() {
    const now = this.state.snapshot?.metrics?.test_loss;
    const value = typeof now === "number" && now <= 0.25 ? Number((now / 2).toPrecision(2)) : 0.2;
    return { metric: "test_loss", op: "<", value: String(value) };
  }

  // Anything edited makes the link shown stale, and the last refusal with it.
  changed() {
    $("#exmaker-result").hidden = true;
    this.showError(null);
  }

  // ------------------------------------------------------------------ goal rows
  metric(id) {
    return this.menu.metrics.find((m) => m.id === id);
  }

  drawRows(goals) {
    const list = $("#exmaker-goals");
    list.replaceChildren(...goals.map((goal, k) => this.row(goal, k)));
    const max = this.menu.max_goals;
    $("#exmaker-add").disabled = goals.length >= max;
    for (const button of list.querySelectorAll(".goal-remove")) button.disabled = goals.length <= 1;
    $("#exmaker-goal-count").textContent = this.tr.t("exGoalCount", { n: goals.length, max });
  }

  row(goal, k) {
    const { t, lang } = this.tr;
    const metric = this.metric(goal.metric) || this.menu.metrics[0];
    const li = document.createElement("li");
    li.className = "goal-row";
    const metricSelect = select("goal-metric", t("exGoalMetric", { n: k + 1 }),
      this.menu.metrics.map((m) => [m.id, this.metricLabel(m)]), metric.id);
    metricSelect.addEventListener("change", () => {
      const goals = this.readRows();
      goals[k] = { metric: metricSelect.value, op: goals[k].op, value: goals[k].value };
      this.drawRows(goals);
    });
    const opSelect = select("goal-op", t("exGoalOp", { n: k + 1 }),
      metric.ops.map((op) => [op, op === "is" ? t("exIs") : OP_SIGNS[op]]), goal.op);
    let value;
    if (metric.kind === "name") {
      value = select("goal-name", t("exGoalValue", { n: k + 1 }),
        metric.names.map((id) => [id, this.nameOf(metric.id, id)]), goal.is);
    } else {
      value = input("goal-value", t("exGoalValue", { n: k + 1 }), goal.value ?? "");
      value.inputMode = "decimal";
    }
    const number = document.createElement("span");
    number.className = "goal-number";
    number.textContent = `${k + 1}.`;
    const fields = document.createElement("span");
    fields.className = "goal-fields";
    fields.append(metricSelect, opSelect, value);
    li.append(number, fields);
    for (const need of metric.needs) {
      const label = document.createElement("label");
      label.className = `goal-need goal-need-${need}`;
      label.append(t(need === "point" ? "exAtPoint" : need === "layer" ? "exLayer" : "exNode"));
      if (need !== "point") label.title = t(need === "layer" ? "exLayerTitle" : "exNodeTitle");
      for (const part of NEEDS_INPUTS[need]) {
        const box = input(`goal-${part}`, t(`exGoal_${part}`, { n: k + 1 }), goal[part] ?? "");
        box.inputMode = "decimal";
        box.size = 3;
        label.append(" ", box);
      }
      fields.append(label);
    }
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "round-btn goal-remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", t("exRemoveGoal", { n: k + 1 }));
    remove.addEventListener("click", () => {
      const goals = this.readRows();
      goals.splice(k, 1);
      this.drawRows(goals);
      this.changed();
    });
    li.append(remove);
    return li;
  }

  // A metric as the menu says it: its name, and what it is read on when it needs more
  // than the playground ("value (of a node, at a point)").
  metricLabel(metric) {
    const { t, lang } = this.tr;
    const on = [];
    if (metric.needs.includes("node")) on.push(t("exOfNode"));
    else if (metric.needs.includes("layer")) on.push(t("exInLayer"));
    if (metric.needs.includes("point")) on.push(t("exAtAPoint"));
    const name = metric.name[lang];
    return on.length ? t("exMetricOn", { name, on: on.join(lang === "zh" ? "、" : ", ") }) : name;
  }

  // A name as the page calls it in its language: catalog names, the gradient flags' own.
  nameOf(metricId, id) {
    const group = ID_GROUPS[metricId];
    const row = group && this.state.catalog[group]?.find((r) => r.id === id);
    if (row) return this.tr.name(group, row);
    return this.tr.t("exFlagNames")[id] ?? id;
  }

  // The rows as typed (text, not yet numbers): what a redraw keeps.
  readRows() {
    return [...$("#exmaker-goals").children].map((li) => {
      const goal = { metric: li.querySelector(".goal-metric").value, op: li.querySelector(".goal-op").value };
      const name = li.querySelector(".goal-name");
      if (name) goal.is = name.value;
      else goal.value = li.querySelector(".goal-value").value;
      for (const part of ["layer", "node", "x1", "x2"]) {
        const box = li.querySelector(`.goal-${part}`);
        if (box) goal[part] = box.value;
      }
      return goal;
    });
  }

  // The goals as the server takes them. A field left empty is left out (the server says
  // what the metric needs); typed text that is no number is refused here.
  goals() {
    return this.readRows().map((row, k) => {
      const metric = this.metric(row.metric);
      const goal = { metric: row.metric };
      const number = (text) => {
        const value = parseDecimal(text);
        if (value === null) throw new PageMessage("exGoalNotANumber", { n: k + 1, text });
        return value;
      };
      if (metric.kind === "name") goal.is = row.is;
      else Object.assign(goal, { op: row.op, value: number(row.value) });
      for (const field of ["layer", "node"]) {
        if (metric.needs.includes(field) && row[field].trim()) goal[field] = number(row[field]);
      }
      if (metric.needs.includes("point") && row.x1.trim() && row.x2.trim()) {
        goal.point = [number(row.x1), number(row.x2)];
      }
      return goal;
    });
  }

  // ------------------------------------------------------------------ controls
  // Every control the server lets an exercise lock or hide that the page has: a lock for
  // each, a hide for those with something to hide (weights are edited in the diagram).
  drawControls({ locked, hidden }) {
    const { t } = this.tr;
    const offered = this.menu.controls.filter((c) => CONTROL_ELEMENTS[c]?.length || c === "weights");
    const half = Math.ceil(offered.length / 2);
    const tables = [offered.slice(0, half), offered.slice(half)].map((controls) => {
      const table = document.createElement("table");
      const head = table.createTHead().insertRow();
      for (const key of ["exControl", "exLock", "exHide"]) {
        const th = document.createElement("th");
        th.textContent = t(key);
        head.append(th);
      }
      const body = table.createTBody();
      for (const control of controls) {
        const tr = body.insertRow();
        tr.dataset.control = control;
        const name = CONTROL_KEYS[control] ? t(CONTROL_KEYS[control]) : controlName(control, this.tr);
        tr.insertCell().textContent = name;
        tr.insertCell().append(checkbox("lock", t("exLockControl", { name }), locked.has(control)));
        const hideCell = tr.insertCell();
        if (CONTROL_ELEMENTS[control]?.length) {
          hideCell.append(checkbox("hide", t("exHideControl", { name }), hidden.has(control)));
        }
      }
      return table;
    });
    $("#exmaker-controls").replaceChildren(...tables);
  }

  readControls() {
    const chosen = (kind) => new Set([...document.querySelectorAll(`#exmaker-controls input.${kind}:checked`)]
      .map((box) => box.closest("tr").dataset.control));
    return { locked: chosen("lock"), hidden: chosen("hide") };
  }

  // ------------------------------------------------------------------ the link
  body() {
    const { locked, hidden } = this.readControls();
    const snap = this.state.snapshot;
    const body = {
      config: snap.config, locked: [...locked], hidden: [...hidden],
      prompt: { en: $("#exmaker-prompt-en").value, zh: $("#exmaker-prompt-zh").value },
      goals: this.goals(),
    };
    if ($("#exmaker-weights").checked) {
      body.params = { weights: snap.weights, biases: snap.biases, prelu_slopes: snap.prelu_slopes };
    }
    return body;
  }

  async create() {
    const button = $("#exmaker-create");
    button.disabled = true;
    try {
      const made = await api.makeExercise(this.body());
      const link = location.origin + made.link;
      $("#exmaker-link").value = link;
      $("#exmaker-open").href = link;
      $("#exmaker-copied").textContent = "";
      $("#exmaker-result").hidden = false;
      $("#exmaker-link").select();
    } catch (err) {
      this.showError(err);
    } finally {
      button.disabled = false;
    }
  }

  copy() {
    return copyLink($("#exmaker-link"), $("#exmaker-copied"), this.tr);
  }

  // A refusal (or a number typed wrong) inside the dialog, in the page's language; the
  // goal it is about is marked.
  showError(err) {
    this.shownError = err;
    for (const li of $("#exmaker-goals").children) li.classList.remove("invalid");
    const loc = err instanceof ApiError ? err.body?.detail?.[0]?.loc : null;
    const k = loc?.[1] === "goals" && Number.isInteger(loc[2]) ? loc[2] : null;
    const text = err ? this.describe(err) : "";
    $("#exmaker-error").textContent = k === null ? text : this.tr.t("exGoalError", { n: k + 1, text });
    const row = err instanceof PageMessage ? err.values.n - 1 : k;
    $("#exmaker-goals").children[row]?.classList.add("invalid");
  }

  describe(err) {
    const { t, lang } = this.tr;
    if (err instanceof PageMessage) return t(err.key, err.values);
    if (!(err instanceof ApiError)) return t("untitledError", { message: err?.message ?? String(err) });
    if (err.status === 0) return t("exServerLost");
    const params = { ...err.params };
    if (err.code === "bad_goal") {   // the metric and the fields it needs as the page names them
      const metric = this.metric(params.metric);
      params.metric = metric ? this.metricLabel(metric) : params.metric;
      params.needs = String(params.needs).split(", ")
        .map((f) => (lang === "zh" ? fieldName(f, lang) : fieldName(f, lang).toLowerCase()))
        .join(lang === "zh" ? "、" : ", ");
    }
    return this.tr.refusal({ code: err.code, params, message: err.message });
  }
}

// Copy a link box's text (features/models.js copies its share link the same way) and say so.
export async function copyLink(box, said, tr) {
  try {
    await navigator.clipboard.writeText(box.value);
  } catch {
    box.select();              // no clipboard API off https: the browser's own copy
    document.execCommand("copy");
  }
  said.textContent = tr.t("exCopied");
}

function select(className, label, options, value) {
  const el = document.createElement("select");
  el.className = className;
  el.setAttribute("aria-label", label);
  el.replaceChildren(...options.map(([id, text]) => new Option(text, id)));
  if (value !== undefined && options.some(([id]) => id === value)) el.value = value;
  return el;
}

function input(className, label, value) {
  const el = document.createElement("input");
  el.type = "text";
  el.className = className;
  el.autocomplete = "off";
  el.setAttribute("aria-label", label);
  el.value = value;
  return el;
}

function checkbox(className, label, checked) {
  const el = document.createElement("input");
  el.type = "checkbox";
  el.className = className;
  el.checked = checked;
  el.setAttribute("aria-label", label);
  return el;
}
