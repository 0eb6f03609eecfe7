// The lesson player: a picker of lessons, the lesson's text beside the playground, the
// step under way (a task's goals with their live values, or a question to answer before
// running), hints, a solution, success, and the controls the lesson locks or hides. The
// server checks every goal and answer (snapshot.lesson, POST /lesson/answer); the page
// only shows what it says. Progress lives in the session and, per lesson, in the browser.

import { api } from "../api.js";
import { $, setProp, setText } from "../dom.js";
import { fmt, parseDecimal } from "../numbers.js";
import { fieldName } from "../i18n.js";
import { PageMessage } from "./messages.js";

// A control id of a lesson (API: a config field, "weights", or a hidden layer's own
// setting: "activation", "dropout", "noise_sigma", "batch_norm") -> the page's elements
// that change it. "weights" (a weight, a bias or a PReLU slope typed) is checked by the
// editors themselves (editing.js, unit_picker.js).
export const CONTROL_ELEMENTS = {
  dataset: ["#dataset", "#dataset-thumbs button", "#own-data", "#own-data-upload", "#draw-toggle"], classes: ["#classes"],
  num_samples: ["#samples"], noise: ["#noise"], train_ratio: ["#train-ratio"],
  data_seed: ["#regenerate"], features: [".feature-toggle", "#network .node.off"],
  hidden: ["#add-layer", "#remove-layer", "[data-control^='add:']", "[data-control^='remove:']",
    "[data-control^='units:']"],
  activation: ["#activation", "[data-control^='act:']"],
  dropout: ["[data-control^='drop:']", "[data-control^='layer-dropout:']"],
  noise_sigma: ["[data-control^='layer-noise_sigma:']"], batch_norm: ["[data-control^='layer-batch_norm:']"],
  head: ["#head"], threshold: ["#threshold"], learning_rate: ["#learning-rate", "#learning-rate-typed"],
  batch_size: ["#batch-size"], optimizer: ["#optimizer"], regularization: ["#regularization"],
  reg_rate: ["#reg-rate"], init: ["#init"], seed: ["#reseed"], momentum: ["#momentum"],
  adam_beta1: ["#adam-beta1"], adam_beta2: ["#adam-beta2"], weights: [],
};
const STORE_KEY = "neural-playground.lessons";   // {lesson id: {step, done: [bool]}}
const CONTROL_WORDS = { weights: "weightsByHand" };   // what the lock of "weights" stops

// A control in the page's language: its setting's name (as the refusals name it), or
// what locking it stops.
export function controlName(control, tr) {
  return CONTROL_WORDS[control] ? tr.t(CONTROL_WORDS[control]) : fieldName(control, tr.lang);
}

export class LessonPlayer {
  constructor(state, { tr }) {
    this.state = state;
    this.tr = tr;
    this.lessons = new Map();   // id -> the whole lesson (GET /api/lessons/{id})
    this.builtKey = null;
    this.hints = 0;             // hints shown for the step under way
    this.feedback = null;       // {step, correct, explanation} of the last answer
    this.solutionShown = false;
    this.locked = new Set();
  }

  setTranslator(tr) {
    this.tr = tr;
    this.builtKey = null;
  }

  bind() {
    $("#lessons-btn").addEventListener("click", () => this.openPicker());
    $("#lesson-picker .explorer-close").addEventListener("click", () => $("#lesson-picker").close());
    $("#lesson-prev").addEventListener("click", () => this.go(-1));
    $("#lesson-next").addEventListener("click", () => this.go(+1));
    $("#lesson-leave").addEventListener("click", () => this.leave());
    $("#lesson-hint").addEventListener("click", () => { this.hints += 1; this.builtKey = null; this.state.render(); });
    $("#lesson-solution").addEventListener("click", () => { this.solutionShown = true; this.builtKey = null; this.state.render(); });
    $("#lesson-check").addEventListener("click", () => this.check());
    $("#lesson-restart").addEventListener("click", () => {
      const at = this.state.snapshot?.lesson;
      if (at) this.move({ lesson_id: at.lesson_id, step: at.step }, true);
    });
  }

