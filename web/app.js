// ssetail's page: follows one run over Server-Sent Events (`events?format=json`)
// and shows its output the way a terminal would. No framework and no build
// step. Every URL is relative, so the page works under any path prefix.
//
// Rendering uses VIRTUAL SCROLLING, not a bounded DOM. Every line stays in
// memory in compact columns (a string per line with escapes already removed,
// style runs only for coloured lines, typed arrays for the rest), and only the
// rows in the viewport exist as elements (a few dozen). A bounded DOM would
// have to drop or hide old lines, which would break scrolling back without
// losing anything, the filter over all lines and `#L` links to early lines;
// here a frame costs the same at ten lines or ten million. Events only update
// the store, and one requestAnimationFrame callback renders whatever arrived.
//
// The scroll container holds a sticky viewport plus a spacer that gives the
// scrollbar its length. The scroll position maps to a line index (in
// proportion when a very long log would exceed browsers' element-height
// limits), and the viewport draws the rows from that index on, or from the
// end backwards when at the bottom, so wrapped lines still show the tail.

import { CONTROL, newTerminal, writeSegment } from './terminal.js';
import { Connection } from './stream.js';
import { yieldToBrowser } from './sse.js';
import { FindIndex, compileFind, stepMatch } from './find.js';
import { F_ERR, F_HEAD, F_HIDDEN, F_NOTICE, store } from './store.js';
import {
  detectMarker, groups, headGroup, headLabel, hiddenByFold, openGroups, resetSections, sectionHooks, setCollapsed,
  topGroup,
} from './sections.js';
import { parseFilter } from './filter.js';
import { renderMarked, renderText } from './render.js';
import { ProblemDetector, sourceLink } from './problems.js';
import { formatStamp, nextTimeMode } from './time.js';

const $ = (id) => document.getElementById(id);

const ui = {
  title: $('title'), state: $('state'), elapsed: $('elapsed'), conn: $('conn'),
  countOut: $('count-out'), countErr: $('count-err'), filter: $('filter'),
  showOut: $('show-out'), showErr: $('show-err'), optTime: $('opt-time'), optWrap: $('opt-wrap'),
  banner: $('banner'), log: $('log'), view: $('view'),
  rows: $('rows'), spacer: $('spacer'), resume: $('resume'),
  findbar: $('findbar'), find: $('find'), findRegex: $('find-regex'), findCase: $('find-case'),
  favicon: $('favicon'), help: $('help'), notify: $('notify'),
  problemsToggle: $('problems-toggle'), problemsPanel: $('problems'), problemsList: $('problems-list'),
  findCount: $('find-count'), findNote: $('find-note'), findPrev: $('find-prev'),
  findNext: $('find-next'), findClose: $('find-close'), findMarks: $('find-marks'),
};

// Past this scroll height (about 830,000 rows) the mapping from scroll
// position to line becomes proportional: Firefox caps element heights near
// 17.9 M px, Chrome near 33.5 M px.
const MAX_SCROLL_PX = 15_000_000;

// ---------------------------------------------------------------------------
// The view: indices of the lines that pass the stream toggles, the filter
// and the folds, in order. Kept up to date incrementally as lines arrive.

let view = [];
const show = { out: true, err: true };
let filter = null; // { test(text) } or null

function isVisible(i) {
  const flags = store.flags[i];
  if (flags & F_HIDDEN) return false;
  if (flags & F_NOTICE) return true;
  if (flags & F_ERR ? !show.err : !show.out) return false;
  // A filter searches every line, folded or not: it is how one finds things.
  if (filter) return filter.test(flags & F_HEAD ? headLabel(i) : store.text[i]);
  return !hiddenByFold(store.group[i]);
}

