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
// a filter and Find over all lines, and the page's JS heap. It prints
// figures and asserts nothing about time.
import {
  Gates, binaryFromArgs, launchBrowser, startSsetail, waitFor, waitForExitBanner,
} from '../../tests/browser/harness.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { compileFind, rangesIn } from '../../web/find.js';

const bin = binaryFromArgs();
const LINES = Number(process.argv[3] || 1_000_000);
// Only the live run (click -> next frame, long tasks) and the reload of the
// finished run, printed as JSON: for an older page, whose Find may not be
// there to measure.
const LIVE_ONLY = process.env.BENCH_PAGE_LIVE_ONLY === '1';
// A binary with an older page: its live run and reload are measured first (by
// this script, run again with BENCH_PAGE_LIVE_ONLY) and reported beside this page's.
const BEFORE = process.env.BENCH_PAGE_BEFORE || '';
// What the older page is, for the figures' text.
const BEFORE_LABEL = process.env.BENCH_PAGE_BEFORE_LABEL || `the page served by ${BEFORE}`;
// Where to write the figures as markdown: the part of that file between
// PAGE_BEGIN and PAGE_END is replaced (bench/report.py keeps it).
const DOC = process.env.BENCH_PAGE_DOC || '';
const PAGE_BEGIN = '<!-- bench/page: begin -->';
const PAGE_END = '<!-- bench/page: end -->';

