// Problems (SPEC §11, §12, §13): the diagnostics the server found
// (run-index.js asks GET problems), in a panel with counts; each entry jumps to its
// line; `e` / `E` step through the errors, `w` / `W` through the warnings;
// the panel marks the problem jumped to last; a failed run's banner offers
// the first error.
//
// Owner of state.problems but its list and counts (run-index.js's).
import { sourceLink } from './source-link.js';

const MAX_PANEL_ENTRIES = 1000;

function plural(n, what) {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}

export function createProblemsPanel(state, ui, { gotoLine, schedule }) {
  const problems = state.problems;
  let drawn = -1; // how many problems the panel shows (-1: draw again)
  let entries = []; // the panel's <li>, by problem index
  let marked = null; // the <li> marked current
  let drawnList = null; // the list drawn (a new answer is a new list)

  // A problem says its own number (the run's line): the row that shows it
  // may begin before it (a `cr` overwrite) or be the note of a gap.
  function goto(p) {
    problems.cursor = p.n;
    problems.current = p;
    gotoLine(p.line);
    history.replaceState(null, '', `#L${p.n}`);
    schedule();
  }

  // The next (dir 1) or previous (-1) problem of `severity` from the last
  // problem jumped to, or from the top of the screen; wraps around.
  function step(severity, dir) {
    const list = problems.list.filter((p) => p.severity === severity);
    if (!list.length) return;
    const { lines } = state;
    const topRow = state.scroll.topLine; // lines.length when nothing is drawn
    const top = topRow < lines.length ? lines.firstNumber(topRow) : Infinity;
    const from = problems.cursor >= 0 ? problems.cursor : (dir > 0 ? top - 1 : top);
    let next = dir > 0 ? list.find((p) => p.n > from) : list.findLast((p) => p.n < from);
    if (!next) next = dir > 0 ? list[0] : list[list.length - 1];
    goto(next);
  }

  // Marks the entry of the current problem (and keeps it in the panel's view).
  function markCurrent() {
    const c = problems.current; // from this answer of the server's or an earlier one
    const k = c ? problems.list.findIndex((p) => p.n === c.n && p.message === c.message) : -1;
    const li = k >= 0 && k < entries.length ? entries[k] : null;
    if (li === marked) return;
    if (marked) {
      marked.classList.remove('current');
      marked.removeAttribute('aria-current');
    }
    marked = li;
    if (li) {
      li.classList.add('current');
      li.setAttribute('aria-current', 'true');
      li.scrollIntoView({ block: 'nearest' });
    }
  }

  function entry(p) {
    const li = document.createElement('li');
    li.className = `problem ${p.severity}`;
    li.dataset.line = String(p.n);
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
    const href = sourceLink(state.status.sourceUrl, p.file, p.fileLine, state.status.sourceRoots);
    if (href) {
      const a = document.createElement('a');
      a.href = href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = place;
      a.addEventListener('click', (e) => e.stopPropagation());
      where.append(a, ` · line ${p.n}`);
    } else {
      where.textContent = place ? `${place} · line ${p.n}` : `line ${p.n}`;
    }
    li.append(sev, msg, where);
    li.addEventListener('click', () => goto(p));
    return li;
  }

  function render() {
    const { list } = problems;
    if (list === drawnList && list.length === drawn) {
      markCurrent();
      return;
    }
    drawn = list.length;
    drawnList = list;
    const { error, warning, notice } = problems.counts;
    ui.problemsToggle.hidden = error + warning + notice === 0;
    const parts = [plural(error, 'error'), plural(warning, 'warning')];
    if (notice) parts.push(plural(notice, 'notice'));
    const label = `Problems: ${parts.join(', ')}`;
    if (ui.problemsToggle.textContent !== label) ui.problemsToggle.textContent = label;
    ui.problemsToggle.dataset.errors = String(error);
    entries = [];
    marked = null;
    if (ui.problemsPanel.hidden) return;
    entries = list.slice(0, MAX_PANEL_ENTRIES).map(entry);
    const items = [...entries];
    if (list.length > MAX_PANEL_ENTRIES) {
      const li = document.createElement('li');
      li.className = 'problem more';
      li.textContent = `and ${(list.length - MAX_PANEL_ENTRIES).toLocaleString('en-US')} more`;
      items.push(li);
    }
    ui.problemsList.replaceChildren(...items);
    markCurrent();
  }

  function toggle(open = ui.problemsPanel.hidden) {
    ui.problemsPanel.hidden = !open;
    ui.problemsToggle.setAttribute('aria-expanded', String(open));
    ui.problemsToggle.setAttribute('aria-pressed', String(open));
    drawn = -1;
    schedule();
  }

  ui.problemsToggle.addEventListener('click', () => toggle());

  return {
    goto,
    step,
    render,
    toggle,

    // The first error, or undefined.
    firstError: () => problems.list.find((p) => p.severity === 'error'),

    // Draws the panel again (the source links came).
    redraw() {
      drawn = -1;
      schedule();
    },

    reset() {
      problems.cursor = -1;
      problems.current = null;
      drawn = -1;
    },
  };
}
