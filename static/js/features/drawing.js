// Drawing on the plot (POST /sessions/{id}/points): while Draw is on, a click or a drag
// on the plot adds points of the picked class (or value, for regression), the eraser
// removes the points it passes over, and Clear starts again from two new points (data
// keeps at least two: one to train on, one to test on). What a stroke adds or erases is
// drawn at once and sent once per stroke, or every DRAG_MS while a drag goes on, as one
// change (the play loop stops around it, as for any change); the server answers with the
// snapshot of the new data. The network keeps its weights; a built-in set becomes own
// data, its noise in its points. Positions come from the plot's own mapping (plot.js).

import { api } from "../api.js";
import { $, el, setAttr, setProp, setText } from "../dom.js";
import { fmt } from "../numbers.js";
import { CLASS_COLORS, css, diverging } from "../views/colors.js";
import { isOwnDataset } from "./address.js";

export const OWN_FIELD = "own_data";   // the slot of own data's refusals
const DRAG_MS = 250;      // a drag sends what it drew this often
const SPACING = 0.3;      // a drag adds a point each time it has gone this far (the square is 12 wide)
const ERASER = 0.6;       // the eraser's reach
const CLEAR_WITH = 2;     // Clear waits for this many new points: data keeps at least two

const near = (a, b, r) => Math.hypot(a[0] - b[0], a[1] - b[1]) <= r;
// what a stroke adds ([x1, x2, label]), where it erased, and the shown points it hit
const newBatch = () => ({ add: [], erase: [], hit: new Set(), clear: false });

// Own data may be changed here unless a lesson locks or hides the dataset.
export function ownDataAllowed() {
  return !$("#draw-toggle").disabled && !$("#own-data").classList.contains("lesson-hidden");
}

export class Drawing {
  constructor(state, { tr, output }) {
    this.state = state;
    this.tr = tr;                // a getter: the page's translator of the moment
    this.output = output;
    this.on = false;
    this.erasing = false;
    this.classLabel = 0;         // the class new points get
    this.value = 1;              // the value they get on regression data
    this.clearing = null;        // after Clear: the new points, until there are CLEAR_WITH
    this.stroke = newBatch();    // the stroke under way, not yet sent
    this.sending = [];           // batches sent or waiting their turn, drawn until they land
    this.last = null;            // the stroke's last point added (for SPACING)
    this.pointer = null;         // where the eraser is
    this.timer = null;
    this.pickerKey = null;
    output.overlay = () => this.overlay();
  }

  bind() {
    $("#draw-toggle").addEventListener("click", () => this.setOn(!this.on));
    $("#draw-done").addEventListener("click", () => this.setOn(false));
    $("#draw-eraser").addEventListener("click", () => this.setEraser(!this.erasing));
    $("#draw-clear").addEventListener("click", () => this.startClear(this.clearing === null));
    $("#draw-value").addEventListener("input", (ev) => {
      this.value = Number(ev.target.value);
      this.setEraser(false);
      this.showValue();
    });
  }

  render(snap) {
    // a lesson locked the data, or presenter mode put the tools away: a click on the plot
    // must not draw where no tool is shown
    if (this.on && (!ownDataAllowed() || !$("#draw-tools").checkVisibility())) this.setOn(false);
    this.picker(snap);
    this.showHint();
  }

  setOn(on) {
    if (on === this.on) return;
    if (!on) {
      this.up();
      this.startClear(false);
      this.setEraser(false);
    }
    this.on = on;
    setAttr($("#draw-toggle"), "aria-pressed", String(on));
    setProp($("#draw-tools"), "hidden", !on);
    $(".output-plot").classList.toggle("drawing", on);
    this.output.plot.setTool(on ? this : null);
    if (on) $("#data-plot").scrollIntoView({ block: "nearest" });   // a tablet: the plot is lower
    this.showHint();
    this.redraw();
  }

  // The eraser and the classes are one choice of tool: one of them is pressed.
  setEraser(on) {
    if (on) this.startClear(false);
    this.erasing = on;
    setAttr($("#draw-eraser"), "aria-pressed", String(on));
    this.pickClass(this.classLabel);
    this.showHint();
    this.redraw();
  }

  startClear(on) {
    if (on) this.setEraser(false);
    this.clearing = on ? [] : null;
    setAttr($("#draw-clear"), "aria-pressed", String(on));
    this.showHint();
    this.redraw();
  }

  // ---------------------------------------------------------------- the picker
  // One button per class in its plot colour, or the value slider for regression data.
  picker(snap) {
    const { t, lang } = this.tr();
    const key = `${snap.kind}:${snap.classes}:${lang}`;
    if (key === this.pickerKey) return;
    this.pickerKey = key;
    const regression = snap.kind === "regression";
    setProp($("#draw-value-box"), "hidden", !regression);
    setProp($("#draw-labels"), "hidden", regression);
    const k = regression ? 0 : snap.classes || 2;
    if (this.classLabel >= k) this.classLabel = 0;
    const buttons = Array.from({ length: k }, (_, c) => {
      const button = el("button", { type: "button", class: "draw-class", "data-class": String(c), "data-testid": `draw-class-${c}`,
        "aria-label": t("drawClassN", { k: c }), title: t("drawClassN", { k: c }) });
      const dot = el("span", { class: "dot", "aria-hidden": "true" });
      dot.style.background = css(CLASS_COLORS[c]);
      button.append(dot, String(c));
      button.addEventListener("click", () => {
        this.classLabel = c;
        this.setEraser(false);
      });
      return button;
    });
    $("#draw-labels").replaceChildren(el("span", { class: "draw-new" }, t("drawNew")), ...buttons);
    this.pickClass(this.classLabel);
    this.showValue();
  }

