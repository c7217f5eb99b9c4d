// One line of the log as a row element: its number (a #L link), its
// timestamp, its text with styles, find marks and links to the source
// (source-refs.js: only the rows drawn look for them), or a section header
// with its fold button and duration. Reads the state, writes none of it.
import { F_ERR, F_HEAD, F_NOTICE } from './store.js';
import { renderMarked, renderText, sourceAnchor } from './render.js';
import { formatDuration, formatStamp } from './time.js';
import { parseAnnotation } from './annotation.js';
import { sourceLink } from './source-link.js';
import { sourceLinks } from './source-refs.js';

const KIND_TEXT = { error: 'Error', warning: 'Warning', notice: 'Notice' };

// Row -> 'error' or 'warning' for the rows /problems lists (the worse one
// when a row has both), and the same by line number, made again for each
// new list the server answers. A note of a gap is not marked: it stands for
// lines, problems or not, the page does not have.
let severityList = null;
let severities = new Map();
let byNumber = new Map();

function severityMaps(state) {
  const { list } = state.problems;
  if (list === severityList) return;
  severityList = list;
  severities = new Map();
  byNumber = new Map();
  for (const p of list) {
    if ((p.severity !== 'error' && p.severity !== 'warning') || state.lines.isNote(p.line)) continue;
    if (p.severity === 'warning' && severities.has(p.line)) continue;
    severities.set(p.line, p.severity);
    byNumber.set(state.lines.number(p.line), p.severity);
  }
}

// A new /problems answer: marks the rows drawn in `container` anew in
// place (made again, they would lose a reader's selection).
export function markProblemRows(state, container) {
  severityMaps(state);
  for (const row of container.children) {
    const severity = row.dataset.line ? byNumber.get(Number(row.dataset.line)) : undefined;
    row.classList.toggle('problem-error', severity === 'error');
    row.classList.toggle('problem-warning', severity === 'warning');
  }
}

// An annotation as its kind, title, message and place (all text nodes),
// the place a link to `href` when there is one.
function renderAnnotation(tx, a, href) {
  const part = (cls, text, span = document.createElement('span')) => {
    span.classList.add(cls);
    span.textContent = text;
    tx.append(span);
  };
  part('ann-kind', KIND_TEXT[a.kind]);
  if (a.title) part('ann-title', a.title);
  part('ann-msg', a.message);
  if (a.where) part('ann-where', a.where, href ? sourceAnchor(href) : undefined);
}

// Row element -> the index of the line it shows (copy.js asks).
const rowLines = new WeakMap();

// The index of the line row element `row` shows, or undefined.
export function lineOfRow(row) {
  return rowLines.get(row);
}

export function makeRow(state, i) {
  const { lines, sections, mark, prefs, find } = state;
  const flags = lines.flags[i];
  const row = document.createElement('div');
  rowLines.set(row, i);
  let cls = 'line';
  if (flags & F_ERR) cls += ' err';
  if (flags & F_NOTICE) cls += ' notice';
  severityMaps(state);
  const severity = severities.get(i);
  if (severity) cls += ` problem-${severity}`;
  if (i >= mark.first && i <= mark.last) cls += ' hl';
  const n = lines.number(i);
  const ln = document.createElement('a');
  ln.className = 'ln';
  if (n) { // a note of the page's own has no number
    row.dataset.line = String(n);
    ln.href = `#L${n}`;
    ln.textContent = String(n);
  }
  row.append(ln);

  if (prefs.timestamps) {
    const ts = document.createElement('span');
    ts.className = 'ts';
    ts.textContent = formatStamp(prefs.timeMode, lines.time[i], i > 0 ? lines.time[i - 1] : null, state.run.startedMs);
    ts.title = `+${(lines.time[i] / 1000).toFixed(3)} s`;
    row.append(ts);
  }

  const tx = document.createElement('span');
  tx.className = 'tx';
  if (flags & F_HEAD) {
    const id = sections.heads.get(i);
    const g = sections.groups[id];
    cls += g.collapsed ? ' head folded' : ' head';
    if (g.failed) cls += ' head-failed';
    row.dataset.group = String(id);
    const fold = document.createElement('button');
    fold.type = 'button';
    fold.className = 'fold';
    fold.setAttribute('aria-expanded', String(!g.collapsed));
    fold.setAttribute('aria-label', g.collapsed ? 'Unfold section' : 'Fold section');
    row.append(fold);
    const label = sections.label(i);
    if (label === lines.text[i]) renderText(tx, label, lines.runs[i]);
    else tx.textContent = label;
    row.append(tx);
    if (g.durationMs !== null) {
      const took = document.createElement('span');
      took.className = 'gdur';
      took.textContent = formatDuration(g.durationMs, true);
      row.append(took);
    }
    if (g.collapsed) {
      const size = document.createElement('span');
      size.className = 'gsize';
      size.textContent = g.count === 1 ? '1 line' : `${g.count.toLocaleString('en-US')} lines`;
      row.append(size);
    }
  } else {
    const text = lines.text[i];
    const { sourceUrl, sourceRoots } = state.status;
    const marks = find.index ? find.index.on(i) : [];
    // Find's matches are in the raw text: an annotation with some shows it raw.
    const annotation = marks.length ? null : parseAnnotation(text);
    if (annotation) {
      cls += ` ann ann-${annotation.kind}`;
      row.dataset.raw = text; // what copying it gives (copy.js)
      renderAnnotation(tx, annotation, sourceLink(sourceUrl, annotation.file, annotation.line, sourceRoots));
    } else {
      const links = sourceLinks(text, sourceUrl, sourceRoots);
      if (marks.length || links.length) renderMarked(tx, text, lines.runs[i], marks, find.current, links);
      else renderText(tx, text, lines.runs[i]);
    }
    if (find.index && find.current >= 0 && find.index.line[find.current] === i) cls += ' fcur';
    row.append(tx);
  }
  row.className = cls;
  return row;
}
