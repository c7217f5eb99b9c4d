// Browser tests of the page (SPEC §6), in Debian's Chromium driven by
// playwright-core, against the real binary:
//
//     node tests/browser/page.test.mjs build/ssetail
//
// Each test runs ssetail with a deterministic command, opens the page and
// checks what a person would see. Commands that must pause (to look at the
// page mid-run) wait for gate files the test creates; nothing relies on sleeps.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {
  Gates, binaryFromArgs, envOutsideCi, launchBrowser, parseColor, rows, saveRun, startSsetail, texts, waitFor,
  waitForExitBanner, waitForTexts,
} from './harness.mjs';
import './modules.test.mjs'; // the page's DOM-free modules, tested in node
import './run-list.test.mjs'; // a relay's run list

const BIN = binaryFromArgs();
let browser;
let context; // one for all tests (a new one costs up to a second on a busy machine)
let nextPage = null; // made while the previous test runs, for the same reason
const stopping = []; // servers being stopped; the suite waits for them at the end

before(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1000, height: 700 }, colorScheme: 'light' });
  // Every page starts without the preferences an earlier test saved.
  await context.addInitScript(() => localStorage.clear());
});

after(async () => {
  await Promise.all(stopping);
  await browser?.close(); // closes the spare page too
});

// A proxy's request `req` passed on to `target` (a URL) at `path`, its answer back to `res`.
function forward(req, res, target, path) {
  // agent: false, a connection of its own per request: a socket kept alive from an earlier
  // one, which ssetail may be closing, would end the page's request with no answer.
  const upstream = http.request({
    host: target.hostname, port: target.port, method: req.method, path, headers: { ...req.headers, host: target.host },
    agent: false,
  }, (up) => {
    res.writeHead(up.statusCode, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

// Runs `command` under ssetail, opens the page and calls fn(page, server).
// Every test also checks that the page logged no error to the console
// (but those matching `expectedErrors`, a test's own doing).
async function session(command, fn, { args = [], linger = true, suffix = '', env, expectedErrors = null } = {}) {
  const server = await startSsetail(BIN, command, { linger, args, env });
  const page = await (nextPage ?? context.newPage());
  nextPage = context.newPage();
  // The newest page is the front one: Chromium gives the others one animation
  // frame a second, which makes every wait on the page's rendering slow.
  await page.bringToFront();
  const errors = [];
  page.on('console', (m) => {
    // The page asks `compare` to learn whether there is a run to compare with (SPEC §14):
    // without --compare it is a 404, which Chromium logs, and nothing else may be.
    const probe = /\/compare(\?|$)/.test(m.location().url || '') && /status of 404/.test(m.text());
    if (m.type() === 'error' && !probe && !expectedErrors?.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  try {
    if (suffix !== null) await page.goto(server.url + suffix, { waitUntil: 'domcontentloaded' });
    await fn(page, server);
    assert.deepEqual(errors, [], 'the page logged errors');
  } finally {
    await page.close();
    stopping.push(server.stop());
  }
}

const sh = (script) => ['sh', '-c', script];

async function computed(page, selector, props) {
  return page.$eval(selector, (el, names) => {
    const cs = getComputedStyle(el);
    return Object.fromEntries(names.map((n) => [n, cs[n]]));
  }, props);
}

// How far apart two CSS colours' hues are, in degrees (0-180).
function hueDistance(a, b) {
  const hue = (css) => {
    const [r, g, b] = parseColor(css).map((v) => v / 255);
    const max = Math.max(r, g, b);
    const d = max - Math.min(r, g, b);
    if (d === 0) return 0;
    const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    return (h * 60 + 360) % 360;
  };
  const d = Math.abs(hue(a) - hue(b));
  return Math.min(d, 360 - d);
}

// The element of the rendered row with line number n.
const rowSel = (n) => `#rows .line[data-line="${n}"]`;

// Selects the texts of rows `from` to `to` and copies: what the page puts on the clipboard
// (the browser's own text if the page leaves the copy alone).
function copyRows(page, from, to) {
  return page.evaluate(([a, b]) => {
    const tx = (n) => document.querySelector(`#rows .line[data-line="${n}"] .tx`);
    const range = document.createRange();
    range.setStartBefore(tx(a));
    range.setEndAfter(tx(b));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    const data = new DataTransfer();
    const event = new ClipboardEvent('copy', { clipboardData: data, bubbles: true, cancelable: true });
    tx(a).dispatchEvent(event);
    return event.defaultPrevented ? data.getData('text/plain') : getSelection().toString();
  }, [from, to]);
}

// Waits until the Problems panel lists n entries: the panel shows at once, its list once
// the server's index has answered, and a run that ends is asked again (an earlier answer
// may have fewer).
async function waitForProblems(page, n) {
  const count = () => page.$$eval('#problems-list .problem', (els) => els.length);
  await waitFor(`${n} entries in the Problems panel`, async () => (await count()) === n,
    { describe: async () => `${await count()} entries` });
}

async function status(server) {
  const res = await fetch(new URL('status', server.url));
  return res.json();
}

// Each test gets a generous limit: a loaded 2-core machine is slow, a hang is not.
const test = (name, fn) => it(name, { timeout: 90_000 }, fn);

// What the find bar says, and the texts of the marks in the rendered rows.
const findCount = (page) => page.textContent('#find-count');
const marks = (page) => page.$$eval('#rows mark.fm', (els) => els.map((el) => ({
  text: el.textContent, cur: el.classList.contains('cur'), line: Number(el.closest('.line').dataset.line),
})));
const waitForCount = (page, text) => waitFor(`the find count ${JSON.stringify(text)}`,
  async () => (await findCount(page)) === text, { describe: async () => `it says ${JSON.stringify(await findCount(page))}` });

describe('ssetail page', () => {
  test('shows lines in order, numbered from 1, with title and counts', async () => {
    const script = 'i=1; while [ $i -le 30 ]; do echo "line $i"; i=$((i+1)); done';
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      const shown = await rows(page);
      assert.deepEqual(shown.map((r) => r.text), Array.from({ length: 30 }, (_, k) => `line ${k + 1}`));
      assert.deepEqual(shown.map((r) => r.n), Array.from({ length: 30 }, (_, k) => k + 1));
      assert.equal(await page.textContent('#title'), 'Counting');
      assert.match(await page.title(), /Counting/);
      assert.equal(await page.textContent('#count-out'), '30');
      assert.equal(await page.textContent('#count-err'), '0');
    }, { args: ['--title', 'Counting'] });
  });

  test('follows the tail; scrolling up pauses without dropping lines; the button resumes', async () => {
    const gates = new Gates();
    const script = 'i=1; while [ $i -le 300 ]; do echo "line $i"; i=$((i+1)); done; wait_gate 1; '
      + 'while [ $i -le 600 ]; do echo "line $i"; i=$((i+1)); done; wait_gate 2';
    try {
      await session(gates.command(script), async (page) => {
        await waitForTexts(page, (t) => t.at(-1) === 'line 300', 'line 300 at the bottom');
        assert.equal(await page.isHidden('#resume'), true);

        await page.hover('#log');
        await page.mouse.wheel(0, -600);
        await page.waitForSelector('#resume:not([hidden])');
        await waitForTexts(page, (t) => !t.includes('line 300'), 'the view scrolled up');
        const scrollTop = () => page.$eval('#log', (el) => el.scrollTop);
        await waitFor('the smooth scroll to end', async () => {
          const a = await scrollTop();
          await new Promise((r) => setTimeout(r, 100));
          return a === await scrollTop();
        });
        const before = await texts(page);
        const selected = await page.evaluate(() => { // the reader selects a line to copy it
          const range = document.createRange();
          range.selectNodeContents(document.querySelectorAll('#rows .line .tx')[3]);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
          return getSelection().toString();
        });

        gates.open(1);
        await page.waitForFunction(() => document.querySelector('#count-out').textContent === '600');
        await page.waitForFunction(() => /300 new/.test(document.querySelector('#resume').textContent));
        assert.deepEqual(await texts(page), before, 'the view stays where the reader is');
        assert.equal(await page.evaluate(() => getSelection().toString()), selected, 'the selection survives');
        assert.match(await page.textContent('#resume'), /300 new/);

        await page.click('#resume');
        await waitForTexts(page, (t) => t.at(-1) === 'line 600', 'line 600 after resuming');
        assert.equal(await page.isHidden('#resume'), true);
        gates.open(2);
      });
    } finally {
      gates.remove();
    }
  });

  test('makes stderr visually distinct from stdout', async () => {
    await session(sh('echo to-stdout; echo to-stderr >&2'), async (page) => {
      await waitForTexts(page, (t) => t.includes('to-stderr') && t.includes('to-stdout'), 'both lines');
      const all = await rows(page);
      const out = all.find((r) => r.text === 'to-stdout');
      const err = all.find((r) => r.text === 'to-stderr');
      assert.ok(out && !out.err && err && err.err);
      const props = ['color', 'backgroundColor', 'borderLeftColor'];
      const a = await computed(page, rowSel(out.n), props);
      const b = await computed(page, rowSel(err.n), props);
      assert.notEqual(a.backgroundColor, b.backgroundColor);
      assert.notEqual(a.borderLeftColor, b.borderLeftColor);
    });
  });

  test('renders \\e[31mred\\e[0m as red text without escape characters', async () => {
    await session(sh("printf '\\033[31mred\\033[0m plain\\n'"), async (page) => {
      await waitForTexts(page, (t) => t.length === 1, 'the line');
      const text = await page.textContent(`${rowSel(1)} .tx`);
      assert.equal(text, 'red plain');
      assert.ok(!/\x1b|\[31m|\[0m/.test(text));
      const span = await page.$eval(`${rowSel(1)} .tx`, (tx) => {
        const el = [...tx.querySelectorAll('span')].find((s) => s.textContent === 'red');
        return el && { color: getComputedStyle(el).color, base: getComputedStyle(tx).color };
      });
      assert.ok(span, 'a span holds "red"');
      const [r, g, b] = parseColor(span.color);
      assert.ok(r > 150 && r > g + 80 && r > b + 80, `red, got ${span.color}`);
      assert.notEqual(span.color, span.base);
    });
  });

  test('renders 256 colours, truecolor and text attributes, and removes other escapes', async () => {
    const script = [
      "printf '\\033[38;5;208morange\\033[0m|\\033[48;5;21mbluebg\\033[0m|\\033[38;2;10;200;30mtrue\\033[0m|\\033[38:2::1:2:3mcolon\\033[0m\\n'",
      "printf '\\033[1mbold\\033[22m|\\033[3mitalic\\033[23m|\\033[4munder\\033[24m|\\033[2mdim\\033[0m|\\033[7minverse\\033[27m|\\033[92mbright\\033[39m\\n'",
      "printf '\\033]0;window title\\007\\033[?25l\\033[2J\\033[Hclean\\033(B\\033]8;;http://x/\\033\\\\link\\033]8;;\\033\\\\\\033[?25h\\n'",
    ].join('; ');
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      assert.deepEqual(await texts(page), [
        'orange|bluebg|true|colon', 'bold|italic|under|dim|inverse|bright', 'cleanlink']);
      const styleOf = (n, word) => page.$eval(`${rowSel(n)} .tx`, (tx, w) => {
        const el = [...tx.querySelectorAll('span')].find((s) => s.textContent === w);
        if (!el) return null;
        const cs = getComputedStyle(el);
        return {
          color: cs.color, background: cs.backgroundColor, weight: cs.fontWeight, style: cs.fontStyle,
          decoration: cs.textDecorationLine, opacity: cs.opacity, rowColor: getComputedStyle(tx).color,
          rowBackground: getComputedStyle(tx.closest('.line')).backgroundColor,
        };
      }, word);
      assert.deepEqual(parseColor((await styleOf(1, 'orange')).color), [255, 135, 0]);
      assert.deepEqual(parseColor((await styleOf(1, 'bluebg')).background), [0, 0, 255]);
      assert.deepEqual(parseColor((await styleOf(1, 'true')).color), [10, 200, 30]);
      assert.deepEqual(parseColor((await styleOf(1, 'colon')).color), [1, 2, 3]);
      assert.ok(Number((await styleOf(2, 'bold')).weight) >= 700);
      assert.equal((await styleOf(2, 'italic')).style, 'italic');
      assert.match((await styleOf(2, 'under')).decoration, /underline/);
      assert.ok(Number((await styleOf(2, 'dim')).opacity) < 1);
      const inverse = await styleOf(2, 'inverse');
      assert.equal(inverse.background, inverse.rowColor, 'inverse: background is the text colour');
      const bright = await styleOf(2, 'bright');
      assert.notEqual(bright.color, bright.rowColor);
      assert.equal(await page.$$eval(`${rowSel(3)} .tx span`, (s) => s.length), 0, 'nothing styled on line 3');
    });
  });

  test('shows HTML in the output as text and runs none of it', async () => {
    const lines = [
      '<img src=x onerror="window.__pwned=1">',
      '<script>window.__pwned=2</script>',
      '<b>not bold</b> &amp; <a href="javascript:alert(1)">no link</a>',
    ];
    const requested = [];
    await session(['printf', '%s\\n', ...lines], async (page, server) => {
      page.on('request', (r) => requested.push(new URL(r.url()).pathname));
      await page.goto(server.url);
      await waitForExitBanner(page);
      assert.deepEqual(await texts(page), lines);
      assert.equal(await page.$$eval('#rows img, #rows script, #rows b, #rows .tx a', (els) => els.length), 0);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assert.ok(!requested.includes('/x'), 'no image was requested');
    }, { suffix: null });
  });

  test('overwrites the line on \\r as a terminal does', async () => {
    const script = "printf '10%%\\r50%%\\r100%%\\n'; printf 'abcdef\\rXY\\n'; printf 'abcdef\\rXY\\033[K\\n'; printf 'done\\n'";
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      const shown = await rows(page);
      assert.deepEqual(shown.map((r) => r.text), ['100%', 'XYcdef', 'XY', 'done']);
      // An overwrite adds no row; a row is numbered by its first segment, as
      // every viewer numbers it (line N: the run's N-th output event).
      assert.deepEqual(shown.map((r) => r.n), [1, 4, 6, 8]);
      assert.equal(await page.textContent('#count-out'), '8', "/status's count of stdout events");
    });
  });

  test('shows a prompt before its newline arrives, and continues that line', async () => {
    const gates = new Gates();
    const script = "printf 'Password: '; wait_gate 1; printf 'warning\\n' >&2; wait_gate 2; printf 'hunter2\\n'; printf 'after\\n'";
    try {
      await session(gates.command(script), async (page) => {
        await waitForTexts(page, (t) => t.length === 1 && t[0] === 'Password: ', 'the prompt');
        gates.open(1);
        await waitForTexts(page, (t) => t.length === 2, 'the stderr line');
        assert.deepEqual(await texts(page), ['Password: ', 'warning']);
        gates.open(2);
        await waitForExitBanner(page);
        const shown = await rows(page);
        assert.deepEqual(shown.map((r) => [r.n, r.text, r.err]),
          [[1, 'Password: hunter2', false], [2, 'warning', true], [4, 'after', false]]);
      });
    } finally {
      gates.remove();
    }
  });

  test('removes an escape sequence that a pause cut in two', async () => {
    const gates = new Gates();
    // The first half is sent as a `partial` segment (200 ms without a newline).
    const script = "printf 'abc\\033[3'; wait_gate 1; printf '1mred\\033[0m def\\n'";
    try {
      await session(gates.command(script), async (page) => {
        await waitForTexts(page, (t) => t.join() === 'abc', 'the first half, without the escape');
        gates.open(1);
        await waitForExitBanner(page);
        assert.deepEqual(await texts(page), ['abcred def']);
        const color = await page.$eval(`${rowSel(1)} .tx span`, (el) => el.textContent === 'red' && getComputedStyle(el).color);
        assert.ok(color, 'the colour applies to "red"');
        const [r, g, b] = parseColor(color);
        assert.ok(r > g + 80 && r > b + 80);
      });
    } finally {
      gates.remove();
    }
  });

  test('filters by substring and /regex/ over all lines, not just the rendered ones', async () => {
    const script = 'echo apple; echo banana; echo cherry; echo "Apple pie"; i=1; '
      + 'while [ $i -le 3000 ]; do echo "filler $i"; [ $i -eq 1500 ] && echo "a needle in the middle"; i=$((i+1)); done';
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      await page.waitForFunction(() => document.querySelector('#count-out').textContent === '3,005');
      const filterBy = async (q, expected) => {
        await page.fill('#filter', q);
        await waitForTexts(page, (t) => JSON.stringify(t) === JSON.stringify(expected), `filter ${q} → ${expected}`);
      };
      await filterBy('an', ['banana']);
      await filterBy('apple', ['apple', 'Apple pie']);
      await filterBy('Apple', ['Apple pie']); // a capital makes it case-sensitive
      await filterBy('/^(apple|cherry)$/', ['apple', 'cherry']);
      await filterBy('needle', ['a needle in the middle']);
      const hit = await rows(page);
      assert.equal(hit[0].n, 1505, 'keeps the line number');
      await page.fill('#filter', '/(/');
      await page.waitForSelector('#filter.invalid');
      await page.fill('#filter', '');
      await waitForTexts(page, (t) => t.at(-1) === 'filler 3000' && t.length > 10, 'everything back');
    });
  });

  test('has stdout and stderr toggles', async () => {
    // stdout and stderr are separate pipes: their relative order is not the point here.
    const sorted = (t) => [...t].sort().join();
    await session(sh('echo out1; echo err1 >&2; echo out2'), async (page) => {
      await waitForExitBanner(page);
      assert.equal(sorted(await texts(page)), 'err1,out1,out2');
      await page.uncheck('#show-err');
      await waitForTexts(page, (t) => t.join() === 'out1,out2', 'stdout only');
      await page.check('#show-err');
      await page.uncheck('#show-out');
      await waitForTexts(page, (t) => t.join() === 'err1', 'stderr only');
      await page.check('#show-out');
      await waitForTexts(page, (t) => sorted(t) === 'err1,out1,out2', 'both again');
    });
  });

  test('shows timestamps and wraps long lines on request', async () => {
    const long = 'x'.repeat(600);
    await session(['printf', '%s\\n', 'short', long], async (page) => {
      await waitForExitBanner(page);
      assert.equal(await page.$$eval('#rows .ts', (e) => e.length), 0);
      // The button cycles off → clock → elapsed → delta → off; `t` does the same.
      const stampsNow = () => page.$$eval('#rows .ts', (e) => e.map((x) => x.textContent));
      await page.click('#opt-time');
      await page.waitForSelector('#rows .ts');
      assert.equal(await page.textContent('#opt-time'), 'time: clock');
      let stamps = await stampsNow();
      assert.equal(stamps.length, 2);
      for (const s of stamps) assert.match(s, /^\d\d:\d\d:\d\d\.\d{3}$/);
      await page.click('#opt-time');
      await waitFor('elapsed stamps', async () => {
        const now = await stampsNow();
        return now.length === 2 && now.every((s) => /^\d+:\d\d\.\d{3}$/.test(s));
      });
      await page.click('#log');
      await page.keyboard.press('t');
      await waitFor('delta stamps', async () => {
        stamps = await stampsNow();
        return stamps.length === 2 && stamps.every((s) => /^\+\d+\.\d{3}s$/.test(s)) && stamps;
      });
      assert.equal(stamps[0], '+0.000s'); // the first line has none before it
      assert.equal(await page.textContent('#opt-time'), 'time: delta');
      await page.click('#opt-time');
      await page.waitForFunction(() => !document.querySelector('#rows .ts'));
      assert.equal(await page.textContent('#opt-time'), 'time: off');

      const height = () => page.$eval(rowSel(2), (el) => el.getBoundingClientRect().height);
      const one = await page.$eval(rowSel(1), (el) => el.getBoundingClientRect().height);
      assert.equal(await height(), one, 'unwrapped: one row');
      await page.check('#opt-wrap');
      await page.waitForFunction((h) => document.querySelector('#rows .line[data-line="2"]').getBoundingClientRect().height > 3 * h, one);
    });
  });

  test('highlights the line of a #L permalink and makes one on click', async () => {
    const script = 'i=1; while [ $i -le 20 ]; do echo "line $i"; i=$((i+1)); done';
    await session(sh(script), async (page, server) => {
      await page.goto(`${server.url}#L5`);
      await waitForTexts(page, (t) => t.length === 20, '20 lines');
      const shown = await rows(page);
      assert.deepEqual(shown.filter((r) => r.hl).map((r) => r.n), [5]);
      const hl = await computed(page, rowSel(5), ['backgroundColor']);
      const plain = await computed(page, rowSel(4), ['backgroundColor']);
      assert.notEqual(hl.backgroundColor, plain.backgroundColor);

      await page.click(`${rowSel(7)} .ln`);
      await page.waitForFunction(() => location.hash === '#L7');
      await page.waitForSelector(`${rowSel(7)}.hl`);
      assert.deepEqual((await rows(page)).filter((r) => r.hl).map((r) => r.n), [7]);
    }, { suffix: null });
  });

  test('scrolls to a #L permalink far up a long log', async () => {
    // The command pauses right after line 1234, so that the page reveals it as
    // the last line it has; the rest of the log and the exit banner (which
    // makes the view shorter) must not push it out of sight.
    const gates = new Gates();
    const script = 'i=1; while [ $i -le 1234 ]; do echo "line $i"; i=$((i+1)); done; wait_gate 1; '
      + 'while [ $i -le 5000 ]; do echo "line $i"; i=$((i+1)); done';
    const inView = (page) => page.$eval(rowSel(1234), (el) => {
      const r = el.getBoundingClientRect();
      const v = document.querySelector('#view').getBoundingClientRect();
      return r.top >= v.top && r.bottom <= v.bottom;
    });
    try {
      await session(gates.command(script), async (page, server) => {
        await page.goto(`${server.url}#L1234`);
        await page.waitForSelector(`${rowSel(1234)}.hl`);
        assert.ok(await inView(page), 'line 1234 is within the viewport when it arrives');
        gates.open(1);
        await waitForExitBanner(page);
        await page.waitForFunction(() => document.querySelector('#count-out').textContent === '5,000');
        await page.waitForSelector(`${rowSel(1234)}.hl`);
        assert.ok(await inView(page), 'line 1234 is within the viewport at the end');
        assert.equal(await page.textContent(`${rowSel(1234)} .tx`), 'line 1234');
      }, { suffix: null });
    } finally {
      gates.remove();
    }
  });

  test('folds GitHub groups', async () => {
    const script = "printf 'before\\n::group::Build step\\ncompiling a\\ncompiling b\\n::endgroup::\\nafter\\n'";
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      // A group that ended while the view followed is folded, showing its size
      // (the server found it: GET sections).
      await waitForTexts(page, (t) => t.join() === 'before,Build step,after', 'the group folded');
      const head = (await rows(page)).find((r) => r.head);
      assert.equal(head.n, 2);
      assert.match(await page.textContent(rowSel(2)), /2 lines/);
      await page.click(`${rowSel(2)} .tx`);
      await waitForTexts(page, (t) => t.join() === 'before,Build step,compiling a,compiling b,after', 'unfolded');
      assert.deepEqual((await rows(page)).map((r) => r.n), [1, 2, 3, 4, 6], 'the end marker is not shown');
      assert.equal(await page.getAttribute(`${rowSel(2)} .fold`, 'aria-expanded'), 'true');
      await page.click(`${rowSel(2)} .fold`);
      await waitForTexts(page, (t) => t.join() === 'before,Build step,after', 'folded again');
    });
  });

  test('folds GitLab and Buildkite sections', async () => {
    const script = [
      "printf '\\033[0Ksection_start:1700000000:deps[collapsed=true]\\r\\033[0KInstalling deps\\n'",
      "printf 'dep one\\ndep two\\n'",
      "printf '\\033[0Ksection_end:1700000001:deps\\r\\033[0K\\n'",
      "printf '\\033[0Ksection_start:1700000002:tests\\r\\033[0KRunning tests\\n'",
      "printf 'test ok\\n'",
      "printf '\\033[0Ksection_end:1700000003:tests\\r\\033[0K\\n'",
      "printf '%s\\n' '--- Setup' 'setting up' '+++ Deploy' 'deploying'",
    ].join('; ');
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      // collapsed=true folds; a plain GitLab section stays open; Buildkite's
      // `---` folds once the next section starts, `+++` stays open.
      await waitForTexts(page, (t) => t.join() === 'Installing deps,Running tests,test ok,Setup,Deploy,deploying', 'the sections folded');
      const heads = (await rows(page)).filter((r) => r.head).map((r) => r.text);
      assert.deepEqual(heads, ['Installing deps', 'Running tests', 'Setup', 'Deploy']);
      await page.click(`${rowSel(1)} .tx`);
      await waitForTexts(page, (t) => t.slice(0, 3).join() === 'Installing deps,dep one,dep two', 'deps unfolded');
      await page.click('#rows .line.head:has-text("Running tests") .tx');
      await waitForTexts(page, (t) => !t.includes('test ok'), 'tests folded');
    }, { args: ['--sections', 'github,gitlab,buildkite'] }); // Buildkite's markers are sections only under Buildkite
  });

  test('`--- ` lines (go test, diff -u) are not sections outside Buildkite', async () => {
    const script = "printf '%s\\n' '--- FAIL: TestB (0.00s)' '    b_test.go:5: wrong' '--- a/x' '+++ b/x' 'end'";
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      await waitFor('the run\'s index', () => page.evaluate(async () => (await (await fetch('problems')).json()).complete));
      await waitForTexts(page, (t) => t.length === 5, 'every line');
      assert.deepEqual((await rows(page)).filter((r) => r.head), []);
    });
  });

  test('shows the exit status in a banner and stops requesting events', async () => {
    const requests = [];
    await session(sh('echo bye; exit 3'), async (page, server) => {
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.endsWith('/events')) requests.push(Date.now());
      });
      await page.goto(server.url);
      await waitForExitBanner(page);
      assert.match(await page.textContent('#banner'), /exited with code 3/);
      assert.match(await page.textContent('#state'), /exited 3/);
      assert.match(await page.title(), /✗/);
      const count = requests.length;
      assert.ok(count >= 1);
      await page.waitForTimeout(5000); // the one wait that has to be a wait: nothing may happen
      assert.equal(requests.length, count, 'no request to events after exit');
      assert.equal(await page.textContent('#conn'), 'closed');
    }, { suffix: null });
  });

  test('names the signal that killed the command', async () => {
    await session(sh('echo going; kill -TERM $$'), async (page) => {
      await waitForExitBanner(page);
      assert.match(await page.textContent('#banner'), /SIGTERM/);
    });
  });

  test('closes the stream of a hidden tab and resumes from Last-Event-ID when shown', async () => {
    const gates = new Gates();
    const eventRequests = [];
    const setVisibility = (page, state) => page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
    try {
      await session(gates.command('echo one; wait_gate 1; echo two; wait_gate 2'), async (page, server) => {
        page.on('request', (r) => {
          if (new URL(r.url()).pathname.endsWith('/events')) eventRequests.push(r.headers());
        });
        await page.goto(server.url);
        await waitForTexts(page, (t) => t.join() === 'one', 'first line');
        await waitFor('one client', async () => (await status(server)).clients === 1);
        await setVisibility(page, 'hidden');
        await waitFor('the stream to close', async () => (await status(server)).clients === 0);
        await page.waitForFunction(() => document.querySelector('#conn').textContent === 'paused (tab hidden)');
        gates.open(1);
        await waitFor('the second line', async () => (await status(server)).stdout_lines >= 2);
        assert.deepEqual(await texts(page), ['one']);
        await setVisibility(page, 'visible');
        await waitForTexts(page, (t) => t.join() === 'one,two', 'the missed line, once');
        assert.equal(eventRequests.length, 2);
        assert.equal(eventRequests[0]['last-event-id'], undefined);
        assert.match(eventRequests[1]['last-event-id'] ?? '', /^.+\.2$/, 'resumes after start and "one"');
        gates.open(2);
        await waitForExitBanner(page);
        assert.deepEqual(await texts(page), ['one', 'two']);
      }, { args: ['--heartbeat', '1'], suffix: null });
    } finally {
      gates.remove();
    }
  });

  test('keeps trying when the server is full (503) and gets in when a place frees', async () => {
    const gates = new Gates();
    try {
      await session(gates.command('echo hello; wait_gate 1'), async (first, server) => {
        await first.goto(server.url);
        await waitForTexts(first, (t) => t.join() === 'hello', 'the first page');
        const second = await context.newPage();
        try {
          const refused = [];
          second.on('response', (r) => {
            if (r.status() === 503) refused.push(r.url());
          });
          await second.goto(server.url);
          await waitFor('a refusal', async () => refused.length > 0);
          await second.waitForFunction(() => document.querySelector('#conn').textContent === 'reconnecting');
          await first.close();
          await second.waitForFunction(() => document.querySelector('#conn').textContent === 'live', null, { timeout: 20000 });
          await waitForTexts(second, (t) => t.join() === 'hello', 'the output, on the second page');
          gates.open(1);
          await waitForExitBanner(second);
        } finally {
          await second.close();
        }
      }, { args: ['--max-clients', '1', '--heartbeat', '1'], suffix: null });
    } finally {
      gates.remove();
    }
  });

  // A page opened after a 50-line run that waits at its end, with `args`; `check` looks at
  // the page once the last line is shown.
  async function lateArrival(args, check) {
    const gates = new Gates();
    const script = 'i=1; while [ $i -le 50 ]; do echo "line $i"; i=$((i+1)); done; wait_gate 1';
    try {
      await session(gates.command(script), async (page, server) => {
        await waitFor('50 lines', async () => (await status(server)).stdout_lines === 50);
        await page.goto(server.url);
        await waitForTexts(page, (t) => t.at(-1) === 'line 50', 'the last line');
        await check(page);
        gates.open(1);
        await waitForExitBanner(page);
      }, { args, suffix: null });
    } finally {
      gates.remove();
    }
  }

  test('asks for the event stream while its modules load, once, and reads that answer', async () => {
    await session(sh('echo one; echo two'), async (page, server) => {
      const order = [];
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (path.endsWith('/events')) order.push(`events ${r.headers()['last-event-id'] ?? ''}`);
      });
      // app.js is held back until the stream was asked for: without the early request, the
      // page would ask for it only once app.js ran, and never show a line.
      let asked;
      const streamAsked = new Promise((resolve) => { asked = resolve; });
      page.on('request', (r) => { if (new URL(r.url()).pathname.endsWith('/events')) asked(); });
      await page.route('**/app.js', async (route) => {
        await streamAsked;
        order.push('app.js');
        await route.continue();
      });
      await page.goto(server.url);
      await waitForExitBanner(page);
      assert.deepEqual(await texts(page), ['one', 'two']);
      assert.deepEqual(order, ['events ', 'app.js'], 'one request, from the start, before app.js');
    }, { suffix: null });
  });

  test('a long stream read in the page goes on in the worker, resuming after its last event: nothing lost or twice', async () => {
    const gates = new Gates();
    const requests = [];
    try {
      // Two bursts of 30,000 lines, each more than the page reads before it hands over
      // (during the first if the worker has loaded by then, else during the second).
      const script = 'seq -f "line %g" 1 30000; wait_gate 1; seq -f "line %g" 30001 60000; wait_gate 2';
      await session(gates.command(script), async (page, server) => {
        page.on('request', (r) => {
          if (new URL(r.url()).pathname.endsWith('/events')) requests.push(r.headers()['last-event-id'] ?? '');
        });
        await waitFor('30,000 lines', async () => (await status(server)).stdout_lines === 30000);
        await page.goto(server.url);
        await page.waitForFunction(() => document.querySelector('#count-out').textContent === '30,000');
        // The worker has loaded: the second burst goes there at the latest.
        await waitFor('the stream worker', () => page.workers().length > 0);
        await page.workers()[0].evaluate(() => true);
        gates.open(1);
        await page.waitForFunction(() => document.querySelector('#count-out').textContent === '60,000');
        assert.equal(requests.length, 2, JSON.stringify(requests));
        assert.equal(requests[0], '');
        // After more than the page reads before handing over, before the end.
        const resumed = Number(/^.+\.(\d+)$/.exec(requests[1])?.[1]);
        assert.ok(resumed > 20000 && resumed < 60001, `the worker resumes after ${requests[1]}`);
        gates.open(2);
        await waitForExitBanner(page);
        await page.click('#log');
        await page.keyboard.press('Control+f');
        await page.check('#find-regex');
        await page.fill('#find', '^line \\d+$');
        // Every line once: 60,000 matches, whichever is the current one.
        await waitFor('the find count', async () => / of 60,000$/.test(await findCount(page)));
        assert.equal(requests.length, 2);
      }, { suffix: null });
    } finally {
      gates.remove();
    }
  });

  test('notes events the server no longer had (--no-record: memory only)', async () => {
    await lateArrival(['--no-record', '--history', '10'], async (page) => {
      const shown = await texts(page);
      assert.match(shown[0], /events? no longer kept/);
      assert.ok(shown.length < 50);
    });
  });

  test('a late page gets every line from the run record, however small the history', async () => {
    await lateArrival(['--history', '10'], async (page) => {
      // Only the rows in view exist: each is its line's number, and nothing was missed.
      const shown = await rows(page);
      assert.ok(shown.length > 0);
      for (const row of shown) assert.equal(row.text, `line ${row.n}`);
      assert.equal(shown.at(-1).n, 50);
      await page.$eval('#log', (el) => { el.scrollTop = 0; });
      await waitForTexts(page, (t) => t[0] === 'line 1', 'line 1 at the top');
    });
  });

  test('Find: Ctrl-F and / open it; k of N over every line, rendered or not; Enter steps', async () => {
    const script = 'i=1; while [ $i -le 3000 ]; do echo "filler $i"; '
      + '[ $i -eq 5 ] && echo "Needle early"; [ $i -eq 2500 ] && echo "a needle and a NEEDLE"; '
      + 'i=$((i+1)); done; echo "<b>needle</b>"';
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      assert.equal(await page.isVisible('#findbar'), false);
      await page.click('#log');
      await page.keyboard.press('Control+f');
      await page.waitForSelector('#findbar:not([hidden])');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'find');
      await page.keyboard.type('needle');
      // Following the tail, the first match from the screen on is the last one. ('need', typed
      // half way, has the same count: wait for the whole word's mark.)
      await waitForCount(page, '4 of 4');
      await waitFor('the mark of the whole word', async () => JSON.stringify(await marks(page))
        === JSON.stringify([{ text: 'needle', cur: true, line: 3003 }]), { describe: async () => JSON.stringify(await marks(page)) });
      // Output stays text: the line's markup is shown, not interpreted.
      assert.equal(await page.$eval('#rows .line[data-line="3003"] .tx', (el) => el.textContent), '<b>needle</b>');
      assert.equal(await page.$$eval('#rows .tx b', (els) => els.length), 0);
      await page.keyboard.press('Enter'); // wraps to the first
      await waitForCount(page, '1 of 4');
      await waitFor('line 6 in view', async () => (await marks(page)).some((m) => m.line === 6 && m.cur));
      await page.keyboard.press('Enter');
      await waitForCount(page, '2 of 4');
      const second = await waitFor('line 2502 in view', async () => {
        const m = await marks(page);
        return m.some((x) => x.line === 2502 && x.cur) && m;
      });
      assert.deepEqual(second.filter((m) => m.line === 2502).map((m) => [m.text, m.cur]),
        [['needle', true], ['NEEDLE', false]]);
      await page.keyboard.press('Shift+Enter');
      await waitForCount(page, '1 of 4');
      // Marks on the scrollbar: the top (line 6) and about 5/6 down (line 2502), and the end.
      const ticks = await page.$$eval('#find-marks .fmark', (els) => els.map((el) => parseFloat(el.style.top)));
      const h = await page.$eval('#log', (el) => el.clientHeight);
      assert.equal(ticks.length, 3, JSON.stringify(ticks));
      ticks.sort((a, b) => a - b);
      assert.ok(ticks[0] < 0.01 * h && Math.abs(ticks[1] / h - 2501 / 3003) < 0.01 && ticks[2] > 0.99 * h - 2, JSON.stringify(ticks));
      // Case and regex, as /search means them.
      await page.check('#find-case');
      await waitForCount(page, '1 of 2');
      await page.uncheck('#find-case');
      await page.check('#find-regex');
      await page.fill('#find', '^needle|(');
      await page.waitForSelector('#find.invalid');
      assert.equal(await findCount(page), 'bad pattern');
      await page.fill('#find', '^needle');
      await waitForCount(page, '1 of 1');
      assert.deepEqual((await marks(page)).map((m) => m.line), [6]);
      // Esc closes it and its marks; / opens it again.
      await page.keyboard.press('Escape');
      await page.waitForSelector('#findbar', { state: 'hidden' });
      await waitFor('no marks left', async () => (await marks(page)).length === 0);
      assert.equal(await page.isVisible('#find-marks'), false);
      await page.keyboard.press('/');
      await page.waitForSelector('#findbar:not([hidden])');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'find');
    });
  });

  test('Find leaves the Filter as it is and counts the lines the filter hides', async () => {
    const script = 'echo "apple one"; echo "banana one"; echo "apple two"; echo "cherry"';
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      await page.fill('#filter', 'apple');
      await waitForTexts(page, (t) => t.join() === 'apple one,apple two', 'filtered');
      await page.click('#log'); // out of the filter box
      await page.keyboard.press('/');
      await page.keyboard.type('one');
      await waitForCount(page, '1 of 2');
      assert.deepEqual((await marks(page)).map((m) => [m.line, m.cur]), [[1, true]]);
      assert.equal(await page.inputValue('#filter'), 'apple');
      assert.deepEqual(await texts(page), ['apple one', 'apple two']);
      await page.keyboard.press('Enter'); // "banana one": counted, not shown
      await waitForCount(page, '2 of 2');
      assert.equal(await page.textContent('#find-note'), 'line 2 is hidden by the filter');
      assert.deepEqual(await texts(page), ['apple one', 'apple two']);
      await page.keyboard.press('Enter');
      await waitForCount(page, '1 of 2');
      assert.equal(await page.textContent('#find-note'), '');
    });
  });

  test('Find says how many events it could not search (gone from the server too)', async () => {
    await lateArrival(['--no-record', '--history', '10'], async (page) => {
      await page.keyboard.press('Control+f');
      await page.keyboard.type('line 4');
      // Lines 1..40 are gone (the history holds 41..50): 41..49 match.
      await waitForCount(page, '1 of 9');
      assert.equal(await page.textContent('#find-note'), '40 events not searched: the server no longer had them');
    });
  });

  test('Find over a long log searches a slice at a time: the page answers meanwhile', async () => {
    // 600,000 lines take far longer to search than one slice (10 ms) anywhere.
    const script = 'yes "an ordinary line of build output, neither here nor there" | head -n 599999; echo "the needle"';
    await session(sh(script), async (page) => {
      await waitForExitBanner(page, 120000);
      await page.click('#log');
      await page.keyboard.press('/');
      await page.evaluate(() => {
        window.__counts = [];
        new MutationObserver(() => window.__counts.push(document.querySelector('#find-count').textContent))
          .observe(document.querySelector('#find-count'), { childList: true, characterData: true, subtree: true });
      });
      await page.keyboard.type('needle');
      await waitForCount(page, '1 of 1');
      const counts = await page.evaluate(() => window.__counts);
      // Before the end: what was found so far (the old page searched in one task and said nothing until the end).
      assert.ok(counts.some((c) => /^[\d,]+ so far…$/.test(c)), JSON.stringify(counts.slice(0, 20)));
      assert.equal(await page.$eval('#rows mark.fm.cur', (el) => el.closest('.line').dataset.line), '600000');
    });
  });

  test('Problems: a panel with counts; entries, e/E and the failed banner jump to errors', async () => {
    const fixtures = new URL('fixtures/problems/', import.meta.url).pathname;
    // gcc's real output (2 errors, 3 warnings), then pytest's (2 failures), then a failed exit.
    const script = `cat '${fixtures}gcc.txt' '${fixtures}pytest.txt'; exit 2`;
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      const hl = async () => (await rows(page)).filter((r) => r.hl).map((r) => r.n);
      await waitFor('the server\'s problems', async () => await page.textContent('#problems-toggle') === 'Problems: 4 errors, 3 warnings');
      await page.waitForSelector('#first-error');
      assert.equal(await page.textContent('#first-error'), 'First error at line 5');
      await page.click('#first-error');
      await waitFor('line 5 highlighted', async () => (await hl(page)).join() === '5');
      await page.click('#log');
      await page.keyboard.press('e');
      await waitFor('line 11 highlighted', async () => (await hl(page)).join() === '11');
      await page.keyboard.press('e'); // the first pytest FAILED line: 22 lines of gcc, then 25
      await waitFor('line 47 highlighted', async () => (await hl(page)).join() === '47');
      await page.keyboard.press('E');
      await waitFor('back to line 11', async () => (await hl(page)).join() === '11');
      assert.equal(new URL(page.url()).hash, '#L11');
      // The panel: one entry per problem, in order, each jumping to its line.
      await page.keyboard.press('p');
      await page.waitForSelector('#problems:not([hidden])');
      await waitForProblems(page, 7);
      const entries = await page.$$eval('#problems-list .problem', (els) => els.map((el) => [
        el.querySelector('.sev').textContent, el.querySelector('.where').textContent]));
      assert.deepEqual(entries, [
        ['warning', 'prog.c:5:13 · line 2'], ['error', 'prog.c:6:18 · line 5'], ['error', 'prog.c:7:11 · line 11'],
        ['warning', 'prog.c:5:9 · line 17'], ['warning', 'prog.c:4:7 · line 20'],
        ['error', 'tests/test_calc.py:10 · line 47'], ['error', 'tests/test_calc.py:14 · line 48']]);
      await page.click('#problems-list .problem:nth-child(7)');
      await waitFor('line 48 highlighted', async () => (await hl(page)).join() === '48');
      // The server's pytest message names the test; its place is the test's line (SPEC §12).
      assert.equal(await page.textContent('#problems-list .problem:nth-child(7) .msg'), 'test_boom - RuntimeError: boom');
    });
  });

  test('Problems: --source-url links file:line, for relative paths only', async () => {
    const fixtures = new URL('fixtures/problems/', import.meta.url).pathname;
    const script = `cat '${fixtures}gcc.txt'; echo '::error file=../../etc/passwd,line=1::escape'; `
      + `echo '::warning file=/etc/shadow,line=2::absolute'; exit 1`;
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      await page.click('#problems-toggle');
      await waitForProblems(page, 7);
      const links = await page.$$eval('#problems-list .problem', (els) => els.map((el) => {
        const a = el.querySelector('a');
        return a ? [a.textContent, a.getAttribute('href'), a.rel] : el.querySelector('.where').textContent;
      }));
      assert.deepEqual(links.slice(0, 2), [
        ['prog.c:5:13', 'https://example.test/r/blob/main/prog.c#L5', 'noopener noreferrer'],
        ['prog.c:6:18', 'https://example.test/r/blob/main/prog.c#L6', 'noopener noreferrer'],
      ]);
      assert.deepEqual(links.slice(5), ['../../etc/passwd:1 · line 23', '/etc/shadow:2 · line 24']);
      // In the page's accent colour, not the browser's link blue (unreadable in dark mode).
      const [link, accent] = await page.$eval('#problems-list .problem a', (a) => {
        const probe = document.createElement('span');
        probe.style.color = 'var(--accent)';
        document.body.append(probe);
        const colours = [getComputedStyle(a).color, getComputedStyle(probe).color];
        probe.remove();
        return colours;
      });
      assert.equal(link, accent);
    }, { args: ['--source-url', 'https://example.test/r/blob/main/{file}#L{line}'] });
  });

  test('Problems: under GitHub Actions absolute paths in the workspace link to the commit (SPEC §13)', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ssetail-ws-'));
    try {
      const script = `echo '${workspace}/src/a.py:3: error: bad thing'; `
        + `printf 'Traceback (most recent call last):\\n  File "%s/check.py", line 2, in <module>\\n    main()\\nKeyError: 1\\n' '${workspace}'; `
        + "echo '/elsewhere/b.c:4: error: outside'; echo 'rel/c.c:5: error: relative'; exit 1";
      const env = envOutsideCi({
        GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'abc', GITHUB_WORKSPACE: workspace, GITHUB_WORKFLOW: 'CI', GITHUB_JOB: 'test',
      });
      await session(sh(script), async (page) => {
        await waitForExitBanner(page);
        await page.click('#problems-toggle');
        await waitForProblems(page, 4);
        const links = await page.$$eval('#problems-list .problem', (els) => els.map((el) => {
          const a = el.querySelector('a');
          return a ? [a.textContent, a.getAttribute('href')] : el.querySelector('.where').textContent;
        }));
        assert.deepEqual(links, [
          [`${workspace}/src/a.py:3`, 'https://github.com/o/r/blob/abc/src/a.py#L3'],
          [`${workspace}/check.py:2`, 'https://github.com/o/r/blob/abc/check.py#L2'],
          '/elsewhere/b.c:4 · line 6',
          ['rel/c.c:5', 'https://github.com/o/r/blob/abc/rel/c.c#L5'],
        ]);
        // The title is the workflow's and the job's.
        await waitFor('the title', async () => (await page.title()).includes('CI / test'),
          { describe: async () => `it is ${JSON.stringify(await page.title())}` });
      }, { env });
    } finally {
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });

  test('under GitHub Actions file:line in the log rows links to the commit; not outside the workspace, not times or URLs', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ssetail-ws-'));
    try {
      const script = `echo '${workspace}/src/a.py:3: error: bad thing'; `
        + `printf 'Traceback (most recent call last):\\n  File "%s/check.py", line 2, in <module>\\n    main()\\nKeyError: 1\\n' '${workspace}'; `
        + "echo '/usr/include/stdio.h:12: note: declared here'; echo 'done at 12:30:45, see https://example.com:8080/x.py:3'; "
        + "printf '\\033[1mrel/c.c:5:7:\\033[0m warning: unused\\n'; echo '::warning file=rel/d.c,line=9::look'; exit 1";
      const env = envOutsideCi({
        GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'abc', GITHUB_WORKSPACE: workspace,
      });
      const blob = 'https://github.com/o/r/blob/abc/';
      const rowLinks = (page) => page.$$eval('#rows .line', (els) => els.map((el) => [...el.querySelectorAll('.tx a')]
        .map((a) => [a.textContent, a.getAttribute('href'), a.target, a.rel])));
      await session(sh(script), async (page) => {
        await waitForExitBanner(page);
        await waitForTexts(page, (t) => t.length === 9, 'the lines');
        const link = (text, href) => [text, href, '_blank', 'noopener noreferrer'];
        assert.deepEqual(await rowLinks(page), [
          [link(`${workspace}/src/a.py:3`, `${blob}src/a.py#L3`)],
          [],
          [link(`${workspace}/check.py`, `${blob}check.py#L2`)],
          [], [], [], [],
          [link('rel/c.c:5:7', `${blob}rel/c.c#L5`)],
          [link('rel/d.c:9', `${blob}rel/d.c#L9`)], // an annotation's place
        ]);
        // The colours stay: the bold run is inside the link.
        assert.equal(await page.$$eval(`${rowSel(8)} .tx a .sb`, (els) => els.map((el) => el.textContent).join()), 'rel/c.c:5:7');
        // Copying gives the lines' text, links or not.
        const copied = await copyRows(page, 1, 3);
        assert.equal(copied, `${workspace}/src/a.py:3: error: bad thing\nTraceback (most recent call last):\n`
          + `  File "${workspace}/check.py", line 2, in <module>`);
        // Find marks a match inside a link, and across its end; the link stays.
        await page.click('#log');
        await page.keyboard.press('Control+f');
        await page.waitForSelector('#findbar:not([hidden])');
        await page.keyboard.type('a.py:3: err');
        await page.waitForSelector(`${rowSel(1)} mark`);
        assert.deepEqual((await rowLinks(page))[0], [link(`${workspace}/src/a.py:3`, `${blob}src/a.py#L3`)]);
        assert.equal(await page.$$eval(`${rowSel(1)} mark`, (els) => els.map((el) => el.textContent).join('')), 'a.py:3: err');
        // A click on the line's number still makes a permalink, not a visit.
        await page.click(`${rowSel(3)} .ln`);
        await waitFor('#L3', () => page.evaluate(() => location.hash === '#L3'));
      }, { env });
    } finally {
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });

  test('source links that come after the page drew (a /status slower than the page waits) link the rows and Problems', async () => {
    let release;
    const released = new Promise((r) => { release = r; });
    await session(sh("echo 'src/a.c:3:5: error: x'; exit 1"), async (page, server) => {
      await page.route(/\/status$/, async (route) => {
        await released;
        await route.continue();
      });
      await page.goto(server.url, { waitUntil: 'domcontentloaded' });
      await waitForTexts(page, (t) => t[0] === 'src/a.c:3:5: error: x', 'the rows, drawn without /status');
      await page.click('#problems-toggle');
      await page.waitForSelector('#problems-list .problem');
      assert.equal(await page.$$eval('#rows .tx a, #problems-list a', (els) => els.length), 0);
      release();
      const href = 'https://example.test/r/src/a.c#L3';
      await page.waitForSelector(`${rowSel(1)} .tx a.src[href="${href}"]`);
      await page.waitForSelector(`#problems-list .problem a[href="${href}"]`);
    }, { suffix: null, args: ['--source-url', 'https://example.test/r/{file}#L{line}'] });
  });

  test('Problems and sections follow a live run: the server\'s index is asked again as lines come', async () => {
    const gates = new Gates();
    const script = "echo 'a.c:1:1: error: one'; echo '::group::G'; echo 'in g'; wait_gate 1; "
      + "echo '::endgroup::'; echo 'a.c:2:1: warning: two'; wait_gate 2";
    const toggle = (page) => page.textContent('#problems-toggle');
    try {
      await session(gates.command(script), async (page) => {
        await waitFor('the first error', async () => await toggle(page) === 'Problems: 1 error, 0 warnings',
          { describe: async () => `it says ${JSON.stringify(await toggle(page))}` });
        await waitForTexts(page, (t) => t.join() === 'a.c:1:1: error: one,G,in g', 'the open section');
        assert.deepEqual((await rows(page)).filter((r) => r.head).map((r) => r.text), ['G']);
        gates.open(1);
        await waitFor('the warning', async () => await toggle(page) === 'Problems: 1 error, 1 warning',
          { describe: async () => `it says ${JSON.stringify(await toggle(page))}` });
        // The group ended while the view followed: folded.
        await waitForTexts(page, (t) => t.join() === 'a.c:1:1: error: one,G,a.c:2:1: warning: two', 'the section folded');
        gates.open(2);
        await waitForExitBanner(page);
      });
    } finally {
      gates.remove();
    }
  });

  test('Problems: none found, no button; a successful run offers no first error', async () => {
    await session(sh('echo "warning is just a word here"; echo all good'), async (page) => {
      await waitForExitBanner(page);
      assert.equal(await page.isVisible('#problems-toggle'), false);
      assert.equal(await page.$('#first-error'), null);
    });
  });

  test('range permalinks: #L3-L5 on load, Shift-click extends a range', async () => {
    const script = 'i=1; while [ $i -le 30 ]; do echo "line $i"; i=$((i+1)); done';
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      const hl = async () => (await rows(page)).filter((r) => r.hl).map((r) => r.n);
      await waitFor('3..5 highlighted', async () => (await hl(page)).join() === '3,4,5');
      await page.click(`${rowSel(10)} .ln`);
      await waitFor('10 highlighted', async () => (await hl(page)).join() === '10');
      assert.equal(new URL(page.url()).hash, '#L10');
      await page.click(`${rowSel(13)} .ln`, { modifiers: ['Shift'] });
      await waitFor('10..13 highlighted', async () => (await hl(page)).join() === '10,11,12,13');
      assert.equal(new URL(page.url()).hash, '#L10-L13');
      await page.click(`${rowSel(8)} .ln`, { modifiers: ['Shift'] }); // from the same anchor, upwards
      await waitFor('8..10 highlighted', async () => (await hl(page)).join() === '8,9,10');
      assert.equal(new URL(page.url()).hash, '#L8-L10');
      assert.equal(await page.evaluate(() => getSelection().toString()), '');
    }, { suffix: '#L3-L5' });
  });

  test('copying lines copies their text only: no line numbers, no timestamps', async () => {
    await session(sh('echo first line; echo second line'), async (page) => {
      await waitForExitBanner(page);
      await page.click('#opt-time');
      await page.waitForSelector('#rows .line .ts');
      const copied = await page.evaluate(() => {
        const range = document.createRange();
        range.setStartBefore(document.querySelector('#rows .line[data-line="1"]'));
        range.setEndAfter(document.querySelector('#rows .line[data-line="2"]'));
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        return getSelection().toString();
      });
      assert.equal(copied.trim(), 'first line\nsecond line');
    });
  });

  test('the tab title and favicon show the outcome', async () => {
    await session(sh('echo ok'), async (page) => {
      await waitForExitBanner(page);
      await waitFor('the ok icon', async () => (await page.getAttribute('#favicon', 'href')) === 'favicon-ok.svg');
      assert.match(await page.title(), /^✓ /);
      const icon = await page.evaluate(async () => (await fetch('favicon-ok.svg')).headers.get('Content-Type'));
      assert.match(icon, /^image\/svg\+xml/);
    });
    await session(sh('echo bad; exit 3'), async (page) => {
      await waitForExitBanner(page);
      await waitFor('the failed icon', async () => (await page.getAttribute('#favicon', 'href')) === 'favicon-failed.svg');
      assert.match(await page.title(), /^✗ /);
    });
  });

  test('"Notify me" gives a desktop notification when the run ends', async () => {
    const gates = new Gates();
    try {
      await session(gates.command('echo working; wait_gate 1; exit 4'), async (page, server) => {
        // A stand-in for the browser's Notification, granted, that records what it shows.
        await page.addInitScript(() => {
          window.shown = [];
          window.Notification = class {
            static permission = 'default';
            static async requestPermission() { this.permission = 'granted'; return 'granted'; }
            constructor(title, options) { window.shown.push([title, options.body]); }
          };
        });
        await page.goto(server.url);
        await waitForTexts(page, (t) => t.join() === 'working', 'the first line');
        await page.click('#log');
        await page.keyboard.press('m');
        await waitFor('asked', async () => (await page.textContent('#notify')) === 'Will notify ✓');
        assert.deepEqual(await page.evaluate(() => window.shown), []);
        gates.open(1);
        await waitForExitBanner(page);
        await waitFor('notified', async () => (await page.evaluate(() => window.shown)).length === 1);
        const [[title, body]] = await page.evaluate(() => window.shown);
        assert.match(title, /^✗ /);
        assert.match(body, /^The command exited with code 4 after /);
        assert.equal(await page.isVisible('#notify'), false);
      }, { suffix: null });
    } finally {
      gates.remove();
    }
  });

  test('? shows every key; any key or a click closes it', async () => {
    await session(sh('echo hi'), async (page) => {
      await waitForExitBanner(page);
      assert.equal(await page.isVisible('#help'), false);
      await page.click('#log');
      await page.keyboard.press('?');
      await page.waitForSelector('#help:not([hidden])');
      const keys = await page.$$eval('#help th', (els) => els.map((el) => el.textContent));
      for (const key of ['Ctrl+F, /', 'Enter, Shift+Enter', 'n, N', 'Esc', 'f', 't', 'e, E', 'p', 'm', '?']) {
        assert.ok(keys.includes(key), `${key} in ${JSON.stringify(keys)}`);
      }
      await page.keyboard.press('Escape');
      await page.waitForSelector('#help', { state: 'hidden' });
      await page.keyboard.press('?');
      await page.waitForSelector('#help:not([hidden])');
      await page.click('#help');
      await page.waitForSelector('#help', { state: 'hidden' });
    });
  });

  test('uses only relative URLs, so it works under a path prefix', async () => {
    await session(sh('echo behind a proxy'), async (page, server) => {
      const target = new URL(server.url);
      const proxy = http.createServer((req, res) => {
        if (!req.url.startsWith('/sub/')) {
          res.writeHead(404).end();
          return;
        }
        forward(req, res, target, req.url.slice(4));
      });
      await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
      const paths = [];
      page.on('request', (r) => paths.push(new URL(r.url()).pathname));
      try {
        await page.goto(`http://127.0.0.1:${proxy.address().port}/sub/`);
        await waitForExitBanner(page);
        assert.deepEqual(await texts(page), ['behind a proxy']);
        assert.ok(paths.length >= 4, paths.join());
        for (const p of paths) assert.ok(p.startsWith('/sub/'), `${p} is under /sub/`);
        assert.equal(await page.getAttribute('#download', 'href'), 'log');
        const log = await page.evaluate(async () => (await fetch(document.querySelector('#download').href)).text());
        assert.match(log, /behind a proxy/);
      } finally {
        await page.close();
        proxy.closeAllConnections?.();
        await new Promise((r) => proxy.close(r));
      }
    }, { suffix: null });
  });

  test('has a dark colour scheme', async () => {
    await session(sh('echo hi'), async (page, server) => {
      const brightness = async (p) => {
        await waitForExitBanner(p);
        const rgb = parseColor((await computed(p, 'body', ['backgroundColor'])).backgroundColor);
        return rgb.reduce((x, y) => x + y, 0) / 3;
      };
      assert.ok(await brightness(page) > 200, 'light');
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.ok(await brightness(page) < 60, 'dark');
    });
  });

  test('shows state, connection and elapsed time in the header while running', async () => {
    const gates = new Gates();
    try {
      await session(gates.command('echo working; echo oops >&2; wait_gate 1'), async (page) => {
        await waitForTexts(page, (t) => t.length === 2, 'two lines');
        assert.equal(await page.textContent('#state'), 'running');
        await page.waitForFunction(() => document.querySelector('#conn').textContent === 'live');
        assert.equal(await page.textContent('#count-out'), '1');
        assert.equal(await page.textContent('#count-err'), '1');
        assert.match(await page.textContent('#elapsed'), /^\d+:\d\d$/);
        gates.open(1);
        await waitForExitBanner(page);
        assert.match(await page.textContent('#banner'), /exited with code 0/);
      });
    } finally {
      gates.remove();
    }
  });
});

