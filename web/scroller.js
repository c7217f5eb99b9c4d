// The virtual scroller: only the rows in the viewport exist as elements (a
// few dozen), whatever the length of the log, so a frame costs the same at
// ten lines or ten million.
//
// The scroll container (#log) holds a sticky viewport (#view) plus a spacer
// that gives the scrollbar its length. The scroll position maps to an index
// of the view (in proportion when a very long log would exceed browsers'
// element-height limits), and the viewport draws the rows from that index
// on, or from the end backwards when at the bottom, so wrapped lines still
// show the tail. It follows the tail until the reader scrolls up.
//
// Owner of state.scroll.
import { makeRow } from './rows.js';

// Past this scroll height (about 830,000 rows) the mapping from scroll
// position to line becomes proportional: Firefox caps element heights near
// 17.9 M px, Chrome near 33.5 M px.
const MAX_SCROLL_PX = 15_000_000;

export function createScroller(state, ui, { view, schedule, keepSelection }) {
  const scroll = state.scroll;
  const rowCache = new Map(); // line index -> element, reused while unchanged
  const dirtyRows = new Set();
  let rowHeight = 18;
  let jumpTo = -1; // view index to bring into sight at the next frame
  // A revealed line stays in the middle of the view until the reader
  // scrolls: it may arrive near the end of what is there so far (drawn at
  // the bottom), and more lines, the exit banner or a resize would then
  // push it away.
  let anchorLine = -1;
  let ownScrollTop = -1; // where the page itself last scrolled to
  let wrapExcess = 0; // px by which wrapped rows exceeded one row each, last frame

  function measure() {
    const probe = document.createElement('div');
    probe.className = 'line';
    probe.textContent = 'M';
    probe.style.visibility = 'hidden';
    ui.rows.append(probe);
    rowHeight = probe.getBoundingClientRect().height || 18;
    probe.remove();
  }

  function invalidate() {
    rowCache.clear();
    schedule();
  }

  function setFollowing(on) {
    if (scroll.following === on) return;
    scroll.following = on;
    if (on) scroll.newWhilePaused = 0;
    schedule();
  }

  function geometry() {
    const viewH = ui.view.clientHeight || 1;
    const fit = viewH / rowHeight; // rows that fit, fractional
    const n = state.view.lines.length;
    // Wrapped rows are taller than one row; what the last frame measured
    // beyond one row each is added, so a short log of long lines can still scroll.
    const extra = state.prefs.wrap ? wrapExcess : 0;
    const contentH = Math.min(MAX_SCROLL_PX, Math.max(viewH, n * rowHeight + extra));
    return { viewH, fit, n, contentH, maxScroll: contentH - viewH };
  }

  function scrollTopFor(viewIndex, g) {
    const top = Math.min(Math.max(0, viewIndex - g.fit / 2), Math.max(0, g.n - g.fit));
    const span = Math.max(0, g.n - g.fit);
    return span > 0 ? (top / span) * g.maxScroll : 0;
  }

  // Scrolls where the page wants to be (a jump, an anchored line, the tail);
  // returns the first view index to draw, and the rows' offset in px.
  function position(g) {
    const spacerH = `${Math.max(0, g.contentH - g.viewH)}px`;
    if (ui.spacer.style.height !== spacerH) ui.spacer.style.height = spacerH;
    if (jumpTo < 0 && anchorLine >= 0) {
      const k = view.indexOf(anchorLine);
      if (k >= 0) jumpTo = k;
    }
    if (jumpTo >= 0) {
      const top = scrollTopFor(jumpTo, g);
      if (Math.abs(ui.log.scrollTop - top) >= 1) ui.log.scrollTop = top;
      ownScrollTop = ui.log.scrollTop;
      jumpTo = -1;
    } else if (scroll.following && ui.log.scrollTop < g.maxScroll) {
      ui.log.scrollTop = g.maxScroll;
      ownScrollTop = ui.log.scrollTop;
    }
    const scrollTop = ui.log.scrollTop;
    const atBottom = g.maxScroll > 0 && scrollTop >= g.maxScroll - 2;
    if (atBottom) return { atBottom, first: Math.max(0, g.n - (Math.ceil(g.fit) + 1)), offset: 0 };
    const span = Math.max(0, g.n - g.fit);
    const top = g.maxScroll > 0 ? (scrollTop / g.maxScroll) * span : 0;
    const first = Math.floor(top);
    return { atBottom, first, offset: state.prefs.wrap ? 0 : (top - first) * rowHeight };
  }

  function renderRows(g) {
    const { atBottom, first, offset } = position(g);
    const last = Math.min(g.n, first + Math.ceil(g.fit) + 1);
    const v = state.view.lines;
    scroll.topLine = first < g.n ? v[first] : state.lines.length;

    ui.rows.classList.toggle('bottom', atBottom);
    const transform = offset ? `translateY(${-offset}px)` : '';
    if (ui.rows.style.transform !== transform) ui.rows.style.transform = transform;

    for (const i of dirtyRows) rowCache.delete(i);
    dirtyRows.clear();
    const elements = [];
    const keep = new Map();
    for (let k = first; k < last; k++) {
      const i = v[k];
      const row = rowCache.get(i) || makeRow(state, i);
      keep.set(i, row);
      elements.push(row);
    }
    rowCache.clear();
    for (const [i, row] of keep) rowCache.set(i, row);
    // Touch the DOM only when the rows differ, so that a reader's selection
    // survives while output keeps arriving below; an end of it in a row
    // that goes is kept as a line (copy.js) for copying.
    const current = ui.rows.children;
    let same = current.length === elements.length;
    for (let k = 0; same && k < elements.length; k++) same = current[k] === elements[k];
    if (!same) keepSelection(() => ui.rows.replaceChildren(...elements));
    if (state.prefs.wrap && first === 0 && last === g.n) { // a short log: does it overflow?
      const excess = Math.max(0, ui.rows.offsetHeight - elements.length * rowHeight);
      if (Math.abs(excess - wrapExcess) > rowHeight) {
        wrapExcess = excess;
        schedule();
      }
    }
    const digits = `${Math.max(3, String(state.run.seq).length)}`;
    if (ui.rows.style.getPropertyValue('--ln-digits') !== digits) ui.rows.style.setProperty('--ln-digits', digits);
  }

  // "↓ Follow" while the view does not follow the tail and there is more
  // below; "↓ End" once the run ended (nothing more will come).
  function renderResume(g) {
    const hidden = scroll.following || g.maxScroll <= 0;
    if (ui.resume.hidden !== hidden) ui.resume.hidden = hidden;
    if (hidden) return;
    const n = scroll.newWhilePaused;
    const text = state.run.exit ? '↓ End' : n ? `↓ Follow (${n.toLocaleString('en-US')} new)` : '↓ Follow';
    if (ui.resume.textContent !== text) ui.resume.textContent = text;
  }

  ui.log.addEventListener('scroll', () => {
    const top = ui.log.scrollTop;
    // Our own scrolling (following, jumping to a line) was drawn by the frame
    // that did it; the reader's is drawn now: at the bottom means following,
    // anywhere else paused. Either way the position is then the reader's:
    // scrolling back to where the page last put it is theirs too.
    const own = Math.abs(top - ownScrollTop) < 1;
    ownScrollTop = -1;
    if (own) return;
    anchorLine = -1;
    const max = ui.log.scrollHeight - ui.log.clientHeight;
    setFollowing(top >= max - 2);
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

  new ResizeObserver(() => {
    measure();
    invalidate();
  }).observe(ui.log);

  return {
    measure,
    invalidate,

    render() {
      const g = geometry();
      renderRows(g);
      renderResume(g);
    },

    // Line i (added or changed) is to be drawn again.
    dirty(i) {
      dirtyRows.add(i);
    },

    // A line of output was added to the store.
    added() {
      if (!scroll.following) scroll.newWhilePaused++;
    },

    reset() {
      scroll.newWhilePaused = 0;
      invalidate();
    },

    // Stops following the tail (a line to show is on its way).
    pause() {
      scroll.following = false;
    },

    // Leaves the view where it is from now on (no line anchored).
    unanchor() {
      anchorLine = -1;
    },

    // Shows line i in the middle of the view, unfolding the sections around
    // it, and keeps it there until the reader scrolls. `nearest`: when the
    // filter hides it, show the view's line nearest to it instead.
    reveal(i, nearest = false) {
      const unfolded = state.sections.unfoldAround(i);
      if (unfolded) view.refresh(unfolded);
      const k = view.indexFrom(i);
      const shown = state.view.lines[k] === i;
      scroll.following = false;
      anchorLine = shown || !nearest ? i : -1;
      if (shown) jumpTo = k;
      else if (nearest && state.view.lines.length) jumpTo = Math.min(k, state.view.lines.length - 1);
      invalidate();
    },
  };
}
