// The roster: one row per student, in the order they joined, updated in place at every
// refresh (a row keeps its element, so focus and the teacher's place in the list stay).
// A click on a row, or Enter on its name, asks for the spotlight.

import { setAttr, setProp, setText } from "../dom.js";
import { fmt } from "../numbers.js";
import { ago, goalsMet, lessonName, networkSize, stepOf } from "./words.js";

const COLUMNS = ["name", "lesson", "step", "goals", "loss", "network", "epoch", "seen"];

export class RosterView {
  constructor(table, { onPick }) {
    this.body = table.tBodies[0];
    this.rows = new Map();      // student_id -> <tr>
    this.onPick = onPick;
  }

  render(board, { lessons, tr }) {
    const seen = new Set();
    board.students.forEach((student, index) => {
      seen.add(student.student_id);
      const tr_ = this.row(student.student_id);
      if (this.body.children[index] !== tr_) this.body.insertBefore(tr_, this.body.children[index] || null);
      this.fill(tr_, student, board.now, lessons, tr);
    });
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) { row.remove(); this.rows.delete(id); }
    }
  }

  row(studentId) {
    let row = this.rows.get(studentId);
    if (row) return row;
    row = document.createElement("tr");
    row.dataset.student = studentId;
    for (const column of COLUMNS) {
      const cell = document.createElement(column === "name" ? "th" : "td");
      cell.dataset.col = column;
      if (column === "name") {
        cell.scope = "row";
        const button = document.createElement("button");
        button.className = "student-name";
        cell.append(button);
      }
      row.append(cell);
    }
    row.addEventListener("click", () => this.onPick(studentId));
    this.rows.set(studentId, row);
    return row;
  }

  fill(row, s, now, lessons, tr) {
    const cell = (column) => row.cells[COLUMNS.indexOf(column)];
    const { t } = tr;
    setAttr(row, "data-status", s.status);
    setText(cell("name").firstChild, s.name);
    setProp(cell("name").firstChild, "title", t("classSpotlightTitle", { name: s.name }));
    setText(cell("lesson"), s.status === "gone" ? "–" : lessonName(s.lesson_id, lessons, tr));
    setText(cell("step"), stepOf(s));
    setProp(cell("step"), "title", s.lesson_id ? t("classStepsDone", { done: s.steps_done, steps: s.steps_total }) : "");
    const goals = goalsMet(s, tr);
    setText(cell("goals"), goals.text);
    setProp(cell("goals"), "className", goals.done ? "done" : "");
    setText(cell("loss"), s.diverged ? t("classDiverged") : fmt(s.best_test_loss));
    setProp(cell("loss"), "className", s.diverged ? "diverged" : "");
    const size = networkSize(s.layers, tr);
    setText(cell("network"), size.text);
    setProp(cell("network"), "title", size.title);
    setText(cell("epoch"), s.epoch === null ? "–" : String(s.epoch));
    const status = { gone: [t("classGone"), t("classGoneTitle")], busy: [t("classBusy"), t("classBusyTitle")] }[s.status];
    setText(cell("seen"), status ? status[0] : ago(now, s.last_seen, tr));
    setProp(cell("seen"), "title", status ? status[1] : s.last_seen || "");
    setProp(cell("seen"), "className", status ? `status ${s.status}` : "");
  }
}
