// ssetail's page: follows one run over Server-Sent Events (`events?format=json`)
// and shows its output the way a terminal would. No framework and no build
// step. Every URL is relative, so the page works under any path prefix.
//
// This file is the wiring: it makes the page's one state object
// (state.js, which says which module owns which part), the modules that
// own its parts, and the frame that draws whatever changed. Events only
// update the state, and one requestAnimationFrame callback renders it.
//
// Every line stays in memory in compact columns (store.js) and only the
// rows in the viewport exist as elements (scroller.js): a bounded DOM would
// have to drop old lines, which would break scrolling back, the filter over
// all lines and `#L` links to early lines.
import { Connection, takeEarlyEvents } from './stream.js';
import { createState } from './state.js';
import { createIngest } from './ingest.js';
import { createView } from './view.js';
import { createScroller } from './scroller.js';
import { createPermalinks } from './permalink.js';
import { createFindBar } from './findbar.js';
import { createProblemsPanel } from './problems-panel.js';
import { createRunIndex } from './run-index.js';
import { createHeader } from './header.js';
import { createStatus } from './status.js';
import { createDownloads } from './downloads.js';
import { createNotify } from './notify.js';
import { createToolbar } from './toolbar.js';
import { bindKeys } from './keys.js';
import { createCompare } from './compare.js';
import { createCopy } from './copy.js';
import { markProblemRows } from './rows.js';

const $ = (id) => document.getElementById(id);

const ui = {
  top: $('top'), title: $('title'), state: $('state'), elapsed: $('elapsed'), conn: $('conn'),
  countOut: $('count-out'), countErr: $('count-err'), filter: $('filter'),
  showOut: $('show-out'), showErr: $('show-err'), optTime: $('opt-time'), optWrap: $('opt-wrap'),
  banner: $('banner'), log: $('log'), view: $('view'),
  rows: $('rows'), spacer: $('spacer'), resume: $('resume'),
  findbar: $('findbar'), find: $('find'), findRegex: $('find-regex'), findCase: $('find-case'),
  favicon: $('favicon'), help: $('help'), notify: $('notify'),
  problemsToggle: $('problems-toggle'), problemsPanel: $('problems'), problemsList: $('problems-list'),
  findCount: $('find-count'), findNote: $('find-note'), findPrev: $('find-prev'),
  findNext: $('find-next'), findClose: $('find-close'), findMarks: $('find-marks'),
  download: $('download'), downloadFiltered: $('download-filtered'),
  expandAll: $('expand-all'), collapseAll: $('collapse-all'),
  compareToggle: $('compare-toggle'), compareEstimate: $('compare-estimate'), compare: $('compare'),
  compareWith: $('compare-with'), compareSummary: $('compare-summary'), compareFirst: $('compare-first'),
  compareProblems: $('compare-problems'), compareBody: $('compare-body'), compareRows: $('compare-rows'),
};

const state = createState();

// A frame is drawn at the next animation frame after the reader does
// something, but at most every DATA_FRAME_MS for lines that arrive: a run
// taken in at a million lines a second would otherwise lay out and paint
// the view sixty times a second for nothing anyone can read.
const DATA_FRAME_MS = 100;
// Taking in a run that has ended (its history, as fast as it comes), at most every
// CATCH_UP_FRAME_MS: each frame lays out and paints rows that the next one replaces, and
// taking the run in sooner is what the reader waits for. Their own input (a scroll, a
// click) is drawn at the next frame as always.
const CATCH_UP_FRAME_MS = 250;
let frameRequested = false;
let lastFrame = -Infinity;
let drewLines = false; // a frame has drawn lines
let dataTimer = 0;

function schedule() {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(frame);
}

// Taking in a run that ended before the page opened (its exit not taken in yet).
const catchingUp = () => state.status.state === 'exited' && !state.run.exit;

function scheduleData() {
  if (frameRequested || dataTimer) return;
  // The first lines are drawn at once.
  const every = catchingUp() ? CATCH_UP_FRAME_MS : DATA_FRAME_MS;
  const wait = drewLines ? lastFrame + every - performance.now() : 0;
  if (wait <= 0) schedule();
  else {
    dataTimer = setTimeout(() => {
      dataTimer = 0;
      schedule();
    }, wait);
  }
}

