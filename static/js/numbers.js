// Numbers as a learner types them and as the page shows them.

// "1.5", "-2,25" (a decimal comma), "3e-2", "−0.5" (the minus sign the page itself prints),
// full-width digits and signs from a Chinese keyboard. Nothing else: not "0x10", "abc",
// "", "1,5,3", and not a number too large to be finite ("1e999").
const DECIMAL = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)(e[+-]?\d+)?$/i;

export function parseDecimal(text) {
  const s = String(text ?? "").trim()
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[−－]/g, "-").replace(/＋/g, "+").replace(/，/g, ",").replace(/．/g, ".");
  if (!DECIMAL.test(s)) return null;
  const value = Number(s.replace(",", "."));
  return Number.isFinite(value) ? value : null;
}

// A number for reading: fixed digits, "–" where there is none.
export const fmt = (v, digits = 3) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits));

// A gradient or an update for reading, as the server's formulas write numbers: 3 decimals,
// or 3 significant digits when tiny or huge (so a small Δw reads 0.000654, not 0.000).
export function fmtSig(v) {
  if (v === null || v === undefined) return "–";
  const x = Number(v);
  if (x === 0) return "0";
  if (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5) return x.toFixed(3);
  return x.toPrecision(3).replace(/\.?0+(?=e|$)/, "");
}

// A number as typed back into a field: at most 3 decimals, no trailing zeros.
export const short = (v) => String(Math.round(v * 1000) / 1000);
