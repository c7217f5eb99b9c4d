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
// next frame. Afterwards it measures a reload that replays the whole run,
// what problem detection costs on that replay (pages with it on and off, in
// turn), a filter and Find over all lines, and the page's JS heap. It prints
// figures and asserts nothing about time.
import {
  Gates, binaryFromArgs, launchBrowser, startSsetail, waitForExitBanner,
} from '../../tests/browser/harness.mjs';
import { compileFind, rangesIn } from '../../web/find.js';
import { ProblemDetector } from '../../web/problems.js';

const bin = binaryFromArgs();
const LINES = Number(process.argv[3] || 1_000_000);
// Only the live run (click -> next frame, long tasks): for an older page,
// which has no Find or problem detection to measure.
const LIVE_ONLY = process.env.BENCH_PAGE_LIVE_ONLY === '1';

const generator = `awk -v n=${LINES} 'BEGIN {
  for (i = 1; i <= n; i++) {
    if (i % 50 == 0) printf "%d warning: something odd happened on line %d\\n", i, i > "/dev/stderr";
    else if (i % 8 == 0) printf "%d \\033[32mok\\033[0m step %d finished in \\033[1m%d ms\\033[0m\\n", i, i, i % 997;
    else printf "%d plain output line number %d with some ordinary text after it\\n", i, i;
  }
}'`;

// The texts of the lines as the page holds them (colours stripped), to know
// how many matches Find must count.
function lineText(i) {
  if (i % 50 === 0) return `${i} warning: something odd happened on line ${i}`;
  if (i % 8 === 0) return `${i} ok step ${i} finished in ${i % 997} ms`;
  return `${i} plain output line number ${i} with some ordinary text after it`;
}
function expectedMatches(query, regex) {
  const re = compileFind(query, { regex });
  const pairs = [];
  let n = 0;
  for (let i = 1; i <= LINES; i++) {
    pairs.length = 0;
    n += rangesIn(lineText(i), re, pairs);
  }
  return n;
}

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
  // Find: the time of the last keystroke in the find box, and when the count
  // ("k of N") first says what the bench waits for after it: when the page
  // wrote it, and a task after that (the frame that shows it has painted).
  window.__bench.find = { lastKey: 0, countBefore: '', want: null, written: 0, shown: 0 };
  window.addEventListener('keydown', (e) => {
    if (e.target.id !== 'find') return;
    const f = window.__bench.find;
    f.lastKey = e.timeStamp;
    f.countBefore = document.getElementById('find-count').textContent;
  }, true);
  document.addEventListener('DOMContentLoaded', () => {
    const count = document.getElementById('find-count');
    new MutationObserver(() => {
      const f = window.__bench.find;
      if (!f.want || f.written || !f.want.test(count.textContent)) return;
      f.written = performance.now();
      setTimeout(() => { f.shown = performance.now(); }, 0);
    }).observe(count, { childList: true, characterData: true, subtree: true });
  });
}

const shown = (page) => page.evaluate(() => {
  const num = (id) => Number(document.getElementById(id).textContent.replace(/\D/g, ''));
  return num('count-out') + num('count-err');
});

function stats(values) {
  if (values.length === 0) return 'none';
  const v = [...values].sort((a, b) => a - b);
  const at = (q) => v[Math.min(v.length - 1, Math.floor(q * v.length))];
  return `n=${v.length} p50=${at(0.5).toFixed(1)} ms p95=${at(0.95).toFixed(1)} ms max=${v.at(-1).toFixed(1)} ms`;
}

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

