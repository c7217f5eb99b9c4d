// Find (SPEC §11): the find bar over every line of the run, rendered or not.
// The page holds every event the server can still give (the run record has
// them all), so it searches its own lines: the count is the run's. Events
// lost to the server too (`gap`: --no-record past --history, --record-max)
// are lost to /search as well; the find bar says how many were not searched.
// find.js does the matching; this module the bar, the stepping and the
// marks on the scrollbar.
//
// Owner of state.find.
import { FindIndex, compileFind, stepMatch } from './find.js';
import { F_NOTICE } from './store.js';
import { yieldToBrowser } from './sse.js';

// A scan looks at lines for this long, then lets the browser have a turn: a
// million lines take a tenth of a second or more, and typing, scrolling and
// the stream go on meanwhile.
const FIND_SLICE_MS = 10;

export function createFindBar(state, ui, { view, scroller, clearMark, schedule, invalidate }) {
  const find = state.find;
  const { lines } = state;
  let marksDrawn = ''; // what the scrollbar marks show
  let marksAt = 0;

  const findText = (i) => (lines.flags[i] & F_NOTICE ? null : lines.text[i]);

  function setQuery() {
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
      scan();
    }
    invalidate();
  }

  // Scans for matches for at most `budgetMs`, then goes on in a later task.
  // Once the first scan of a query is done, the current match is the first
  // one from what is on screen on.
  function scan(budgetMs = FIND_SLICE_MS) {
    if (!find.index) return;
    const deadline = performance.now() + budgetMs;
    const before = find.index.count;
    const done = find.index.update(find.from, lines.length, () => performance.now() > deadline);
    find.from = Infinity;
    if (find.index.count !== before) {
      find.version++;
      invalidate();
    }
    if (!done) {
      if (!find.scanning) {
        find.scanning = true;
        yieldToBrowser().then(() => {
          find.scanning = false;
          scan();
        });
      }
    } else if (find.picking) {
      find.picking = false;
      const k = find.index.firstAtOrAfter(state.scroll.topLine);
      find.current = find.index.count ? Math.min(k, find.index.count - 1) : -1;
      if (find.current >= 0) showMatch(find.current);
      invalidate();
    }
    schedule();
  }

  // Brings match k into sight (unfolding its sections), instead of any #L highlight.
  function showMatch(k) {
    clearMark();
    scroller.reveal(find.index.line[k], true);
  }

  function step(dir) {
    if (!find.index) return;
    if (find.picking) { // still searching: finish now, and show the first match from the screen on
      scan(Infinity);
      return;
    }
    find.current = stepMatch(find.index.count, find.current, dir);
    if (find.current >= 0) showMatch(find.current);
    invalidate();
  }

  function open() {
    ui.findbar.hidden = false;
    ui.find.focus();
    ui.find.select();
    schedule();
  }

  function close() {
    ui.findbar.hidden = true;
    ui.find.value = '';
    setQuery();
    ui.log.focus({ preventScroll: true });
  }

  function render() {
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
        if (view.indexOf(i) < 0) note = `line ${lines.number(i)} is hidden by the filter`;
      }
      const { missed } = state.run;
      if (missed) {
        const lost = missed === 1 ? '1 event not searched: the server no longer had it'
          : `${missed.toLocaleString('en-US')} events not searched: the server no longer had them`;
        note = note ? `${note}; ${lost}` : lost;
      }
    }
    if (ui.findCount.textContent !== count) ui.findCount.textContent = count;
    if (ui.findNote.textContent !== note) ui.findNote.textContent = note;
    renderMarks();
  }

  // Marks on the scrollbar: one per pixel row that has a match in the view.
  function renderMarks() {
    const index = find.index;
    const v = state.view.lines;
    const n = v.length;
    const key = index && n ? `${find.version}/${n}/${ui.log.clientHeight}` : '';
    if (key === marksDrawn) return;
    const now = performance.now();
    if (key && marksDrawn && now - marksAt < 250) { // at most four times a second while lines stream
      schedule();
      return;
    }
    marksDrawn = key;
    marksAt = now;
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
      const at = view.indexOf(i);
      if (at >= 0) ys.add(Math.min(h - 2, Math.floor((at / n) * h)));
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

  // Every key searches at once (a slice at a time, see scan): no debounce.
  ui.find.addEventListener('input', setQuery);
  for (const box of [ui.findRegex, ui.findCase]) box.addEventListener('change', setQuery);
  ui.find.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      step(e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  });
  ui.findPrev.addEventListener('click', () => step(-1));
  ui.findNext.addEventListener('click', () => step(1));
  ui.findClose.addEventListener('click', close);

  return {
    open,
    close,
    step,
    render,
    isOpen: () => !ui.findbar.hidden,
    active: () => !!find.index,

    // Line i changed: the index looks at it again.
    changed(i) {
      if (i < find.from) find.from = i;
    },

    // At each frame: scans what changed since the last one.
    frame() {
      if (find.index && find.from < Infinity && !find.scanning) scan();
    },

    // A new run: find again from nothing.
    reset() {
      if (find.re) setQuery();
    },
  };
}
