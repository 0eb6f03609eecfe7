// A student in a class (API.md 6.3). /?class=CODE asks for a display name and joins: the
// session the class made for the student is this tab's from then on, so the teacher's
// dashboard sees exactly what the student does; no other session is made first. This
// browser remembers the membership per class code, so a reload (or the link opened
// again) takes the same session up. Every few seconds the page reads what the teacher
// sent to everyone and opens it: a lesson, an exercise, or a starting playground.

import { api } from "../api.js";
import { $, setText } from "../dom.js";
import { PageMessage } from "./messages.js";

const STORE_KEY = "neural-playground.classes";   // {code: {student_id, name, session_id, seen}}
const POLL_MS = 3000;

function readAll() {
  try {
    return JSON.parse(localStorage.getItem(STORE_KEY)) || {};
  } catch {
    return {};
  }
}

function remember(code, membership) {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify({ ...readAll(), [code]: membership }));
  } catch { /* storage off: the class works, a reload asks for the name again */ }
}

// A join code as typed: letters and digits, upper case (the server reads it the same way).
export const normalCode = (code) => (code || "").toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 12);

export class Classroom {
  constructor(state, { tr, lesson, messages }) {
    this.state = state;
    this.tr = tr;
    this.lesson = lesson;
    this.messages = messages;
    this.code = null;
    this.member = null;       // {student_id, name, session_id, seen}
    this.className = "";
    this.timer = null;
  }

  setTranslator(tr) {
    this.tr = tr;
    this.renderBadge();
  }

  // Enter the class the address names: take up this browser's membership, or ask for a
  // name and join. True when the tab now has the class's session; false when the student
  // went on without joining (or the class does not exist): the page opens as usual.
  async enter(code) {
    this.code = normalCode(code);
    let inbox;
    try {
      inbox = await api.classInbox(this.code);
    } catch (err) {
      this.messages.error(err);
      return false;
    }
    this.className = inbox.name;
    const kept = readAll()[this.code];
    if (kept && await this.takeUp(kept)) return true;
    const joined = await this.askName(kept?.name || "");
    if (!joined) return false;
    this.start(inbox.broadcast);
    return true;
  }

  async takeUp(kept) {
    let snap;
    try {
      snap = await api.get(kept.session_id);
    } catch {
      return false;     // gone (or unreachable): join again, the name filled in
    }
    this.member = kept;
    this.state.classCode = this.code;     // kept in the address (settings.writeAddress)
    await this.state.reopen(snap);
    this.start(null);
    return true;
  }

  // The join dialog; resolves true once joined, false on "not now".
  askName(name) {
    const dialog = $("#class-join");
    setText($("#class-join-name"), this.className);
    setText($("#class-join-code"), this.code);
    $("#class-join-error").hidden = true;
    const input = $("#class-join-input");
    input.value = name;
    return new Promise((resolve) => {
      const form = $("#class-join-form");
      const finish = (joined) => {
        form.onsubmit = null;
        $("#class-join-skip").onclick = null;
        dialog.close();
        resolve(joined);
      };
      form.onsubmit = async (event) => {
        event.preventDefault();
        const button = $("#class-join-submit");
        button.disabled = true;
        try {
          await this.join(input.value);
          finish(true);
        } catch (err) {
          const error = $("#class-join-error");
          error.textContent = this.messages.describe(err);
          error.hidden = false;
          input.focus();
        } finally {
          button.disabled = false;
        }
      };
      $("#class-join-skip").onclick = () => finish(false);
      dialog.oncancel = (event) => event.preventDefault();   // Esc: choose a button
      dialog.showModal();
      input.focus();
    });
  }

  async join(name) {
    if (!name.trim()) throw new PageMessage("classNameNeeded");
    const joined = await api.joinClass(this.code, name);
    this.member = { student_id: joined.student_id, name: joined.name,
      session_id: joined.session.id, seen: 0 };
    remember(this.code, this.member);
    this.state.classCode = this.code;
    await this.state.reopen(joined.session);
  }

  // ------------------------------------------------------------------ what the teacher sends
  // `broadcast`: the last message, read just now (null: read it at once). A message the
  // student saw before (this browser remembers its number) is not opened again.
  start(broadcast) {
    this.renderBadge();
    const poll = () => this.poll().catch(() => { /* the connection banner says it */ });
    if (broadcast) this.receive(broadcast); else poll();
    this.timer = setInterval(() => { if (!document.hidden) poll(); }, POLL_MS);
  }

  async poll() {
    const inbox = await api.classInbox(this.code);
    this.className = inbox.name;
    await this.receive(inbox.broadcast);
  }

  async receive(message) {
    if (!message || message.seq <= (this.member.seen || 0)) return;
    this.member.seen = message.seq;
    remember(this.code, this.member);
    if (message.lesson_id) {
      await this.lesson.begin(message.lesson_id);
      this.messages.notice("classSentLesson");
    } else if (message.exercise_id) {
      await this.lesson.begin(`exercise-${message.exercise_id}`);
      this.messages.notice("classSentExercise");
    } else if (message.config) {
      await this.startOver(message.config);
      this.messages.notice("classSentPlayground");
    }
  }

  // The teacher's starting playground in the student's own session: its settings, fresh
  // weights, out of any lesson.
  startOver(config) {
    const state = this.state;
    return state.change(async () => {
      if (state.snapshot?.lesson) await api.leaveLesson(state.sessionId);
      await api.patch(state.sessionId, config);
      await state.show(await api.reset(state.sessionId), { data: true });
    });
  }

  renderBadge() {
    const badge = $("#class-badge");
    badge.hidden = !this.member;
    if (!this.member) return;
    setText(badge, this.tr.t("classBadge", { name: this.className, student: this.member.name }));
    badge.title = this.tr.t("classBadgeTitle", { code: this.code });
  }
}
