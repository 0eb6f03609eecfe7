// How the dashboard words a student's numbers, shared by the roster, the gallery, the
// spotlight and "send to everyone": what they are working on, their network, how long ago.

import { fieldName, ID_GROUPS } from "../i18n.js";

// lessons: the GET /api/lessons list; a teacher's exercise runs as "exercise-<id>"
export function lessonName(lessonId, lessons, tr) {
  if (!lessonId) return tr.t("classFreePlay");
  if (lessonId.startsWith("exercise-")) return tr.t("classExercise");
  const lesson = lessons.find((l) => l.id === lessonId);
  return lesson ? lesson.title[tr.lang] || lesson.title.en : lessonId;
}

// "4-2" for two hidden layers of 4 and 2 neurons (its title: "6 neurons")
export function networkSize(layers, tr) {
  if (!layers) return { text: "–", title: "" };
  if (!layers.length) return { text: "0", title: tr.t("noHiddenLayers") };
  const units = layers.reduce((a, b) => a + b, 0);
  return { text: layers.join("-"), title: tr.tn("unitCount", units) };
}

// Seconds between two ISO times as "12 s ago", "3 min ago", "2 h ago".
export function ago(nowIso, thenIso, tr) {
  if (!thenIso) return "–";
  const seconds = Math.max(0, Math.round((Date.parse(nowIso) - Date.parse(thenIso)) / 1000));
  if (seconds < 60) return tr.t("classSecondsAgo", { n: seconds });
  if (seconds < 3600) return tr.t("classMinutesAgo", { n: Math.floor(seconds / 60) });
  return tr.t("classHoursAgo", { n: Math.floor(seconds / 3600) });
}

// The current step's goals: {text: "2/3" or "✓ 2/2", done}; a question step has none.
export function goalsMet(row, tr) {
  if (!row.lesson_id || row.step === null) return { text: "–", done: false };
  if (!row.goals_total) return { text: tr.t("classQuestionStep"), done: false };
  const done = row.goals_met === row.goals_total;
  return { text: `${done ? "✓ " : ""}${row.goals_met}/${row.goals_total}`, done };
}

// "2/3": the step under way (counted from 1) of the lesson's steps.
export function stepOf(row) {
  return row.lesson_id && row.step !== null ? `${row.step + 1}/${row.steps_total}` : "–";
}

// The settings that tell one starting playground from another at a glance (a link holds
// all twenty, and the server's copy of a message too).
const TELLING = ["dataset", "features", "hidden", "head", "learning_rate", "optimizer"];

// What a message sent to everyone was: a lesson's title, an exercise's id, or the telling
// settings of a playground (each as the page names its control).
export function sentWhat(message, lessons, tr) {
  if (message.lesson_id) return tr.t("sentLessonSummary", { title: lessonName(message.lesson_id, lessons, tr) });
  if (message.exercise_id) return tr.t("sentExerciseSummary", { id: message.exercise_id });
  const config = message.config || {};
  const named = (field, id) => (ID_GROUPS[field] ? tr.idName(ID_GROUPS[field], id) : id);
  const settings = TELLING.filter((field) => config[field] !== undefined).map((field) => {
    const value = config[field];
    const shown = field === "hidden" ? hiddenSpec(value, (id) => named("activation", id))
      : Array.isArray(value) ? value.map((id) => named(field, id)).join("+") : named(field, value);
    return `${fieldName(field, tr.lang)} ${shown}`;
  });
  return tr.t("classSentConfig", { settings: settings.join(tr.lang === "zh" ? "，" : ", ") });
}

const hiddenSpec = (hidden, activationName) => (hidden.length
  ? hidden.map((h) => (h.activation ? `${h.units} ${activationName(h.activation)}` : String(h.units)))
    .join(" → ") : "0");

// A failed call in the page's language: the server's refusal by its code, or that the
// server does not answer.
export const failure = (err, tr) => (err.status === 0 ? tr.t("classOffline") : tr.refusal(err));
