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

// Whether an element is on screen: { seen }, kept up to date by an IntersectionObserver;
// onBack() when it comes back into view. A chart redrawn every frame while the network
// plays need not be drawn where no one can see it (a frame's 2 ms on a big network).
export function onScreen(element, onBack) {
  const watch = { seen: true };
  new IntersectionObserver((entries) => {
    const seen = entries[entries.length - 1].isIntersecting;
    const back = seen && !watch.seen;
    watch.seen = seen;
    if (back) onBack();
  }).observe(element);
  return watch;
}

// Writes to the page that happen only when the value changes. A play frame comes up to 60
// times a second and most of what it shows stays the same; a write of the same text,
// attribute or class still makes the browser restyle, lay out and repaint its part.

// An element's text; an element holding one text node keeps it (a replaced node is laid
// out anew, a changed one only shaped again).
export function setText(el, text) {
  const only = el.firstChild;
  if (only && only === el.lastChild && only.nodeType === Node.TEXT_NODE && text) {
    if (only.data !== text) only.data = text;
  } else if (el.textContent !== text) {
    el.textContent = text;
  }
}

export function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

// A property (value, title, className, hidden, disabled), compared as the element has it.
export function setProp(el, name, value) {
  if (el[name] !== value) el[name] = value;
}

// A new element with its attributes and, optionally, its text.
export function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
