// Events into state: each event of the stream (batches from
// events-reader.js) becomes lines of state.lines, as a terminal would show
// them (terminal.js), and what the events say about the run goes into
// state.run. A new line is given the section open at its start
// (state.sections; the server says which they are and how they show,
// run-index.js). No DOM.
//
// Owner of state.lines and state.run. Tells `on`
// what changed: line(i, added), redraw(i), started(),
// reset(), exit() — app.js wires that to the view, the rows and the stream.
import { CONTROL, newTerminal, writeSegment } from './terminal.js';
import { F_ERR, F_NOTICE } from './store.js';
import { B_CR, B_PARTIAL, T_EXIT, T_GAP, T_START, T_STDERR, T_STDOUT } from './events-reader.js';

function parseJson(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

export function createIngest(state, on) {
  const { lines, sections, run } = state;
  const terms = { out: newTerminal(false), err: newTerminal(true) };

  function resetRun() {
    lines.clear();
    sections.reset();
    terms.out = newTerminal(false);
    terms.err = newTerminal(true);
    Object.assign(run, { seq: 0, title: '', startedMs: NaN, lastT: 0, exit: null, counts: [0, 0], missed: 0 });
    on.reset();
  }

  // Applies the id of an event (SEQ `seq` of run `runId`); false for one
  // already applied (a resume that overlaps what we had).
  function accept(runId, seq, type) {
    if (!(seq >= 0)) return true; // no RUN.SEQ id: cannot tell; take it
    if (runId !== run.id) {
      if (type !== T_START) return true; // cannot tell; take it
      if (run.id) resetRun(); // the server restarted: a new run replays from its start
      run.id = runId;
    } else if (seq <= run.seq) {
      return false;
    }
    run.seq = seq;
    return true;
  }

  // Takes in a batch of events (events-reader.js's Batch).
  function batch(b) {
    for (let k = 0; k < b.n; k++) {
      const type = b.type[k];
      if (type === T_GAP) {
        gap(parseJson(b.text[k]));
        continue;
      }
      if (!accept(b.runId, b.seq[k], type)) continue;
      if (type === T_STDOUT || type === T_STDERR) {
        const flags = b.flags[k];
        output(type === T_STDERR ? terms.err : terms.out, b.text[k], b.t[k], (flags & B_CR) !== 0, (flags & B_PARTIAL) !== 0);
      } else if (type === T_START || type === T_EXIT) {
        const d = parseJson(b.text[k]);
        if (d && typeof d === 'object') (type === T_START ? started : exited)(d);
      }
    }
  }

  function started(d) {
    run.title = d.title || (Array.isArray(d.command) ? d.command.join(' ') : 'stdin');
    run.startedMs = Date.parse(d.started);
    on.started();
  }

  function exited(d) {
    run.exit = d;
    closeOpenLines();
    on.exit();
  }

  function output(term, text, t, cr, partial) {
    if (term.pending) {
      text = term.pending + text;
      term.pending = '';
    }
    run.lastT = Math.max(run.lastT, t);
    run.counts[term.err ? 1 : 0]++; // events, as `status` counts them
    let i = term.line;
    const added = i < 0;
    if (added) {
      i = lines.add('', term.err ? F_ERR : 0, t, sections.top(), run.seq);
      const folded = sections.countLine(); // an index loop: no iterator made per line
      for (let k = 0; k < folded.length; k++) on.redraw(folded[k]);
      term.line = i;
      term.cursor = 0;
      if (term.pen.sid === 0 && !CONTROL.test(text)) { // plain text on a new line: no parsing
        lines.text[i] = text;
        term.cursor = text.length;
      } else {
        writeLine(term, i, text, partial);
      }
    } else {
      writeLine(term, i, text, partial);
    }
    if (cr) term.cursor = 0;
    else if (!partial) term.line = -1;
    on.line(i, added);
  }

  function writeLine(term, i, text, partial) {
    const line = { text: lines.text[i], runs: lines.runs[i] };
    writeSegment(term, line, text, partial);
    lines.text[i] = line.text;
    lines.runs[i] = line.runs;
  }

  function closeOpenLines() {
    for (const term of [terms.out, terms.err]) {
      term.line = -1;
      term.cursor = 0;
      term.pending = '';
    }
  }

  function gap(d) {
    const missed = d && d.missed > 0 ? d.missed : 0;
    closeOpenLines();
    const what = missed === 1 ? '1 event' : `${missed.toLocaleString('en-US')} events`;
    // The note stands for the events after the last one applied (SEQ run.seq + 1 on).
    const note = `⋯ ${what} no longer kept by the server were skipped here`;
    const i = lines.add(note, F_NOTICE, run.lastT, sections.top(), run.seq + 1);
    run.missed += missed;
    on.line(i, true);
  }

  return {
    batch,
    // Where a new request resumes: after the last event applied.
    lastEventId: () => (run.id ? `${run.id}.${run.seq}` : ''),
  };
}
