// Find (SPEC §11): every match of a query in the page's lines, kept up to date
// as lines arrive, plus the pieces a highlighted line is drawn from. Pure: no
// DOM, so node can test it; app.js owns the find bar and the rendering.
//
// The query means what /search's means: literal unless `regex`, case-
// insensitive unless `matchCase`. A regular expression is JavaScript's (with
// the `u` flag: code points, as RE2 counts them); the two agree on everything
// but the rarely used corners (backreferences, lookaround exist only here).

// Per line, as /search: at most this many matches are marked.
export const MAX_RANGES_PER_LINE = 100;

export function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// The RegExp of a query, or { error } for a bad one; null for an empty query.
export function compileFind(query, { regex = false, matchCase = false } = {}) {
  if (query === '') return null;
  try {
    return new RegExp(regex ? query : escapeRegExp(query), matchCase ? 'gu' : 'giu');
  } catch (err) {
    return { error: String(err.message || err) };
  }
}

// Appends the non-overlapping matches of `re` (global) in `text` to `out` as
// start, end pairs (UTF-16 units, half-open); returns how many. An empty match
// steps one code point on, as /search does.
export function rangesIn(text, re, out) {
  re.lastIndex = 0;
  let found = 0;
  while (found < MAX_RANGES_PER_LINE) {
    const m = re.exec(text);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    out.push(start, end);
    found++;
    if (end === start) {
      if (end >= text.length) break;
      const c = text.charCodeAt(end);
      re.lastIndex = end + (c >= 0xd800 && c < 0xdc00 ? 2 : 1);
    }
  }
  return found;
}

// How many lines a scan looks at between two questions to its `stop()`.
const SLICE_LINES = 4096;

// Every match over the lines 0..length-1 of a store, in order: match k is on
// line `line[k]`, from `start[k]` to `end[k]`. Lines are looked at through
// `textOf(i)`, which returns null for a line that is not searched (the page's
// own notes). Lines change only at the end of the store (an open line takes
// more text), so `update(from)` rescans from the first changed line on.
export class FindIndex {
  constructor(re, textOf) {
    this.re = re;
    this.textOf = textOf;
    this.line = [];
    this.start = [];
    this.end = [];
    this.scanned = 0; // lines looked at so far
  }

  get count() {
    return this.line.length;
  }

  // Forgets what lines from `from` on matched, and scans them up to `length`;
  // `stop()`, asked every few thousand lines, may end the scan early (a page
  // searches a million lines a slice at a time, so typing and scrolling go on
  // meanwhile). True once every line up to `length` has been looked at.
  update(from, length, stop = null) {
    if (from < this.scanned) {
      const k = this.firstAtOrAfter(from);
      this.line.length = k;
      this.start.length = k;
      this.end.length = k;
      this.scanned = from;
    }
    const pairs = [];
    let i = this.scanned;
    for (; i < length; i++) {
      if (stop && (i - this.scanned) % SLICE_LINES === SLICE_LINES - 1 && stop()) break;
      const text = this.textOf(i);
      if (text === null || text === '') continue;
      pairs.length = 0;
      rangesIn(text, this.re, pairs);
      for (let p = 0; p < pairs.length; p += 2) {
        this.line.push(i);
        this.start.push(pairs[p]);
        this.end.push(pairs[p + 1]);
      }
    }
    this.scanned = Math.max(this.scanned, i);
    return this.scanned >= length;
  }

  // The index of the first match on line `i` or after it (count if none).
  firstAtOrAfter(i) {
    let lo = 0;
    let hi = this.line.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.line[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // The matches on line i as [k, start, end] triples (k: the match's index).
  on(i) {
    const out = [];
    for (let k = this.firstAtOrAfter(i); k < this.line.length && this.line[k] === i; k++) {
      out.push([k, this.start[k], this.end[k]]);
    }
    return out;
  }
}

// The next match index after `current` in direction `dir` (1 or -1), wrapping
// around; -1 when there are none.
export function stepMatch(count, current, dir) {
  if (count === 0) return -1;
  if (current < 0 || current >= count) return dir > 0 ? 0 : count - 1;
  return (current + dir + count) % count;
}

// Cuts a line of `length` units drawn with style `runs` ([start, styleId,
// ...] or null) at the edges of its matches (`marks`: [k, start, end] in
// order) into pieces [start, end, styleId, k] (k: the match the piece is in,
// or -1). Pieces are never empty.
export function highlightPieces(length, runs, marks) {
  const cuts = new Set([0, length]);
  if (runs) for (let r = 0; r < runs.length; r += 2) cuts.add(Math.min(runs[r], length));
  for (const [, s, e] of marks) {
    cuts.add(Math.min(s, length));
    cuts.add(Math.min(e, length));
  }
  const edges = [...cuts].sort((a, b) => a - b);
  const pieces = [];
  let r = 0; // the style run in force
  let m = 0; // the first match not yet passed
  for (let p = 0; p + 1 < edges.length; p++) {
    const start = edges[p];
    const end = edges[p + 1];
    while (runs && r + 2 < runs.length && runs[r + 2] <= start) r += 2;
    while (m < marks.length && marks[m][2] <= start) m++;
    const sid = runs && runs[r] <= start ? runs[r + 1] : 0;
    const k = m < marks.length && marks[m][1] <= start && start < marks[m][2] ? marks[m][0] : -1;
    pieces.push([start, end, sid, k]);
  }
  return pieces;
}
