// Collapsible sections from CI markers (SPEC §6). Pure: no DOM, so node tests it.
//
// A section's header line stays in the log (shown as a fold toggle); end
// markers are kept for stable line numbers but never shown. Sections that
// the convention folds by default (GitHub groups, GitLab `[collapsed=true]`,
// Buildkite `---`/`~~~`) stay open while output is going into them, and fold
// when they end if the view is following — never under the eyes of someone
// who scrolled back to read. Sections still open when the run exits stay
// open: the end of a log is usually what one came to see.
//
// Owner of the sections (the page's state.sections): ingest.js feeds it the
// lines as they complete; a fold the reader asks for goes through
// setCollapsed. A change of what a fold hides comes back as the range of
// lines [first, last] whose visibility changed, for the caller to redraw.
import { F_HEAD, F_HIDDEN, F_NOTICE } from './store.js';

const GITLAB_START = /^section_start:\d+:([^\s[]+)(?:\[([^\]]*)\])?/;
const GITLAB_END = /^section_end:\d+:(\S+)/;
const BUILDKITE = /^(---|\+\+\+|~~~) +(\S.*)$/;
const NONE = [];

export class Sections {
  constructor(lines) {
    this.lines = lines; // the LineStore the sections are in
    this.reset();
  }

  reset() {
    // id -> { line, name, marker, kind, auto, collapsed, user, parent, end, count }
    this.groups = [null];
    this.open = []; // stack of the ids of the sections not ended yet
    this.heads = new Map(); // header line -> id
    this.lastBuildkite = 0;
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

  // Looks at line i for a section marker once its text changed. `following`:
  // whether the view follows the tail (a section that ends then folds).
  // Returns the lines whose visibility changed, [first, last], or null.
  detect(i, following) {
    const { lines } = this;
    const flags = lines.flags[i];
    if (flags & (F_HIDDEN | F_NOTICE)) return null;
    const text = lines.text[i];
    if (flags & F_HEAD) { // a header line still being written: keep its name current
      const g = this.groups[this.heads.get(i)];
      if (g.kind === 'gh' && text.startsWith('::group::')) {
        g.name = text.slice(9).trim() || 'group';
        g.marker = text;
      }
      return null;
    }
    const c = text.charCodeAt(0); // cheap pre-check: most lines start with none of these
    if (c !== 58 && c !== 115 && c !== 45 && c !== 43 && c !== 126 && c !== 94) return null;
    let m;
    if (text.startsWith('::group::')) {
      this.start(i, 'gh', text.slice(9).trim() || 'group', true);
    } else if (/^::endgroup::\s*$/.test(text)) {
      this.hideMarker(i);
      return this.end((g) => g.kind === 'gh', i + 1, following);
    } else if ((m = GITLAB_START.exec(text))) {
      this.start(i, 'gl', m[1], /\bcollapsed=true\b/.test(m[2] || ''));
    } else if ((m = GITLAB_END.exec(text))) {
      this.hideMarker(i);
      const name = m[1];
      return this.end((g) => g.kind === 'gl' && g.name === name, i + 1, following);
    } else if ((m = BUILDKITE.exec(text))) {
      const folded = this.end((g) => g.kind === 'bk', i, following);
      this.start(i, 'bk', m[2], m[1] !== '+++');
      return folded;
    } else if (/^\^\^\^ \+\+\+\s*$/.test(text)) { // Buildkite: expand the previous section
      this.hideMarker(i);
      if (this.lastBuildkite) {
        this.groups[this.lastBuildkite].auto = false;
        return this.setCollapsed(this.lastBuildkite, false);
      }
    }
    return null;
  }

  start(i, kind, name, auto) {
    const parent = this.top();
    const id = this.groups.length;
    this.groups.push({
      line: i, name, marker: this.lines.text[i], kind, auto, collapsed: false, user: false,
      parent, end: -1, count: 0,
    });
    this.lines.flags[i] |= F_HEAD;
    this.lines.group[i] = parent;
    this.heads.set(i, id);
    this.open.push(id);
    if (kind === 'bk') this.lastBuildkite = id;
  }

  // Ends the innermost open section that `matches`, and all opened inside
  // it; `end` is the first line past the section. Folds those that fold by
  // default when `following`; returns the lines that hides, or null.
  end(matches, end, following) {
    let k = this.open.length - 1;
    while (k >= 0 && !matches(this.groups[this.open[k]])) k--;
    if (k < 0) return null;
    let changed = null;
    for (const id of this.open.splice(k)) {
      const g = this.groups[id];
      g.end = end;
      if (g.auto && !g.user && following) changed = union(changed, this.setCollapsed(id, true));
    }
    return changed;
  }

  hideMarker(i) {
    this.lines.flags[i] |= F_HIDDEN;
    for (const id of this.open) this.groups[id].count--; // it was counted as a line of each
  }

  // The section whose header is line i.
  headed(i) {
    return this.groups[this.heads.get(i)];
  }

  // What a header shows: the section name, or the line's own text when the
  // marker was overwritten by a title (GitLab: `section_start:…\r\e[0KTitle`).
  label(i) {
    const g = this.headed(i);
    const text = this.lines.text[i];
    return text === g.marker || text === '' ? g.name : text;
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
