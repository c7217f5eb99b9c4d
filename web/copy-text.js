// What copying a selection of the log gives (SPEC §13), made from the
// state, not from the rows drawn: the scroller draws only the rows in
// sight, so a selection longer than the screen (or one whose start scrolled
// away) covers lines that have no element. DOM-free, so node tests it.
//
// Every line of the view between the two ends, one a line:
// - a folded section: every line of it, nested sections' too, folded or not
//   (the header's title first, end markers left out), never its placeholder;
// - an annotation (`::error …`): its raw line, whole, as downloaded;
// - any other line: its text (an unfolded header: its title), the first and
//   last cut where the selection begins and ends.
import { F_HEAD, F_HIDDEN } from './store.js';
import { lowerBound } from './view.js';
import { parseAnnotation } from './annotation.js';

// The text of every line of folded section g (its header's title first).
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

// What line i copies as: { text, whole } (whole: not to be cut).
export function lineCopy(state, i) {
  const { lines, sections } = state;
  if (lines.flags[i] & F_HEAD) {
    const g = sections.headed(i);
    return g.collapsed ? { text: sectionText(state, g), whole: true } : { text: sections.label(i), whole: false };
  }
  const text = lines.text[i];
  return { text, whole: parseAnnotation(text) !== null };
}

// The text copied from `from` to `to`, each { i, at }: line i, at offset
// `at` of what its row shows (Infinity: its end). The ends need not be in
// the view (a fold or the filter may have changed since): what the view
// shows between them is copied. A first line selected from its very end,
// or a last one to its very start, adds nothing.
export function copiedText(state, from, to) {
  const v = state.view.lines;
  const first = lowerBound(v, from.i);
  const last = lowerBound(v, to.i + 1) - 1;
  const out = [];
  for (let k = first; k <= last; k++) {
    const i = v[k];
    const { text, whole } = lineCopy(state, i);
    const start = i === from.i && !whole ? Math.min(from.at, text.length) : 0;
    const end = i === to.i && !whole ? Math.min(to.at, text.length) : text.length;
    const edge = (i === from.i && start === text.length) || (i === to.i && end === 0);
    if (edge && first !== last && text.length) continue;
    out.push(text.slice(start, Math.max(start, end)));
  }
  return out.join('\n');
}
