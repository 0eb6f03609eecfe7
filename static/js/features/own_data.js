// "Your data" (API.md 6.4): a CSV file chosen, or dropped on the data panel or the plot,
// goes to the server as it is; the server keeps it under an id (its rules refuse a file,
// naming the row) and the playground trains on it as "custom:<id>", in the link too, so a
// copied link brings the same points. The panel says what the data is and links the
// session's data as a CSV file. Drawing points on the plot is drawing.js.
//
// It is wired in one block of main.js: the translator comes as a getter (`tr()`), and a
// change of language reaches it through the render that follows.

import { api, dataCsvUrl } from "../api.js";
import { $, setAttr, setText } from "../dom.js";
import { isOwnDataset } from "./address.js";
import { Drawing, OWN_FIELD, ownDataAllowed } from "./drawing.js";
import { PageMessage } from "./messages.js";

const DROP_ZONES = "#own-data, .output-plot";

export class OwnData {
  constructor(state, { tr, settings, output }) {
    this.state = state;
    this.tr = tr;
    this.settings = settings;
    this.drawing = new Drawing(state, { tr, output });
    this.names = new Map();   // "custom:<id>" -> the name of the file it came from
  }

  bind() {
    $("#own-data-upload").addEventListener("click", () => $("#own-data-file").click());
    $("#own-data-file").addEventListener("change", (ev) => {
      const file = ev.target.files[0];
      ev.target.value = "";             // the same file chosen again is sent again
      if (file) this.upload(file);
    });
    this.bindDrop();
    this.drawing.bind();
    this.state.on("render", (snap) => this.render(snap));
  }

  // The file's bytes to the server as they are (it checks they are UTF-8 text), then the
  // playground on the data it made; a refusal (naming the row) in the panel.
  async upload(file) {
    const { messages, catalog } = this.state;
    messages.clear(OWN_FIELD);
    const max = catalog.limits.max_body_bytes;
    if (file.size > max) {
      messages.error(new PageMessage("ownFileTooLarge", { name: file.name, max: Math.floor(max / 1024) }), OWN_FIELD);
      return false;
    }
    let made;
    try {
      made = await api.uploadCsv(file);
    } catch (err) {
      messages.error(err, OWN_FIELD);
      return false;
    }
    this.names.set(made.dataset, file.name);
    return this.settings.change({ dataset: made.dataset }, OWN_FIELD);
  }

  render(snap) {
    const { t } = this.tr();
    const dataset = snap.config.dataset;
    const data = this.state.data;
    const own = Boolean(data) && isOwnDataset(dataset);
    let text = t("ownIntro");
    if (own) {
      const count = data.train.x.length + data.test.x.length;
      const kind = snap.kind === "multiclass" ? t("ownKindClasses", { k: snap.classes }) : t(`ownKind_${snap.kind}`);
      const name = this.names.get(dataset);
      text = t(name ? "ownStatusFile" : "ownStatus", { count, kind, name });
    }
    const status = $("#own-data-status");
    setText(status, text);
    status.classList.toggle("intro", !own);
    setAttr($("#own-data-download"), "href", dataCsvUrl(this.state.sessionId));
    this.drawing.render(snap);
  }

  // A file dragged over the page shows where it may be dropped (the data panel, the plot);
  // dropped there, it is uploaded. Dropped anywhere else it is ignored, never opened in
  // place of the page (a model file dropped on its own file input is left to it).
  bindDrop() {
    let depth = 0;       // dragenter minus dragleave: the drag is over the page while > 0
    let over = null;     // the drop zone under the pointer
    const body = document.body;
    const fileDrag = (ev) => Array.from(ev.dataTransfer?.types || []).includes("Files")
      && !ev.target.closest?.("input[type=file]");
    const zoneOf = (ev) => (ownDataAllowed() ? ev.target.closest?.(DROP_ZONES) : null) || null;
    const mark = (zone) => {
      if (zone === over) return;
      over?.classList.remove("drop-over");
      zone?.classList.add("drop-over");
      over = zone;
    };
    const end = () => {
      depth = 0;
      mark(null);
      body.classList.remove("file-dragging");
    };
    document.addEventListener("dragenter", (ev) => {
      if (!fileDrag(ev)) return;
      depth += 1;
      body.classList.toggle("file-dragging", ownDataAllowed());
    });
    document.addEventListener("dragleave", (ev) => {
      if (fileDrag(ev) && --depth <= 0) end();
    });
    document.addEventListener("dragover", (ev) => {
      if (!fileDrag(ev)) return;
      ev.preventDefault();
      const zone = zoneOf(ev);
      ev.dataTransfer.dropEffect = zone ? "copy" : "none";
      mark(zone);
    });
    document.addEventListener("drop", (ev) => {
      if (!fileDrag(ev)) return;
      ev.preventDefault();
      const zone = zoneOf(ev);
      end();
      const file = ev.dataTransfer.files[0];
      if (zone && file) this.upload(file);
    });
  }
}
