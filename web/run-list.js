// A relay's run list (`/`, SPEC §13). The server draws the whole list (it works without
// JavaScript); this adds what needs a browser: the filter by title and state (kept in the
// address, ?q=…&state=…), start times counted from now with the local time on hover, a
// click anywhere on a row opens its run, and the list redrawn from the server every few
// seconds while it is shown.

const REFRESH_MS = 5000;

const input = document.getElementById('run-filter');
const bar = document.getElementById('list-filter');
const count = document.getElementById('filter-count');
const stateButtons = [...document.querySelectorAll('[data-filter-state]')];

const params = new URLSearchParams(location.search);
let query = params.get('q') || '';
let wanted = params.get('state') || '';

// The same words as the server's (run_list_html.cpp), so the first redraw changes nothing.
export function relativeTime(startedMs, nowMs) {
  const s = Math.max(0, Math.floor((nowMs - startedMs) / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86400);
  if (days <= 30) return days === 1 ? '1 day ago' : `${days} days ago`;
  return new Date(startedMs).toLocaleDateString();
}

function drawTimes() {
  const now = Date.now();
  for (const time of document.querySelectorAll('time[datetime]')) {
    const iso = time.getAttribute('datetime');
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) continue; // the server's text stays
    time.textContent = relativeTime(ms, now);
    time.title = `${new Date(ms).toLocaleString()} (${iso})`;
  }
}

function applyFilter() {
  const needle = query.trim().toLowerCase();
  let shown = 0;
  let total = 0;
  for (const group of document.querySelectorAll('tbody.group')) {
    const title = (group.dataset.title || '').toLowerCase();
    let visible = 0;
    for (const row of group.querySelectorAll('tr.run')) {
      const id = row.querySelector('.run-link')?.textContent.toLowerCase() || '';
      const match = (!needle || title.includes(needle) || id.includes(needle)) &&
        (!wanted || row.dataset.state === wanted);
      row.hidden = !match;
      visible += match;
      total++;
    }
    group.hidden = visible === 0;
    shown += visible;
  }
  const filtering = needle !== '' || wanted !== '';
  count.textContent = filtering ? `${shown} of ${total}` : '';
  const empty = document.getElementById('filter-empty');
  if (empty) empty.hidden = !(filtering && total > 0 && shown === 0);
  for (const button of stateButtons) {
    button.setAttribute('aria-pressed', String(button.dataset.filterState === wanted));
  }
}

function keepInAddress() {
  const next = new URLSearchParams();
  if (query) next.set('q', query);
  if (wanted) next.set('state', wanted);
  const search = next.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

async function refresh() {
  if (document.hidden) return;
  try {
    const res = await fetch(location.pathname, { cache: 'no-store', credentials: 'same-origin' });
    if (!res.ok) return;
    const page = new DOMParser().parseFromString(await res.text(), 'text/html');
    const main = page.getElementById('runs');
    const summary = page.getElementById('list-summary');
    if (!main) return;
    document.getElementById('runs').replaceWith(document.adoptNode(main));
    const old = document.getElementById('list-summary');
    if (summary && old) old.replaceWith(document.adoptNode(summary));
    drawTimes();
    applyFilter();
  } catch {
    // The relay is away for a moment: the list stays as it is until the next round.
  }
}

input.value = query;
bar.hidden = false;
input.addEventListener('input', () => {
  query = input.value;
  applyFilter();
  keepInAddress();
});
for (const button of stateButtons) {
  button.addEventListener('click', () => {
    wanted = button.dataset.filterState;
    applyFilter();
    keepInAddress();
  });
}
document.addEventListener('keydown', (e) => {
  if (e.key === '/' && document.activeElement !== input) {
    e.preventDefault();
    input.focus();
  } else if (e.key === 'Escape' && document.activeElement === input) {
    input.value = '';
    query = '';
    applyFilter();
    keepInAddress();
  }
});
document.addEventListener('click', (e) => {
  const row = e.target.closest('tr.run');
  if (!row || e.target.closest('a') || getSelection().toString()) return;
  const link = row.querySelector('.run-link');
  if (link) location.href = link.href;
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) refresh();
});

drawTimes();
applyFilter();
setInterval(refresh, REFRESH_MS);