function lowerBound(array, value) {
  let lo = 0;
  let hi = array.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (array[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Brings line i's membership of the view up to date after it changed.
function syncLine(i) {
  const want = isVisible(i);
  const n = view.length;
  if (n === 0 || view[n - 1] < i) { // the usual case: a line at the end
    if (want) view.push(i);
    return;
  }
  const k = lowerBound(view, i);
  const has = view[k] === i;
  if (want && !has) view.splice(k, 0, i);
  else if (!want && has) view.splice(k, 1);
}

function refreshRange(a, b) {
  const lo = lowerBound(view, a);
  const hi = lowerBound(view, b + 1);
  const middle = [];
  for (let i = a; i <= b; i++) if (isVisible(i)) middle.push(i);
  view = view.slice(0, lo).concat(middle, view.slice(hi));
  invalidateRows();
}

function rebuildView() {
  const next = [];
  for (let i = 0; i < store.length; i++) if (isVisible(i)) next.push(i);
  view = next;
  invalidateRows();
}

// ---------------------------------------------------------------------------
// Run state and events

const terms = { out: newTerminal(false), err: newTerminal(true) };
const run = {
  id: '', // RUN part of event ids
  seq: 0, // last SEQ applied
  lastEventId: '',
  title: '',
  startedMs: NaN,
  lastT: 0,
  exit: null,
  counts: [0, 0],
  missed: 0, // events the server no longer had when this page asked (gaps)
};
let connState = 'connecting';
function resetRun() {
  store.clear();
  resetSections();
  problems = new ProblemDetector();
  problemCursor = -1;
  problemsDrawn = -1;
  terms.out = newTerminal(false);
  terms.err = newTerminal(true);
  Object.assign(run, { seq: 0, title: '', startedMs: NaN, lastT: 0, exit: null, counts: [0, 0], missed: 0 });
  view = [];
  newWhilePaused = 0;
  ui.banner.hidden = true;
  if (find.re) setFindQuery(); // a new run: find again from nothing
  invalidateRows();
}

// Applies the id of an event; false for one already applied (a resume that
// overlaps what we had).
function acceptId(id, type) {
  const dot = id.lastIndexOf('.');
  if (dot <= 0) return true;
  const runId = id.slice(0, dot);
  const seq = Number(id.slice(dot + 1));
  if (runId !== run.id) {
    if (type !== 'start') return true; // cannot tell; take it
    if (run.id) resetRun(); // the server restarted: a new run replays from its start
    run.id = runId;
  } else if (seq <= run.seq) {
    return false;
  }
  run.seq = seq;
  run.lastEventId = id;
  return true;
}

function parseJson(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

function onEvent(type, data, id) {
  if (type === 'gap') {
    onGap(parseJson(data));
    return;
  }
  if (!acceptId(id, type)) return;
  const d = parseJson(data);
  if (!d) return;
  if (type === 'stdout' || type === 'stderr') {
    output(type === 'stderr' ? terms.err : terms.out, String(d.text ?? ''), d.t >>> 0, !!d.cr, !!d.partial);
  } else if (type === 'start') {
    onStart(d);
  } else if (type === 'exit') {
    onExit(d);
  }
}

function onStart(d) {
  run.title = d.title || (Array.isArray(d.command) ? d.command.join(' ') : 'stdin');
  run.startedMs = Date.parse(d.started);
  schedule();
}

function output(term, text, t, cr, partial) {
  if (term.pending) {
    text = term.pending + text;
    term.pending = '';
  }
  run.lastT = Math.max(run.lastT, t);
  let i = term.line;
  if (i < 0) {
    i = store.add('', term.err ? F_ERR : 0, t, topGroup());
    for (const id of openGroups) {
      const g = groups[id];
      g.count++;
      if (g.collapsed) dirtyRows.add(g.line); // its header shows the count
    }
    run.counts[term.err ? 1 : 0]++;
    if (!following) newWhilePaused++;
    term.line = i;
    term.cursor = 0;
    if (term.pen.sid === 0 && !CONTROL.test(text)) { // plain text on a new line: no parsing
      store.text[i] = text;
      term.cursor = text.length;
    } else {
      writeLine(term, i, text, partial);
    }
  } else {
    writeLine(term, i, text, partial);
    dirtyRows.add(i);
  }
  if (cr) term.cursor = 0;
  else if (!partial) {
    term.line = -1;
    if (detectProblems) problems.line(i, store.text[i], term.err); // a complete line: look for diagnostics
  }
  if (i < find.from) find.from = i;
  detectMarker(i);
  syncLine(i);
  schedule();
}

function writeLine(term, i, text, partial) {
  const line = { text: store.text[i], runs: store.runs[i] };
  writeSegment(term, line, text, partial);
  store.text[i] = line.text;
  store.runs[i] = line.runs;
}

function closeOpenLines() {
  for (const term of [terms.out, terms.err]) {
    term.line = -1;
    term.cursor = 0;
    term.pending = '';
  }
}

function onGap(d) {
  const missed = d && d.missed > 0 ? d.missed : 0;
  closeOpenLines();
  const what = missed === 1 ? '1 event' : `${missed.toLocaleString('en-US')} events`;
  const i = store.add(`⋯ ${what} no longer kept by the server were skipped here`, F_NOTICE, run.lastT, topGroup());
  run.missed += missed;
  syncLine(i);
  schedule();
}

function onExit(d) {
  run.exit = d;
  closeOpenLines();
  disconnect('ended');
  schedule();
}

function exitSummary(x) {
  if (x.signal) return `killed by ${x.signal}`;
  if (x.code === null || x.code === undefined) return 'ended';
  return `exited with code ${x.code}`;
}

// Shown in the same frame as the last lines.
function renderBanner() {
  const x = run.exit;
  if (!x || !ui.banner.hidden) return;
  const ok = !x.signal && x.code === 0;
  ui.banner.hidden = false;
  ui.banner.dataset.ok = ok ? 'yes' : 'no';
  const when = Number.isFinite(x.duration_ms) ? ` after ${formatDuration(x.duration_ms, true)}` : '';
  ui.banner.textContent = `${ok ? '✓' : '✗'} The command ${exitSummary(x)}${when}.`;
  notifyEnd(ok, `${exitSummary(x)}${when}`);
  const first = problems.problems.find((p) => p.severity === 'error');
  if (!ok && first) {
    const button = document.createElement('button');
    button.type = 'button';
    button.id = 'first-error';
    button.className = 'button';
    button.textContent = `First error at line ${first.line + 1}`;
    button.addEventListener('click', () => gotoProblem(first));
    ui.banner.append(' ', button);
  }
}

// ---------------------------------------------------------------------------
// The event stream (stream.js)

const connection = new Connection({
  onEvent,
  onState: (state) => setConn(state),
  lastEventId: () => run.lastEventId,
  ended: () => !!run.exit,
});
const connect = () => connection.connect();
const disconnect = (state) => connection.disconnect(state);

function setConn(state) {
  connState = state;
  schedule();
}

// A hidden tab lets go of its connection (browsers allow six per host) and
// resumes after the last event it has when it is shown again.
document.addEventListener('visibilitychange', () => {
  if (run.exit) return;
  if (document.visibilityState === 'hidden') disconnect('paused');
  else connect();
});

// ---------------------------------------------------------------------------
// Header

function formatDuration(ms, precise = false) {
  if (precise && ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function elapsedMs() {
  if (run.exit && Number.isFinite(run.exit.duration_ms)) return run.exit.duration_ms;
  if (!Number.isFinite(run.startedMs)) return run.lastT;
  // The server's clock may differ from ours; the last event's time is a floor.
  return Math.max(run.lastT, Date.now() - run.startedMs);
}

const CONN_TEXT = {
  connecting: 'connecting', live: 'live', reconnecting: 'reconnecting', paused: 'paused (tab hidden)', ended: 'closed',
};

function renderHeader() {
  const x = run.exit;
  let state = 'waiting';
  let stateText = 'waiting';
  if (x) {
    state = !x.signal && x.code === 0 ? 'ok' : 'failed';
    stateText = x.signal ? `killed (${x.signal})` : x.code === null || x.code === undefined ? 'ended' : `exited ${x.code}`;
  } else if (run.id) {
    state = 'running';
    stateText = 'running';
  }
  setText(ui.state, stateText);
  ui.state.dataset.state = state;
  setText(ui.title, run.title || 'ssetail');
  const mark = state === 'ok' ? '✓ ' : state === 'failed' ? '✗ ' : '';
  const docTitle = `${mark}${run.title || 'ssetail'}`;
  if (document.title !== docTitle) document.title = docTitle;
  const icon = state === 'ok' ? 'favicon-ok.svg' : state === 'failed' ? 'favicon-failed.svg' : 'favicon.svg';
  if (ui.favicon.getAttribute('href') !== icon) ui.favicon.setAttribute('href', icon);
  setText(ui.elapsed, formatDuration(elapsedMs()));
  setText(ui.conn, CONN_TEXT[connState]);
  ui.conn.dataset.conn = connState;
  setText(ui.countOut, run.counts[0].toLocaleString('en-US'));
  setText(ui.countErr, run.counts[1].toLocaleString('en-US'));
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

setInterval(() => {
  if (!run.exit && run.id && document.visibilityState === 'visible') setText(ui.elapsed, formatDuration(elapsedMs()));
}, 1000);

// ---------------------------------------------------------------------------
// Rows

const opts = { timestamps: false, timeMode: 'off', wrap: false };
let highlighted = -1; // line index from #L (the first of a #L10-L40 range)
let highlightEnd = -1; // the last line of the range
let rangeAnchor = -1; // the line number clicked last without Shift: where Shift-click extends from
const rowCache = new Map(); // line index -> element, reused while unchanged
const dirtyRows = new Set();

function invalidateRows() {
  rowCache.clear();
  schedule();
}

function makeRow(i) {
  const flags = store.flags[i];
  const row = document.createElement('div');
  let cls = 'line';
  if (flags & F_ERR) cls += ' err';
  if (flags & F_NOTICE) cls += ' notice';
  if (i >= highlighted && i <= highlightEnd) cls += ' hl';
  row.dataset.line = String(i + 1);

  const ln = document.createElement('a');
  ln.className = 'ln';
  ln.href = `#L${i + 1}`;
  ln.textContent = String(i + 1);
  row.append(ln);

  if (opts.timestamps) {
    const ts = document.createElement('span');
    ts.className = 'ts';
    ts.textContent = formatStamp(opts.timeMode, store.time[i], i > 0 ? store.time[i - 1] : null, run.startedMs);
    ts.title = `+${(store.time[i] / 1000).toFixed(3)} s`;
    row.append(ts);
  }

  const tx = document.createElement('span');
  tx.className = 'tx';
  if (flags & F_HEAD) {
    const id = headGroup.get(i);
    const g = groups[id];
    cls += g.collapsed ? ' head folded' : ' head';
    row.dataset.group = String(id);
    const fold = document.createElement('button');
    fold.type = 'button';
    fold.className = 'fold';
    fold.setAttribute('aria-expanded', String(!g.collapsed));
    fold.setAttribute('aria-label', g.collapsed ? 'Unfold section' : 'Fold section');
    row.append(fold);
    const label = headLabel(i);
    if (label === store.text[i]) renderText(tx, label, store.runs[i]);
    else tx.textContent = label;
    row.append(tx);
    if (g.collapsed) {
      const size = document.createElement('span');
      size.className = 'gsize';
      size.textContent = g.count === 1 ? '1 line' : `${g.count.toLocaleString('en-US')} lines`;
      row.append(size);
    }
  } else {
    const marks = find.index ? find.index.on(i) : [];
    if (marks.length) renderMarked(tx, store.text[i], store.runs[i], marks, find.current);
    else renderText(tx, store.text[i], store.runs[i]);
    if (find.index && find.current >= 0 && find.index.line[find.current] === i) cls += ' fcur';
    row.append(tx);
  }
  row.className = cls;
  return row;
}

// ---------------------------------------------------------------------------
// Scrolling: following the tail, pausing, jumping to a line

let following = true;
let newWhilePaused = 0;
let rowHeight = 18;
let jumpTo = -1; // view index to bring into sight at the next frame
let pendingLine = -1; // #L target that has not arrived yet
let pendingEnd = -1; // and the end of its range
// A revealed #L line stays in the middle of the view until the reader scrolls:
// it may arrive near the end of what is there so far (drawn at the bottom),
// and more lines, the exit banner or a resize would then push it away.
let anchorLine = -1;
let ownScrollTop = -1; // where the page itself last scrolled to
let wrapExcess = 0; // px by which wrapped rows exceeded one row each, last frame

function measureRowHeight() {
  const probe = document.createElement('div');
  probe.className = 'line';
  probe.textContent = 'M';
  probe.style.visibility = 'hidden';
  ui.rows.append(probe);
  rowHeight = probe.getBoundingClientRect().height || 18;
  probe.remove();
}

function setFollowing(on) {
  if (following === on) return;
  following = on;
  if (on) newWhilePaused = 0;
  schedule();
}

function geometry() {
  const viewH = ui.view.clientHeight || 1;
  const fit = viewH / rowHeight; // rows that fit, fractional
  const n = view.length;
  // Wrapped rows are taller than one row; what the last frame measured beyond
  // one row each is added, so a short log of long lines can still scroll.
  const extra = opts.wrap ? wrapExcess : 0;
  const contentH = Math.min(MAX_SCROLL_PX, Math.max(viewH, n * rowHeight + extra));
  return { viewH, fit, n, contentH, maxScroll: contentH - viewH };
}

function scrollTopFor(viewIndex, g) {
  const top = Math.min(Math.max(0, viewIndex - g.fit / 2), Math.max(0, g.n - g.fit));
  const span = Math.max(0, g.n - g.fit);
  return span > 0 ? (top / span) * g.maxScroll : 0;
}

function renderRows() {
  const g = geometry();
  const spacerH = `${Math.max(0, g.contentH - g.viewH)}px`;
  if (ui.spacer.style.height !== spacerH) ui.spacer.style.height = spacerH;

  if (jumpTo < 0 && anchorLine >= 0) {
    const k = lowerBound(view, anchorLine);
    if (view[k] === anchorLine) jumpTo = k;
  }
  if (jumpTo >= 0) {
    const top = scrollTopFor(jumpTo, g);
    if (Math.abs(ui.log.scrollTop - top) >= 1) ui.log.scrollTop = top;
    ownScrollTop = ui.log.scrollTop;
    jumpTo = -1;
  } else if (following && ui.log.scrollTop < g.maxScroll) {
    ui.log.scrollTop = g.maxScroll;
    ownScrollTop = ui.log.scrollTop;
  }
  const scrollTop = ui.log.scrollTop;
  const atBottom = g.maxScroll > 0 && scrollTop >= g.maxScroll - 2;
  const count = Math.ceil(g.fit) + 1;
  let first;
  let offset = 0;
  if (atBottom) {
    first = Math.max(0, g.n - count);
  } else {
    const span = Math.max(0, g.n - g.fit);
    const top = g.maxScroll > 0 ? (scrollTop / g.maxScroll) * span : 0;
    first = Math.floor(top);
    if (!opts.wrap) offset = (top - first) * rowHeight;
  }
  const last = Math.min(g.n, first + count);
  topLine = first < g.n ? view[first] : store.length;

  ui.rows.classList.toggle('bottom', atBottom);
  const transform = offset ? `translateY(${-offset}px)` : '';
  if (ui.rows.style.transform !== transform) ui.rows.style.transform = transform;

  for (const i of dirtyRows) rowCache.delete(i);
  dirtyRows.clear();
  const elements = [];
  const keep = new Map();
  for (let k = first; k < last; k++) {
    const i = view[k];
    const row = rowCache.get(i) || makeRow(i);
    keep.set(i, row);
    elements.push(row);
  }
  rowCache.clear();
  for (const [i, row] of keep) rowCache.set(i, row);
  // Touch the DOM only when the rows differ, so that a reader's selection
  // survives while output keeps arriving below.
  const current = ui.rows.children;
  let same = current.length === elements.length;
  for (let k = 0; same && k < elements.length; k++) same = current[k] === elements[k];
  if (!same) ui.rows.replaceChildren(...elements);
  if (opts.wrap && first === 0 && last === g.n) { // a short log: does it overflow?
    const excess = Math.max(0, ui.rows.offsetHeight - elements.length * rowHeight);
    if (Math.abs(excess - wrapExcess) > rowHeight) {
      wrapExcess = excess;
      schedule();
    }
  }
  const digits = `${Math.max(3, String(store.length).length)}`;
  if (ui.rows.style.getPropertyValue('--ln-digits') !== digits) ui.rows.style.setProperty('--ln-digits', digits);
}

function renderResume() {
  ui.resume.hidden = following;
  if (!following) {
    setText(ui.resume, newWhilePaused ? `↓ Follow (${newWhilePaused.toLocaleString('en-US')} new)` : '↓ Follow');
  }
}

let frameRequested = false;
let topLine = 0; // the first line drawn, last frame

function schedule() {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(frame);
}

function frame() {
  frameRequested = false;
  if (pendingLine >= 0 && pendingLine < store.length) {
    const line = pendingLine;
    pendingLine = -1;
    revealLine(line, pendingEnd);
  }
  if (find.index && find.from < Infinity && !find.scanning) scanFind();
  renderHeader();
  renderRows();
  renderResume();
  renderBanner();
  renderFind();
  renderProblems();
}

ui.log.addEventListener('scroll', () => {
  const top = ui.log.scrollTop;
  // Our own scrolling (following, jumping to a line) changes nothing; the
  // reader's does: at the bottom means following, anywhere else paused.
  if (Math.abs(top - ownScrollTop) >= 1) {
    anchorLine = -1;
    const max = ui.log.scrollHeight - ui.log.clientHeight;
    setFollowing(top >= max - 2);
  }
  schedule();
}, { passive: true });

// Scrolling up pauses at once, before the scroll event, so that a frame
// rendering new lines cannot pull the view back down meanwhile.
ui.log.addEventListener('wheel', (e) => {
  if (e.deltaY) anchorLine = -1;
  if (e.deltaY < 0 && ui.log.scrollTop > 0) setFollowing(false);
}, { passive: true });

ui.resume.addEventListener('click', () => {
  anchorLine = -1;
  setFollowing(true);
  ui.log.scrollTop = ui.log.scrollHeight;
});

// Shows line i (0-based) highlighted in the middle of the view, unfolding
// the sections around it; lines i..end highlighted when a range.
function revealLine(i, end = i) {
  highlighted = i;
  highlightEnd = Math.max(i, end);
  for (let gid = store.group[i]; gid; gid = groups[gid].parent) {
    if (groups[gid].collapsed) {
      groups[gid].user = true;
      setCollapsed(gid, false);
    }
  }
  const k = lowerBound(view, i);
  following = false;
  anchorLine = i;
  if (view[k] === i) jumpTo = k;
  invalidateRows();
}

// `#L12` or a range `#L10-L40` (GitHub's form; `#L10-40` too), as 0-based
// [first, last]; null for anything else.
function rangeFromHash() {
  const m = /^#L(\d+)(?:-L?(\d+))?$/.exec(location.hash);
  if (!m || Number(m[1]) < 1) return null;
  const a = Number(m[1]) - 1;
  const b = m[2] ? Math.max(0, Number(m[2]) - 1) : a;
  return [Math.min(a, b), Math.max(a, b)];
}

function onHash() {
  const range = rangeFromHash();
  if (!range) return;
  const [i, end] = range;
  rangeAnchor = i;
  if (i < store.length) revealLine(i, end);
  else {
    pendingLine = i; // not received yet: reveal it when it arrives
    pendingEnd = end;
    following = false;
  }
}

window.addEventListener('hashchange', onHash);

ui.rows.addEventListener('click', (e) => {
  const ln = e.target.closest('.ln');
  if (ln) { // permalink: update the address without a history entry, highlight in place
    e.preventDefault();
    const n = Number(ln.closest('.line').dataset.line) - 1;
    // Shift-click extends from the line clicked last: a range #L10-L40.
    const from = e.shiftKey && rangeAnchor >= 0 ? Math.min(rangeAnchor, n) : n;
    const to = e.shiftKey && rangeAnchor >= 0 ? Math.max(rangeAnchor, n) : n;
    if (!e.shiftKey || rangeAnchor < 0) rangeAnchor = n;
    history.replaceState(null, '', from === to ? `#L${from + 1}` : `#L${from + 1}-L${to + 1}`);
    highlighted = from;
    highlightEnd = to;
    window.getSelection().removeAllRanges(); // Shift-click would select text too
    anchorLine = -1; // highlighted in place: nothing moves
    invalidateRows();
    return;
  }
  const head = e.target.closest('.head');
  if (head && !window.getSelection().toString()) {
    const id = Number(head.dataset.group);
    groups[id].user = true;
    setCollapsed(id, !groups[id].collapsed);
  }
});

// ---------------------------------------------------------------------------
// Toolbar

function loadPref(name) {
  try {
    return localStorage.getItem(`ssetail.${name}`) === '1';
  } catch {
    return false;
  }
}

function savePref(name, on) {
  try {
    localStorage.setItem(`ssetail.${name}`, on ? '1' : '0');
  } catch { /* storage may be disabled */ }
}

const TIME_LABELS = { off: 'time: off', clock: 'time: clock', elapsed: 'time: elapsed', delta: 'time: delta' };

function loadTimeMode() {
  try {
    const mode = localStorage.getItem('ssetail.timeMode');
    return mode in TIME_LABELS ? mode : 'off';
  } catch {
    return 'off';
  }
}

// The timestamps button (and `t`) cycles off → clock → elapsed → delta.
function setTimeMode(mode) {
  opts.timeMode = mode;
  ui.optTime.dataset.mode = mode;
  ui.optTime.setAttribute('aria-pressed', String(mode !== 'off'));
  ui.optTime.textContent = TIME_LABELS[mode];
  try {
    localStorage.setItem('ssetail.timeMode', mode);
  } catch { /* storage may be disabled */ }
}

function applyOptions() {
  opts.timestamps = opts.timeMode !== 'off';
  opts.wrap = ui.optWrap.checked;
  ui.log.classList.toggle('wrap', opts.wrap);
  ui.log.classList.toggle('timestamps', opts.timestamps);
  invalidateRows();
}

setTimeMode(loadTimeMode());
ui.optTime.addEventListener('click', () => {
  setTimeMode(nextTimeMode(opts.timeMode));
  applyOptions();
});
ui.optWrap.checked = loadPref('wrap');
for (const [box, name] of [[ui.optWrap, 'wrap']]) {
  box.addEventListener('change', () => {
    savePref(name, box.checked);
    applyOptions();
  });
}

for (const box of [ui.showOut, ui.showErr]) {
  box.addEventListener('change', () => {
    show.out = ui.showOut.checked;
    show.err = ui.showErr.checked;
    rebuildView();
  });
}

let filterTimer = 0;

function applyFilter() {
  try {
    filter = parseFilter(ui.filter.value);
    ui.filter.classList.remove('invalid');
    ui.filter.removeAttribute('aria-invalid');
  } catch (err) {
    filter = null; // an unfinished regular expression shows everything
    ui.filter.classList.add('invalid');
    ui.filter.setAttribute('aria-invalid', 'true');
  }
  rebuildView();
}

ui.filter.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(applyFilter, store.length > 100000 ? 250 : 80);
});

ui.filter.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') {
    ui.filter.value = '';
    applyFilter();
    ui.filter.blur();
  } else if (e.key === 'Enter') {
    clearTimeout(filterTimer);
    applyFilter();
  }
});

function typing() {
  const el = document.activeElement;
  return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'f') {
    e.preventDefault(); // the page's own find: it knows every line, not just those drawn
    openFind();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey || typing()) return;
  if (!ui.help.hidden) { // any key closes the help
    e.preventDefault();
    ui.help.hidden = true;
    return;
  }
  if (e.key === '?') {
    e.preventDefault();
    ui.help.hidden = false;
  } else if (e.key === '/') {
    e.preventDefault();
    openFind();
  } else if (e.key === 'm' && !ui.notify.hidden) {
    e.preventDefault();
    ui.notify.click();
  } else if (e.key === 't') {
    e.preventDefault();
    setTimeMode(nextTimeMode(opts.timeMode));
    applyOptions();
  } else if (e.key === 'f') {
    e.preventDefault();
    ui.filter.focus();
    ui.filter.select();
  } else if (e.key === 'e' || e.key === 'E') {
    e.preventDefault();
    stepError(e.key === 'e' ? 1 : -1);
  } else if (e.key === 'p') {
    e.preventDefault();
    toggleProblems();
  } else if ((e.key === 'n' || e.key === 'N') && find.index) {
    e.preventDefault();
    stepFind(e.key === 'n' ? 1 : -1);
  } else if (e.key === 'Escape' && !ui.findbar.hidden) {
    closeFind();
  }
});

