// Wiring: load the catalog, make the page's state, views and one controller per job, and
// connect them. Nothing else happens here.

import { api } from "./api.js";
import { $ } from "./dom.js";
import { pickLanguage, translator } from "./i18n.js";
import { pageOptions, queryToConfig } from "./features/address.js";
import { NetworkEditing } from "./features/editing.js";
import { LayerSettings, TypedSettings } from "./features/knobs.js";
import { Messages } from "./features/messages.js";
import { DESK_SIZES, OutputPanel } from "./features/output.js";
import { PlayLoop } from "./features/play.js";
import { LessonPlayer } from "./features/lesson.js";
import { Classroom } from "./features/classroom.js";
import { ExerciseMaker } from "./features/exercise_maker.js";
import { Models } from "./features/models.js";
import { AbTest } from "./features/ab.js";
import { AbChooser } from "./features/ab_form.js";
import { ComparePanel } from "./features/compare.js";
import { RunTracker } from "./features/runs.js";
import { OwnData } from "./features/own_data.js";
import { PresenterMode } from "./features/presenter.js";
import { holdOnLeaving, openTabSession, takeUp } from "./features/resume.js";
import { Settings } from "./features/settings.js";
import { Playground } from "./features/state.js";
import { StepThrough } from "./features/stepthrough.js";
import { UnitPicker } from "./features/unit_picker.js";
import { NormEditor } from "./features/norm_editor.js";
import { DiagnosticsView } from "./views/diagnostics.js";
import { ActivationExplorer } from "./views/explorer.js";
import { fieldName } from "./i18n.js";