  // ------------------------------------------------------------------ choosing
  async openPicker() {
    const list = await api.lessons();
    const box = $("#lesson-list");
    const { lang, t } = this.tr;
    const kept = readProgress();
    box.replaceChildren(...list.map((lesson, k) => {
      const done = (kept[lesson.id]?.done || []).filter(Boolean).length;
      const item = document.createElement("button");
      item.className = "lesson-item";
      item.dataset.lesson = lesson.id;
      const title = document.createElement("strong");
      title.textContent = `${k + 1}. ${lesson.title[lang]}`;
      const summary = document.createElement("span");
      summary.textContent = lesson.summary[lang];
      const progress = document.createElement("small");
      progress.textContent = t("lessonStepsDone", { done, steps: lesson.steps });
      item.append(title, summary, progress);
      item.addEventListener("click", () => {
        $("#lesson-picker").close();
        this.begin(lesson.id, kept[lesson.id]?.step);
      });
      return item;
    }));
    $("#lesson-picker").showModal();
  }

  // Start a lesson (at `step`, e.g. where this browser left it) in this tab's session.
  begin(lessonId, step) {
    return this.move({ lesson_id: lessonId, ...(step ? { step } : {}) }, true);
  }

  go(delta) {
    const at = this.state.snapshot?.lesson;
    if (!at) return null;
    return this.move({ lesson_id: at.lesson_id, step: at.step + delta }, false);
  }

  move(body, fresh) {
    const state = this.state;
    return state.change(async () => {
      const snap = await api.startLesson(state.sessionId, body);
      this.hints = 0;
      this.feedback = null;
      this.solutionShown = false;
      await state.show(snap, { data: fresh });
    }, "lesson");
  }

  leave() {
    const state = this.state;
    return state.change(async () => state.show(await api.leaveLesson(state.sessionId)), "lesson");
  }

  async check() {
    const at = this.state.snapshot?.lesson;
    const lesson = at && this.lessons.get(at.lesson_id);
    if (!lesson) return;
    const question = lesson.steps[at.step];
    let answer;
    if (question.choices) {
      const picked = document.querySelector("input[name=lesson-choice]:checked");
      if (!picked) { this.state.messages.error(new PageMessage("lessonPickChoice"), "lesson"); return; }
      answer = Number(picked.value);
    } else {
      answer = parseDecimal($("#lesson-number").value);
      if (answer === null) { this.state.messages.error(new PageMessage("lessonTypeNumber"), "lesson"); return; }
    }
    await this.state.request(async () => {
      const result = await api.answerLesson(this.state.sessionId, at.step, answer);
      this.feedback = { step: at.step, answer, ...result };
      if (result.correct) at.steps[at.step].done = true;
      this.builtKey = null;
      this.state.render();
    }, "lesson");
  }

  // ------------------------------------------------------------------ drawing
  render(snap) {
    const at = snap.lesson;
    document.body.classList.toggle("in-lesson", Boolean(at));
    setProp($("#lesson-panel"), "hidden", !at);
    if (!at) {
      this.lock(null);
      this.builtKey = null;
      return;
    }
    const lesson = this.lessons.get(at.lesson_id);
    if (!lesson) {
      this.fetch(at.lesson_id);
      return;
    }
    const key = JSON.stringify([lesson.id, at.step, at.steps.map((s) => s.done), this.tr.lang,
      this.hints, this.solutionShown, this.feedback]);
    if (key !== this.builtKey) {
      this.build(lesson, at);
      this.builtKey = key;
      keepProgress(lesson.id, at);
    }
    this.showGoals(at);
    // every render: settings.render sets some of these controls' state again, and the
    // diagram makes its own anew whenever it is redrawn
    this.lock(lesson);
  }