// ---------------------------------------------------------------------------
// Problems (SPEC §11): diagnostics found by problems.js as lines complete, in
// a panel with counts; each entry jumps to its line; `e` / `E` step through
// the errors; a failed run's banner offers the first one.

let problems = new ProblemDetector();
// For bench/page only, which sets this global before the page's script runs
// to measure what detection costs; nothing else sets it, and no URL can.
const detectProblems = !globalThis.__ssetailBenchNoProblems;
let problemCursor = -1; // the line of the problem last jumped to
let problemsDrawn = -1; // how many problems the panel shows
const MAX_PANEL_ENTRIES = 1000;
let sourceUrl = ''; // --source-url's template, from `status`

// The server's settings for the page: only --source-url so far.
async function loadSettings() {
  try {
    const res = await fetch('status', { cache: 'no-store' });
    const status = res.ok ? await res.json() : null;
    if (status && typeof status.source_url === 'string') {
      sourceUrl = status.source_url;
      problemsDrawn = -1;
      schedule();
    }
  } catch { /* no links then */ }
}

function gotoProblem(p) {
  problemCursor = p.line;
  revealLine(p.line);
  history.replaceState(null, '', `#L${p.line + 1}`);
}

// The next (dir 1) or previous (-1) error from the last one jumped to, or
// from the top of the screen; wraps around.
function stepError(dir) {
  const errors = problems.problems.filter((p) => p.severity === 'error');
  if (!errors.length) return;
  const from = problemCursor >= 0 ? problemCursor : (dir > 0 ? topLine - 1 : topLine);
  let next = dir > 0 ? errors.find((p) => p.line > from) : errors.findLast((p) => p.line < from);
  if (!next) next = dir > 0 ? errors[0] : errors[errors.length - 1];
  gotoProblem(next);
}

