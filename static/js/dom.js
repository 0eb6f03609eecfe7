// The page's fixed elements, found once: a frame looks up some twenty of them, and a
// querySelector costs ~10 us. Looked up again once the element left the page.
const found = new Map();
export function $(selector) {
  let el = found.get(selector);
  if (!el?.isConnected) {
    el = document.querySelector(selector);
    found.set(selector, el);
  }
  return el;
}

// Writes to the page that happen only when the value changes. A play frame comes up to 60
// times a second and most of what it shows stays the same; a write of the same text,
// attribute or class still makes the browser restyle, lay out and repaint its part.

export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

// A property (value, title, className, hidden, disabled), compared as the element has it.
export function setProp(el, name, value) {
  if (el[name] !== value) el[name] = value;
}