  // The whole lesson, fetched once however many frames arrive meanwhile.
  fetch(lessonId) {
    if (this.fetching === lessonId) return;
    this.fetching = lessonId;
    api.lesson(lessonId).then((found) => {
      this.lessons.set(found.id, found);
      this.state.render();
    }).catch((err) => this.state.messages.error(err, "lesson"))
      .finally(() => { this.fetching = null; });
  }

  build(lesson, at) {
    const { lang, t } = this.tr;
    const step = lesson.steps[at.step];
    const done = at.steps[at.step].done;
    setText($("#lesson-title"), lesson.title[lang]);
    setText($("#lesson-progress"), t("lessonStepOf", { step: at.step + 1, steps: lesson.steps.length }));
    const dots = $("#lesson-dots");
    dots.replaceChildren(...at.steps.map((s, k) => {
      const dot = document.createElement("span");
      dot.className = "lesson-dot" + (s.done ? " done" : "") + (k === at.step ? " current" : "");
      return dot;
    }));
    paragraphs($("#lesson-text"), lesson.text[lang]);
    setText($("#lesson-leave"), t(lesson.id.startsWith("exercise-") ? "exerciseLeave" : "lessonLeave"));
    paragraphs($("#lesson-step-text"), step.text[lang]);
    setText($("#lesson-kind"), t(step.kind === "task" ? "lessonTask" : "lessonQuestion"));
    // a task: its goals (values filled in by showGoals); a question: choices or a number
    const goals = $("#lesson-goals");
    goals.replaceChildren();
    const answerBox = $("#lesson-answer");
    answerBox.replaceChildren();
    if (step.kind === "task") {
      for (const goal of at.steps[at.step].goals) {
        const row = document.createElement("li");
        row.dataset.goal = goal.id;
        const mark = document.createElement("span");
        mark.className = "goal-mark";
        const text = document.createElement("span");
        text.textContent = mathOps(goal.text[lang]);
        const now = document.createElement("span");
        now.className = "goal-now";
        row.append(mark, text, now);
        goals.append(row);
      }
    } else if (step.choices) {
      step.choices.forEach((choice, k) => {
        const label = document.createElement("label");
        label.className = "lesson-choice";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = "lesson-choice";
        input.value = String(k);
        if (this.feedback?.step === at.step && this.feedback.answer === k) input.checked = true;
        label.append(input, ` ${choice[lang]}`);
        answerBox.append(label);
      });
    } else {
      const input = document.createElement("input");
      input.id = "lesson-number";
      input.type = "text";
      input.inputMode = "decimal";
      input.autocomplete = "off";
      input.setAttribute("aria-label", t("lessonYourAnswer"));
      if (this.feedback?.step === at.step) input.value = String(this.feedback.answer);
      answerBox.append(input);
    }
    setProp($("#lesson-check"), "hidden", step.kind !== "question" || done);
    // feedback, success, explanation, hints, solution
    const fb = this.feedback?.step === at.step ? this.feedback : null;
    const result = $("#lesson-result");
    result.className = "lesson-result" + (done ? " success" : fb && !fb.correct ? " wrong" : "");
    const explanation = done ? step.explanation ?? fb?.explanation : null;
    // "read why below" only where there is a why below (an exercise's task has none)
    const met = explanation ? "lessonGoalsMet" : "lessonGoalsMetDone";
    setText(result, done ? t(step.kind === "task" ? met : "lessonRight")
      : fb && !fb.correct ? t("lessonNotQuite") : "");
    paragraphs($("#lesson-explanation"), explanation ? explanation[lang] : "");
    const hints = step.hints.slice(0, this.hints);
    $("#lesson-hints").replaceChildren(...hints.map((h) => {
      const li = document.createElement("li");
      li.textContent = h[lang];
      return li;
    }));
    setProp($("#lesson-hint"), "hidden", done || this.hints >= step.hints.length);
    const hasSolution = step.kind === "task" && step.solution;
    setProp($("#lesson-solution"), "hidden", !hasSolution || this.solutionShown);
    paragraphs($("#lesson-solution-text"), hasSolution && this.solutionShown ? step.solution.text[lang] : "");
    setProp($("#lesson-prev"), "disabled", at.step === 0);
    setProp($("#lesson-next"), "disabled", at.step >= lesson.steps.length - 1);
    $("#lesson-next").classList.toggle("primary", done);
  }