function plural(n, what) {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}

function renderProblems() {
  const list = problems.problems;
  if (list.length === problemsDrawn) return;
  problemsDrawn = list.length;
  const { error, warning, notice } = problems.counts;
  ui.problemsToggle.hidden = list.length === 0;
  const parts = [plural(error, 'error'), plural(warning, 'warning')];
  if (notice) parts.push(plural(notice, 'notice'));
  setText(ui.problemsToggle, `Problems: ${parts.join(', ')}`);
  ui.problemsToggle.dataset.errors = String(error);
  if (ui.problemsPanel.hidden) return;
  const items = [];
  for (const p of list.slice(0, MAX_PANEL_ENTRIES)) {
    const li = document.createElement('li');
    li.className = `problem ${p.severity}`;
    li.dataset.line = String(p.line + 1);
    const sev = document.createElement('span');
    sev.className = 'sev';
    sev.textContent = p.severity;
    const msg = document.createElement('span');
    msg.className = 'msg';
    msg.textContent = p.message;
    const where = document.createElement('span');
    where.className = 'where';
    const place = p.file ? `${p.file}${p.fileLine ? `:${p.fileLine}` : ''}${p.col ? `:${p.col}` : ''}` : '';
    // A link only from the template and the parsed place, never from raw output.
    const href = sourceLink(sourceUrl, p.file, p.fileLine);
    if (href) {
      const a = document.createElement('a');
      a.href = href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = place;
      a.addEventListener('click', (e) => e.stopPropagation());
      where.append(a, ` · line ${p.line + 1}`);
    } else {
      where.textContent = place ? `${place} · line ${p.line + 1}` : `line ${p.line + 1}`;
    }
    li.append(sev, msg, where);
    li.addEventListener('click', () => gotoProblem(p));
    items.push(li);
  }
  if (list.length > MAX_PANEL_ENTRIES) {
    const li = document.createElement('li');
    li.className = 'problem more';
    li.textContent = `and ${(list.length - MAX_PANEL_ENTRIES).toLocaleString('en-US')} more`;
    items.push(li);
  }
  ui.problemsList.replaceChildren(...items);
}

