// Collapsible sections (SPEC §6, §12): the server finds them (GET sections);
// this keeps them over the page's lines and folds them. Pure: no DOM, so
// node tests it.
//
// A section's header line stays in the log (shown as a fold toggle, with
// the server's title); its end marker (the server's `end_marker`:
// `::endgroup::`, GitLab's `section_end:`) is kept for stable line numbers
// but never shown. Sections the server says fold by default (`collapsed`:
// its dialect's rule, which only the server knows) stay open while output
// is going into them, and fold when they end if the view is following —
// never under the eyes of someone who scrolled back to read. Sections still
// open when the run exits stay open: the end of a log is usually what one
// came to see. A section that holds an error (the server's `failed`) never
// folds by itself, and unfolds when the server learns of its error, unless
// the reader folded it: GitHub's and GitLab's most requested folding rule.
// Each keeps the server's duration (`duration_ms`) for its header.
//
// Owner of the sections (the page's state.sections): run-index.js hands it
// what the server found (apply); ingest.js asks top() for the section of a
// new line; a fold the reader asks for goes through toggle and setAll.
import { F_HEAD, F_HIDDEN } from './store.js';

const NONE = [];

// The SEQ of an event id `RUN.SEQ` of run `runId`, or -1.
export function seqOf(id, runId) {
  if (typeof id !== 'string') return -1;
  const dot = id.lastIndexOf('.');
  if (dot < 0 || (runId && id.slice(0, dot) !== runId)) return -1;
  const seq = Number(id.slice(dot + 1));
  return Number.isInteger(seq) && seq > 0 ? seq : -1;
}

export class Sections {
  constructor(lines) {
    this.lines = lines; // the LineStore the sections are in
    this.reset();
  }

  reset() {
    // id -> { line, name, auto, collapsed, user, parent, end, count, durationMs, failed }
    this.groups = [null];
    this.open = []; // the ids of the sections not ended yet, outermost first
    this.heads = new Map(); // header line -> id
  }

  // The innermost open section (0: none): the group of a line added now.
  top() {
    const open = this.open;
    return open.length ? open[open.length - 1] : 0;
  }

  // Counts a new line into every open section; returns the header lines of
  // the folded ones (they show their size, so they are to be redrawn).
  countLine() {
    let folded = NONE;
    for (const id of this.open) {
      const g = this.groups[id];
      g.count++;
      if (g.collapsed) (folded === NONE ? (folded = []) : folded).push(g.line);
    }
    return folded;
  }

  // Takes in the server's sections (GET sections: in line order, a parent
  // before its children) of `run` (state.run: its id and the last SEQ the
  // page has; a section not reached yet waits for the next). `following`: whether the view
  // follows the tail (a section that ends then folds). Returns true when
  // lines changed section or fold (the view is to be made again).
  apply(list, run, following) {
    const runId = run.id;
    const { lines } = this;
    const touched = [];
    const stack = []; // the ids of the sections around the one looked at, by depth
    for (const s of Array.isArray(list) ? list : []) {
      const firstSeq = seqOf(s && s.first, runId);
      if (firstSeq < 0 || firstSeq > run.seq) continue;
      const line = lines.rowOf(firstSeq - 1);
      if (line < 0) continue;
      const depth = Number(s.depth) || 0;
      stack.length = Math.min(stack.length, depth);
      if (lines.isNote(line)) { // its header is in a gap: no line to fold it by; its sections are the enclosing one's
        stack.push(stack.length ? stack[stack.length - 1] : 0);
        continue;
      }
      let lastSeq = s.last == null ? -1 : seqOf(s.last, runId);
      if (lastSeq > run.seq) lastSeq = -1; // it ends in lines still to come
      let lastRow = lastSeq > 0 ? lines.rowOf(lastSeq - 1) : -1;
      if (lastSeq > 0 && lastRow < line) lastRow = line;
      const end = lastSeq > 0 ? lastRow + 1 : -1;
      const markerSeq = end >= 0 ? seqOf(s.end_marker, runId) : -1;
      let marker = markerSeq > 0 && markerSeq <= run.seq ? lines.rowOf(markerSeq - 1) : -1;
      if (marker >= 0 && lines.isNote(marker)) marker = -1; // in a gap: the note stays
      let id = this.heads.get(line);
      if (id === undefined) {
        id = this.add(line, s, stack.length ? stack[stack.length - 1] : 0, end);
        this.groups[id].failed = s.failed === true;
        if (end >= 0) this.ended(id, end, marker, following);
        touched.push(id);
      } else {
        const g = this.groups[id];
        const reopened = g.auto && s.collapsed === false; // Buildkite's `^^^ +++`
        if (reopened) this.reopened(id);
        const failed = !g.failed && s.failed === true;
        if (failed) this.failed(id);
        const closed = g.end < 0 && end >= 0;
        if (closed) this.close(id, end, marker, following);
        if (reopened || failed || closed) touched.push(id);
      }
      const g = this.groups[id];
      if (typeof s.title === 'string' && s.title) g.name = s.title;
      g.durationMs = end >= 0 && Number.isFinite(s.duration_ms) ? s.duration_ms : null;
      stack.push(id);
    }
    if (!touched.length) return false;
    for (const id of touched) this.recount(id); // once every end marker is hidden
    this.open = [];
    for (let id = 1; id < this.groups.length; id++) if (this.groups[id].end < 0) this.open.push(id);
    return true;
  }