  // A task's goals, live: met or not, and the value read now ("now 0.312").
  showGoals(at) {
    const now = at.steps[at.step];
    for (const goal of now.goals) {
      const row = $("#lesson-goals").querySelector(`[data-goal="${goal.id}"]`);
      if (!row) continue;
      row.classList.toggle("met", goal.met);
      setText(row.querySelector(".goal-mark"), goal.met ? "✓" : "○");
      const value = typeof goal.value === "number" ? fmt(goal.value, Number.isInteger(goal.value) ? 0 : 3)
        : goal.value ?? "–";
      setText(row.querySelector(".goal-now"), goal.target ? this.tr.t("lessonNow", { value }) : "");
    }
  }

  // Disable what the lesson locks and hide what it hides (the diagram is redrawn now and
  // then, so this runs after every render).
  lock(lesson) {
    if (!lesson && !this.locking) return;
    this.locking = Boolean(lesson);
    this.locked = new Set(lesson?.locked || []);
    setText($("#lesson-locked"), this.locked.size
      ? this.tr.t(lesson?.id.startsWith("exercise-") ? "exerciseLockedList" : "lessonLockedList", { controls: [...this.locked].map((c) => controlName(c, this.tr))
        .join(this.tr.lang === "zh" ? "、" : ", ") }) : "");
    for (const [control, selectors] of Object.entries(CONTROL_ELEMENTS)) {
      const locked = this.locked.has(control);
      const hidden = Boolean(lesson?.hidden.includes(control));
      for (const selector of selectors) {
        for (const el of document.querySelectorAll(selector)) {
          if (locked) { el.disabled = true; el.dataset.lessonLocked = "1"; }
          else if (el.dataset.lessonLocked) { el.disabled = false; delete el.dataset.lessonLocked; }
          const box = el.closest(".field") || el;
          box.classList.toggle("lesson-hidden", hidden);
        }
      }
    }
  }

  weightsLocked() {
    return this.locked.has("weights");
  }

  // The controls the lesson under way hides (none until the lesson is fetched; its
  // arrival renders again): the layer settings table leaves their columns out.
  hiddenIn(snap) {
    const lesson = snap.lesson && this.lessons.get(snap.lesson.lesson_id);
    return new Set(lesson?.hidden || []);
  }
}

// Text with blank-line or line-break paragraphs as <p> elements.
function paragraphs(box, text) {
  box.replaceChildren(...String(text || "").split(/\n+/).filter((p) => p.trim()).map((p) => {
    const el = document.createElement("p");
    el.textContent = p.trim();
    return el;
  }));
}

function readProgress() {
  try { return JSON.parse(localStorage.getItem(STORE_KEY)) || {}; } catch { return {}; }
}

function keepProgress(lessonId, at) {
  try {
    const kept = readProgress();
    const before = kept[lessonId]?.done || [];
    kept[lessonId] = { step: at.step, done: at.steps.map((s, k) => s.done || Boolean(before[k])) };
    localStorage.setItem(STORE_KEY, JSON.stringify(kept));
  } catch { /* private mode: the session still keeps it */ }
}

// A goal's comparison as the exercise maker shows it: "≥ 0.9", not the server's ">= 0.9".
const mathOps = (text) => text.replace(/ >= /g, " ≥ ").replace(/ <= /g, " ≤ ").replace(/ == /g, " = ");
