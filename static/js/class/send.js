// "Send to everyone": a lesson from the menu (titles in the page's language), or a pasted
// link: an exercise's link or bare id, a lesson's link, or a playground's link, whose
// settings (address.js's queryToConfig, as the playground reads its own address) become
// the starting playground. What the text means is said under it as it is typed; once
// sent, the server's number for the message and how many students the class has.

import { setText } from "../dom.js";
import { queryToConfig } from "../features/address.js";
import { classApi } from "./teacher_api.js";
import { failure, sentWhat } from "./words.js";

const EXERCISE_ID = /^[0-9a-f]{10}$/i;   // as POST /api/exercises makes them

// The message a pasted text asks for: {lesson_id} | {exercise_id} | {config}, or
// {problem: string key} when it is none of them.
export function messageFromText(text) {
  const typed = text.trim();
  if (EXERCISE_ID.test(typed)) return { exercise_id: typed.toLowerCase() };
  let url;
  try {
    url = new URL(typed, location.origin);
  } catch {
    return { problem: "classNotALink" };
  }
  const query = url.searchParams;
  if (query.get("exercise")) return { exercise_id: query.get("exercise") };
  if (query.get("lesson")) return { lesson_id: query.get("lesson") };
  if (!url.search) return { problem: "classNotALink" };
  const config = queryToConfig(url.search);
  return Object.keys(config).length ? { config } : { problem: "classLinkEmpty" };
}

export class SendToEveryone {
  constructor(dialog, { code, key, lessons, onSent, onRefused }) {
    this.dialog = dialog;
    this.code = code;
    this.key = key;
    this.lessons = lessons;
    this.onSent = onSent;
    this.onRefused = onRefused;
    this.result = null;          // () => the confirmation's or the refusal's text
    this.kind = "sent";
    this.$ = (id) => dialog.querySelector(id);
  }

  bind(opener) {
    opener.addEventListener("click", () => {
      this.say(null);
      this.dialog.showModal();
    });
    this.$(".dialog-close").addEventListener("click", () => this.dialog.close());
    const link = this.$("#send-link");
    link.addEventListener("input", () => {
      this.choose("link");
      this.describe();
    });
    this.$("#send-lesson").addEventListener("change", () => { this.choose("lesson"); this.describe(); });
    for (const radio of this.dialog.querySelectorAll("[name=send-kind]")) {
      radio.addEventListener("change", () => this.describe());
    }
    this.$("#send-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.send();
    });
  }

  setTranslator(tr) {
    this.tr = tr;
    const select = this.$("#send-lesson");
    const keep = select.value;
    select.replaceChildren(...this.lessons.map((l) => new Option(l.title[tr.lang] || l.title.en, l.id)));
    if (keep) select.value = keep;
    this.describe();
    this.say(this.result, this.kind);
  }

  choose(kind) {
    this.dialog.querySelector(`[name=send-kind][value=${kind}]`).checked = true;
  }

  // The message the dialog holds now (see messageFromText).
  message() {
    const kind = this.dialog.querySelector("[name=send-kind]:checked").value;
    if (kind === "lesson") return { lesson_id: this.$("#send-lesson").value };
    return messageFromText(this.$("#send-link").value);
  }

  describe() {
    const text = this.$("#send-link").value.trim();
    const message = this.message();
    const linkChosen = this.dialog.querySelector("[name=send-kind]:checked").value === "link";
    setText(this.$("#send-means"), linkChosen && !text ? ""
      : message.problem ? this.tr.t(message.problem)
        : this.tr.t("classSendWill", { what: sentWhat(message, this.lessons, this.tr) }));
  }

  // result: () => text, worded again after a language switch; kind: "sent" or "error"
  say(result, kind = "sent") {
    this.result = result;
    setText(this.$("#send-result"), result && kind === "sent" ? result() : "");
    setText(this.$("#send-error"), result && kind === "error" ? result() : "");
    this.kind = kind;
  }

  async send() {
    const message = this.message();
    if (message.problem) {
      const problem = message.problem;
      this.say(() => this.tr.t(problem), "error");
      return;
    }
    const button = this.$("#send-go");
    button.disabled = true;
    try {
      const sent = await classApi.broadcast(this.code, this.key, message);
      this.say(() => this.tr.tn("classSent", sent.students,
        { seq: sent.seq, what: sentWhat(message, this.lessons, this.tr) }));
      this.onSent(sent);
    } catch (err) {
      if (err.status === 403) { this.dialog.close(); this.onRefused(err); return; }
      this.say(() => failure(err, this.tr), "error");
    } finally {
      button.disabled = false;
    }
  }
}
