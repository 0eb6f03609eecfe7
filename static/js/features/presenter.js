// Presenter mode, for a teacher demonstrating on a projector: bigger type, a bigger plot
// and diagram, the step-through's arithmetic large, and what a demo does not need out of
// sight (presenter.css), every control still one click away (the Settings button opens the
// hyper-parameters and the data's settings). The Present button or the P key toggles it,
// Escape leaves it; it survives a reload (localStorage) and ?present=1 opens it.

import { $, setAttr } from "../dom.js";
import { setDrawing } from "../views/scale.js";

const STORE_KEY = "neural-playground.presenter";   // "1" while presenting
const BASE = { width: 1280, height: 720 };   // the smallest projector it is made for: fit 1
const TEXT = 1.6;    // canvas and diagram text at fit 1: a 10 px axis label is drawn 16 px
const LINE = 1.5;    // strokes (edges, the boundary, the chosen point's cross)
const CHART_HEIGHT = 110;   // the loss chart's height at fit 1, CSS px

export class PresenterMode {
  // asked: true or false from the address (?present=1 or 0), null to take the stored state;
  // onLayout(sizes): the views are to be drawn again, the plot and chart at `sizes`
  // ({plot, chart: {width, height}}), or at their desk sizes when sizes is null.
  constructor({ asked, onLayout }) {
    this.on = asked ?? readStored();
    this.onLayout = onLayout;
    this.settingsOpen = false;
    this.widths = "";    // the observed boxes' widths at the last layout
  }

  bind() {
    $("#present-btn").addEventListener("click", () => this.set(!this.on));
    $("#present-settings").addEventListener("click", () => this.openSettings(!this.settingsOpen));
    document.addEventListener("keydown", (ev) => this.key(ev));
    // a lesson opened, a window resized, the settings opened: the columns' widths change,
    // and the diagram is laid out again for its box's width (at a desk too: a lesson's
    // panel would otherwise leave it as wide as before, its last layers out of sight)
    const boxes = [$(".output-column"), $(".network-scroll")];
    const relayout = () => {
      const widths = boxes.map((b) => b.clientWidth).join();
      if (widths !== this.widths) this.layout();
    };
    const watch = new ResizeObserver(() => requestAnimationFrame(relayout));
    for (const box of boxes) watch.observe(box);
    window.addEventListener("resize", () => this.on && this.layout());   // fit follows the height too
    this.set(this.on);
  }

  // P toggles, Escape leaves; never while typing, with a modifier, or over a dialog.
  key(ev) {
    if (ev.ctrlKey || ev.altKey || ev.metaKey || ev.defaultPrevented || ev.isComposing) return;
    if (ev.target.closest?.("input, select, textarea, [contenteditable]")) return;
    if (document.querySelector("dialog[open]")) return;
    if (ev.key === "p" || ev.key === "P") {
      ev.preventDefault();
      if (!ev.repeat) this.set(!this.on);
    } else if (ev.key === "Escape" && this.on) {
      ev.preventDefault();
      this.set(false);
    }
  }

  set(on) {
    this.on = on;
    document.body.classList.toggle("presenter", on);
    setAttr($("#present-btn"), "aria-pressed", String(on));
    if (!on) this.openSettings(false);
    writeStored(on);
    this.layout();
  }

  openSettings(open) {
    this.settingsOpen = open;
    document.body.classList.toggle("settings-open", open);
    setAttr($("#present-settings"), "aria-expanded", String(open));
  }

  // The scale the views draw at and the plot's size, from the screen and the columns
  // presenter.css lays out; then the views draw again.
  layout() {
    const fit = this.on ? Math.max(1, Math.min(innerWidth / BASE.width, innerHeight / BASE.height)) : 1;
    document.body.style.setProperty("--fit", String(fit));
    setDrawing(this.on ? { text: TEXT * fit, size: fit, line: LINE * fit } : {});
    this.widths = [$(".output-column").clientWidth, $(".network-scroll").clientWidth].join();
    const plot = $(".output-column").clientWidth;   // the plot fills its column
    this.onLayout(this.on ? { plot, chart: { width: plot, height: Math.round(CHART_HEIGHT * fit) } } : null);
  }
}

// localStorage may be refused (a private window, a policy): then the mode lasts the page.
function readStored() {
  try {
    return localStorage.getItem(STORE_KEY) === "1";
  } catch {
    return false;
  }
}

function writeStored(on) {
  try {
    if (on) localStorage.setItem(STORE_KEY, "1");
    else localStorage.removeItem(STORE_KEY);
  } catch {
    // the mode still works for this page
  }
}
