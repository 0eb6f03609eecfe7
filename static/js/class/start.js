// "Start a class": a name, then POST /api/classes, then the dashboard link (the teacher
// key after `#`, which keys.js keeps and takes out of the address). Below the form, the
// classes this browser still holds a key for, to open one again.

import { el, setText } from "../dom.js";
import { knownClasses, remember } from "./keys.js";
import { classApi } from "./teacher_api.js";
import { failure } from "./words.js";

export class StartForm {
  constructor(root) {
    this.root = root;
    this.error = null;           // () => the refusal's text in the page's language
  }

  bind() {
    this.root.querySelector("#start-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.start();
    });
  }

  setTranslator(tr) {
    this.tr = tr;
    this.showError(this.error);
    this.listEarlier();
  }

  showError(say) {
    this.error = say;
    setText(this.root.querySelector("#start-error"), say ? say() : "");
  }

  async start() {
    const name = this.root.querySelector("#class-name").value.trim();
    if (!name) {
      this.showError(() => this.tr.t("classTitleNeeded"));
      return;
    }
    const button = this.root.querySelector("#start-class");
    button.disabled = true;
    try {
      const made = await classApi.make(name);
      remember(made.code, { key: made.teacher_key, name: made.name });
      location.assign(withLanguage(made.dashboard_link, this.tr.lang));
    } catch (err) {
      this.showError(() => failure(err, this.tr));
      button.disabled = false;
    }
  }

  listEarlier() {
    const known = knownClasses();
    this.root.querySelector("#earlier").hidden = !known.length;
    this.root.querySelector("#earlier-list").replaceChildren(...known.map(({ code, name }) => {
      const link = el("a", { href: withLanguage(`/class?code=${encodeURIComponent(code)}`, this.tr.lang) }, `${name} (${code})`);
      const item = el("li");
      item.append(link);
      return item;
    }));
  }
}

// A page address with ?lang= set (any #fragment kept).
export function withLanguage(address, lang) {
  const url = new URL(address, location.origin);
  url.searchParams.set("lang", lang);
  return url.pathname + url.search + url.hash;
}
