// Wiring: pick the language, start the controller.
import { Controller } from "./controller.js";
import { pickLanguage } from "./i18n.js";

const controller = new Controller(pickLanguage(location.search, navigator.language));
window.playground = controller;   // for the console and the page tests
controller.start().catch((err) => {
  const banner = document.getElementById("banner");
  banner.textContent = `The playground could not start: ${err.message}`;
  banner.className = "banner error";
  banner.hidden = false;
});
