// Collapsible sections from CI markers (SPEC §6). No DOM: node tests it.
import { F_HEAD, F_HIDDEN, F_NOTICE, store } from './store.js';

// A section's header line stays in the
// log (shown as a fold toggle); end markers are kept for stable line numbers
// but never shown. Sections that the convention folds by default (GitHub
// groups, GitLab `[collapsed=true]`, Buildkite `---`/`~~~`) stay open while
// output is going into them, and fold when they end if the view is
// following — never under the eyes of someone who scrolled back to read.
// Sections still open when the run exits stay open: the end of a log is
// usually what one came to see.

export const groups = [null]; // id -> { line, name, marker, kind, auto, collapsed, user, parent, end, count }
export const openGroups = []; // stack of ids
export const headGroup = new Map(); // header line -> id
let lastBuildkite = 0;

// What sections need of the page: whether the view follows the tail (a
// section that ends then folds), and a way to redraw lines a..b after a fold.
export const sectionHooks = { following: () => true, refresh: () => {} };

export function resetSections() {
  groups.length = 1;
  openGroups.length = 0;
  headGroup.clear();
  lastBuildkite = 0;
}

export function topGroup() {
  return openGroups.length ? openGroups[openGroups.length - 1] : 0;
}

const GITLAB_START = /^section_start:\d+:([^\s[]+)(?:\[([^\]]*)\])?/;
const GITLAB_END = /^section_end:\d+:(\S+)/;
const BUILDKITE = /^(---|\+\+\+|~~~) +(\S.*)$/;

function startGroup(i, kind, name, auto) {
  const parent = topGroup();
  const id = groups.length;
  groups.push({
    line: i, name, marker: store.text[i], kind, auto, collapsed: false, user: false,
    parent, end: -1, count: 0,
  });
  store.flags[i] |= F_HEAD;
  store.group[i] = parent;
  headGroup.set(i, id);
  openGroups.push(id);
  if (kind === 'bk') lastBuildkite = id;
}

// Closes the innermost open section that `matches`, and all opened inside it.
// `end` is the first line past the section.
function endGroup(matches, end) {
  let k = openGroups.length - 1;
  while (k >= 0 && !matches(groups[openGroups[k]])) k--;
  if (k < 0) return;
  const closed = openGroups.splice(k);
  for (const id of closed) {
    const g = groups[id];
    g.end = end;
    if (g.auto && !g.user && sectionHooks.following()) setCollapsed(id, true);
  }
}

function hideMarker(i) {
  store.flags[i] |= F_HIDDEN;
  for (const id of openGroups) groups[id].count--; // it was counted as a line of each
}

export function detectMarker(i) {
  const flags = store.flags[i];
  if (flags & (F_HIDDEN | F_NOTICE)) return;
  const text = store.text[i];
  if (flags & F_HEAD) { // a header line still being written: keep its name current
    const g = groups[headGroup.get(i)];
    if (g.kind === 'gh' && text.startsWith('::group::')) {
      g.name = text.slice(9).trim() || 'group';
      g.marker = text;
    }
    return;
  }
  const c = text.charCodeAt(0); // cheap pre-check: most lines start with none of these
  if (c !== 58 && c !== 115 && c !== 45 && c !== 43 && c !== 126 && c !== 94) return;
  let m;
  if (text.startsWith('::group::')) {
    startGroup(i, 'gh', text.slice(9).trim() || 'group', true);
  } else if (/^::endgroup::\s*$/.test(text)) {
    hideMarker(i);
    endGroup((g) => g.kind === 'gh', i + 1);
  } else if ((m = GITLAB_START.exec(text))) {
    startGroup(i, 'gl', m[1], /\bcollapsed=true\b/.test(m[2] || ''));
  } else if ((m = GITLAB_END.exec(text))) {
    hideMarker(i);
    const name = m[1];
    endGroup((g) => g.kind === 'gl' && g.name === name, i + 1);
  } else if ((m = BUILDKITE.exec(text))) {
    endGroup((g) => g.kind === 'bk', i);
    startGroup(i, 'bk', m[2], m[1] !== '+++');
  } else if (/^\^\^\^ \+\+\+\s*$/.test(text)) { // Buildkite: expand the previous section
    hideMarker(i);
    if (lastBuildkite) {
      groups[lastBuildkite].auto = false;
      setCollapsed(lastBuildkite, false);
    }
  }
}

// What a header shows: the section name, or the line's own text when the
// marker was overwritten by a title (GitLab: `section_start:…\r\e[0KTitle`).
export function headLabel(i) {
  const g = groups[headGroup.get(i)];
  const text = store.text[i];
  return text === g.marker || text === '' ? g.name : text;
}

export function hiddenByFold(g) {
  for (; g; g = groups[g].parent) if (groups[g].collapsed) return true;
  return false;
}

export function setCollapsed(id, collapsed) {
  const g = groups[id];
  if (g.collapsed === collapsed) return;
  g.collapsed = collapsed;
  sectionHooks.refresh(g.line, g.end < 0 ? store.length - 1 : g.end - 1);
}
