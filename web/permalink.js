// `#L12` and `#L10-L40` permalinks (SPEC §6, §11): the highlighted lines,
// the address, clicks on line numbers (Shift-click extends a range), and a
// linked line that has not arrived yet. Addresses carry the run's line
// numbers (store.js), the same for every viewer; the highlight holds rows.
//
// Owner of state.mark.
export function createPermalinks(state, ui, { scroller, invalidate }) {
  const { mark, lines, run } = state;
  let pending = null; // [first, last] line numbers of a link whose first line has not arrived

  // Highlights rows i..end and shows row i in the middle of the view.
  function gotoLine(i, end = i) {
    mark.first = i;
    mark.last = Math.max(i, end);
    scroller.reveal(i);
  }

  // `#L12` or a range `#L10-L40` (GitHub's form; `#L10-40` too), as line
  // numbers [first, last]; null for anything else.
  function rangeFromHash() {
    const m = /^#L(\d+)(?:-L?(\d+))?$/.exec(location.hash);
    if (!m || Number(m[1]) < 1) return null;
    const a = Number(m[1]);
    const b = m[2] ? Math.max(1, Number(m[2])) : a;
    return [Math.min(a, b), Math.max(a, b)];
  }

  // Line n has arrived (its event, or a later one), or never will.
  const arrived = (n) => n + 1 <= run.seq || !!run.exit;

  function show([a, b]) {
    const i = Math.max(0, lines.rowOf(a));
    mark.anchor = i;
    gotoLine(i, Math.max(i, lines.rowOf(b)));
  }

  function onHash() {
    const range = rangeFromHash();
    if (!range) return;
    pending = null;
    if (lines.length && arrived(range[0])) show(range);
    else {
      pending = range; // not received yet: show it when it arrives
      scroller.pause();
    }
  }

  window.addEventListener('hashchange', onHash);

  return {
    onHash,
    gotoLine,

    // No line highlighted (Find shows its match: a band beside it would look like one).
    clear() {
      if (mark.first < 0) return;
      mark.first = -1;
      mark.last = -1;
      invalidate();
    },

    // At each frame: shows the linked line once it has arrived.
    frame() {
      if (pending && lines.length && arrived(pending[0])) {
        const range = pending;
        pending = null;
        show(range);
      }
    },

    // A click in the rows: true when it was on a line number (a permalink:
    // the address changes without a history entry, the line is highlighted
    // in place).
    click(e) {
      const ln = e.target.closest('.ln');
      if (!ln) return false;
      e.preventDefault();
      const n = Number(ln.closest('.line').dataset.line);
      if (!n) return true; // a note of the page's own: no line to link
      const i = lines.rowOf(n);
      // Shift-click extends from the line clicked last: a range #L10-L40.
      const extend = e.shiftKey && mark.anchor >= 0;
      const from = extend ? Math.min(mark.anchor, i) : i;
      const to = extend ? Math.max(mark.anchor, i) : i;
      if (!extend) mark.anchor = i;
      const [a, b] = [lines.number(from), lines.number(to)];
      history.replaceState(null, '', from === to ? `#L${a}` : `#L${a}-L${b}`);
      mark.first = from;
      mark.last = to;
      window.getSelection().removeAllRanges(); // Shift-click would select text too
      scroller.unanchor(); // highlighted in place: nothing moves
      invalidate();
      return true;
    },
  };
}