function toggleProblems(open = ui.problemsPanel.hidden) {
  ui.problemsPanel.hidden = !open;
  ui.problemsToggle.setAttribute('aria-expanded', String(open));
  problemsDrawn = -1;
  schedule();
}

ui.problemsToggle.addEventListener('click', () => toggleProblems());
ui.help.addEventListener('click', () => { ui.help.hidden = true; });

// "Notify me": a desktop notification when the run ends (asked for while it runs).
let notifyWanted = false;

function notifyEnd(ok, summary) {
  ui.notify.hidden = true; // the run is over: nothing left to wait for
  if (!notifyWanted || !('Notification' in window) || Notification.permission !== 'granted') return;
  notifyWanted = false;
  try {
    const n = new Notification(`${ok ? '✓' : '✗'} ${run.title || 'ssetail'}`, { body: `The command ${summary}.` });
    n.onclick = () => window.focus();
  } catch { /* some browsers allow notifications only from a service worker */ }
}

if ('Notification' in window && Notification.permission !== 'denied') {
  ui.notify.hidden = false;
  ui.notify.addEventListener('click', async () => {
    if (!notifyWanted) {
      const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
      notifyWanted = permission === 'granted';
    } else {
      notifyWanted = false;
    }
    ui.notify.setAttribute('aria-pressed', String(notifyWanted));
    ui.notify.textContent = notifyWanted ? 'Will notify ✓' : 'Notify me';
    if (Notification.permission === 'denied') ui.notify.hidden = true;
  });
}

