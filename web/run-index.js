// The run's index as the server found it (SPEC §12): its problems
// (GET problems) and sections (GET sections), relative URLs so a relay's
// /runs/RUN/ page gets its run's. Asked when the page has the run's first
// lines, again when new lines arrive (at most once a second) and a few times
// after they stop (the server indexes at its own pace, behind the lines),
// and after the `exit` until the server says the index is complete. No DOM.
//
// Owner of state.problems' list and counts (problems-panel.js owns the
// rest); hands the sections to state.sections.
import { seqOf } from './sections.js';

const ASK_EVERY_MS = 1000;
// Asks after the lines stop coming: the server's index may be behind them.
const ASKS_AFTER_LINES = 3;

function num(v) {
  return Number.isFinite(v) ? v : undefined;
}

// GET problems' objects -> the page's: { line (the row that shows it, or
// the note that stands for it), n (its number, the run's line), severity,
// tool, message, file, fileLine, col }, for those of run `run` it has had.
export function problemsOf(answer, run, lines) {
  const out = [];
  for (const p of Array.isArray(answer && answer.problems) ? answer.problems : []) {
    const seq = seqOf(p && p.id, run.id);
    if (seq < 0 || seq > run.seq) continue;
    const line = lines.rowOf(seq - 1);
    if (line < 0) continue;
    const severity = p.severity === 'error' || p.severity === 'warning' ? p.severity : 'notice';
    out.push({
      line, n: seq - 1, severity, tool: String(p.tool || ''), message: String(p.message ?? ''),
      file: typeof p.file === 'string' && p.file ? p.file : undefined, fileLine: num(p.line), col: num(p.col),
    });
  }
  return out;
}

// `changed(foldsChanged)`: the index was taken in (foldsChanged: lines
// changed section or fold, the view is to be made again).
export function createRunIndex(state, changed) {
  let timer = 0;
  let asking = false;
  let again = false; // lines came while asking
  let lastAsked = -Infinity;
  let complete = false;
  let settle = 0; // asks still to make though no lines came
  let linesSince = false; // lines came since the last ask

  async function get(what) {
    const res = await fetch(what, { cache: 'no-store' });
    return res.ok ? res.json() : null;
  }

  async function ask() {
    if (asking) {
      again = true;
      return;
    }
    asking = true;
    again = false;
    settle = linesSince ? ASKS_AFTER_LINES : settle - 1;
    linesSince = false;
    lastAsked = performance.now();
    const run = { id: state.run.id, seq: state.run.seq };
    const ended = !!state.run.exit;
    try {
      const [problems, sections] = await Promise.all([get('problems'), get('sections')]);
      if (run.id === state.run.id) { // not a run that replaced it meanwhile
        let folds = false;
        if (sections) folds = state.sections.apply(sections.sections, run, state.scroll.following);
        if (problems && typeof problems === 'object') {
          state.problems.list = problemsOf(problems, run, state.lines);
          state.problems.counts = {
            error: Number(problems.errors) || 0, warning: Number(problems.warnings) || 0, notice: Number(problems.notices) || 0,
          };
          complete = ended && problems.complete === true;
        }
        changed(folds);
      }
    } catch { /* asked again with the next lines, or after the exit */ }
    asking = false;
    if (again || settle > 0 || (ended && !complete)) later();
  }

  // Asks once the last ask is a second old.
  function later() {
    if (timer || complete) return;
    const wait = Math.max(0, lastAsked + ASK_EVERY_MS - performance.now());
    timer = setTimeout(() => {
      timer = 0;
      ask();
    }, wait);
  }

  return {
    // New lines came.
    linesCame() {
      linesSince = true;
      later();
    },
    // The run ended: ask once more (and until the index is complete).
    ended() {
      complete = false;
      later();
    },
    // A new run replaced the one shown (the server restarted).
    reset() {
      complete = false;
      state.problems.list = [];
      state.problems.counts = { error: 0, warning: 0, notice: 0 };
    },
  };
}
