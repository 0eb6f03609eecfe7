// Wiring of the teacher's page (/class): the language, then either "Start a class" (no
// code in the address) or the dashboard of the class the address names, or the refusal
// when its key is wrong or the class is gone. Nothing else happens here.

import { applyStrings, pickLanguage, translator } from "../i18n.js";
import { Board } from "./board.js";
import { takeKey } from "./keys.js";
import { StartForm, withLanguage } from "./start.js";
import { classApi } from "./teacher_api.js";
import { failure } from "./words.js";

const $ = (selector) => document.querySelector(selector);
let tr = translator(pickLanguage(location.search, navigator.language));
const parts = [];               // whatever words itself: setTranslator(tr)
let refusal = null;             // the error the page is refusing with, worded again on a switch
let catalog = null;             // the catalog's names for ids ("relu" reads "ReLU"), once loaded

function setLanguage(lang) {
  tr = translator(lang, catalog);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = tr.t("classPageTitle");
  applyStrings(document, tr.t);
  $("#language").value = lang;
  $("#start-again").href = withLanguage("/class", lang);
  $("#home-link").href = withLanguage("/", lang);
  if (refusal) $("#refused-text").textContent = failure(refusal, tr);
  for (const part of parts) part.setTranslator(tr);
}

function refuse(err) {
  refusal = err;
  for (const id of ["#start", "#board"]) $(id).hidden = true;
  $("#refused").hidden = false;
  $("#refused-text").textContent = failure(err, tr);
}

async function start() {
  $("#language").addEventListener("change", (ev) => {
    history.replaceState(null, "", withLanguage(location.pathname + location.search, ev.target.value));
    setLanguage(ev.target.value);
  });
  const code = new URLSearchParams(location.search).get("code");
  if (!code) {
    const form = new StartForm($("#start"));
    form.bind();
    parts.push(form);
    setLanguage(tr.lang);
    $("#start").hidden = false;
    $("#class-name").focus();
    return;
  }
  setLanguage(tr.lang);
  const key = takeKey(code) || "";   // none: the server's refusal says what is needed
  const [lessons, names] = await Promise.all([classApi.lessons(), classApi.catalog()]);
  catalog = names;
  setLanguage(tr.lang);
  const board = new Board($("#board"), { code, key, lessons, onRefused: refuse });
  board.bind();
  parts.push(board);
  board.setTranslator(tr);
  $("#board").hidden = false;
  board.start();
}

start().catch((err) => refuse(err));