bench: try {
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
  if (LIVE_ONLY) {
    console.log(`page benchmark (live run only): ${LINES.toLocaleString('en-US')} lines, Chromium ${browser.version()}, viewport 1200x800`);
    console.log(`  server captured all lines after     ${fmt(serverDone)}`);
    console.log(`  page showed all lines (live) after  ${fmt(ingest)}  (${Math.round(LINES / (ingest / 1000)).toLocaleString('en-US')} lines/s)`);
    console.log(`  click -> next frame while streaming ${stats(live.clicks)}  (${clicks} clicks)`);
    console.log(`  Event Timing >= 16 ms (click)       ${live.events.length} of ${clicks} clicks: ${stats(live.events)}`);
    console.log(`  long tasks while streaming          ${stats(live.longTasks)}`);
    console.log(`  JS heap after the live run          ${(heap / 2 ** 20).toFixed(0)} MiB`);
    break bench;
  }

  // A later visitor: reload and take the whole retained run at once. The
  // time is the page's own, from the start of its navigation to the frame
  // whose header counts every line.
  const allShownAt = (p) => p.waitForFunction((n) => {
    const num = (id) => Number(document.getElementById(id).textContent.replace(/\D/g, ''));
    return num('count-out') + num('count-err') >= n && performance.now();
  }, LINES, { timeout: 600_000, polling: 'raf' }).then((h) => h.jsonValue());
  await page.reload();
  const replay = await allShownAt(page);

  // Problem detection's cost: the same replay in fresh pages with detection
  // on and off (web/app.js reads a global the bench sets before the page's
  // script runs), in turn, so that the machine's load falls on both alike.
  const replays = { on: [], off: [] };
  for (let round = 0; round < 3; round++) {
    for (const mode of round % 2 ? ['off', 'on'] : ['on', 'off']) {
      const p = await context.newPage();
      if (mode === 'off') await p.addInitScript(() => { globalThis.__ssetailBenchNoProblems = true; });
      await p.goto(server.url);
      replays[mode].push(await allShownAt(p));
      await p.close();
    }
  }
  // The detector alone over the same lines, in node, for scale. The texts
  // go through JSON, as the page's do: flat strings (template literals make
  // rope strings, which the first regex over each would have to flatten).
  const detectAlone = (() => {
    const texts = JSON.parse(JSON.stringify(Array.from({ length: LINES }, (_, i) => lineText(i + 1))));
    const detector = new ProblemDetector();
    const t0 = performance.now();
    for (let i = 0; i < LINES; i++) detector.line(i, texts[i], (i + 1) % 50 === 0);
    return performance.now() - t0;
  })();
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;

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

  // Find over every line: Ctrl-F, then the query typed key by key (50 ms
  // apart, real key events), from the last keystroke until the count shows
  // the right N. The page searches at every key, a slice at a time.
  await page.keyboard.press('Control+f');
  await page.waitForSelector('#findbar:not([hidden])');
  const findTime = async (query, regex) => {
    const n = expectedMatches(query, regex);
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Backspace');
    await page.waitForFunction(() => document.getElementById('find-count').textContent === '');
    const box = await page.$('#find-regex');
    if ((await box.isChecked()) !== regex) {
      await box.click();
      await page.focus('#find');
    }
    const want = ` of ${n.toLocaleString('en-US')}$`;
    await page.evaluate((w) => {
      window.__bench.find = { ...window.__bench.find, want: new RegExp(w), written: 0, shown: 0 };
      window.__bench.longTasks = [];
    }, want);
    await page.keyboard.type(query, { delay: 50 });
    await page.waitForFunction(() => window.__bench.find.shown > 0, null, { timeout: 120_000, polling: 50 });
    const f = await page.evaluate(() => window.__bench.find);
    const longest = await page.evaluate(() => Math.max(0, ...window.__bench.longTasks));
    const early = new RegExp(want).test(f.countBefore) ? ' (the count was already right before the last key: a prefix matched as much)' : '';
    return `${(f.shown - f.lastKey).toFixed(0)} ms after the last key to "${await page.textContent('#find-count')}"`
      + ` (written after ${(f.written - f.lastKey).toFixed(0)} ms), longest task ${longest.toFixed(0)} ms${early}`;
  };
  // Each query's last key changes the count (its prefixes match more, or are
  // no valid regex), so the count after the last key is the final query's:
  // a prefix that matched as much would make the figure 0.
  const findQueries = [
    ['few, literal', 'number 7777 ', false], // 1 match
    ['few, regex', '^(7777|77777) ', true], // 2
    ['many, literal', 'number 1', false], // ~1 plain line in 9
    ['many, regex', '^\\d+ (warning|ok)', true], // every 50th and every 8th line
  ];
  const finds = [];
  for (const [what, query, regex] of findQueries) {
    finds.push(`  find, ${what.padEnd(14)} ${JSON.stringify(query).padEnd(20)} ${await findTime(query, regex)}`);
  }
  await page.keyboard.press('Escape');

  console.log(`page benchmark: ${LINES.toLocaleString('en-US')} lines, Chromium ${browser.version()}, viewport 1200x800`);
  console.log(`  server captured all lines after     ${fmt(serverDone)}`);
  console.log(`  page showed all lines (live) after  ${fmt(ingest)}  (${Math.round(LINES / (ingest / 1000)).toLocaleString('en-US')} lines/s)`);
  console.log(`  click -> next frame while streaming ${stats(live.clicks)}  (${clicks} clicks)`);
  console.log(`  Event Timing >= 16 ms (click)       ${live.events.length} of ${clicks} clicks: ${stats(live.events)}`);
  console.log(`  long tasks while streaming          ${stats(live.longTasks)}`);
  console.log(`  reload replaying the whole run      ${fmt(replay)}`);
  console.log(`  replay, problem detection on        ${replays.on.map(fmt).join(', ')}`);
  console.log(`  replay, problem detection off       ${replays.off.map(fmt).join(', ')}`);
  console.log(`  problem detection's cost (on / off) ${(median(replays.on) / median(replays.off)).toFixed(3)} by medians,`
    + ` ${(mean(replays.on) / mean(replays.off)).toFixed(3)} by means (goal <= 1.10)`);
  console.log(`  problem detection alone (node)      ${detectAlone.toFixed(0)} ms for the same lines`
    + ` (${(100 * detectAlone / median(replays.on)).toFixed(1)}% of the median replay with it on)`);
  console.log(`  filter, substring                   ${substring}`);
  console.log(`  filter, /regex/                     ${regex}`);
  for (const line of finds) console.log(line);
  console.log(`  JS heap after the live run          ${(heap / 2 ** 20).toFixed(0)} MiB`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
  gates.remove();
}
