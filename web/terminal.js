// Terminal emulation, one line at a time, for ssetail's page: ANSI SGR
// styles (16, 256 and 24-bit colours, bold, dim, italic, underline, inverse,
// strike) and the few cursor and erase commands that act within a line;
// every other escape sequence is removed. Pure: no DOM, so node can test it.

// An escape sequence cut by a partial segment is kept for the next one, up to this size.
const MAX_PENDING_ESCAPE = 512;

// ---------------------------------------------------------------------------
// Styles: each distinct SGR state is interned once and referred to by number.

export const A_BOLD = 1, A_DIM = 2, A_ITALIC = 4, A_UNDERLINE = 8, A_INVERSE = 16, A_STRIKE = 32;
export const RGB = 256; // colours >= RGB are 24-bit: RGB + 0xRRGGBB; below are palette indices; -1 is the default

// An intern table, shared by every terminal of the page (and never
// reset: a style is the same whatever run it came from).
const styles = [{ fg: -1, bg: -1, attrs: 0 }]; // styleId -> style
const styleIds = new Map([[0, 0]]); // styleKey() -> styleId

// The style { fg, bg, attrs } of a styleId.
export function styleOf(sid) {
  return styles[sid];
}

// A number for palette colours (most styles: no string made per SGR), else a string.
function styleKey(fg, bg, attrs) {
  return fg < RGB && bg < RGB ? ((fg + 1) * 257 + (bg + 1)) * 64 + attrs : `${fg}/${bg}/${attrs}`;
}

function internStyle(fg, bg, attrs) {
  const key = styleKey(fg, bg, attrs);
  let id = styleIds.get(key);
  if (id === undefined) {
    id = styles.length;
    styles.push({ fg, bg, attrs });
    styleIds.set(key, id);
  }
  return id;
}

function newPen() {
  return { fg: -1, bg: -1, attrs: 0, sid: 0 };
}

function setColor(pen, which, color) {
  if (!(color >= 0)) return; // malformed (NaN)
  if (which === 38) pen.fg = color;
  else if (which === 48) pen.bg = color;
  // 58 (underline colour) is accepted and ignored.
}

function byte(v) {
  const n = Number(v);
  return n >= 0 && n <= 255 ? n : NaN;
}

function rgb(r, g, b) {
  const [R, G, B] = [byte(r || 0), byte(g || 0), byte(b || 0)];
  return R >= 0 && G >= 0 && B >= 0 ? RGB + ((R << 16) | (G << 8) | B) : NaN;
}

function applySgrCode(pen, n) {
  if (n === 0) { pen.fg = -1; pen.bg = -1; pen.attrs = 0; }
  else if (n === 1) pen.attrs |= A_BOLD;
  else if (n === 2) pen.attrs |= A_DIM;
  else if (n === 3) pen.attrs |= A_ITALIC;
  else if (n === 4 || n === 21) pen.attrs |= A_UNDERLINE;
  else if (n === 7) pen.attrs |= A_INVERSE;
  else if (n === 9) pen.attrs |= A_STRIKE;
  else if (n === 22) pen.attrs &= ~(A_BOLD | A_DIM);
  else if (n === 23) pen.attrs &= ~A_ITALIC;
  else if (n === 24) pen.attrs &= ~A_UNDERLINE;
  else if (n === 27) pen.attrs &= ~A_INVERSE;
  else if (n === 29) pen.attrs &= ~A_STRIKE;
  else if (n >= 30 && n <= 37) pen.fg = n - 30;
  else if (n === 39) pen.fg = -1;
  else if (n >= 40 && n <= 47) pen.bg = n - 40;
  else if (n === 49) pen.bg = -1;
  else if (n >= 90 && n <= 97) pen.fg = n - 90 + 8;
  else if (n >= 100 && n <= 107) pen.bg = n - 100 + 8;
  // Anything else (blink, conceal, fonts, ...) is ignored.
}

// `38:5:n`, `38:2::r:g:b`, `4:3` — the ITU T.416 colon form.
function applyColonSgr(pen, parts) {
  const n = Number(parts[0]);
  if (n === 38 || n === 48 || n === 58) {
    if (parts[1] === '5') setColor(pen, n, byte(parts[2]));
    else if (parts[1] === '2' && parts.length >= 5) setColor(pen, n, rgb(...parts.slice(-3)));
  } else if (n === 4) {
    if (parts[1] === '0') pen.attrs &= ~A_UNDERLINE;
    else pen.attrs |= A_UNDERLINE;
  } else {
    applySgrCode(pen, n);
  }
}

// SGR parameters of plain codes only (digits and `;`, no 38/48/58 colour), applied
// without a string or an array per code; false, having changed nothing, for any others.
function applyPlainSgr(pen, params) {
  let n = 0;
  for (let k = 0; k <= params.length; k++) {
    const c = k < params.length ? params.charCodeAt(k) : 0x3b;
    if (c === 0x3b) {
      if (n === 38 || n === 48 || n === 58) return false;
      n = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
    } else {
      return false;
    }
  }
  for (let k = 0; k <= params.length; k++) {
    const c = k < params.length ? params.charCodeAt(k) : 0x3b;
    if (c === 0x3b) {
      applySgrCode(pen, n);
      n = 0;
    } else {
      n = n * 10 + (c - 0x30);
    }
  }
  return true;
}

