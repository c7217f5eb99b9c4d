// Copying (SPEC §13): a selection that crosses a folded section copies the
// section's lines, never its placeholder ("Build step  2 lines"); one that
// crosses an annotation copies its raw `::error …` line, as downloaded. Other
// selections are the browser's own: line numbers, timestamps and fold
// buttons are `user-select: none`, so it copies the text only. Reads the
// state, writes none of it.
import { F_HEAD, F_HIDDEN } from './store.js';

// The text of every line of folded section g (its header's label first).
function sectionText(state, g) {
  const { lines, sections } = state;
  const out = [sections.label(g.line)];
  const end = g.end < 0 ? lines.length : g.end;
  for (let j = g.line + 1; j < end; j++) {
    const flags = lines.flags[j];
    if (flags & F_HIDDEN) continue;
    out.push(flags & F_HEAD ? sections.label(j) : lines.text[j]);
  }
  return out.join('\n');
}

// The part of row element `row`'s text inside `range`, or null for none.
function selectedText(row, range) {
  const tx = row.querySelector('.tx');
  const part = document.createRange();
  part.selectNodeContents(tx);
  if (range.compareBoundaryPoints(Range.START_TO_START, part) > 0) part.setStart(range.startContainer, range.startOffset);
  if (range.compareBoundaryPoints(Range.END_TO_END, part) < 0) part.setEnd(range.endContainer, range.endOffset);
  if (part.collapsed && !(range.isPointInRange(tx, 0) && range.isPointInRange(tx, tx.childNodes.length))) return null;
  return part.toString();
}

export function bindCopy(state, ui) {
  document.addEventListener('copy', (e) => {
    const selection = getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    const rows = [...ui.rows.children].filter((row) => range.intersectsNode(row));
    if (!rows.some((row) => row.classList.contains('folded') || row.classList.contains('ann'))) return; // the browser's copy is right
    const parts = [];
    for (const row of rows) {
      if (row.classList.contains('folded')) {
        parts.push(sectionText(state, state.sections.groups[Number(row.dataset.group)]));
      } else if (row.classList.contains('ann')) {
        if (selectedText(row, range) !== null) parts.push(row.dataset.raw);
      } else {
        const text = selectedText(row, range);
        if (text !== null) parts.push(text);
      }
    }
    e.clipboardData.setData('text/plain', parts.join('\n'));
    e.preventDefault();
  });
}