// ---------------------------------------------------------------------------
// Find (SPEC §11): every line of the run, rendered or not. The page holds
// every event the server can still give (the run record has them all), so it
// searches its own lines: the count is the run's. Events lost to the server
// too (`gap`: --no-record past --history, --record-max) are lost to /search
// as well; the find bar says how many were not searched.

const find = {
  re: null, // the compiled query, or null
  index: null, // FindIndex over the store
  current: -1, // the match shown (index into the FindIndex)
  from: Infinity, // the first line changed since the index last looked
  scanning: false, // a task to scan on is queued
  picking: false, // the first scan of a query is under way: no current match yet
  error: '',
  version: 0, // bumped when the matches change (for the scrollbar marks)
  marksDrawn: '', // what the scrollbar marks show
  marksAt: 0,
};

function findText(i) {
  return store.flags[i] & F_NOTICE ? null : store.text[i];
}

function setFindQuery() {
  const compiled = compileFind(ui.find.value, { regex: ui.findRegex.checked, matchCase: ui.findCase.checked });
  find.error = compiled && compiled.error ? compiled.error : '';
  find.re = compiled && !compiled.error ? compiled : null;
  find.current = -1;
  find.from = Infinity;
  find.index = null;
  find.picking = false;
  find.version++;
  ui.find.classList.toggle('invalid', !!find.error);
  ui.find.toggleAttribute('aria-invalid', !!find.error);
  if (find.re) {
    find.index = new FindIndex(find.re, findText);
    find.from = 0;
    find.picking = true;
    scanFind();
  }
  invalidateRows();
}

