// Downloads (SPEC §13): the log, named after the run's title and start
// (`make-build-2026-12-06T02-14.log`); what the filter and the stream
// toggles let through, when they hide something; and the raw log (`log`)
// in a tab, which is plain HTML. Reads the state, writes none of it.
import { F_HEAD } from './store.js';

// A file name from the run's title and start (UTC, to the minute).
export function logName(title, startedMs) {
  const slug = (title || '').replace(/[^A-Za-z0-9._]+/g, '-').slice(0, 60).replace(/^[-.]+|[-.]+$/g, '') || 'ssetail';
  if (!Number.isFinite(startedMs)) return `${slug}.log`;
  const at = new Date(startedMs).toISOString(); // 2026-12-06T02:14:33.123Z
  return `${slug}-${at.slice(0, 13)}-${at.slice(14, 16)}.log`;
}

export function createDownloads(state, ui) {
  const { run, status, view, lines, sections } = state;
  let url = ''; // the object URL of the last filtered download

  // The lines the reader sees (folds aside: a folded section's lines are
  // part of what the filter lets through when they pass it).
  function shownText() {
    const out = [];
    for (const i of view.lines) out.push(lines.flags[i] & F_HEAD ? sections.label(i) : lines.text[i]);
    return out.length ? `${out.join('\n')}\n` : '';
  }

  ui.downloadFiltered.addEventListener('click', () => {
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(new Blob([shownText()], { type: 'text/plain;charset=utf-8' }));
    ui.downloadFiltered.href = url; // read by the click's default action, after this
  });

  return {
    render() {
      const name = logName(run.title || status.title, Number.isFinite(run.startedMs) ? run.startedMs : status.startedMs);
      if (ui.download.getAttribute('download') !== name) ui.download.setAttribute('download', name);
      const filtered = name.replace(/\.log$/, '-filtered.log');
      if (ui.downloadFiltered.getAttribute('download') !== filtered) ui.downloadFiltered.setAttribute('download', filtered);
      const hiding = !!view.filter || !view.show.out || !view.show.err;
      if (ui.downloadFiltered.hidden === hiding) ui.downloadFiltered.hidden = !hiding;
    },
  };
}
