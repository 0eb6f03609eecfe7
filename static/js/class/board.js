// The dashboard of one class: the join code and address large enough for a projector, the
// class's facts and the last message sent to everyone, the roster and the gallery (one
// shown at a time), the spotlight and "send to everyone". One GET of the whole class every
// 2 s (the spotlight's own GET instead while it is open); the gallery's surfaces ride along
// every other refresh while the gallery is shown.

import { setProp, setText } from "../dom.js";
import { GalleryView } from "./gallery.js";
import { forget, remember } from "./keys.js";
import { Refresher } from "./refresh.js";
import { RosterView } from "./roster.js";
import { SendToEveryone } from "./send.js";
import { Spotlight } from "./spotlight.js";
import { classApi } from "./teacher_api.js";
import { ago, failure, sentWhat } from "./words.js";

const SURFACE_CELLS = 24;   // a gallery tile's decision surface, cells a side

export class Board {
  constructor(root, { code, key, lessons, onRefused }) {
    this.root = root;
    this.code = code;
    this.key = key;
    this.lessons = lessons;
    this.onRefused = onRefused;
    this.board = null;          // the last dashboard answer
    this.offset = 0;            // the server's clock minus this computer's, ms
    this.failed = null;         // the last refresh's failure, or null
    this.surfacesStale = true;  // the gallery wants its surfaces at the next refresh
    const $ = (selector) => document.querySelector(selector);
    const onPick = (studentId) => this.spot(studentId);
    this.roster = new RosterView($("#roster"), { onPick });
    this.gallery = new GalleryView($("#gallery"), { onPick });
    const shared = { code, key, lessons, onRefused: (err) => this.refused(err) };
    this.spotlight = new Spotlight($("#spotlight"), {
      ...shared, serverNow: () => new Date(Date.now() + this.offset).toISOString(),
      onClosed: () => this.refresher.start(),
    });
    this.send = new SendToEveryone($("#send-dialog"), { ...shared, onSent: () => this.refresher.now() });
    this.refresher = new Refresher((tick) => this.refresh(tick));
  }

  bind() {
    for (const tab of this.root.querySelectorAll("[role=tab]")) {
      tab.addEventListener("click", () => this.showTab(tab.id));
    }
    this.send.bind(this.root.querySelector("#send-open"));
  }

  start() {
    this.refresher.start();
  }

  setTranslator(tr) {
    this.tr = tr;
    this.spotlight.setTranslator(tr);
    this.send.setTranslator(tr);
    this.render();
  }

  get galleryShown() {
    return !this.root.querySelector("#gallery-panel").hidden;
  }

  showTab(tabId) {
    for (const tab of this.root.querySelectorAll("[role=tab]")) {
      const on = tab.id === tabId;
      tab.setAttribute("aria-selected", String(on));
      this.root.querySelector(`#${tab.getAttribute("aria-controls")}`).hidden = !on;
    }
    if (this.galleryShown) {
      this.surfacesStale = true;
      this.refresher.now();
    }
  }

  async refresh(tick) {
    const surfaces = this.galleryShown && (this.surfacesStale || tick % 2 === 0);
    try {
      const board = await classApi.dashboard(this.code, this.key, surfaces ? SURFACE_CELLS : null);
      this.offset = Date.parse(board.now) - Date.now();
      if (!this.board) remember(this.code, { key: this.key, name: board.name, expires: board.expires });
      this.board = board;
      this.failed = null;
      if (surfaces) this.surfacesStale = false;
    } catch (err) {
      if (err.status === 403 || err.status === 404) { this.refused(err); return; }
      this.failed = err;
    }
    this.render();
  }

  // The key is wrong or the class is gone: nothing more to refresh, the key forgotten.
  refused(err) {
    this.refresher.stop();
    forget(this.code);
    this.onRefused(err);
  }

  async spot(studentId) {
    const student = this.board?.students.find((s) => s.student_id === studentId);
    if (!student) return;
    this.refresher.stop();      // the spotlight refreshes in its place
    await this.spotlight.open(studentId, student.name);
  }

  render() {
    const { t, tn } = this.tr;
    const $ = (selector) => this.root.querySelector(selector);
    setText($("#board-status"), this.failed ? failure(this.failed, this.tr) : this.board ? t("classLive") : "");
    setProp($("#board-status"), "className", `board-status${this.failed ? " offline" : ""}`);
    setText($("#join-code"), this.code);
    setText($("#join-address"), `${location.origin}/?class=${this.code}`);
    const board = this.board;
    if (!board) return;
    document.title = `${board.name} (${board.code}) · ${t("classPageTitle")}`;
    setText($("#class-title"), board.name);
    const gone = board.students.filter((s) => s.status === "gone").length;
    const until = new Date(board.expires).toLocaleTimeString(this.tr.lang === "zh" ? "zh-CN" : "en",
      { hour: "2-digit", minute: "2-digit" });
    setText($("#class-facts"), [tn("classStudentCount", board.students.length),
      gone ? t("classGoneCount", { n: gone }) : null, t("classUntil", { time: until })]
      .filter(Boolean).join(" · "));
    const sent = board.broadcast;
    const lastSent = sent?.seq ? t("classLastSent", {
      what: sentWhat(sent, this.lessons, this.tr), ago: ago(board.now, sent.sent_at, this.tr) }) : "";
    setText($("#last-sent"), lastSent);
    setProp($("#last-sent"), "title", lastSent);
    $("#roster-empty").hidden = board.students.length > 0;
    this.roster.render(board, { lessons: this.lessons, tr: this.tr });
    this.gallery.render(board, { tr: this.tr });
  }
}