// Scans for matches for at most `budgetMs`, then goes on in a later task: a
// million lines take a tenth of a second or more, and typing, scrolling and
// the stream go on meanwhile. Once the first scan of a query is done, the
// current match is the first one from what is on screen on.
const FIND_SLICE_MS = 10;

function scanFind(budgetMs = FIND_SLICE_MS) {
  if (!find.index) return;
  const deadline = performance.now() + budgetMs;
  const before = find.index.count;
  const done = find.index.update(find.from, store.length, () => performance.now() > deadline);
  find.from = Infinity;
  if (find.index.count !== before) {
    find.version++;
    invalidateRows();
  }
  if (!done) {
    if (!find.scanning) {
      find.scanning = true;
      yieldToBrowser().then(() => {
        find.scanning = false;
        scanFind();
      });
    }
  } else if (find.picking) {
    find.picking = false;
    const k = find.index.firstAtOrAfter(topLine);
    find.current = find.index.count ? Math.min(k, find.index.count - 1) : -1;
    if (find.current >= 0) showMatch(find.current);
    invalidateRows();
  }
  schedule();
}

// Brings match k into sight: unfolds its sections, centres its line.
function showMatch(k) {
  const i = find.index.line[k];
  for (let gid = store.group[i]; gid; gid = groups[gid].parent) {
    if (groups[gid].collapsed) {
      groups[gid].user = true;
      setCollapsed(gid, false);
    }
  }
  const v = lowerBound(view, i);
  following = false;
  anchorLine = view[v] === i ? i : -1;
  if (view.length) jumpTo = Math.min(v, view.length - 1);
  invalidateRows();
}

