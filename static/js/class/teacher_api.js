// The class routes a teacher's page calls (API.md 6.3); every one but making a class sends
// the class's teacher key in the X-Teacher-Key header.

import { call } from "../api.js";

const at = (code) => `/api/classes/${encodeURIComponent(code)}`;
const keyed = (key) => ({ "X-Teacher-Key": key });

export const classApi = {
  make: (name) => call("POST", "/api/classes", { name }),
  // boundaries: each student's decision surface, that many cells a side (or none)
  dashboard: (code, key, boundaries = null) =>
    call("GET", boundaries ? `${at(code)}?boundaries=${boundaries}` : at(code), undefined, keyed(key)),
  spotlight: (code, key, studentId) =>
    call("GET", `${at(code)}/students/${encodeURIComponent(studentId)}/spotlight`, undefined, keyed(key)),
  broadcast: (code, key, message) => call("POST", `${at(code)}/broadcast`, message, keyed(key)),
  lessons: () => call("GET", "/api/lessons"),
  catalog: () => call("GET", "/api/catalog"),
};