  // A new section headed by line `line`, inside section `parent`, ending
  // before line `end` (-1: open): it takes the lines after its header that
  // were its parent's.
  add(line, s, parent, end) {
    const { lines } = this;
    const id = this.groups.length;
    this.groups.push({
      line, name: s.title || 'section', auto: s.collapsed === true,
      collapsed: false, user: false, parent, end: -1, count: 0, durationMs: null, failed: false,
    });
    this.heads.set(line, id);
    lines.flags[line] |= F_HEAD;
    const last = end < 0 ? lines.length : end;
    for (let j = line + 1; j < last; j++) if (lines.group[j] === parent) lines.group[j] = id;
    return id;
  }

  // Section `id` ended before line `end`: the lines from there on that were
  // given to it (or to one inside it) while it seemed open go back to its
  // parent; its end marker (line `marker`, -1: none) is hidden; it folds by
  // default when `following`.
  close(id, end, marker, following) {
    const { lines } = this;
    const g = this.groups[id];
    for (let j = end; j < lines.length; j++) if (this.within(lines.group[j], id)) lines.group[j] = g.parent;
    this.ended(id, end, marker, following);
  }

  // Section `id` ends before line `end`; line `marker` (-1: none) ended it.
  ended(id, end, marker, following) {
    const { lines } = this;
    const g = this.groups[id];
    g.end = end;
    if (marker > g.line && marker < end) lines.flags[marker] |= F_HIDDEN;
    if (g.auto && !g.user && following && !g.failed) g.collapsed = true;
  }

  // Section `id` holds an error the server learnt of: unfolded, unless the
  // reader folded it.
  failed(id) {
    const g = this.groups[id];
    g.failed = true;
    if (!g.user) g.collapsed = false;
  }

  // The server no longer folds section `id` by default: unfolded, unless the
  // reader folded it.
  reopened(id) {
    const g = this.groups[id];
    g.auto = false;
    if (!g.user) g.collapsed = false;
  }

  // Whether section a is section b or lies inside it.
  within(a, b) {
    for (; a; a = this.groups[a].parent) if (a === b) return true;
    return false;
  }

  // The lines section id shows when unfolded (its end marker is not one).
  recount(id) {
    const { lines } = this;
    const g = this.groups[id];
    const end = g.end < 0 ? lines.length : g.end;
    let n = 0;
    for (let j = g.line + 1; j < end; j++) if (!(lines.flags[j] & F_HIDDEN)) n++;
    g.count = n;
  }

  // The section whose header is line i.
  headed(i) {
    return this.groups[this.heads.get(i)];
  }

  // What a header shows: the section's title.
  label(i) {
    return this.headed(i).name;
  }

  // Whether section g or one around it is folded (g = 0: no section).
  hiddenByFold(g) {
    for (; g; g = this.groups[g].parent) if (this.groups[g].collapsed) return true;
    return false;
  }

  // Folds or unfolds section `id`; returns the lines whose visibility
  // changed, [first, last], or null when nothing changed.
  setCollapsed(id, collapsed) {
    const g = this.groups[id];
    if (g.collapsed === collapsed) return null;
    g.collapsed = collapsed;
    return [g.line, g.end < 0 ? this.lines.length - 1 : g.end - 1];
  }

  // The reader folds or unfolds section `id` (it then stays as they left it).
  toggle(id) {
    const g = this.groups[id];
    g.user = true;
    return this.setCollapsed(id, !g.collapsed);
  }

  // Folds (or unfolds) every section, as the reader asked (each then stays
  // so); true when one changed.
  setAll(collapsed) {
    let changed = false;
    for (let id = 1; id < this.groups.length; id++) {
      const g = this.groups[id];
      g.user = true;
      if (g.collapsed !== collapsed) {
        g.collapsed = collapsed;
        changed = true;
      }
    }
    return changed;
  }

  // Unfolds every section around line i, so it can be shown; returns the
  // lines whose visibility changed, or null.
  unfoldAround(i) {
    let changed = null;
    for (let gid = this.lines.group[i]; gid; gid = this.groups[gid].parent) {
      if (this.groups[gid].collapsed) {
        this.groups[gid].user = true;
        changed = union(changed, this.setCollapsed(gid, false));
      }
    }
    return changed;
  }
}

function union(a, b) {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}
