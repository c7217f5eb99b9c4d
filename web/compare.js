// Compare mode (SPEC §14): the run against another (`--compare FILE`, or on
// a relay the run's `compare` URL). The Compare button and `c` show only
// what differs (compare-view.js makes the rows) in a pane in place of the
// log, with the new and gone problems and "jump to first difference";
// leaving it shows the log as it was, scrolled where it was. While the run
// goes on, the header shows its progress on the other run's timeline.
//
// `compare` is asked once the page knows how the run stands, then every
// POLL_MS while the run goes on (and the tab is shown), once more when it
// ended, never after; only its first line (the header: the estimate) while
// the pane is not shown. A 404: nothing to compare with, no button.
import { CONTEXT, compareRows, estimateText, parseCompare, problemText } from './compare-view.js';

const POLL_MS = 2000;

// The compare URL: relative, so that a relay's /runs/RUN/ page asks
// /runs/RUN/compare; the page's own `?compare=RUN2` picks the other run.
function compareUrl() {
  const other = new URLSearchParams(location.search).get('compare');
  return other ? `compare?with=${encodeURIComponent(other)}` : 'compare';
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function createCompare(state, ui, { onLeave }) {
  let header = null; // the last answer's first line (the estimate)
  let answer = null; // the last whole answer (the pane)
  let active = false;
  let timer = 0;
  let asking = false;
  let savedScroll = 0;
  let firstEl = null;
  let drawnFor = null; // the answer and line count the pane shows

  const ended = () => !!state.run.exit || state.status.state === 'exited';

  // The first line of a response body (the header), then the body let go:
  // the header is all the estimate needs, and hunks can be megabytes.
  async function firstLine(res) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (value) text += decoder.decode(value, { stream: true });
      const nl = text.indexOf('\n');
      if (nl >= 0 || done) {
        reader.cancel().catch(() => {});
        return nl >= 0 ? text.slice(0, nl) : text;
      }
    }
  }

  // `full`: the hunks and problems too (the pane is shown), else the header only.
  async function ask(full) {
    if (asking) return;
    asking = true;
    try {
      const res = await fetch(compareUrl(), { cache: 'no-store' });
      if (!res.ok) {
        if (res.status === 404 && !header) stop();
        res.body?.cancel().catch(() => {});
        return;
      }
      if (full) {
        const parsed = parseCompare(await res.text());
        if (!parsed) return;
        answer = parsed;
        header = parsed.header;
      } else {
        const line = JSON.parse(await firstLine(res));
        if (!line.with) return;
        header = line;
      }
      ui.compareToggle.hidden = false;
      render();
    } catch { /* the next tick asks again */ } finally {
      asking = false;
    }
    // The pane was opened while a header-only answer was on its way.
    if (!full && active && !answer) ask(true);
  }

  function stop() {
    clearInterval(timer);
    timer = 0;
  }

  function tick() {
    if (document.visibilityState !== 'visible') return;
    if (ended()) stop(); // this last answer is the complete one
    ask(active);
  }

  function renderEstimate() {
    const estimate = header && !ended() ? estimateText(header.estimate) : '';
    ui.compareEstimate.hidden = !estimate;
    if (ui.compareEstimate.textContent !== estimate) ui.compareEstimate.textContent = estimate;
    if (header) ui.compareEstimate.title = `on the timeline of ${header.with.title || 'the other run'}`;
  }

  function lineRow(kind, row) {
    const div = el('div', `line cmp-${kind}${state.lines.flags[row] & 1 ? ' err' : ''}`);
    const n = state.lines.number(row);
    div.dataset.line = String(n);
    div.append(el('span', 'sign', kind === 'ins' ? '+' : ''), el('span', 'ln', String(n)), el('span', 'tx', state.lines.text[row]));
    return div;
  }

  function deletedRow(item) {
    const div = el('div', 'line cmp-del');
    if (item.kind === 'del') {
      div.append(el('span', 'sign', '−'), el('span', 'ln', String(item.withLine)), el('span', 'tx', problemText(item.problem)));
    } else {
      const n = item.to - item.from + 1;
      const which = n === 1 ? `line ${item.from}` : `lines ${item.from}–${item.to}`;
      div.append(el('span', 'sign', '−'), el('span', 'ln', String(item.from)),
        el('span', 'tx gone-note', `${n} line${n === 1 ? '' : 's'} of the other run gone here (its ${which})`));
    }
    return div;
  }

  function problemsList(title, list, kind) {
    const box = el('div', `cmp-problems ${kind}`);
    box.append(el('h2', '', `${title} (${list.length})`));
    if (!list.length) box.append(el('p', 'none', 'none'));
    const ol = el('ol');
    for (const p of list) {
      const li = el('li', `problem ${p.severity}`);
      li.append(el('span', 'sev', p.severity), el('span', 'msg', p.message));
      const place = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}${p.col ? `:${p.col}` : ''}` : '';
      if (place) li.append(el('span', 'where', place));
      li.dataset.id = p.id;
      ol.append(li);
    }
    box.append(ol);
    return box;
  }

  function drawPane() {
    if (!answer) {
      ui.compareSummary.textContent = 'Comparing…';
      return;
    }
    if (drawnFor && drawnFor[0] === answer && drawnFor[1] === state.lines.length) return;
    drawnFor = [answer, state.lines.length];
    const keepScroll = ui.compareBody.scrollTop;
    const { hunks, problems, header: head } = answer;
    const { rows, first } = compareRows(answer, state.lines.length, (n) => state.lines.rowOf(n));
    const x = head.with.exit;
    const how = !x ? 'running' : x.signal ? `killed (${x.signal})` : `exited ${x.code}`;
    ui.compareWith.textContent = `Compared with ${head.with.title || 'the other run'} · started ${(head.with.started || '?').replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} · ${how}`;
    ui.compareSummary.textContent = hunks.length
      ? `${hunks.length} difference${hunks.length === 1 ? '' : 's'}${problems.complete ? '' : ' so far'}, ${CONTEXT} lines of context`
      : problems.complete ? 'No difference: the runs have the same lines.' : 'No difference so far.';
    ui.compareFirst.disabled = first < 0;
    ui.compareProblems.replaceChildren(
      problemsList('New problems', problems.new_problems, 'new'),
      problemsList('Gone problems', problems.gone_problems, 'gone'));
    const frag = document.createDocumentFragment();
    firstEl = null;
    rows.forEach((item, k) => {
      let div;
      if (item.kind === 'ctx' || item.kind === 'ins') div = lineRow(item.kind, item.row);
      else if (item.kind === 'sep') div = el('div', 'line cmp-sep', `⋯ ${item.hidden.toLocaleString('en-US')} unchanged line${item.hidden === 1 ? '' : 's'} hidden`);
      else if (item.kind === 'more') div = el('div', 'line cmp-sep', `⋯ ${item.hunks.toLocaleString('en-US')} more differences not shown`);
      else div = deletedRow(item);
      if (k === first) firstEl = div;
      frag.append(div);
    });
    ui.compareRows.replaceChildren(frag);
    ui.compareBody.scrollTop = keepScroll;
  }

  function render() {
    renderEstimate();
    if (active && answer) drawPane();
  }

  function jumpToFirst() {
    if (!firstEl) return;
    firstEl.scrollIntoView({ block: 'center' });
    firstEl.classList.add('hl');
  }

  function setActive(on) {
    if (on === active || (on && !header)) return;
    active = on;
    ui.compareToggle.setAttribute('aria-pressed', String(on));
    if (on) {
      savedScroll = ui.log.scrollTop;
      ui.log.hidden = true;
      ui.compare.hidden = false;
      drawnFor = null;
      drawPane();
      // The whole answer: once for a finished run, fresh while one goes on.
      if (!answer || !answer.problems.complete) ask(true);
    } else {
      ui.compare.hidden = true;
      ui.log.hidden = false;
      ui.log.scrollTop = savedScroll;
      onLeave();
    }
  }

  ui.compareToggle.addEventListener('click', () => setActive(!active));
  ui.compareFirst.addEventListener('click', jumpToFirst);
  // A problem entry jumps to its row in the pane.
  ui.compareProblems.addEventListener('click', (e) => {
    const li = e.target.closest('li[data-id]');
    if (!li) return;
    const seq = Number(li.dataset.id.slice(li.dataset.id.lastIndexOf('.') + 1));
    const row = li.closest('.new') ? ui.compareRows.querySelector(`.cmp-ins[data-line="${seq - 1}"]`) : null;
    (row || firstEl)?.scrollIntoView({ block: 'center' });
  });

  return {
    // Called once `status` answered.
    start() {
      ask(false);
      if (!ended()) timer = setInterval(tick, POLL_MS);
    },
    available: () => !!header,
    active: () => active,
    toggle: () => setActive(!active),
    jumpToFirst,
    // A frame: lines came (the pane shows their text) or the run ended.
    render,
  };
}
