// Page benchmark (a measurement, not a test): how long the page takes to
// take in a million lines, and how quickly it answers a click meanwhile.
//
//     node bench/page/bench.mjs build/ssetail [LINES]
//
// It runs ssetail with a generator that waits until the page is connected,
// then writes LINES lines (default 1,000,000; every 8th coloured, every 50th
// to stderr) as fast as awk can. While they stream in, it clicks the
// "timestamps" toggle every 250 ms (a real input event, which re-renders the
// visible rows) and measures, in the page, the time from each click to the
// next frame. Afterwards it measures a reload that replays the whole run, a
// filter over all lines, and the page's JS heap. It prints figures and
// asserts nothing about time.
import {
  Gates, binaryFromArgs, launchBrowser, startSsetail, waitForExitBanner,
} from '../../tests/browser/harness.mjs';

const bin = binaryFromArgs();
const LINES = Number(process.argv[3] || 1_000_000);

const generator = `awk -v n=${LINES} 'BEGIN {
  for (i = 1; i <= n; i++) {
    if (i % 50 == 0) printf "%d warning: something odd happened on line %d\\n", i, i > "/dev/stderr";
    else if (i % 8 == 0) printf "%d \\033[32mok\\033[0m step %d finished in \\033[1m%d ms\\033[0m\\n", i, i, i % 997;
    else printf "%d plain output line number %d with some ordinary text after it\\n", i, i;
  }
}'`;

const gates = new Gates();
const server = await startSsetail(bin, gates.command(`wait_gate 1; ${generator}`), {
  args: ['--history', String(LINES + 100), '--history-bytes', '2G', '--title', 'page benchmark'],
});
const browser = await launchBrowser();

// Installed in the page before its own script: click-to-next-frame timing
// (a click listener on window runs before the page's own handlers finish,
// then rAF + a task after it approximates "presented"), the Event Timing
// API's own durations, and long tasks.
function instrument() {
  window.__bench = { clicks: [], events: [], longTasks: [] };
  window.addEventListener('click', (e) => {
    const t0 = e.timeStamp;
    requestAnimationFrame(() => setTimeout(() => window.__bench.clicks.push(performance.now() - t0), 0));
  }, true);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name === 'click') window.__bench.events.push(entry.duration);
    }
  }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__bench.longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
}

const shown = (page) => page.evaluate(() => {
  const num = (id) => Number(document.getElementById(id).textContent.replace(/\D/g, ''));
  return num('count-out') + num('count-err');
});

function stats(values) {
  if (values.length === 0) return 'none';
  const v = [...values].sort((a, b) => a - b);
  const at = (q) => v[Math.min(v.length - 1, Math.floor(q * v.length))];
  return `n=${v.length} median=${at(0.5).toFixed(1)} ms p95=${at(0.95).toFixed(1)} ms max=${v.at(-1).toFixed(1)} ms`;
}

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(instrument);
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById('conn').textContent === 'live');
  await page.waitForFunction(() => document.getElementById('state').textContent === 'running');

  const box = await page.locator('#opt-time').boundingBox();
  const start = Date.now();
  gates.open(1);

  // The server's own pace, for reference.
  let serverDone = 0;
  const serverWatch = (async () => {
    for (;;) {
      const s = await (await fetch(new URL('status', server.url))).json();
      if (s.stdout_lines + s.stderr_lines >= LINES) {
        serverDone = Date.now() - start;
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  let clicks = 0;
  while ((await shown(page)) < LINES) {
    if (Date.now() - start > 600_000) throw new Error('the page took more than 10 minutes');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    clicks++;
    await new Promise((r) => setTimeout(r, 250));
  }
  const ingest = Date.now() - start;
  await serverWatch;
  await waitForExitBanner(page, 60000);
  const live = await page.evaluate(() => window.__bench);
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? NaN);

  // A later visitor: reload and take the whole retained run at once.
  const reloadStart = Date.now();
  await page.reload();
  await page.waitForFunction((n) => {
    const num = (id) => Number(document.getElementById(id).textContent.replace(/\D/g, ''));
    return num('count-out') + num('count-err') >= n;
  }, LINES, { timeout: 600_000, polling: 100 });
  const replay = Date.now() - reloadStart;

  // A filter over every line: from typing to the one matching row on screen.
  const filterTime = async (query, expect) => {
    await page.evaluate(() => { window.__bench.longTasks = []; });
    const t = Date.now();
    await page.fill('#filter', query);
    await page.waitForFunction((e) => {
      const rows = document.querySelectorAll('#rows .line .tx');
      return rows.length === 1 && rows[0].textContent.startsWith(e);
    }, expect, { polling: 'raf', timeout: 120_000 });
    const elapsed = Date.now() - t;
    const longest = await page.evaluate(() => Math.max(0, ...window.__bench.longTasks));
    return `${elapsed} ms to show the match (incl. the input's debounce), longest task ${longest.toFixed(0)} ms`;
  };
  const plain = (i) => i % 8 !== 0 && i % 50 !== 0;
  let target = Math.floor(LINES * 0.777);
  while (!plain(target) || !plain(target + 1)) target++;
  const substring = await filterTime(`line number ${target} `, `${target} plain`);
  const regex = await filterTime(`/^${target + 1} pl.in/`, `${target + 1} plain`);
  await page.fill('#filter', '');

  console.log(`page benchmark: ${LINES.toLocaleString('en-US')} lines, Chromium ${browser.version()}, viewport 1200x800`);
  console.log(`  server captured all lines after     ${fmt(serverDone)}`);
  console.log(`  page showed all lines (live) after  ${fmt(ingest)}  (${Math.round(LINES / (ingest / 1000)).toLocaleString('en-US')} lines/s)`);
  console.log(`  click -> next frame while streaming ${stats(live.clicks)}  (${clicks} clicks)`);
  console.log(`  Event Timing >= 16 ms (click)       ${live.events.length} of ${clicks} clicks: ${stats(live.events)}`);
  console.log(`  long tasks while streaming          ${stats(live.longTasks)}`);
  console.log(`  reload replaying the whole run      ${fmt(replay)}`);
  console.log(`  filter, substring                   ${substring}`);
  console.log(`  filter, /regex/                     ${regex}`);
  console.log(`  JS heap after the live run          ${(heap / 2 ** 20).toFixed(0)} MiB`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
  gates.remove();
}