// SPEC §13: the page as the CI log view people pick. Each of these failed on
// the page before it (see the commit that added them).
describe('ssetail page: a CI log view', () => {
  const fixtures = new URL('fixtures/problems/', import.meta.url).pathname;
  // gcc's real output (2 errors, 3 warnings: lines 2, 5, 11, 17, 20), pytest's (2 failures), a failed exit.
  const failingBuild = sh(`cat '${fixtures}gcc.txt' '${fixtures}pytest.txt'; exit 2`);
  const hl = async (page) => (await rows(page)).filter((r) => r.hl).map((r) => r.n);

  test('a finished run opens as finished: no "running", "live", clock from the start or "Notify me"', async () => {
    await session(sh('seq 1 100000'), async (page, server) => {
      // Opened well after the end: a clock running from the start would say 0:02 or more.
      await waitFor('the run to have ended 2.5 s ago', async () => {
        const s = await status(server);
        return s.state === 'exited' && Date.now() - Date.parse(s.started) > 2500;
      }, { timeout: 30000 });
      await page.addInitScript(() => {
        window.Notification = class {
          static permission = 'default';
          static async requestPermission() { return 'default'; }
        };
        // What the header, the tab and "Notify me" say, at every change and every frame.
        const seen = [];
        window.__seen = seen;
        const look = () => {
          const q = (id) => document.getElementById(id);
          if (!q('rows')) return;
          seen.push({
            state: q('state').textContent, conn: q('conn').textContent, elapsed: q('elapsed').textContent,
            icon: q('favicon').getAttribute('href'), title: document.title, notify: !q('notify').hidden,
            rows: q('rows').children.length,
          });
        };
        new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
        const frame = () => {
          look();
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      });
      await page.goto(server.url);
      await waitForExitBanner(page, 60000);
      const seen = await page.evaluate(() => window.__seen);
      const drawn = seen.filter((s) => s.rows > 0);
      assert.ok(drawn.length > 0, 'lines were drawn');
      const values = (key) => [...new Set(seen.map((s) => s[key]))];
      for (const state of values('state')) assert.ok(['', 'exited 0'].includes(state), `state ${JSON.stringify(values('state'))}`);
      assert.ok(!values('conn').includes('live'), `conn ${JSON.stringify(values('conn'))}`);
      // Its duration (a tenth of a second or so), never a clock from its start.
      const elapsed = values('elapsed').filter((e) => e !== '');
      assert.equal(elapsed.length, 1, `elapsed ${JSON.stringify(values('elapsed'))}`);
      assert.match(elapsed[0], /^0\.\d\u00a0s$/);
      assert.deepEqual(values('notify'), [false], '"Notify me" never offered');
      for (const s of drawn) {
        assert.equal(s.icon, 'favicon-ok.svg');
        assert.equal(s.title, '✓ Counting');
      }
    }, { suffix: null, args: ['--title', 'Counting'] });
  });

  test('line N is the run\'s N-th output line for every viewer: #L, the first error, Problems, e, the header\'s counts', async () => {
    // 200,000 lines: an error, a section, line N's text is N from line 5 on, an error on stderr
    // at line 200,001, then (live) 99 more lines. The server's index has the early lines before
    // they leave a 1,000-event history (gate 1 waits for it); the stderr line comes after the
    // last stdout one (gate 2: else it may be published before stdout's pipe is drained).
    const script = 'echo "src/x.c:1:2: error: early"; echo "::group::early"; echo in; echo "::endgroup::"; wait_gate 1; '
      + 'seq 5 200000; wait_gate 2; echo "src/x.c:3:4: error: late" >&2; wait_gate 3; seq 200002 200100; wait_gate 4; exit 1';
    const index = async (server) => (await fetch(new URL('problems', server.url))).json();
    const sections = async (server) => (await (await fetch(new URL('sections', server.url))).json()).sections;
    const counts = async (page) => [await page.textContent('#count-out'), await page.textContent('#count-err')];
    const statusCounts = async (server) => {
      const s = await status(server);
      return [s.stdout_lines, s.stderr_lines].map((n) => n.toLocaleString('en-US'));
    };
    // The highlighted row once it is line n (0: the gap's note): the row lit before may still be
    // lit for a moment after the hash changes.
    const lit = (page, n) => waitFor(`row ${n} highlighted`, async () => (await rows(page)).find((r) => r.hl && r.n === n),
      { describe: async () => JSON.stringify((await rows(page)).filter((r) => r.hl)) });
    // A viewer that holds only the last 1,000 events (a gap before them), and one that holds them all.
    for (const args of [['--no-record', '--history', '1000'], []]) {
      const partial = args.length > 0;
      const gates = new Gates();
      try {
        const what = partial ? 'the partial viewer' : 'the full viewer';
        await session(gates.command(script), async (page, server) => {
          await waitFor('the early error and section in the index', async () => (await index(server)).errors === 1
            && (await sections(server)).some((s) => s.title === 'early' && s.last));
          gates.open(1);
          await waitFor('line 200,000', async () => (await status(server)).stdout_lines === 200000, { timeout: 60000 });
          gates.open(2);
          await waitFor('line 200,001 indexed', async () => (await index(server)).errors === 2,
            { timeout: 60000, describe: async () => JSON.stringify([await index(server), await status(server)]) });
          // A late joiner, while the run goes on.
          await page.goto(`${server.url}#L199500`);
          const held = await lit(page, 199500);
          assert.deepEqual([held.n, held.text], [199500, '199500'], what);
          await waitFor(`${what}'s counts to be /status's`, async () => (await counts(page)).join() === (await statusCounts(server)).join(),
            { describe: async () => JSON.stringify([await counts(page), await statusCounts(server)]) });
          assert.deepEqual(await counts(page), ['200,000', '1']);
          gates.open(3);
          await waitFor(`${what}'s counts to follow the run`, async () => (await counts(page)).join() === '200,099,1',
            { describe: async () => JSON.stringify(await counts(page)) });
          gates.open(4);
          await waitForExitBanner(page);
          assert.deepEqual(await counts(page), await statusCounts(server));
          const first = await page.waitForSelector('#first-error');
          assert.equal(await first.textContent(), 'First error at line 1', what);

          // #L1: the early error, or for the partial viewer the note that stands for it.
          await page.evaluate(() => { location.hash = '#L1'; });
          const one = await lit(page, partial ? 0 : 1);
          if (partial) {
            assert.deepEqual([one.n, one.head], [0, false]);
            assert.match(one.text, /^⋯ 199,00\d events no longer kept/);
          } else assert.deepEqual([one.n, one.text], [1, 'src/x.c:1:2: error: early']);
          await page.$eval('#log', (el) => { el.scrollTop = 0; });
          await waitForTexts(page, (t) => t.length > 5 && /^(src\/x\.c:1|⋯ )/.test(t[0]), 'the top');
          const top = await page.$$eval('#rows .line', (els) => els.map((el) => ({
            n: Number(el.querySelector('.ln').textContent), text: el.querySelector('.tx').textContent, cls: el.className,
          })));
          const counted = top.filter((r) => /^\d+$/.test(r.text)); // line N's text is N
          assert.ok(counted.length > 20, JSON.stringify(top));
          for (const r of counted) assert.equal(String(r.n), r.text, `${what}: ${JSON.stringify(r)}`);
          if (partial) {
            // The note has no number, is no section header and no error, though the server's index has both in it.
            assert.equal(top[0].n, 0);
            assert.match(top[0].text, /no longer kept/);
            assert.doesNotMatch(top[0].cls, /head|problem-error/);
          }

          // The Problems panel and e/E say and link the run's numbers.
          await page.click('#problems-toggle');
          await page.waitForSelector('#problems:not([hidden])');
          // The page asks the server's index again after the exit (a second later at most): wait for that.
          const wheres = () => page.$$eval('#problems-list .problem .where', (els) => els.map((el) => el.textContent));
          const expected = ['src/x.c:1:2 · line 1', 'src/x.c:3:4 · line 200001'];
          await waitFor(`${what}'s Problems`, async () => JSON.stringify(await wheres()) === JSON.stringify(expected),
            { describe: async () => JSON.stringify(await wheres()) });
          await page.click('#problems-list .problem:last-child'); // the panel is not squeezed by a long log
          await waitFor('#L200001', () => page.evaluate(() => location.hash === '#L200001'));
          assert.deepEqual((({ n, text }) => [n, text])(await lit(page, 200001)), [200001, 'src/x.c:3:4: error: late']);
          await page.click('#log');
          await page.keyboard.press('e'); // wraps around to the first error
          await waitFor('#L1', () => page.evaluate(() => location.hash === '#L1'));
          await page.keyboard.press('e');
          await waitFor('#L200001 again', () => page.evaluate(() => location.hash === '#L200001'));
          await page.keyboard.press('E');
          await waitFor('#L1 again', () => page.evaluate(() => location.hash === '#L1'));

          // Find's match is on the line of the same number.
          await page.keyboard.press('/');
          await page.waitForSelector('#findbar:not([hidden])');
          await page.keyboard.type('199777');
          await waitForCount(page, '1 of 1');
          assert.deepEqual(await waitFor('the match in view', async () => (await marks(page))[0]), { text: '199777', cur: true, line: 199777 });
        }, { args, suffix: null });
      } finally {
        gates.remove();
      }
    }
  });

  test('a new run behind the same address (the server restarted): the header counts the new run, not the old one\'s /status', async () => {
    const gates = new Gates();
    let target = null; // the server the proxy forwards to
    const proxy = http.createServer((req, res) => forward(req, res, target, req.url));
    await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
    let second = null;
    try {
      // The old run: 5,000 lines, and it goes on.
      await session(gates.command('seq 5000; wait_gate 1'), async (page, server) => {
        target = new URL(server.url);
        await waitFor('line 5,000', async () => (await status(server)).stdout_lines === 5000);
        await page.goto(`http://127.0.0.1:${proxy.address().port}/`);
        await waitForTexts(page, (t) => t.includes('5000'), 'the old run\'s last line');
        await waitFor('the old run\'s counts', async () => (await page.textContent('#count-out')) === '5,000');
        // The new run behind the same address; the old server's stream breaks, the page reconnects.
        second = await startSsetail(BIN, gates.command('echo one; echo two >&2; wait_gate 2'), { linger: true });
        target = new URL(second.url);
        proxy.closeAllConnections();
        await waitForTexts(page, (t) => t.join() === 'one,two', 'the new run\'s lines', 30000);
        const counts = async () => [await page.textContent('#count-out'), await page.textContent('#count-err')];
        await waitFor('the new run\'s counts', async () => (await counts()).join() === '1,1', { describe: async () => JSON.stringify(await counts()) });
        assert.equal(await page.textContent('#state'), 'running');
        gates.open(2);
        await waitForExitBanner(page);
        assert.deepEqual(await counts(), ['1', '1']);
      }, { suffix: null, expectedErrors: /ERR_INCOMPLETE_CHUNKED_ENCODING/ }); // the old stream, broken
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
      if (second) await second.stop();
      gates.remove();
    }
  });

  // A run with a 60-line `::group::` section between two lines (1, 64), and
  // what copying all of it gives: the section's lines, never its placeholder.
  const sixtyLines = sh("echo before; echo '::group::Configure'; for i in $(seq 1 60); do echo \"checking $i\"; done; " +
    "echo '::endgroup::'; echo after");
  const sixtyText = ['Configure', ...Array.from({ length: 60 }, (_, k) => `checking ${k + 1}`), 'after'].join('\n');

  // Selects from offset `from` of line a's text to the end of line b's
  // (rendered rows both), or only starts there when b is null.
  const select = (page, a, from, b) => page.evaluate(([a, from, b]) => {
    const textOf = (n) => document.querySelector(`#rows .line[data-line="${n}"] .tx`).firstChild;
    const range = document.createRange();
    range.setStart(textOf(a), from);
    if (b === null) range.setEnd(textOf(a), textOf(a).length);
    else range.setEnd(textOf(b), textOf(b).length);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  }, [a, from, b]);

  // What Ctrl+C puts on the clipboard: the page's own text if it gave one
  // (read in the copy event, after the page's handler), else the browser's.
  async function copyWithKeys(page) {
    await page.evaluate(() => {
      window.copied = null;
      window.addEventListener('copy', (e) => {
        window.copied = e.defaultPrevented ? e.clipboardData.getData('text/plain') : getSelection().toString();
      }, { once: true });
    });
    await page.keyboard.press('Control+c');
    await waitFor('the copy event', () => page.evaluate(() => window.copied !== null));
    return page.evaluate(() => window.copied);
  }

  test('copying a selection across a folded section copies the section\'s lines, not its placeholder', async () => {
    await session(sixtyLines, async (page) => {
      await waitForExitBanner(page);
      await waitForTexts(page, (t) => t.join() === 'before,Configure,after', 'the section folded');
      await select(page, 1, 3, 64); // "ore" of "before" to the end of "after"
      assert.equal(await copyWithKeys(page), `ore\n${sixtyText}`);
    });
  });

  test('copying a selection across an open section copies the lines the scroller has not drawn', async () => {
    await session(sixtyLines, async (page) => {
      await waitForExitBanner(page);
      await waitForTexts(page, (t) => t.join() === 'before,Configure,after', 'the section folded');
      await page.click('#expand-all');
      await waitForTexts(page, (t) => t.includes('checking 50'), 'the section unfolded');
      await page.$eval('#log', (el) => { el.scrollTop = 0; });
      await waitForTexts(page, (t) => t[0] === 'before', 'the start in view');
      await select(page, 1, 0, null);
      // The reader scrolls to the end with the selection's start: line 1's row goes.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r))));
      await page.$eval('#log', (el) => { el.scrollTop = el.scrollHeight; });
      await waitForTexts(page, (t) => t.at(-1) === 'after' && !t.includes('before'), 'the end in view');
      await page.evaluate(() => {
        const after = document.querySelector('#rows .line[data-line="64"] .tx').firstChild;
        getSelection().extend(after, after.length);
      });
      assert.equal(await copyWithKeys(page), `before\n${sixtyText}`);
    });
  });

  // The figures of the banner's text ("0.1 s", "2", "line 5") each on one line of it.
  const bannerFiguresWhole = (page) => page.$eval('#banner', (banner) => {
    const split = [];
    const walker = document.createTreeWalker(banner, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      for (const m of node.data.matchAll(/(?:line\s)?\d[\d.,:]*(?:\s(?:ms|s|min|h)\b)?/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) split.push(m[0]);
      }
    }
    return split;
  });

  test('390 px wide: header and banner take at most 15% of the height; problem messages wrap, shown whole', async () => {
    // gcc's, pytest's and a Python traceback's (its last line: a 104-character message).
    await session(sh(`cat '${fixtures}gcc.txt' '${fixtures}pytest.txt' '${fixtures}python.txt'; exit 2`), async (page, server) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await waitForExitBanner(page);
      await page.waitForSelector('#first-error');
      await page.click('#problems-toggle');
      const messages = (await (await fetch(new URL('problems', server.url))).json()).problems.map((p) => p.message);
      await waitForProblems(page, messages.length);
      const box = await page.evaluate(() => {
        const h = (id) => document.getElementById(id).getBoundingClientRect().height;
        return { header: h('top'), banner: h('banner'), height: window.innerHeight, width: document.documentElement.scrollWidth };
      });
      const faults = []; // every one of them, to see all that a change broke
      if (box.header + box.banner > 0.15 * box.height) faults.push(`header and banner: ${JSON.stringify(box)}`);
      if (box.width > 390) faults.push(`wider than the screen: ${JSON.stringify(box)}`);
      // The duration is never cut from its unit ("0.2 / s."), nor any figure in two.
      if (!/after \d+\.\d\u00a0s\./.test(await page.textContent('#banner'))) faults.push('no no-break space in the duration');
      for (const figure of await bannerFiguresWhole(page)) faults.push(`banner figure split at 390 px: ${figure}`);
      // Every message is the server's whole message, on lines within the panel: none cut
      // ("KeyErr…"), none wider than the screen, none clipped below.
      const shown = await page.$$eval('#problems-list .problem .msg', (els) => els.map((el) => {
        const panel = el.closest('#problems').getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(el);
        const text = range.getBoundingClientRect();
        const cs = getComputedStyle(el);
        return {
          text: el.textContent,
          cut: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1 || text.right > panel.right + 1
            || (cs.textOverflow === 'ellipsis' && cs.whiteSpace === 'nowrap'),
          lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size,
        };
      }));
      assert.deepEqual(shown.map((m) => m.text), messages);
      for (const m of shown) if (m.cut) faults.push(`message cut: ${m.text}`);
      const long = shown.find((m) => m.text.startsWith('json.decoder.JSONDecodeError'));
      if (!(long && long.lines > 1)) faults.push(`the traceback's message does not wrap: ${JSON.stringify(long)}`);
      // The banner keeps its figures whole at every phone width.
      for (let width = 320; width <= 430; width += 5) {
        await page.setViewportSize({ width, height: 844 });
        for (const figure of await bannerFiguresWhole(page)) faults.push(`banner figure split at ${width} px: ${figure}`);
      }
      assert.deepEqual(faults, []);
    });
  });

  test('e on a finished run that fits the screen does not offer "Follow"; #L is not left standing during Find', async () => {
    // gcc's 22 lines fit the screen.
    await session(sh(`cat '${fixtures}gcc.txt'; exit 1`), async (page, server) => {
      await page.goto(`${server.url}#L3`);
      await waitForExitBanner(page);
      await page.click('#log');
      await page.keyboard.press('e');
      await waitFor('line 5 highlighted', async () => (await hl(page)).join() === '5');
      assert.equal(await page.$eval('#log', (el) => el.scrollHeight <= el.clientHeight), true, 'it fits');
      assert.equal(await page.isVisible('#resume'), false);
      await page.keyboard.press('/');
      await page.keyboard.type('expected');
      await waitForCount(page, '1 of 1');
      await waitFor('the current match drawn', async () => (await marks(page)).some((m) => m.cur));
      assert.deepEqual(await hl(page), [], 'no #L band beside the matches');
    }, { suffix: null });
  });

  test('downloads are named after the run; the filter\'s lines can be downloaded; a raw-log link', async () => {
    const script = 'echo "apple one"; echo "banana one"; echo "apple two"';
    await session(sh(script), async (page, server) => {
      await waitForExitBanner(page);
      const started = (await status(server)).started; // 2026-12-06T02:14:33.123Z
      const name = `make-build-${started.slice(0, 13)}-${started.slice(14, 16)}.log`;
      assert.equal(await page.getAttribute('#download', 'download'), name);
      assert.equal(await page.getAttribute('#raw-log', 'href'), 'log');
      assert.equal(await page.getAttribute('#raw-log', 'target'), '_blank');
      assert.equal(await page.isVisible('#download-filtered'), false, 'no filter, nothing to offer');
      await page.fill('#filter', 'apple');
      await waitForTexts(page, (t) => t.join() === 'apple one,apple two', 'filtered');
      await page.waitForSelector('#download-filtered:not([hidden])');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-filtered')]);
      assert.equal(download.suggestedFilename(), name.replace(/\.log$/, '-filtered.log'));
      assert.equal(fs.readFileSync(await download.path(), 'utf8'), 'apple one\napple two\n');
    }, { args: ['--title', 'make build'] });
  });

  test('e/E step through errors and w/W through warnings; the panel marks the current one; Problems is pressed', async () => {
    await session(failingBuild, async (page) => {
      await waitForExitBanner(page);
      const look = (id) => page.$eval(id, (el) => getComputedStyle(el).backgroundColor);
      const unpressed = await look('#problems-toggle');
      await page.click('#problems-toggle');
      await page.waitForSelector('#problems:not([hidden])');
      assert.equal(await page.getAttribute('#problems-toggle', 'aria-pressed'), 'true');
      assert.notEqual(await look('#problems-toggle'), unpressed, 'a pressed look');
      const current = () => page.$$eval('#problems-list .problem.current', (els) => els.map((el) => el.querySelector('.where').textContent));
      await page.click('#log');
      await page.keyboard.press('w');
      await waitFor('line 2 highlighted', async () => (await hl(page)).join() === '2');
      assert.deepEqual(await current(), ['prog.c:5:13 · line 2']);
      await page.keyboard.press('w');
      await waitFor('line 17 highlighted', async () => (await hl(page)).join() === '17');
      await page.keyboard.press('W');
      await waitFor('back to line 2', async () => (await hl(page)).join() === '2');
      await page.keyboard.press('W'); // wraps around to the last warning
      await waitFor('line 20 highlighted', async () => (await hl(page)).join() === '20');
      assert.deepEqual(await current(), ['prog.c:4:7 · line 20']);
      await page.keyboard.press('e'); // the next error after line 20
      await waitFor('line 47 highlighted', async () => (await hl(page)).join() === '47');
      assert.deepEqual(await current(), ['tests/test_calc.py:10 · line 47']);
      assert.equal(await page.getAttribute('#problems-list .problem.current', 'aria-current'), 'true');
      await page.click('#problems-toggle');
      assert.equal(await page.getAttribute('#problems-toggle', 'aria-pressed'), 'false');
    });
  });

  test('::error/::warning lines read as annotations, copied raw; errors and warnings are styled apart', async () => {
    const script = `cat '${fixtures}gcc.txt'; echo '::error file=src/a.c,line=3::it broke'; echo '::warning::look here'; echo plain; echo to-stderr >&2; exit 1`;
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      await waitForTexts(page, (t) => t.includes('plain'), 'the lines');
      // The annotations: their message and kind, not the workflow command's syntax.
      const ann = (n) => page.$eval(rowSel(n), (el) => ({ text: el.querySelector('.tx').textContent, cls: el.className }));
      const a = await ann(23);
      assert.ok(!a.text.includes('::'), `shown as ${JSON.stringify(a.text)}`);
      assert.match(a.text, /it broke/);
      assert.match(a.text, /src\/a\.c:3/);
      assert.match(a.cls, /\bann-error\b/);
      const w = await ann(24);
      assert.match(w.text, /look here/);
      assert.ok(!w.text.includes('::'));
      assert.match(w.cls, /\bann-warning\b/);
      // Copying them gives the raw line, as the download does.
      const copied = await copyRows(page, 23, 24);
      assert.equal(copied.trim(), '::error file=src/a.c,line=3::it broke\n::warning::look here');
      // /problems' warnings (line 2) and errors (line 5) each have their own look; plain stderr keeps its own.
      await waitFor('the problems marked', async () => (await page.$$(`${rowSel(5)}.problem-error`)).length === 1);
      const props = ['backgroundColor', 'borderLeftColor'];
      const warning = await computed(page, rowSel(2), props);
      const error = await computed(page, rowSel(5), props);
      const plain = await computed(page, rowSel(25), props);
      const stderr = await computed(page, rowSel(26), props);
      assert.match(await page.getAttribute(rowSel(2), 'class'), /\bproblem-warning\b/);
      assert.notEqual(warning.borderLeftColor, error.borderLeftColor);
      assert.notEqual(warning.backgroundColor, error.backgroundColor);
      assert.notEqual(warning.borderLeftColor, plain.borderLeftColor);
      assert.notEqual(error.borderLeftColor, plain.borderLeftColor);
      assert.equal((await page.getAttribute(rowSel(26), 'class')).includes('problem-'), false);
      assert.notEqual(stderr.backgroundColor, plain.backgroundColor);
      // Red and amber say error and warning: stderr that is neither (gcc's source excerpts,
      // a note) is marked in a hue of its own, far from both.
      for (const [what, problem] of [['error', error], ['warning', warning]]) {
        for (const prop of props) {
          const apart = hueDistance(stderr[prop], problem[prop]);
          assert.ok(apart >= 45, `stderr's ${prop} ${stderr[prop]} is ${apart.toFixed(0)}° from the ${what}'s ${problem[prop]}`);
        }
      }
    }, { args: ['--title', 'annotated'] });
  });

  test('sections: nested groups show their durations; the one with an error stays open, those that passed fold', async () => {
    // gcc's error (on stdout, to keep its place among the markers), inside Compile inside
    // Build; Configure and Test pass. Configure lasts at least 0.3 s: its end is written
    // 0.3 s after ssetail has counted its first lines (a sleep in the script would not
    // do: on a busy machine ssetail may read the first lines late, and stamp them so).
    const gates = new Gates();
    const script = "echo '::group::Build'; echo '::group::Configure'; echo 'checking gcc'; wait_gate 1; echo '::endgroup::'; " +
      "echo '::group::Compile'; echo \"main.c:3:5: error: expected ';' before '}' token\"; echo '::endgroup::'; " +
      "echo '::endgroup::'; echo '::group::Test'; echo 'all fine'; echo '::endgroup::'; exit 1";
    try {
      await session(gates.command(script), async (page, server) => {
        await waitFor('Configure\'s first lines', async () => (await status(server)).stdout_lines === 3);
        await new Promise((r) => setTimeout(r, 300));
        gates.open(1);
        await waitForExitBanner(page);
        await waitForTexts(page, (t) => t.join() === 'Build,Configure,Compile,main.c:3:5: error: expected \';\' before \'}\' token,Test',
          'Build and Compile open, Configure and Test folded');
        const heads = await page.$$eval('#rows .line.head', (els) => els.map((el) => ({
          title: el.querySelector('.tx').textContent,
          folded: el.classList.contains('folded'),
          failed: el.classList.contains('head-failed'),
          took: el.querySelector('.gdur')?.textContent ?? null,
        })));
        assert.deepEqual(heads.map((h) => [h.title, h.folded, h.failed]),
          [['Build', false, true], ['Configure', true, false], ['Compile', false, true], ['Test', true, false]]);
        for (const h of heads) assert.match(h.took ?? '', /^\d+\.\d\u00a0s$/, `${h.title}'s duration`);
        const seconds = Object.fromEntries(heads.map((h) => [h.title, parseFloat(h.took)]));
        assert.ok(seconds.Configure >= 0.3 && seconds.Build >= seconds.Configure, JSON.stringify(seconds));
        // The failed section's header is coloured apart from the passed ones'.
        const colour = (n) => page.$eval(`#rows .line.head:nth-child(${n})`, (el) => getComputedStyle(el).color);
        assert.notEqual(await colour(1), await colour(2));
      });
    } finally {
      gates.remove();
    }
  });

  test('sections: expand all and collapse all, by buttons and keys (+ and -)', async () => {
    const script = "printf 'a\\n::group::One\\none 1\\n::endgroup::\\n::group::Two\\ntwo 1\\n::endgroup::\\nz\\n'";
    await session(sh(script), async (page) => {
      await waitForExitBanner(page);
      const folded = 'a,One,Two,z';
      const open = 'a,One,one 1,Two,two 1,z';
      await waitForTexts(page, (t) => t.join() === folded, 'both folded');
      await page.click('#expand-all');
      await waitForTexts(page, (t) => t.join() === open, 'both open');
      await page.click('#collapse-all');
      await waitForTexts(page, (t) => t.join() === folded, 'both folded again');
      await page.click('#log');
      await page.keyboard.press('+');
      await waitForTexts(page, (t) => t.join() === open, 'both open (+)');
      await page.keyboard.press('-');
      await waitForTexts(page, (t) => t.join() === folded, 'both folded (-)');
      await page.keyboard.press('?');
      const keys = await page.$$eval('#help th', (els) => els.map((el) => el.textContent));
      for (const key of ['w, W', '+, -']) assert.ok(keys.includes(key), `${key} in ${JSON.stringify(keys)}`);
    });
  });

  // Compare mode (SPEC §14). Two saved runs of fixtures/c-project.sh: green (one warning) and
  // red (the warning fixed, one new error); timestamps, durations and temporary paths differ on
  // every line. Made once, for the tests that need them.
  let cRecords = null;
  function cProject() {
    cRecords ??= (async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssetail-compare-'));
      const script = new URL('fixtures/c-project.sh', import.meta.url).pathname;
      const green = path.join(dir, 'green.jsonl');
      const red = path.join(dir, 'red.jsonl');
      assert.equal(await saveRun(BIN, green, ['sh', script, 'green']), 0, 'the green build passes');
      assert.equal(await saveRun(BIN, red, ['sh', script, 'red']), 1, 'the red build fails');
      after(() => fs.rmSync(dir, { recursive: true, force: true }));
      return { green, red };
    })();
    return cRecords;
  }

  // The Compare pane's rows: kind (ins, del, ctx, sep), line number and text.
  const compareRows = (page) => page.$$eval('#compare-rows .line', (els) => els.map((el) => ({
    kind: /cmp-(\w+)/.exec(el.className)[1],
    n: el.querySelector('.ln') ? Number(el.querySelector('.ln').textContent) : null,
    text: (el.querySelector('.tx') || el).textContent,
    hl: el.classList.contains('hl'),
  })));

  test('Compare: c shows only the new error\'s hunk and the gone warning\'s, with context; new and gone problems; c goes back', async () => {
    const { green, red } = await cProject();
    await session([], async (page) => {
      await page.setViewportSize({ width: 1000, height: 360 });
      await waitForExitBanner(page);
      await page.waitForSelector('#compare-toggle:not([hidden])');
      // The log scrolled somewhere in the middle: leaving Compare comes back there.
      await page.$eval('#log', (el) => { el.scrollTop = 120; });
      await waitFor('the log scrolled', () => page.$eval('#log', (el) => el.scrollTop === 120));
      // The frame after the scroll event has drawn the rows there (a loaded machine may be slow to).
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const before = await texts(page);
      await page.click('#log');
      await page.keyboard.press('c');
      await page.waitForSelector('#compare:not([hidden])');
      assert.equal(await page.isVisible('#log'), false, 'the pane stands in for the log');
      assert.equal(await page.getAttribute('#compare-toggle', 'aria-pressed'), 'true');
      const shown = await waitFor('the compare rows', async () => {
        const r = await compareRows(page);
        return r.length && r;
      });
      // Hunks: runs of changed rows (ins, del) between context and separators.
      const hunks = [];
      let last = null;
      for (const r of shown) {
        const changed = r.kind === 'ins' || r.kind === 'del';
        if (changed && last !== 'changed') hunks.push([]);
        if (changed) hunks.at(-1).push(r);
        last = changed ? 'changed' : r.kind;
      }
      assert.equal(hunks.length, 2, `two hunks: ${JSON.stringify(shown)}`);
      const [gone, added] = hunks;
      assert.ok(gone.every((r) => r.kind === 'del'), 'the first hunk is only gone lines');
      assert.ok(gone.some((r) => /warning: unused variable ‘unused’/.test(r.text)), JSON.stringify(gone));
      assert.ok(added.every((r) => r.kind === 'ins'), 'the second hunk is only new lines');
      assert.match(added[0].text, /main\.c: In function ‘main’/);
      assert.ok(added.some((r) => /main\.c:4:15: error: expected ‘;’ before ‘}’ token/.test(r.text)));
      // Every new line is the red run's own line, with its number.
      for (const r of added) assert.ok(Number.isInteger(r.n) && r.n > 0, JSON.stringify(r));
      // 3 lines of context each side, the rest folded into separators.
      const ctxBefore = (h) => {
        const k = shown.indexOf(h[0]);
        let n = 0;
        for (let j = k - 1; j >= 0 && shown[j].kind === 'ctx'; j--) n++;
        return n;
      };
      assert.equal(ctxBefore(gone), 3);
      assert.equal(ctxBefore(added), 3);
      assert.ok(shown.filter((r) => r.kind === 'sep').length >= 2, 'unchanged lines are folded');
      assert.ok(shown.every((r) => r.kind !== 'ctx' || !/error|warning/.test(r.text)), 'context is unchanged lines');
      assert.match(await page.textContent('#compare-summary'), /^2 differences/);
      // New and gone problems.
      const listed = (kind) => page.$$eval(`#compare-problems .${kind} li`, (els) => els.map((el) => el.textContent));
      const newProblems = await listed('new');
      assert.equal(newProblems.length, 1, JSON.stringify(newProblems));
      assert.match(newProblems[0], /error.*expected ‘;’ before ‘}’ token.*main\.c:4:15/);
      const goneProblems = await listed('gone');
      assert.equal(goneProblems.length, 1, JSON.stringify(goneProblems));
      assert.match(goneProblems[0], /warning.*unused variable.*util\.c:2:7/);
      // Jump to the first difference: the first gone line, marked and in view.
      await page.$eval('#compare-body', (el) => { el.scrollTop = el.scrollHeight; });
      await page.click('#compare-first');
      const first = await waitFor('the first difference marked', async () => (await compareRows(page)).find((r) => r.hl));
      assert.equal(first.kind, 'del');
      assert.ok(await page.$eval('#compare-rows .line.hl', (el) => {
        const box = el.getBoundingClientRect();
        const pane = document.getElementById('compare-body').getBoundingClientRect();
        return box.top >= pane.top && box.bottom <= pane.bottom;
      }), 'the first difference is in view');
      // c again: the log as it was, where it was.
      await page.keyboard.press('c');
      await page.waitForSelector('#compare', { state: 'hidden' });
      assert.equal(await page.getAttribute('#compare-toggle', 'aria-pressed'), 'false');
      assert.equal(await page.$eval('#log', (el) => el.scrollTop), 120);
      await waitForTexts(page, (t) => t.join('\n') === before.join('\n'), 'the same rows as before');
      await page.keyboard.press('?');
      const keys = await page.$$eval('#help th', (els) => els.map((el) => el.textContent));
      assert.ok(keys.includes('c'), `c in ${JSON.stringify(keys)}`);
    }, { args: ['--view', red, '--compare', green], linger: false });
  });

  test('Compare: without --compare, no Compare button and c does nothing', async () => {
    await session(sh('echo one; echo two'), async (page, server) => {
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/compare');
      await page.goto(server.url);
      assert.equal((await answered).status(), 404);
      await waitForExitBanner(page);
      await page.click('#log');
      await page.keyboard.press('c');
      await waitForTexts(page, (t) => t.join() === 'one,two', 'the log');
      assert.equal(await page.isVisible('#compare-toggle'), false);
      assert.equal(await page.isVisible('#compare'), false);
      assert.equal(await page.isVisible('#log'), true);
    }, { suffix: null });
  });

  test('Compare: a live run shows its time left against the other run in the header, until it ends', async () => {
    // A ninja-like build: the saved run took 12 steps of 0.25 s; this one stops half-way.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssetail-estimate-'));
    const gates = new Gates();
    try {
      const earlier = path.join(dir, 'earlier.jsonl');
      const steps = (from, to) => `i=${from}; while [ $i -le ${to} ]; do echo "[$i/12] Building step$i.o"; sleep 0.25; i=$((i+1)); done`;
      assert.equal(await saveRun(BIN, earlier, sh(steps(1, 12))), 0);
      await session(gates.command(`${steps(1, 6)}; wait_gate 1; ${steps(7, 12)}`), async (page) => {
        const estimate = await waitFor('the estimate in the header', async () => {
          const text = await page.$eval('#compare-estimate', (el) => (el.hidden ? '' : el.textContent));
          return /^about \d+ s left, (\d+% (slower|faster)|same pace) so far$/.test(text) && text;
        }, { timeout: 30000 });
        assert.match(estimate, /left/);
        gates.open(1);
        await waitForExitBanner(page, 30000);
        await page.waitForSelector('#compare-estimate', { state: 'hidden' });
        await page.waitForSelector('#compare-toggle:not([hidden])');
      }, { args: ['--compare', earlier] });
    } finally {
      gates.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Compare on a relay: a failing run\'s page compares with the last green run of its title', async (t) => {
    if (!fs.existsSync('/usr/bin/redis-server')) {
      t.skip('needs redis-server');
      return;
    }
    const port = await new Promise((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address();
        probe.close(() => resolve(p));
      });
    });
    const redis = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssetail-relay-'));
    try {
      const url = `redis://127.0.0.1:${port}`;
      const publish = (script) => saveRun(BIN, path.join(dir, `${Math.random()}.jsonl`), sh(script), { args: ['--publish', url, '--title', 'build'] });
      // The publisher retries until Redis answers; it exits with the command's status.
      assert.equal(await publish("printf 'a 0.5s\\nb\\nx.c:3:5: warning: unused\\nc\\n'"), 0);
      assert.equal(await publish("printf 'a 0.7s\\nb\\nc\\nx.c:4:1: error: boom\\n'; exit 1"), 1);
      const relay = await startSsetail(BIN, [], { linger: false, args: ['--relay', url] });
      try {
        const runs = (await (await fetch(new URL('runs', relay.url))).json()).runs;
        assert.equal(runs.length, 2);
        const [red, green] = runs;
        assert.equal(red.compare_with, green.id);
        const page = await context.newPage();
        await page.bringToFront();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        try {
          await page.goto(new URL(`runs/${red.id}/`, relay.url).href);
          await waitForExitBanner(page);
          // The Problems and the first error are the relay's index of the run (runs/RUN/problems).
          await waitFor('the relay\'s problems', async () => await page.textContent('#problems-toggle') === 'Problems: 1 error, 0 warnings');
          await page.waitForSelector('#first-error');
          assert.equal(await page.textContent('#first-error'), 'First error at line 4');
          await page.waitForSelector('#compare-toggle:not([hidden])');
          await page.click('#compare-toggle');
          await page.waitForSelector('#compare-rows .cmp-ins');
          const shown = await compareRows(page);
          assert.deepEqual(shown.filter((r) => r.kind === 'ins').map((r) => r.text), ['x.c:4:1: error: boom']);
          assert.deepEqual(shown.filter((r) => r.kind === 'del').map((r) => r.text), ['x.c:3:5: warning: unused']);
          assert.match(await page.textContent('#compare-with'), /^Compared with build · started .* · exited 0$/);
          assert.deepEqual(errors, []);
        } finally {
          await page.close();
        }
      } finally {
        await relay.stop();
      }
    } finally {
      redis.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

