// Work is never lost silently. This tab's session ids live in sessionStorage (per tab,
// never in the link: the link carries only settings), so a reload reopens the session;
// what the page last showed is saved there as the page goes away, so a session gone
// meanwhile is made again from it; and when the server answers again after a restart,
// the page takes up the same session (and plays on if it was playing).

import { api, isUnknownSession } from "../api.js";
import { configToQuery, layerDefaults, openFromLink, queryToConfig } from "./address.js";

const SESSIONS = "playground.sessions";   // this tab's session ids, the latest first
const HELD = "playground.held";           // what the page showed as it went away
const KEEP = 5;

function read(key, fallback) {
  try {
    return JSON.parse(sessionStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    sessionStorage.setItem(key, JSON.stringify(value));
  } catch { /* storage off or full: the page works without it */ }
}

const forget = (id) => write(SESSIONS, read(SESSIONS, []).filter((x) => x !== id));

export function keepSession(id) {
  write(SESSIONS, [id, ...read(SESSIONS, []).filter((x) => x !== id)].slice(0, KEEP));
}

// What the page shows is saved as it goes away (a reload, a link followed): one write,
// not one per frame.
export function holdOnLeaving(state) {
  addEventListener("pagehide", () => {
    if (state.snapshot) write(HELD, state.held());
  });
}

// Open the playground the address asks for. The address says which playground this is
// (its settings); this tab's sessions say how far it got. A session of this tab whose
// settings are all the address asks for is taken up as it was (same epoch, same
// hand-edited weights): a reload (the page writes its settings into the address as they
// change), or Back to an address the tab showed before. An address that asks for other
// settings, such as a link pasted into the tab, is a playground the learner asked for
// afresh: it opens new from the link, as it would in a new tab. The tab's earlier session
// is not deleted: Back to its address takes it up again while the server keeps it.
export async function openTabSession(state, asked) {
  for (const id of read(SESSIONS, [])) {
    let snap;
    try {
      snap = await api.get(id);
    } catch (err) {
      if (!isUnknownSession(err)) throw err;
      forget(id);
      const held = read(HELD, null);
      if (held?.id === id && asks(asked, held.config, state.catalog)) {
        await state.restore(state.sessionId, held);   // gone since the reload: made again
        return [];
      }
      continue;
    }
    if (asks(asked, snap.config, state.catalog)) {
      await state.reopen(snap);
      return [];
    }
  }
  return openFromLink(state, asked);
}

// Whether a session's settings are all the address asks for (the config written as an
// address and read back, so that 0.03 and "0.03" agree).
function asks(asked, config, catalog) {
  const has = queryToConfig(configToQuery(config, {}, layerDefaults(catalog)));
  return Object.keys(asked).every((k) => JSON.stringify(asked[k]) === JSON.stringify(has[k]));
}

// The server answers again after a lost connection (Messages.onReconnect): the same
// session as the server kept it (a restart keeps what it answered over ~1 s before), or,
// when the server lost it, made again from what the page shows; then play on if it was
// playing. Returns what to say (null: the restore said it).
export async function takeUp(state, play) {
  const id = state.sessionId;
  if (!id || !state.snapshot) return { key: "connectionBack" };
  const shown = state.snapshot.epoch;
  let snap;
  try {
    snap = await api.get(id);
  } catch (err) {
    if (!isUnknownSession(err)) throw err;
    await state.restore(id);
    play.playOn();
    return null;
  }
  await state.reopen(snap);
  play.playOn();
  return snap.epoch < shown ? { key: "connectionBackBehind", values: { epoch: snap.epoch, shown } }
    : { key: "connectionBack" };
}
