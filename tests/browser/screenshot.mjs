// Takes docs/screenshot.png and docs/screenshot-dark.png: the page over a
// real run of fixtures/demo.sh; and docs/screenshot-problems.png: the page over
// a real failing build (fixtures/failing-build.sh: make and pytest), Problems
// open and Find showing "k of N".
//
//     node tests/browser/screenshot.mjs build/ssetail
import path from 'node:path';
import {
  binaryFromArgs, here, launchBrowser, repoRoot, startSsetail, waitForExitBanner,
} from './harness.mjs';

const bin = binaryFromArgs();
const demo = path.relative(repoRoot, path.join(here, 'fixtures', 'demo.sh'));
const server = await startSsetail(bin, ['sh', demo], { cwd: repoRoot });
const browser = await launchBrowser();
try {
  for (const [scheme, file] of [['light', 'screenshot.png'], ['dark', 'screenshot-dark.png']]) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(server.url);
    await waitForExitBanner(page, 30000);
    // Show one section open and one folded.
    await page.click('#rows .line.head:has-text("Unit tests") .tx');
    await page.waitForSelector('#rows .line.head:has-text("Unit tests"):not(.folded)');
    await page.mouse.move(0, 0);
    const out = path.join(repoRoot, 'docs', file);
    await page.screenshot({ path: out });
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
    await context.close();
  }
  const failing = path.relative(repoRoot, path.join(here, 'fixtures', 'failing-build.sh'));
  const build = await startSsetail(bin, ['sh', failing], { cwd: repoRoot, args: ['--title', 'make && pytest'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(build.url);
    await waitForExitBanner(page, 30000);
    await page.click('#problems-toggle');
    await page.waitForSelector('#problems-list .problem');
    await page.click('#log');
    await page.keyboard.press('Control+f');
    await page.keyboard.type('words');
    await page.waitForFunction(() => / of /.test(document.querySelector('#find-count').textContent));
    await page.keyboard.press('Enter');
    await page.mouse.move(0, 0);
    const out = path.join(repoRoot, 'docs', 'screenshot-problems.png');
    await page.screenshot({ path: out });
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
    await context.close();
  } finally {
    await build.stop();
  }
} finally {
  await browser.close();
  await server.stop();
}
