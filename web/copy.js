// Copying (SPEC §13): a selection in the log copies the text of the lines
// it covers, made by copy-text.js from the state: a folded section's lines,
// never its placeholder; an annotation's raw `::error …` line; no line
// numbers, timestamps or fold buttons. The rows drawn are only those in
// sight, so the selection's ends are taken as lines of the log: an end
// whose row the scroller takes away (the reader selects, then scrolls) is
// held here as its line and offset. Reads the state, writes none of it.
import { lineOfRow } from './rows.js';
import { copiedText } from './copy-text.js';

export function createCopy(state, ui) {
  // The ends of the selection whose rows the scroller removed: { i, at }
  // plus the DOM point the end was left at, held while the end stays there.
  const held = { start: null, end: null };

  // The row of ui.rows that `node` is in, or null.
  function rowOf(node) {
    let el = node;
    while (el && el.parentNode !== ui.rows) el = el.parentNode;
    return el && lineOfRow(el) !== undefined ? el : null;
  }

  // DOM point (node, offset) in a row as { i, at }: its line and its offset
  // in the text the row shows (0 before the text, Infinity after it).
  function placeOf(node, offset) {
    if (node === ui.rows) { // between rows
      const next = node.childNodes[offset];
      if (next && lineOfRow(next) !== undefined) return { i: lineOfRow(next), at: 0 };
      const previous = node.childNodes[offset - 1];
      return previous && lineOfRow(previous) !== undefined ? { i: lineOfRow(previous), at: Infinity } : null;
    }
    const row = rowOf(node);
    if (!row) return null;
    const text = document.createRange();
    text.selectNodeContents(row.querySelector('.tx'));
    const where = text.comparePoint(node, offset);
    if (where !== 0) return { i: lineOfRow(row), at: where < 0 ? 0 : Infinity };
    text.setEnd(node, offset);
    return { i: lineOfRow(row), at: text.toString().length };
  }

  // A held end, if the selection's end is still where the scroller left it.
  const stillHeld = (h, node, offset) => (h && h.node === node && h.offset === offset ? h : null);

  function ends(range) {
    return {
      start: stillHeld(held.start, range.startContainer, range.startOffset)
        || placeOf(range.startContainer, range.startOffset),
      end: stillHeld(held.end, range.endContainer, range.endOffset) || placeOf(range.endContainer, range.endOffset),
    };
  }

  // The scroller replaces the rows drawn by calling `replace`: the ends of
  // the selection that it moves out of the rows (those in rows that go, and
  // those between rows) are held.
  function keepSelection(replace) {
    const selection = getSelection();
    // Nothing selected, nothing held: nothing to keep. (Chromium lays the page out to
    // answer rangeCount, so asking it again after the rows changed cost every frame a layout.)
    if (!selection.rangeCount && !held.start && !held.end) {
      replace();
      return;
    }
    const before = selection.rangeCount ? ends(selection.getRangeAt(0)) : { start: null, end: null };
    replace();
    const range = selection.rangeCount ? selection.getRangeAt(0) : null;
    const hold = (place, node, offset) => (place && range && !rowOf(node) ? { i: place.i, at: place.at, node, offset } : null);
    held.start = range && hold(before.start, range.startContainer, range.startOffset);
    held.end = range && hold(before.end, range.endContainer, range.endOffset);
  }

  // A new selection lets go of held ends it moved away from.
  document.addEventListener('selectionchange', () => {
    const selection = getSelection();
    const range = selection.rangeCount ? selection.getRangeAt(0) : null;
    held.start = range && stillHeld(held.start, range.startContainer, range.startOffset);
    held.end = range && stillHeld(held.end, range.endContainer, range.endOffset);
  });

  document.addEventListener('copy', (e) => {
    const selection = getSelection();
    if (!selection.rangeCount) return;
    const range = selection.getRangeAt(0);
    let { start, end } = ends(range);
    if (!start && !end && selection.isCollapsed) return;
    // An end outside the rows (the selection goes on above or below them):
    // the first or last row the selection covers.
    const covered = [...ui.rows.children].filter((row) => lineOfRow(row) !== undefined && range.intersectsNode(row));
    if (!start && covered.length) start = { i: lineOfRow(covered[0]), at: 0 };
    if (!end && covered.length) end = { i: lineOfRow(covered[covered.length - 1]), at: Infinity };
    if (!start || !end || start.i > end.i) return; // not in the log: the browser's copy
    e.clipboardData.setData('text/plain', copiedText(state, start, end));
    e.preventDefault();
  });

  return { keepSelection };
}
