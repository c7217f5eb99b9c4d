// `#L12` and `#L10-L40` permalinks (SPEC §6, §11): the highlighted lines,
// the address, clicks on line numbers (Shift-click extends a range), and a
// linked line that has not arrived yet.
//
// Owner of state.mark.
export function createPermalinks(state, ui, { scroller, invalidate }) {
  const mark = state.mark;
  let pendingLine = -1; // #L target that has not arrived yet
  let pendingEnd = -1; // and the end of its range

  // Highlights lines i..end (0-based) and shows line i in the middle of the view.
  function gotoLine(i, end = i) {
    mark.first = i;
    mark.last = Math.max(i, end);
    scroller.reveal(i);
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
    mark.anchor = i;
    if (i < state.lines.length) gotoLine(i, end);
    else {
      pendingLine = i; // not received yet: show it when it arrives
      pendingEnd = end;
      scroller.pause();
    }
  }

  window.addEventListener('hashchange', onHash);

  return {
    onHash,
    gotoLine,

    // At each frame: shows the linked line once it has arrived.
    frame() {
      if (pendingLine >= 0 && pendingLine < state.lines.length) {
        const line = pendingLine;
        pendingLine = -1;
        gotoLine(line, pendingEnd);
      }
    },

    // A click in the rows: true when it was on a line number (a permalink:
    // the address changes without a history entry, the line is highlighted
    // in place).
    click(e) {
      const ln = e.target.closest('.ln');
      if (!ln) return false;
      e.preventDefault();
      const n = Number(ln.closest('.line').dataset.line) - 1;
      // Shift-click extends from the line clicked last: a range #L10-L40.
      const extend = e.shiftKey && mark.anchor >= 0;
      const from = extend ? Math.min(mark.anchor, n) : n;
      const to = extend ? Math.max(mark.anchor, n) : n;
      if (!extend) mark.anchor = n;
      history.replaceState(null, '', from === to ? `#L${from + 1}` : `#L${from + 1}-L${to + 1}`);
      mark.first = from;
      mark.last = to;
      window.getSelection().removeAllRanges(); // Shift-click would select text too
      scroller.unanchor(); // highlighted in place: nothing moves
      invalidate();
      return true;
    },
  };
}
