// Browser tests of a relay's run list (`/`, SPEC §13) over a dozen runs written into a
// redis-server of its own (run-list-fixture.mjs). page.test.mjs imports it; alone:
//
//     node tests/browser/run-list.test.mjs build/ssetail
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { binaryFromArgs, launchBrowser, parseColor, startSsetail, waitFor } from './harness.mjs';
import { DOZEN, REDIS_SERVER, addRuns, startRedis } from './run-list-fixture.mjs';

const BIN = binaryFromArgs();
const skip = fs.existsSync(REDIS_SERVER) ? false : 'needs redis-server';

describe('the relay\'s run list', { skip }, () => {
  let browser;
  let redis;
  let relay;

  before(async () => {
    browser = await launchBrowser();
    redis = await startRedis();
    addRuns(redis.port, DOZEN);
    relay = await startSsetail(BIN, [], { linger: false, args: ['--relay', redis.url] });
  });

  after(async () => {
    await relay?.stop();
    redis?.stop();
    await browser?.close();
  });

  // Opens the list in a fresh context and calls fn(page); no console error may show (a
  // stylesheet or script the CSP refused would).
  async function open(fn, { colorScheme = 'light', suffix = '' } = {}) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, colorScheme });
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    try {
      await page.goto(new URL(suffix, relay.url).href);
      await page.waitForSelector('#list-filter:not([hidden])');
      await fn(page);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }

  const visibleRuns = (page) => page.$$eval('tr.run', (rows) => rows.filter((r) => !r.hidden && r.closest('tbody').hidden === false).map((r) => r.querySelector('.run-link').textContent));

  it('is the run page\'s style, light and dark, with state badges in its colours', async () => {
    for (const scheme of ['light', 'dark']) {
      await open(async (page) => {
        const look = await page.evaluate(() => {
          const body = getComputedStyle(document.body);
          const failed = document.querySelector('.badge[data-outcome="failed"]');
          const passed = document.querySelector('.badge[data-outcome="passed"]');
          // The page's colours as the browser computes them (the variables hold hex).
          const computed = (variable) => {
            const probe = document.body.appendChild(document.createElement('i'));
            probe.style.background = `var(${variable})`;
            const value = getComputedStyle(probe).backgroundColor;
            probe.remove();
            return value;
          };
          return {
            font: body.fontFamily,
            bg: body.backgroundColor,
            failed: getComputedStyle(failed).backgroundColor,
            passed: getComputedStyle(passed).backgroundColor,
            bad: computed('--bad'),
            ok: computed('--ok'),
          };
        });
        assert.match(look.font, /system-ui/);
        const [red] = parseColor(look.bg);
        assert.ok(scheme === 'dark' ? red < 40 : red > 240, `${scheme} background ${look.bg}`);
        assert.deepEqual(parseColor(look.failed), parseColor(look.bad));
        assert.deepEqual(parseColor(look.passed), parseColor(look.ok));
      }, { colorScheme: scheme });
    }
  });

  it('groups runs by title, newest first, with badges, counts, relative times and links', async () => {
    await open(async (page) => {
      const groups = await page.$$eval('tbody.group', (gs) => gs.map((g) => ({
        title: g.querySelector('.group-title').textContent,
        runs: [...g.querySelectorAll('.run-link')].map((a) => a.textContent),
        dots: [...g.querySelectorAll('.dot')].map((d) => d.dataset.outcome),
      })));
      assert.deepEqual(groups.map((g) => g.title), ['ci / build', 'unit tests', 'deploy <staging>']);
      assert.deepEqual(groups[0].runs, ['b7', 'b6', 'b5', 'b4', 'b3']);
      assert.deepEqual(groups[0].dots, ['failed', 'passed', 'passed', 'failed', 'running']);
      assert.deepEqual(groups[2].dots, ['passed', 'passed', 'lost']);
      const badges = await page.$$eval('tr.run .badge', (bs) => bs.map((b) => b.textContent));
      assert.ok(badges.includes('failed · exit 2'));
      assert.ok(badges.includes('failed · SIGTERM'));
      assert.ok(badges.includes('running'));
      assert.ok(badges.includes('lost'));
      const b6 = await page.$eval('tr.run:has(a[href="runs/b6/"])', (row) => ({
        started: row.querySelector('time').textContent,
        hover: row.querySelector('time').title,
        errors: row.querySelector('td.errors').textContent,
        warnings: row.querySelector('td.warnings').textContent,
        duration: row.querySelector('td.duration').textContent,
        compare: row.querySelector('.compare-link').getAttribute('href'),
        error: row.querySelector('.error-link').getAttribute('href'),
      }));
      assert.equal(b6.started, '26 min ago');
      assert.match(b6.hover, /\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\)$/);
      assert.deepEqual([b6.errors, b6.warnings, b6.duration], ['3', '1', '3 min 34 s']);
      assert.equal(b6.compare, 'runs/b6/?compare=b5');
      assert.equal(b6.error, 'runs/b6/#L1187');
      // A run that passed links to neither.
      assert.equal(await page.$('tr.run:has(a[href="runs/b5/"]) .links a'), null);
      // A title is text: no element was made of it.
      assert.equal(await page.$('staging'), null);
      // A click on a row opens its run (answered here: the run page is not under test).
      await page.route(/\/runs\/t2\/$/, (route) => route.fulfill({ contentType: 'text/html', body: '<p>t2</p>' }));
      await page.click('tr.run:has(a[href="runs/t2/"]) td.duration');
      await page.waitForURL(/\/runs\/t2\/$/);
    });
  });

  it('filters by title and state, kept in the address', async () => {
    await open(async (page) => {
      await page.fill('#run-filter', 'unit');
      assert.deepEqual(await visibleRuns(page), ['t4', 't3', 't2', 't1']);
      await page.click('[data-filter-state="failed"]');
      assert.deepEqual(await visibleRuns(page), ['t2']);
      assert.equal(await page.textContent('#filter-count'), '1 of 12');
      assert.equal(new URL(page.url()).search, '?q=unit&state=failed');
      await page.reload();
      await page.waitForSelector('#list-filter:not([hidden])');
      assert.deepEqual(await visibleRuns(page), ['t2']);
      assert.equal(await page.inputValue('#run-filter'), 'unit');
      await page.click('[data-filter-state="lost"]');
      assert.deepEqual(await visibleRuns(page), []);
      assert.equal(await page.isVisible('#filter-empty'), true);
      await page.focus('#run-filter');
      await page.keyboard.press('Escape');
      assert.deepEqual(await visibleRuns(page), ['d3']);
      await page.click('[data-filter-state=""]');
      assert.equal((await visibleRuns(page)).length, 12);
    });
  });

  it('shows a new run while it is open, the filter still on', async () => {
    await open(async (page) => {
      await page.fill('#run-filter', 'lint');
      assert.deepEqual(await visibleRuns(page), []);
      addRuns(redis.port, [{ id: 'l1', title: 'lint', minutesAgo: 0, state: 'failed', code: 4, errors: 7, warnings: 0 }]);
      await waitFor('the new run in the list', async () => (await visibleRuns(page)).join() === 'l1');
      assert.equal(await page.textContent('tr.run:has(a[href="runs/l1/"]) .badge'), 'failed · exit 4');
      assert.match(await page.textContent('#list-summary'), /^13 runs · 4 titles/);
    });
  });
});
