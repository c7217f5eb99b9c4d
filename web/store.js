// The line store: every line of the run in compact columns (a string per
// line with escapes already removed, style runs only for coloured lines,
// typed arrays for the rest). Pure: no DOM, so node can test it.
//
// Owner: ingest.js adds lines and writes their text; sections.js marks
// section headers and end markers (F_HEAD, F_HIDDEN). Everyone else reads.

export const F_ERR = 1; // stderr line
export const F_HEAD = 2; // header of a collapsible section
export const F_HIDDEN = 4; // section end marker: kept (numbering stays stable) but never shown
export const F_NOTICE = 8; // a note from the page itself (events missed)

function grown(array, need) {
  if (need <= array.length) return array;
  const bigger = new array.constructor(Math.max(need, array.length * 2));
  bigger.set(array);
  return bigger;
}

export class LineStore {
  constructor() {
    this.clear();
  }

  clear() {
    this.length = 0;
    this.text = []; // plain text of each line, escapes removed
    this.runs = []; // null, or [start, styleId, start, styleId, ...] over `text`
    this.time = new Uint32Array(1024); // ms since the start of the run when the line began
    this.flags = new Uint8Array(1024);
    this.group = new Uint32Array(1024); // innermost enclosing section (0: none)
  }

  add(text, flags, t, group) {
    const i = this.length++;
    this.time = grown(this.time, this.length);
    this.flags = grown(this.flags, this.length);
    this.group = grown(this.group, this.length);
    this.text.push(text);
    this.runs.push(null);
    this.time[i] = t;
    this.flags[i] = flags;
    this.group[i] = group;
    return i;
  }
}