async function start(tr, messages) {
  const catalog = await api.catalog();
  const state = new Playground(catalog, messages);
  window.playground = state;   // for the console, the page tests and benchmarks/page_play.py
  const page = pageOptions(location.search);
  const play = new PlayLoop(state, { tr, speed: page.speed });
  let stepper = null;
  const output = new OutputPanel(state, { tr, page, onPick: (point, how) => stepper.choose(point, how) });
  stepper = new StepThrough(state, { tr, output });
  const settings = new Settings(state, { tr, play, page, onLanguage: (lang) => setLanguage(lang) });
  const lesson = new LessonPlayer(state, { tr });
  const classroom = new Classroom(state, { tr, lesson, messages });
  const exerciseMaker = new ExerciseMaker(state, { tr });
  const models = new Models(state, { tr });
  const runs = new RunTracker(state);
  const chooser = new AbChooser(state, { tr });
  const ab = new AbTest(state, { tr, play, onLeft: () => compare.backFromAb() });
  const compare = new ComparePanel(state, { tr, runs, settings, lesson, ab, chooser });

  // Own data: a CSV uploaded or dropped, points drawn on the plot, the data as a CSV file
  // (its translator a getter: a change of language reaches it with the render that follows).
  new OwnData(state, { tr: () => tr, settings, output }).bind();

  const editing = new NetworkEditing(state, { tr, settings, output, stepper });
  editing.locked = () => lesson.weightsLocked();
  const typed = new TypedSettings(state, { tr, settings });
  const layerSettings = new LayerSettings(state, { setLayer: editing.view.on.setLayer });
  stepper.network = editing.view;
  const norms = new NormEditor(state, { tr, typedValue: (input, slot) => editing.typedValue(input, slot) });
  norms.locked = editing.locked;
  editing.normEditor = norms;
  const picker = new UnitPicker(state, { tr, editing, stepper });
  editing.picker = picker;
  editing.playing = () => play.playing;
  play.nodeIds = () => editing.view.visibleNodeIds();   // a wide layer: its shown units' grids only
  state.nodeIds = (snap) => editing.view.nodeIdsFor(snap);   // likewise after an edit
  const explorer = new ActivationExplorer($("#explorer"), catalog);
  editing.explain = (activation) => explorer.open(activation);
  const diagnostics = new DiagnosticsView({
    chart: $("#grad-chart"), legend: $("#grad-legend"), flag: $("#grad-flag"), dead: $("#dead-units"),
    overfit: $("#overfit-flag"), confusion: $("#confusion"), confusionBox: $("#confusion-box"),
  });

  // Presenter mode: the views draw again at its scale, the plot and chart at its sizes.
  const presenter = new PresenterMode({ asked: page.present, onLayout: (sizes) => {
    output.resize(sizes || DESK_SIZES);
    editing.view.relayout();
    if (state.snapshot) state.render();
  } });

  const setLanguage = (lang) => {
    tr = translator(lang, catalog);
    for (const part of [messages, settings, typed, layerSettings, play, editing, picker, norms, explorer, output, stepper,
      lesson, classroom, exerciseMaker, models, chooser, ab, compare]) {
      part.setTranslator(tr);
    }
    state.render();
  };

  state.quiet = (change) => play.around(change);
  state.on("prepare", () => (play.playing ? stepper.retraceLater() : stepper.retrace()));
  // While playing a big network the diagram is redrawn only with the frames that carry
  // its node grids (play.js asks for them every few frames); the plot and the numbers
  // follow every frame, and a pause or a step draws it all.
  state.on("render", (snap) => {
    settings.render(snap);
    typed.render(snap.config);
    layerSettings.render(snap.config, { omit: lesson.hiddenIn(snap) });
    if (state.diagramFresh) editing.render(snap, { spread: play.playing && play.bigDiagram });
    if (state.diagramFresh) picker.render(snap);
    norms.render(snap);
    output.render(snap, { playing: play.playing });
    diagnostics.render(snap, tr, { playing: play.playing });
    play.render();
    stepper.show();
    lesson.render(snap);
    messages.setSticky(state.diverged ? () => divergenceText(state.divergence || snap, tr) : null);
  });
  messages.onReconnect = () => takeUp(state, play);
  holdOnLeaving(state);

  setLanguage(tr.lang);
  settings.bind();
  typed.bind();
  play.bind();
  editing.bind();
  stepper.bind();
  picker.bind();
  norms.bind();
  lesson.bind();
  exerciseMaker.bind();
  models.bind();
  runs.bind();
  chooser.bind();
  ab.bind();
  compare.bind();
  presenter.bind();
  output.bind(() => settings.writeAddress());
  $("[data-explain=activation]").addEventListener("click", () =>
    explorer.open($("#activation").value || state.config.hidden[0]?.activation));

  // /?class=CODE: the class's session for this student (joined, or taken up on a reload)
  const inClass = page.classCode && await classroom.enter(page.classCode);
  // /?share=ID: a new playground equal to the shared network (an unknown one: said, then as usual)
  const shared = !inClass && page.share && await models.openShared(page.share);
  const dropped = inClass || shared ? [] : await openTabSession(state, queryToConfig(location.search));
  if (dropped.length) {
    messages.banner(() => {
      const fields = dropped.map((d) => fieldName(d.field, tr.lang)).join(tr.lang === "zh" ? "、" : ", ");
      const reason = dropped.map((d) => messages.describe(d.err)).join(" ");
      return tr.t("linkDropped", { fields, reason });
    }, "error");
  }
  stepper.show();
  // /?lesson=ID opens that lesson, unless this tab's session is in it already (a reload)
  if (page.lesson && state.snapshot?.lesson?.lesson_id !== page.lesson) await lesson.begin(page.lesson);
}

// Why training stopped, in the page's language (the server's English when it gives no code).
function divergenceText(snap, tr) {
  const reason = snap.divergence
    ? tr.refusal({ ...snap.divergence, message: snap.divergence_reason }) : snap.divergence_reason;
  return tr.t("divergedBanner", { reason });
}

const tr = translator(pickLanguage(location.search, navigator.language));
const messages = new Messages(tr);
start(tr, messages).catch((err) => {
  messages.banner(tr.t("startFailed", { message: messages.describe(err) }), "error");
});