// The modules. They call each other only through what is passed here.
const view = createView(state, () => scroller.invalidate());
const copy = createCopy(state, ui);
const scroller = createScroller(state, ui, { view, schedule, keepSelection: copy.keepSelection });
const invalidate = () => scroller.invalidate();
const permalinks = createPermalinks(state, ui, { scroller, invalidate });
const findbar = createFindBar(state, ui, { view, scroller, clearMark: permalinks.clear, schedule, invalidate });
const problems = createProblemsPanel(state, ui, { gotoLine: permalinks.gotoLine, schedule });
const notify = createNotify(state, ui);
const header = createHeader(state, ui, { firstError: problems.firstError, gotoProblem: problems.goto, ended: notify.ended });
const toolbar = createToolbar(state, ui, { view, invalidate });
const downloads = createDownloads(state, ui);
const compare = createCompare(state, ui, { onLeave: invalidate });
const runIndex = createRunIndex(state, (folds) => {
  if (folds) view.rebuild();
  markProblemRows(state, ui.rows); // the rows drawn, as /problems now says
  schedule();
});

function frame(now) {
  frameRequested = false;
  if (!state.status.loaded) return; // nothing drawn before the page knows how the run stands
  lastFrame = now;
  drewLines = state.lines.length > 0;
  permalinks.frame();
  findbar.frame();
  header.render();
  scroller.render();
  header.renderBanner();
  findbar.render();
  problems.render();
  downloads.render();
  toolbar.render();
  compare.render();
}

// ---------------------------------------------------------------------------
// The event stream (stream.js) into the state (ingest.js)

const ingest = createIngest(state, {
  line(i, added) {
    if (added) scroller.added();
    else scroller.dirty(i);
    findbar.changed(i);
    view.sync(i);
    runIndex.linesCame();
    scheduleData();
  },
  redraw: (i) => scroller.dirty(i),
  started: schedule,
  exit() {
    connection.disconnect('ended');
    status.ended();
    runIndex.ended();
    schedule();
  },
  reset() {
    status.reset();
    runIndex.reset();
    problems.reset();
    scroller.reset();
    view.clear();
    header.reset();
    findbar.reset();
  },
});

const status = createStatus(state, schedule, () => {
  scroller.invalidate();
  problems.redraw();
});

const connection = new Connection({
  onBatch: ingest.batch,
  onState(conn) {
    state.conn = conn;
    schedule();
  },
  lastEventId: ingest.lastEventId,
  ended: () => !!state.run.exit,
  catchingUp,
});

// A hidden tab lets go of its connection (browsers allow six per host) and
// resumes after the last event it has when it is shown again.
document.addEventListener('visibilitychange', () => {
  if (state.run.exit) return;
  if (document.visibilityState === 'hidden') connection.disconnect('paused');
  else connection.connect();
});

// ---------------------------------------------------------------------------
// The reader's input

ui.rows.addEventListener('click', (e) => {
  if (permalinks.click(e)) return;
  const head = e.target.closest('.head');
  if (head && !window.getSelection().toString()) {
    const changed = state.sections.toggle(Number(head.dataset.group));
    if (changed) view.refresh(changed);
  }
});

bindKeys(ui.help, findbar.open, {
  '/': findbar.open,
  m: { when: () => !ui.notify.hidden, run: () => ui.notify.click() },
  t: toolbar.nextTime,
  f: toolbar.focusFilter,
  e: () => problems.step('error', 1),
  E: () => problems.step('error', -1),
  w: () => problems.step('warning', 1),
  W: () => problems.step('warning', -1),
  '+': () => toolbar.foldAll(false),
  '-': () => toolbar.foldAll(true),
  p: () => problems.toggle(),
  c: { when: compare.available, run: compare.toggle },
  n: { when: findbar.active, run: () => findbar.step(1) },
  N: { when: findbar.active, run: () => findbar.step(-1) },
  Escape: { when: findbar.isOpen, run: findbar.close },
});

// The stream is read at once, but nothing is drawn before `status` answers.
scroller.measure();
const statusLoaded = status.load();
if (document.visibilityState !== 'hidden') connection.connect();
else {
  state.conn = 'paused';
  takeEarlyEvents()?.controller.abort(); // hidden since: resumed when shown, from where it is
}
statusLoaded.then(() => {
  ui.top.dataset.known = 'yes';
  state.lines.reserve(state.status.counts[0] + state.status.counts[1]);
  if (state.status.state !== 'exited') notify.offer();
  problems.redraw();
  permalinks.onHash();
  compare.start();
  schedule();
});