function applySgr(pen, params) {
  if (!applyPlainSgr(pen, params)) applySgrFields(pen, params);
  pen.sid = internStyle(pen.fg, pen.bg, pen.attrs);
}

function applySgrFields(pen, params) {
  const ps = params.split(';');
  for (let k = 0; k < ps.length; k++) {
    const p = ps[k];
    if (p.includes(':')) { applyColonSgr(pen, p.split(':')); continue; }
    const n = p === '' ? 0 : Number(p);
    if (n === 38 || n === 48 || n === 58) {
      const mode = ps[k + 1];
      if (mode === '5') { setColor(pen, n, byte(ps[k + 2])); k += 2; }
      else if (mode === '2') { setColor(pen, n, rgb(ps[k + 2], ps[k + 3], ps[k + 4])); k += 4; }
      else break; // malformed: the rest cannot be interpreted
    } else {
      applySgrCode(pen, n);
    }
  }
}

// ---------------------------------------------------------------------------
// Style runs: [start, styleId, ...], ascending starts, the first at 0.

function pushRun(runs, start, sid) {
  const n = runs.length;
  if (n && runs[n - 2] === start) { // the previous run would be empty: replace it
    runs.length = n - 2;
    pushRun(runs, start, sid);
    return;
  }
  if (n && runs[n - 1] === sid) return; // same style continues
  runs.push(start, sid);
}

function styleAt(runs, pos) {
  let sid = 0;
  for (let k = 0; k < runs.length && runs[k] <= pos; k += 2) sid = runs[k + 1];
  return sid;
}

function normalRuns(runs) {
  return runs.length === 0 || (runs.length === 2 && runs[1] === 0) ? null : runs;
}

// Runs after [a, b) of a line of length `len` was overwritten with style `sid`.
function spliceRuns(runs, a, b, sid, len) {
  const out = [];
  for (let k = 0; k < runs.length && runs[k] < a; k += 2) pushRun(out, runs[k], runs[k + 1]);
  pushRun(out, a, sid);
  if (b < len) {
    pushRun(out, b, styleAt(runs, b));
    for (let k = 0; k < runs.length; k += 2) if (runs[k] > b) pushRun(out, runs[k], runs[k + 1]);
  }
  return normalRuns(out);
}

function truncateRuns(runs, len) {
  if (!runs) return null;
  let n = runs.length;
  while (n && runs[n - 2] >= len && n > 2) n -= 2;
  runs.length = n;
  return normalRuns(runs);
}

// ---------------------------------------------------------------------------
// Terminal emulation of one line at a time. Each stream has its own pen, its
// own open line (the one a `cr` or `partial` segment left open) and a cursor
// column in it. Printable text overwrites from the cursor; a `cr` moves the
// cursor home, so "10%\r50%\r100%" ends as "100%", and "abc\r" followed by a
// newline keeps "abc" — exactly what a terminal shows.

export function newTerminal(err) {
  return { err, line: -1, cursor: 0, pending: '', pen: newPen() };
}

// The edits one segment makes to a line, gathered so appended pieces are
// joined once (a flat string per line, not a chain of concatenations).
class LineEdit {
  constructor(line) {
    this.line = line;
    this.head = line.text;
    this.parts = [];
    this.len = this.head.length;
    this.runs = line.runs;
  }

  text() {
    if (this.parts.length) {
      this.parts.unshift(this.head);
      this.head = this.parts.join('');
      this.parts = [];
    }
    return this.head;
  }

  write(at, s, sid) {
    if (at > this.len) { // the cursor is past the end after an erase: fill the gap
      this.write(this.len, ' '.repeat(at - this.len), 0);
    }
    if (at === this.len) {
      this.parts.push(s);
      if (this.runs === null) {
        if (sid !== 0) this.runs = at > 0 ? [0, 0, at, sid] : [0, sid];
      } else {
        pushRun(this.runs, at, sid);
      }
      this.len += s.length;
      return;
    }
    const old = this.text();
    const end = at + s.length;
    this.head = old.slice(0, at) + s + old.slice(end);
    const len = this.head.length;
    if (this.runs !== null || sid !== 0) this.runs = spliceRuns(this.runs || [0, 0], at, end, sid, len);
    this.len = len;
  }

  // CSI K: 0 erases from the cursor to the end, 1 from the start to the cursor, 2 all.
  erase(mode, cursor) {
    if (mode === 0) {
      if (cursor >= this.len) return;
      this.head = this.text().slice(0, cursor);
      this.runs = truncateRuns(this.runs, cursor);
      this.len = cursor;
    } else if (mode === 1) {
      const n = Math.min(cursor + 1, this.len);
      if (n > 0) this.write(0, ' '.repeat(n), 0);
    } else if (mode === 2) {
      this.parts = [];
      this.head = '';
      this.runs = null;
      this.len = 0;
    }
  }

