// The view: indices of the lines the reader can see — those that pass the
// stream toggles, the filter and the folds — in order, kept up to date
// incrementally as lines arrive. No DOM.
//
// Owner of state.view. `changed()` is called when more than the end of the
// view changed (the rows drawn must be made again).
import { F_ERR, F_HEAD, F_HIDDEN, F_NOTICE } from './store.js';

// The first index of a sorted array whose value is >= `value`.
export function lowerBound(array, value) {
  let lo = 0;
  let hi = array.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (array[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createView(state, changed) {
  const { lines, sections, view } = state;

  function isVisible(i) {
    const flags = lines.flags[i];
    if (flags & F_HIDDEN) return false;
    if (flags & F_NOTICE) return true;
    if (flags & F_ERR ? !view.show.err : !view.show.out) return false;
    // A filter searches every line, folded or not: it is how one finds things.
    if (view.filter) return view.filter.test(flags & F_HEAD ? sections.label(i) : lines.text[i]);
    return !sections.hiddenByFold(lines.group[i]);
  }

  return {
    // Brings line i's membership of the view up to date after it changed.
    sync(i) {
      const want = isVisible(i);
      const v = view.lines;
      const n = v.length;
      if (n === 0 || v[n - 1] < i) { // the usual case: a line at the end
        if (want) v.push(i);
        return;
      }
      const k = lowerBound(v, i);
      const has = v[k] === i;
      if (want && !has) v.splice(k, 0, i);
      else if (!want && has) v.splice(k, 1);
    },

    // Lines [a, b] may have changed visibility (a fold).
    refresh([a, b]) {
      const v = view.lines;
      const lo = lowerBound(v, a);
      const hi = lowerBound(v, b + 1);
      const middle = [];
      for (let i = a; i <= b; i++) if (isVisible(i)) middle.push(i);
      view.lines = v.slice(0, lo).concat(middle, v.slice(hi));
      changed();
    },

    // Every line may have changed visibility (the filter, a toggle).
    rebuild() {
      const next = [];
      for (let i = 0; i < lines.length; i++) if (isVisible(i)) next.push(i);
      view.lines = next;
      changed();
    },

    setShow(out, err) {
      view.show.out = out;
      view.show.err = err;
      this.rebuild();
    },

    setFilter(filter) {
      view.filter = filter;
      this.rebuild();
    },

    clear() {
      view.lines = [];
      changed();
    },

    // The view index of line i, or -1 when it is not in the view.
    indexOf(i) {
      const k = lowerBound(view.lines, i);
      return view.lines[k] === i ? k : -1;
    },

    // The view index of line i or of the first line after it in the view.
    indexFrom(i) {
      return lowerBound(view.lines, i);
    },
  };
}
