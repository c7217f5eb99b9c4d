// Takes the page's screenshots:
// - screenshot.png and screenshot-dark.png: the page over a real run of
//   fixtures/demo.sh;
// - screenshot-problems.png: the page over a real failing CI build
//   (fixtures/failing-build.sh: make and gcc in nested ::group:: sections,
//   an ::error annotation), Problems open, 1200 x 640: the failed
//   sections open, the passed ones folded, each with its duration;
// - screenshot-narrow.png: the same build on a phone (390 x 844), Problems open;
// - screenshot-compare.png: Compare mode (`c`) over two saved builds of
//   fixtures/c-project.sh, the red one against the green one, 1200 px wide;
// - screenshot-runs.png and screenshot-runs-dark.png: a relay's run list (`/`) over a
//   dozen runs of three titles (run-list-fixture.mjs), when redis-server is installed.
//
//     node tests/browser/screenshot.mjs build/ssetail [OUTDIR]
//
// OUTDIR is docs/ by default (the README shows them from there).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  binaryFromArgs, here, launchBrowser, repoRoot, saveRun, startSsetail, waitFor, waitForExitBanner,
} from './harness.mjs';
import { DOZEN, REDIS_SERVER, addRuns, startRedis } from './run-list-fixture.mjs';

const bin = binaryFromArgs();
const outDir = path.resolve(process.argv[3] || path.join(repoRoot, 'docs'));
fs.mkdirSync(outDir, { recursive: true });
const demo = path.relative(repoRoot, path.join(here, 'fixtures', 'demo.sh'));
const failing = path.relative(repoRoot, path.join(here, 'fixtures', 'failing-build.sh'));
const cProject = path.relative(repoRoot, path.join(here, 'fixtures', 'c-project.sh'));

// Waits until the page shows the server's whole index: every problem listed (when the
// panel is open), every section ended, so folded or not as the server says. (page.evaluate
// awaits the fetch; waitForFunction would take its promise for true.)
function indexShown(page) {
  return waitFor('the whole index on the page', () => page.evaluate(async () => {
    const index = await (await fetch('problems')).json();
    const panel = document.getElementById('problems');
    return index.complete
      && (panel.hidden || document.querySelectorAll('#problems-list .problem').length === index.problems.length)
      && document.querySelectorAll('#rows .line.head').length === document.querySelectorAll('#rows .line.head .gdur').length;
  }), { timeout: 30000 });
}

async function shoot(page, file) {
  await page.mouse.move(0, 0);
  const out = path.join(outDir, file);
  await page.screenshot({ path: out });
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

const browser = await launchBrowser();
try {
  const server = await startSsetail(bin, ['sh', demo], { cwd: repoRoot });
  try {
    for (const [scheme, file] of [['light', 'screenshot.png'], ['dark', 'screenshot-dark.png']]) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: scheme });
      const page = await context.newPage();
      await page.goto(server.url);
      await waitForExitBanner(page, 30000);
      await indexShown(page);
      // Show one section open and one folded.
      await page.click('#rows .line.head:has-text("Unit tests") .tx');
      await page.waitForSelector('#rows .line.head:has-text("Unit tests"):not(.folded)');
      await shoot(page, file);
      await context.close();
    }
  } finally {
    await server.stop();
  }
  const build = await startSsetail(bin, ['sh', failing], { cwd: repoRoot, args: ['--title', 'CI / build (gcc)'] });
  try {
    const shots = [
      ['screenshot-problems.png', { width: 1200, height: 640 }],
      ['screenshot-narrow.png', { width: 390, height: 844 }],
    ];
    for (const [file, viewport] of shots) {
      const context = await browser.newContext({ viewport, colorScheme: 'light' });
      const page = await context.newPage();
      await page.goto(build.url);
      await waitForExitBanner(page, 30000);
      await page.click('#problems-toggle');
      await indexShown(page);
      await page.$eval('.toolbar', (el) => { el.scrollLeft = 0; }); // the click scrolled a phone's to the button
      await shoot(page, file);
      await context.close();
    }
  } finally {
    await build.stop();
  }
  const records = fs.mkdtempSync(path.join(os.tmpdir(), 'ssetail-shots-'));
  try {
    const green = path.join(records, 'green.jsonl');
    const red = path.join(records, 'red.jsonl');
    await saveRun(bin, green, ['sh', cProject, 'green'], { cwd: repoRoot, args: ['--title', 'make'] });
    await saveRun(bin, red, ['sh', cProject, 'red'], { cwd: repoRoot, args: ['--title', 'make'] });
    const viewer = await startSsetail(bin, [], { linger: false, args: ['--view', red, '--compare', green] });
    try {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: 'light' });
      const page = await context.newPage();
      await page.goto(viewer.url);
      await waitForExitBanner(page, 30000);
      await page.waitForSelector('#compare-toggle:not([hidden])');
      await page.click('#log');
      await page.keyboard.press('c');
      await page.waitForSelector('#compare-rows .cmp-ins');
      await shoot(page, 'screenshot-compare.png');
      await context.close();
    } finally {
      await viewer.stop();
    }
  } finally {
    fs.rmSync(records, { recursive: true, force: true });
  }
  if (fs.existsSync(REDIS_SERVER)) {
    const redis = await startRedis();
    try {
      addRuns(redis.port, DOZEN);
      const relay = await startSsetail(bin, [], { linger: false, args: ['--relay', redis.url] });
      try {
        for (const [scheme, file] of [['light', 'screenshot-runs.png'], ['dark', 'screenshot-runs-dark.png']]) {
          const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, colorScheme: scheme });
          const page = await context.newPage();
          await page.goto(relay.url);
          await page.waitForSelector('#list-filter:not([hidden])');
          await shoot(page, file);
          await context.close();
        }
      } finally {
        await relay.stop();
      }
    } finally {
      redis.stop();
    }
  } else {
    console.log(`no ${REDIS_SERVER}: no screenshot of a relay's run list`);
  }
} finally {
  await browser.close();
}
