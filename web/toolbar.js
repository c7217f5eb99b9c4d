// The toolbar: the Filter box, the stdout / stderr toggles, the timestamps
// button (off → clock → elapsed → delta) and wrap, the last two remembered
// in localStorage; "Expand all" / "Collapse all" when there are sections.
//
// Owner of state.prefs; the filter and toggles go to the view (view.js).
import { parseFilter } from './filter.js';
import { nextTimeMode } from './time.js';

const TIME_LABELS = { off: 'time: off', clock: 'time: clock', elapsed: 'time: elapsed', delta: 'time: delta' };

function loadPref(name) {
  try {
    return localStorage.getItem(`ssetail.${name}`) === '1';
  } catch {
    return false;
  }
}

function savePref(name, on) {
  try {
    localStorage.setItem(`ssetail.${name}`, on ? '1' : '0');
  } catch { /* storage may be disabled */ }
}

function loadTimeMode() {
  try {
    const mode = localStorage.getItem('ssetail.timeMode');
    return mode in TIME_LABELS ? mode : 'off';
  } catch {
    return 'off';
  }
}

export function createToolbar(state, ui, { view, invalidate }) {
  const prefs = state.prefs;
  let filterTimer = 0;

  function setTimeMode(mode) {
    prefs.timeMode = mode;
    ui.optTime.dataset.mode = mode;
    ui.optTime.setAttribute('aria-pressed', String(mode !== 'off'));
    ui.optTime.textContent = TIME_LABELS[mode];
    try {
      localStorage.setItem('ssetail.timeMode', mode);
    } catch { /* storage may be disabled */ }
  }

  function applyOptions() {
    prefs.timestamps = prefs.timeMode !== 'off';
    prefs.wrap = ui.optWrap.checked;
    ui.log.classList.toggle('wrap', prefs.wrap);
    ui.log.classList.toggle('timestamps', prefs.timestamps);
    invalidate();
  }

  function nextTime() {
    setTimeMode(nextTimeMode(prefs.timeMode));
    applyOptions();
  }

  function applyFilter() {
    let filter = null;
    try {
      filter = parseFilter(ui.filter.value);
      ui.filter.classList.remove('invalid');
      ui.filter.removeAttribute('aria-invalid');
    } catch {
      filter = null; // an unfinished regular expression shows everything
      ui.filter.classList.add('invalid');
      ui.filter.setAttribute('aria-invalid', 'true');
    }
    view.setFilter(filter);
  }

  // Every section folded or unfolded (they then stay as the reader left them).
  function foldAll(collapsed) {
    if (state.sections.setAll(collapsed)) view.rebuild();
  }

  setTimeMode(loadTimeMode());
  ui.expandAll.addEventListener('click', () => foldAll(false));
  ui.collapseAll.addEventListener('click', () => foldAll(true));
  ui.optTime.addEventListener('click', nextTime);
  ui.optWrap.checked = loadPref('wrap');
  ui.optWrap.addEventListener('change', () => {
    savePref('wrap', ui.optWrap.checked);
    applyOptions();
  });
  for (const box of [ui.showOut, ui.showErr]) {
    box.addEventListener('change', () => view.setShow(ui.showOut.checked, ui.showErr.checked));
  }
  ui.filter.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(applyFilter, state.lines.length > 100000 ? 250 : 80);
  });
  ui.filter.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      ui.filter.value = '';
      applyFilter();
      ui.filter.blur();
    } else if (e.key === 'Enter') {
      clearTimeout(filterTimer);
      applyFilter();
    }
  });
  applyOptions();

  return {
    nextTime,
    foldAll,

    render() {
      const none = state.sections.groups.length <= 1;
      if (ui.expandAll.hidden !== none) {
        ui.expandAll.hidden = none;
        ui.collapseAll.hidden = none;
      }
    },

    focusFilter() {
      ui.filter.focus();
      ui.filter.select();
    },
  };
}
