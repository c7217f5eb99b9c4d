// The line store: every line of the run in compact columns (a string per
// line with escapes already removed, style runs only for coloured lines,
// typed arrays for the rest). Pure: no DOM, so node can test it.
//
// A line (a row) is numbered as every viewer numbers it: line N is the
// run's N-th output event, the event with SEQ N + 1 (`start` is SEQ 1). A
// row made of several segments (`cr` overwrites, `partial` pieces) has the
// number of its first; rows index the store, numbers are the run's.
//
// Owner: ingest.js adds lines and writes their text; sections.js marks
// section headers and end markers (F_HEAD, F_HIDDEN). Everyone else reads.

export const F_ERR = 1; // stderr line
export const F_HEAD = 2; // header of a collapsible section
export const F_HIDDEN = 4; // section end marker: kept (numbering stays stable) but never shown
export const F_NOTICE = 8; // a note from the page itself (events missed)

// The most lines reserve() makes room for ahead (34 MiB of columns): a run
// may be told longer than the page will ever hold.
const RESERVE_MAX = 2_000_000;

function grown(array, need) {
  if (need <= array.length) return array;
  const bigger = new array.constructor(Math.max(need, array.length * 2));
  bigger.set(array);
  return bigger;
}

// An array of n slots holding the first `used` of `array`, the rest null.
function filled(array, used, n) {
  if (n <= array.length) return array;
  const bigger = new Array(n).fill(null);
  for (let k = 0; k < used; k++) bigger[k] = array[k];
  return bigger;
}

export class LineStore {
  constructor() {
    this.clear();
  }

  clear() {
    this.length = 0;
    // Both may be longer than `length` (reserve()): slots past it are null.
    this.text = []; // plain text of each line, escapes removed
    this.runs = []; // null, or [start, styleId, start, styleId, ...] over `text`
    this.time = new Uint32Array(1024); // ms since the start of the run when the line began
    this.flags = new Uint8Array(1024);
    this.group = new Uint32Array(1024); // innermost enclosing section (0: none)
    // SEQ of the line's first event (a note: of the first event it stands for). 32 bits,
    // until a SEQ passes 2^32 (a long --no-record run joined late): doubles from then on,
    // which hold any to 2^53 (a million lines' SEQs as doubles were 4 MiB more).
    this.seq = new Uint32Array(1024);
  }

  // Room for n lines in the columns (at most RESERVE_MAX), at once: a run
  // whose size `status` told is not copied into columns twice as long, again
  // and again, as it comes in.
  reserve(n) {
    n = Math.min(n, RESERVE_MAX);
    if (n <= this.seq.length) return;
    this.growColumns(n);
    // The texts and runs too: an array that grows by push leaves each shorter copy of
    // itself behind, and those are large objects that stay until a full collection (a
    // million lines left some 16 MiB of them). fill() keeps the elements fast, not a dictionary.
    this.text = filled(this.text, this.length, n);
    this.runs = filled(this.runs, this.length, n);
  }

  add(text, flags, t, group, seq) {
    const i = this.length++;
    if (i >= this.seq.length) this.growColumns(this.length);
    this.text[i] = text; // a slot reserve() made, or one more at the end
    this.runs[i] = null;
    this.time[i] = t;
    this.flags[i] = flags;
    this.group[i] = group;
    if (seq > 0xffffffff && !(this.seq instanceof Float64Array)) this.seq = Float64Array.from(this.seq);
    this.seq[i] = seq;
    return i;
  }

  // Room for n lines in the typed columns.
  growColumns(n) {
    this.time = grown(this.time, n);
    this.flags = grown(this.flags, n);
    this.group = grown(this.group, n);
    this.seq = grown(this.seq, n);
  }

  // The run's number of line i (0 for a note of the page's own: it has none).
  number(i) {
    return this.flags[i] & F_NOTICE ? 0 : this.seq[i] - 1;
  }

  // The run's number of the first line row i shows or, a note, stands for.
  firstNumber(i) {
    return this.seq[i] - 1;
  }

  // Whether row i is a note of the page's own (events it does not have).
  isNote(i) {
    return (this.flags[i] & F_NOTICE) !== 0;
  }

  // The line that shows the run's line n: the last one that begins at it or
  // before (a note, when line n is one the server no longer had); -1 if none.
  rowOf(n) {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seq[mid] <= n + 1) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}