  // The runs are kept as a copy of their own length: an array that grew by push has
  // room for more (17 slots after its first), twice the memory of a line's few runs.
  commit() {
    this.line.text = this.text();
    this.line.runs = this.runs === null ? null : this.runs.slice();
  }
}

// C0 and C1 controls but TAB and LF: what a terminal would not print as text.
export const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

// The index of the first CONTROL at or after `from`, or text.length: a loop, not a global
// regex's exec(), which makes a match array for every escape of every coloured line.
function nextControl(text, from) {
  for (let k = from; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a : c >= 0x7f && c <= 0x9f) return k;
  }
  return text.length;
}

// Writes one segment's text to `line` ({ text, runs }, updated in place).
// `partial`: more of this line will come, so an escape sequence cut at the
// end is kept in `term.pending` for the next segment.
export function writeSegment(term, line, text, partial) {
  const edit = new LineEdit(line);
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    const stop = nextControl(text, pos);
    if (stop > pos) {
      const piece = text.slice(pos, stop);
      edit.write(term.cursor, piece, term.pen.sid);
      term.cursor += piece.length;
    }
    if (stop === n) break;
    pos = control(term, edit, text, stop, partial);
  }
  edit.commit();
}

// Handles the control character at `at`; returns where text resumes.
function control(term, edit, text, at, partial) {
  const c = text.charCodeAt(at);
  if (c === 0x1b || c === 0x9b) return escapeSequence(term, edit, text, at, partial);
  if (c === 0x08) term.cursor = Math.max(0, term.cursor - 1); // backspace
  else if (c === 0x0d) term.cursor = 0;
  return at + 1; // BEL and the other controls print nothing
}

// Consumes one escape sequence (ECMA-48: CSI, OSC/DCS/SOS/PM/APC strings,
// and the short ESC forms). Only SGR and a few cursor/erase commands within
// the line mean something here; every other sequence is removed.
function escapeSequence(term, edit, text, at, partial) {
  const n = text.length;
  let p;
  let kind;
  if (text.charCodeAt(at) === 0x9b) {
    kind = '[';
    p = at + 1;
  } else {
    if (at + 1 >= n) return incomplete(term, text, at, partial);
    kind = text[at + 1];
    p = at + 2;
  }
  if (kind === '[') {
    const start = p;
    for (; p < n; p++) {
      const ch = text.charCodeAt(p);
      if (ch >= 0x40 && ch <= 0x7e) {
        csi(term, edit, text.slice(start, p), text[p]);
        return p + 1;
      }
      if (ch < 0x20 || ch > 0x3f) return p; // not a valid CSI: drop what was read
    }
    return incomplete(term, text, at, partial);
  }
  if (kind === ']' || kind === 'P' || kind === 'X' || kind === '^' || kind === '_') {
    // A control string, ended by ST (ESC \ or 0x9c) or, for OSC, BEL.
    for (; p < n; p++) {
      const ch = text.charCodeAt(p);
      if (ch === 0x07 || ch === 0x9c) return p + 1;
      if (ch === 0x1b) {
        if (p + 1 >= n) break;
        return text[p + 1] === '\\' ? p + 2 : p; // any other ESC starts a new sequence
      }
    }
    return incomplete(term, text, at, partial);
  }
  // ESC, intermediates 0x20–0x2f, one final character (ESC ( B, ESC 7, ESC =, ...).
  p = at + 1;
  while (p < n && text.charCodeAt(p) >= 0x20 && text.charCodeAt(p) <= 0x2f) p++;
  if (p >= n) return incomplete(term, text, at, partial);
  return p + 1;
}

// An escape sequence cut at the end: kept for the next segment when more will come
// (`partial`), else dropped. Returns where text resumes (the end).
function incomplete(term, text, at, partial) {
  if (partial && text.length - at <= MAX_PENDING_ESCAPE) term.pending = text.slice(at);
  return text.length;
}

function csi(term, edit, params, final) {
  const first = params.charCodeAt(0);
  if (first >= 0x3c && first <= 0x3f) return; // private (ESC[?25l, ESC[>4m, ...)
  if (/[\x20-\x2f]/.test(params)) return; // has intermediates
  const n = params === '' ? 0 : Number(params);
  switch (final) {
    case 'm': applySgr(term.pen, params); break;
    case 'K': edit.erase(n || 0, term.cursor); break;
    case 'G': term.cursor = Math.min(Math.max(0, (n || 1) - 1), edit.len); break;
    case 'C': term.cursor = Math.min(term.cursor + (n || 1), edit.len); break;
    case 'D': term.cursor = Math.max(0, term.cursor - (n || 1)); break;
    default: break; // cursor up/down, scrolling, modes: not meaningful in a log
  }
}
