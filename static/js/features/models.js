// "Save & share": the playground as a model file (download it, load one back: a new
// session identical to the one saved), a trained network shared by a link (/?share=ID
// opens a new playground equal to it), and the network as a runnable NumPy, PyTorch or
// Keras script (API.md 6.4). The server does the work; this only links, posts and adopts.

import { api, ApiError, exportUrl, modelUrl } from "../api.js";
import { $ } from "../dom.js";
import { copyLink } from "./exercise_maker.js";
import { PageMessage } from "./messages.js";

export class Models {
  constructor(state, { tr }) {
    this.state = state;
    this.tr = tr;
    this.shown = { load: null, share: null };   // the refusal in each part of the dialog
  }

  setTranslator(tr) {
    this.tr = tr;
    for (const where of ["load", "share"]) this.showError(where, this.shown[where]);
  }

  bind() {
    $("#models-btn").addEventListener("click", () => this.open());
    $("#models .explorer-close").addEventListener("click", () => $("#models").close());
    $("#models-file").addEventListener("change", () => this.loadChosen());
    $("#models-share").addEventListener("click", () => this.share());
    $("#models-copy").addEventListener("click", () => copyLink($("#models-link"), $("#models-copied"), this.tr));
  }

  open() {
    this.links();
    $("#models-share-result").hidden = true;
    this.showError("load", null);
    this.showError("share", null);
    $("#models").showModal();
  }

  // The download links name this tab's session as it is now (a load changes it).
  links() {
    const id = this.state.sessionId;
    $("#models-download").href = modelUrl(id);
    for (const a of document.querySelectorAll("#models-code a[data-format]")) {
      a.href = exportUrl(id, a.dataset.format);
    }
  }

  // The chosen file's text goes to the server as it is; the new session is this tab's.
  async loadChosen() {
    const input = $("#models-file");
    const file = input.files[0];
    if (!file) return;
    this.showError("load", null);
    try {
      const text = await file.text();
      const inLesson = Boolean(this.state.snapshot?.lesson);   // the loaded playground is outside it
      const snap = await this.state.queue(async () => this.state.reopen(await api.loadModel(text)));
      $("#models").close();
      this.state.messages.notice(inLesson ? "modelLoadedOutside" : "modelLoaded", { name: file.name, epoch: snap.epoch });
    } catch (err) {
      this.showError("load", notAModelFile(err) ? new PageMessage("modelNotAFile", { name: file.name }) : err);
    } finally {
      input.value = "";        // the same file chosen again loads again
      this.links();
    }
  }

  async share() {
    const button = $("#models-share");
    button.disabled = true;
    this.showError("share", null);
    try {
      const shared = await api.share(this.state.sessionId);
      const link = location.origin + shared.link;
      $("#models-link").value = link;
      $("#models-copied").textContent = "";
      $("#models-share-result").hidden = false;
      $("#models-link").select();
    } catch (err) {
      this.showError("share", err);
    } finally {
      button.disabled = false;
    }
  }

  // /?share=ID at start: the shared model file posted as it came; a new playground equal
  // to it becomes this tab's, and the notice says what it is. False (the refusal in the
  // banner) when it cannot be opened: the page then opens as usual.
  async openShared(shareId) {
    try {
      const snap = await this.state.reopen(await api.loadModel(await api.sharedModel(shareId)));
      this.state.messages.notice("modelSharedOpened", { epoch: snap.epoch });
      return true;
    } catch (err) {
      this.state.messages.error(err);
      return false;
    }
  }

  showError(where, err) {
    this.shown[where] = err;
    $(`#models-${where}-error`).textContent = err ? this.describe(err) : "";
  }

  describe(err) {
    if (err instanceof ApiError && err.status === 0) return this.tr.t("modelServerLost");
    return this.state.messages.describe(err);
  }
}

// A file that is no model file at all (not JSON, or JSON without a model file's "format"
// and "version"): said as such, not as the server's "format is missing".
function notAModelFile(err) {
  const field = String(err?.params?.field ?? "");
  return err instanceof ApiError && (err.code === "bad_json" || field === "format" || field === "version");
}
