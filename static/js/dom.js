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