function stepFind(dir) {
  if (!find.index) return;
  if (find.picking) { // still searching: finish now, and show the first match from the screen on
    scanFind(Infinity);
    return;
  }
  find.current = stepMatch(find.index.count, find.current, dir);
  if (find.current >= 0) showMatch(find.current);
  invalidateRows();
}

function openFind() {
  ui.findbar.hidden = false;
  ui.find.focus();
  ui.find.select();
  schedule();
}

function closeFind() {
  ui.findbar.hidden = true;
  ui.find.value = '';
  setFindQuery();
  ui.log.focus({ preventScroll: true });
}

function renderFind() {
  if (ui.findbar.hidden) {
    if (!ui.findMarks.hidden) ui.findMarks.hidden = true;
    return;
  }
  let count = '';
  let note = '';
  if (find.error) count = 'bad pattern';
  else if (find.index) {
    const n = find.index.count;
    if (find.picking) count = `${n.toLocaleString('en-US')} so far…`;
    else if (n === 0) count = 'No matches';
    else count = `${(find.current + 1).toLocaleString('en-US')} of ${n.toLocaleString('en-US')}`;
    if (find.current >= 0) {
      const i = find.index.line[find.current];
      if (view[lowerBound(view, i)] !== i) note = `line ${i + 1} is hidden by the filter`;
    }
    if (run.missed) {
      const lost = `${run.missed.toLocaleString('en-US')} event${run.missed === 1 ? '' : 's'} the server no longer had`;
      note = note ? `${note}; ${lost} not searched` : `${lost} not searched`;
    }
  }
  setText(ui.findCount, count);
  setText(ui.findNote, note);
  renderFindMarks();
}

// Marks on the scrollbar: one per pixel row that has a match in the view.
function renderFindMarks() {
  const index = find.index;
  const n = view.length;
  const key = index && n ? `${find.version}/${n}/${ui.log.clientHeight}` : '';
  if (key === find.marksDrawn) return;
  const now = performance.now();
  if (key && find.marksDrawn && now - find.marksAt < 250) { // at most four times a second while lines stream
    schedule();
    return;
  }
  find.marksDrawn = key;
  find.marksAt = now;
  ui.findMarks.hidden = !key;
  if (!key) return;
  const box = ui.log.getBoundingClientRect();
  const h = Math.max(1, ui.log.clientHeight);
  ui.findMarks.style.top = `${box.top}px`;
  ui.findMarks.style.height = `${h}px`;
  const ys = new Set();
  let last = -1;
  for (let k = 0; k < index.count; k++) {
    const i = index.line[k];
    if (i === last) continue;
    last = i;
    const v = lowerBound(view, i);
    if (view[v] === i) ys.add(Math.min(h - 2, Math.floor((v / n) * h)));
  }
  const marks = [];
  for (const y of ys) {
    const el = document.createElement('div');
    el.className = 'fmark';
    el.style.top = `${y}px`;
    marks.push(el);
  }
  ui.findMarks.replaceChildren(...marks);
}

// Every key searches at once (a slice at a time, see scanFind): no debounce.
ui.find.addEventListener('input', setFindQuery);
for (const box of [ui.findRegex, ui.findCase]) box.addEventListener('change', setFindQuery);

ui.find.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    stepFind(e.shiftKey ? -1 : 1);
  } else if (e.key === 'Escape') {
    e.preventDefault();
    closeFind();
  }
});
ui.findPrev.addEventListener('click', () => stepFind(-1));
ui.findNext.addEventListener('click', () => stepFind(1));
ui.findClose.addEventListener('click', closeFind);

new ResizeObserver(() => {
  measureRowHeight();
  invalidateRows();
}).observe(ui.log);

// ---------------------------------------------------------------------------

sectionHooks.following = () => following;
sectionHooks.refresh = refreshRange;

measureRowHeight();
applyOptions();
loadSettings();
onHash();
if (document.visibilityState !== 'hidden') connect();
else setConn('paused');
schedule();