// The live run of the page in BEFORE, measured by a run of this script.
function measureBefore() {
  if (!BEFORE) return null;
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), BEFORE, String(LINES)], {
    env: { ...process.env, BENCH_PAGE_LIVE_ONLY: '1', BENCH_PAGE_BEFORE: '', BENCH_PAGE_DOC: '' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').at(-1));
}
const before = measureBefore();

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
  // When the page first draws rows (opening a finished run: how soon it shows something).
  window.__bench.firstRows = NaN;
  new MutationObserver((changes, observer) => {
    const rows = document.getElementById('rows');
    if (rows && rows.firstElementChild) {
      window.__bench.firstRows = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
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

// The page's JS heap after a full garbage collection (DevTools protocol).
async function heapCollected(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.detach();
  return page.evaluate(() => performance.memory?.usedJSHeapSize ?? NaN);
}

const shown = (page) => page.evaluate(() => {
  const num = (id) => Number(document.getElementById(id).textContent.replace(/\D/g, ''));
  return num('count-out') + num('count-err');
});


const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

bench: try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  let page = await context.newPage();
  await page.addInitScript(instrument);
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById('conn').textContent === 'live');
  await page.waitForFunction(() => document.getElementById('state').textContent === 'running');

  const box = await page.locator('#opt-time').boundingBox();
  const start = Date.now();
  gates.open(1);

  // The server's own pace, for reference.
  let serverDone = 0;
  const serverWatch = waitFor('the server to capture every line', async () => {
    const s = await (await fetch(new URL('status', server.url))).json();
    return s.stdout_lines + s.stderr_lines >= LINES;
  }, { timeout: 600_000 }).then(() => { serverDone = Date.now() - start; });

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
  const heapAfterGc = await heapCollected(page);
  const liveFigures = { serverDone, ingest, clicks, live, heap, heapAfterGc };
  // A later visitor: reload and take the whole finished run at once. The
  // times are the page's own, from the start of its navigation: to the first
  // rows drawn, and to the frame that shows the exit banner (drawn once the
  // exit event, which follows every line, was taken in; the header's counts
  // come from `status` at once, so they say nothing of it).
  const allShownAt = (p) => p.waitForFunction(() => !document.getElementById('banner').hidden && performance.now(),
    null, { timeout: 600_000, polling: 'raf' }).then((h) => h.jsonValue());
  await page.reload();
  const replay = await allShownAt(page);
  const firstRows = await page.evaluate(() => window.__bench.firstRows);
  const replayHeap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? NaN);
  const replayHeapAfterGc = await heapCollected(page);
  Object.assign(liveFigures, { replay, firstRows, replayHeap, replayHeapAfterGc });
  // A new visitor, in a tab of its own, once the live page is gone: the reload above shares
  // the renderer's heap with the page it replaced, whose million lines are garbage the
  // collector may or may not have reached by then (a 150 MiB swing from run to run).
  await page.close();
  const tab = await context.newPage();
  await tab.addInitScript(instrument);
  await tab.goto(server.url);
  const tabReplay = await allShownAt(tab);
  const tabFirstRows = await tab.evaluate(() => window.__bench.firstRows);
  const tabHeap = await tab.evaluate(() => performance.memory?.usedJSHeapSize ?? NaN);
  const tabHeapAfterGc = await heapCollected(tab);
  Object.assign(liveFigures, { tabReplay, tabFirstRows, tabHeap, tabHeapAfterGc });
  page = tab; // the filter and Find below
  if (LIVE_ONLY) {
    console.log(JSON.stringify(liveFigures));
    break bench;
  }

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
    return { elapsed, longest };
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
    return {
      shown: f.shown - f.lastKey,
      written: f.written - f.lastKey,
      count: await page.textContent('#find-count'),
      longest,
      early: new RegExp(want).test(f.countBefore), // a prefix matched as much: the figure says nothing
    };
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
  for (const [what, query, regex] of findQueries) finds.push({ what, query, ...(await findTime(query, regex)) });
  await page.keyboard.press('Escape');

  // The figures: printed, and written into DOC as a markdown section.
  const pct = (v) => (values) => {
    const sorted = [...values].sort((x, y) => x - y);
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(v * sorted.length))] : NaN;
  };
  const p50 = pct(0.5);
  const p95 = pct(0.95);
  const ms = (v) => `${Math.round(v)} ms`;
  const clickCell = (f) => `${ms(p50(f.live.clicks))} / ${ms(p95(f.live.clicks))} / ${ms(Math.max(...f.live.clicks))} (${f.clicks} clicks)`;
  const timingCell = (f) => (f.live.events.length
    ? `${ms(p50(f.live.events))} / ${ms(p95(f.live.events))} / ${ms(Math.max(...f.live.events))} (${f.live.events.length} of ${f.clicks} clicks >= 16 ms)`
    : 'no click >= 16 ms');
  const longCell = (f) => (f.live.longTasks.length
    ? `${f.live.longTasks.length}, p50 ${ms(p50(f.live.longTasks))}, max ${ms(Math.max(...f.live.longTasks))}` : 'none');
  const ingestCell = (f) => `${fmt(f.ingest)} (server: ${fmt(f.serverDone)})`;
  const mib = (v) => `${(v / 2 ** 20).toFixed(0)} MiB`;
  const heapCell = (v, gc) => `${mib(v)}${Number.isFinite(gc) ? ` (${mib(gc)})` : ''}`;
  const rows = [
    ['page showed every line, live', ingestCell(liveFigures), before && ingestCell(before), ''],
    ['click → next frame while streaming, in the page: p50 / p95 / max', clickCell(liveFigures), before && clickCell(before), '≤ 100 ms'],
    ['click → next paint (Event Timing), p50 / p95 / max', timingCell(liveFigures), before && timingCell(before), '≤ 100 ms'],
    ['long tasks while streaming', longCell(liveFigures), before && longCell(before), ''],
    ['JS heap after the live run (after a GC)', heapCell(heap, heapAfterGc), before && heapCell(before.heap, before.heapAfterGc), ''],
    ['opening the finished run: first rows drawn', ms(firstRows), before && ms(before.firstRows), '≤ 500 ms'],
    ['opening the finished run: all of it taken in (exit banner)', fmt(replay), before && fmt(before.replay), '≤ 5 s'],
    ['JS heap after opening the finished run (after a GC)', heapCell(replayHeap, replayHeapAfterGc),
      before && heapCell(before.replayHeap, before.replayHeapAfterGc), '≤ 150 MiB'],
    ['the same in a new tab: first rows drawn', ms(tabFirstRows), before && ms(before.tabFirstRows), '≤ 500 ms'],
    ['the same in a new tab: all of it taken in', fmt(tabReplay), before && fmt(before.tabReplay), '≤ 5 s'],
    ['the same in a new tab: JS heap then (after a GC)', heapCell(tabHeap, tabHeapAfterGc),
      before && heapCell(before.tabHeap, before.tabHeapAfterGc), '≤ 150 MiB'],
    ['filter, substring / regex (incl. its 250 ms debounce)', `${ms(substring.elapsed)} / ${ms(regex.elapsed)}, longest task ${ms(Math.max(substring.longest, regex.longest))}`, '', ''],
    ...finds.map((f) => [`Find, ${f.what}: \`${f.query}\` → "${f.count}"`,
      `${ms(f.shown)} after the last key, longest task ${ms(f.longest)}${f.early ? ' (the count was right before the last key)' : ''}`, '', '≤ 300 ms']),
  ];
  const title = `page benchmark: ${LINES.toLocaleString('en-US')} lines, Chromium ${browser.version()}, viewport 1200x800`;
  console.log(title);
  for (const [what, now, was, goal] of rows) {
    console.log(`  ${what}: ${now}${was ? `  [before: ${was}]` : ''}${goal ? `  (goal ${goal})` : ''}`);
  }
  if (DOC) {
    const load = os.loadavg().map((v) => v.toFixed(2)).join(', ');
    const md = [PAGE_BEGIN, '## The page (bench/page)', '',
      `\`node bench/page/bench.mjs build/ssetail\`${before ? ' with `BENCH_PAGE_BEFORE`' : ''}: ${LINES.toLocaleString('en-US')} lines streamed `
      + `into the page as fast as the generator writes them, headless Chromium ${browser.version()} (Debian's, software rendering) `
      + `at 1200x800, on this machine, with the generator, ssetail and the browser sharing its cores `
      + `(load average at the end: ${load}). bench/page/README.md says what each figure measures.`
      + (before ? ` "Before" is ${BEFORE_LABEL}.` : ''),
      '', `| | this page | ${before ? 'before' : ''} | goal |`, '|---|---|---|---|',
      ...rows.map((cells) => `| ${cells.map((c) => String(c || '').replaceAll('|', '\\|')).join(' | ')} |`), '', PAGE_END].join('\n');
    const old = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
    const begin = old.indexOf(PAGE_BEGIN);
    const end = old.indexOf(PAGE_END);
    const text = begin >= 0 && end > begin
      ? old.slice(0, begin) + md + old.slice(end + PAGE_END.length)
      : `${old.trimEnd()}\n\n${md}\n`;
    fs.writeFileSync(DOC, text);
    console.log(`wrote the figures into ${DOC}`);
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
  gates.remove();
}
