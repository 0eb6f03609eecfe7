// Each class's teacher key, kept in this browser per join code: the dashboard link carries
// it after `#` once; it is then taken out of the visible address (a projector shows the
// address bar) and a reload or a later visit finds it here. A class lives 12 hours, so a
// key is forgotten once its class has expired.

const PREFIX = "class-key:";

// The key the address brings (#key=...), stored and taken out of the address; else the
// stored one, or null.
export function takeKey(code) {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromLink) {
    remember(code, { key: fromLink });
    history.replaceState(null, "", location.pathname + location.search);
    return fromLink;
  }
  return stored(code)?.key ?? null;
}

export function remember(code, { key, name, expires }) {
  const before = stored(code) || {};
  const entry = { ...before, key, ...(name ? { name } : {}), ...(expires ? { expires } : {}) };
  try { localStorage.setItem(PREFIX + code, JSON.stringify(entry)); } catch { /* private mode */ }
}

export function forget(code) {
  try { localStorage.removeItem(PREFIX + code); } catch { /* private mode */ }
}

function stored(code) {
  try { return JSON.parse(localStorage.getItem(PREFIX + code)); } catch { return null; }
}

// The classes this browser holds a key for and that have not expired: [{code, name}].
export function knownClasses() {
  const found = [];
  let keys = [];
  try { keys = Object.keys(localStorage).filter((k) => k.startsWith(PREFIX)); } catch { return found; }
  for (const item of keys) {
    const code = item.slice(PREFIX.length);
    const entry = stored(code);
    if (!entry?.key || (entry.expires && Date.parse(entry.expires) < Date.now())) forget(code);
    else found.push({ code, name: entry.name || code });
  }
  return found;
}