  pickClass(c) {
    this.classLabel = c;
    for (const b of document.querySelectorAll("#draw-labels .draw-class")) {
      setAttr(b, "aria-pressed", String(!this.erasing && b.dataset.class === String(c)));
    }
  }

  showValue() {
    setText($("#draw-value-out"), fmt(this.value, 1));
    $("#draw-value-dot").style.background = css(diverging(this.value));
  }

  label() {
    return this.state.snapshot.kind === "regression" ? this.value : this.classLabel;
  }

  showHint() {
    const snap = this.state.snapshot;
    if (!snap) return;
    const { t, tn } = this.tr();
    let text;
    if (this.clearing) text = tn("drawClearNeeded", CLEAR_WITH - this.clearing.length);
    else if (this.erasing) text = t("drawEraseHint");
    else text = t(snap.kind === "regression" ? "drawValueHint" : "drawClassHint");
    setText($("#draw-hint"), text);
  }

  // ---------------------------------------------------------------- the plot's tool
  down(point) {
    this.pointer = point;
    this.last = null;
    this.use(point);
    clearInterval(this.timer);
    this.timer = setInterval(() => this.flush(), DRAG_MS);
  }

  move(point) {
    this.pointer = point;
    const erasing = this.erasing && !this.clearing;
    const last = erasing ? this.stroke.erase.at(-1) : this.last;
    if (!last || !near(last, point, erasing ? ERASER / 2 : SPACING)) this.use(point);
    else if (erasing) this.redraw();
  }

  up() {
    clearInterval(this.timer);
    this.timer = null;
    this.last = null;
    this.flush();
  }

  hover(point) {
    this.pointer = point;
    if (this.erasing) this.redraw();
  }

  key(point) {            // Enter on the focused plot: where its cursor is
    this.down(point);
    this.up();
  }

  use(point) {
    if (this.erasing && !this.clearing) this.erase(point);
    else this.add(point);
    this.redraw();
  }

  add([x1, x2]) {
    this.last = [x1, x2];
    const point = [x1, x2, this.label()];
    if (!this.clearing) {
      this.stroke.add.push(point);
      return;
    }
    this.clearing.push(point);
    if (this.clearing.length < CLEAR_WITH) {
      this.showHint();
      return;
    }
    this.send({ ...newBatch(), add: this.clearing, clear: true });
    this.startClear(false);
  }

  erase(at) {
    this.stroke.erase.push(at);
    for (const p of this.shownPoints()) if (near(p, at, ERASER)) this.stroke.hit.add(p);
  }

  shownPoints() {
    const data = this.state.data;
    return data ? data.train.x.concat(data.test.x) : [];
  }

  // ---------------------------------------------------------------- sending
  // The stroke so far goes as one request; an eraser stroke that hit nothing sends nothing.
  flush() {
    const batch = this.stroke;
    if (!batch.add.length && !batch.erase.length) return;
    this.stroke = newBatch();
    if (batch.add.length || batch.hit.size) this.send(batch);
    else this.redraw();
  }

  // One change: the indexes to remove are found when its turn comes, in the data of that
  // moment (an earlier batch that landed has changed them).
  send(batch) {
    this.sending.push(batch);
    const state = this.state;
    const landed = () => { this.sending = this.sending.filter((b) => b !== batch); };
    state.change(async () => {
      const body = this.body(batch);
      if (!body) return;
      const builtIn = !isOwnDataset(state.config.dataset);
      const snap = await api.editPoints(state.sessionId, body);
      landed();
      await state.show(snap, { data: true });
      state.messages.note(builtIn ? "ownFromBuiltIn" : null);
    }, OWN_FIELD).finally(() => {
      landed();
      this.showHint();
      this.redraw();
    });
  }

  body(batch) {
    const remove = [];
    this.shownPoints().forEach((p, i) => {
      if (batch.clear || batch.erase.some((at) => near(p, at, ERASER))) remove.push(i);
    });
    return remove.length || batch.add.length ? { add: batch.add, remove } : null;
  }

  // What the plot draws over the data (output.js): the points not yet landed, the points
  // about to go, the eraser's reach; after Clear, none of the old points. Null when idle.
  overlay() {
    const batches = [...this.sending, this.stroke];
    const pending = batches.flatMap((b) => b.add).concat(this.clearing || []);
    const removing = batches.flatMap((b) => [...b.hit]);
    const hideData = this.clearing !== null || this.sending.some((b) => b.clear);
    if (!this.on && !pending.length && !removing.length && !hideData) return null;
    const eraser = this.on && this.erasing && !this.clearing && this.pointer ? { at: this.pointer, radius: ERASER } : null;
    return { pending, removing, hideData, eraser };
  }

  redraw() {
    this.output.drawPlot();
  }
}
