// Shared by the browser tests, the screenshot script and the page benchmark:
// start the real ssetail binary, start Debian's Chromium through
// playwright-core, and read the page the way a person sees it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch (err) {
    throw new Error(`playwright-core is missing: run \`npm ci\` in ${repoRoot} (${err.message})`);
  }
}

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium)`);
  }
  const { chromium } = await loadPlaywright();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// The binary under test: the first argument, or $SSETAIL_BIN.
export function binaryFromArgs() {
  const bin = process.argv[2] || process.env.SSETAIL_BIN;
  if (!bin) throw new Error('usage: node <script> /path/to/ssetail');
  const abs = path.resolve(bin);
  if (!fs.existsSync(abs)) throw new Error(`${abs} does not exist (build ssetail first)`);
  return abs;
}

// This environment without the variables that say it is a CI service's
// (which give ssetail a title and source links: SPEC §13), and with `extra`:
// a test run under GitHub Actions sees the page it would see anywhere else.
export function envOutsideCi(extra = {}) {
  const env = { ...process.env };
  for (const name of ['GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE']) delete env[name];
  return { ...env, ...extra };
}

// Starts `ssetail --port 0 --quiet [options] -- command...` (no command:
// `--view FILE` in `args`) and resolves once it printed the address it serves.
// `env`: ssetail's environment (envOutsideCi() unless given).
export function startSsetail(bin, command, { linger = true, args = [], cwd, env = envOutsideCi() } = {}) {
  const argv = ['--port', '0', '--quiet', ...(linger ? ['--linger'] : []), ...args,
    ...(command.length ? ['--', ...command] : [])];
  const proc = spawn(bin, argv, { stdio: ['ignore', 'ignore', 'pipe'], cwd, env });
  let stderr = '';
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ssetail printed no address in 15 s; stderr: ${stderr}`)), 15000);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = /^ssetail: serving (\S+)$/m.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('error', reject);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`ssetail exited (${code ?? signal}) before serving; stderr: ${stderr}`));
    });
  });
  return url.then((address) => ({
    url: address,
    proc,
    exited,
    stderr: () => stderr,
    // SIGTERM; a second one if the first went to a command still running
    // (ssetail forwards it and, with --linger, keeps serving); then SIGKILL.
    async stop() {
      const alive = () => proc.exitCode === null && proc.signalCode === null;
      const within = (ms) => Promise.race([exited, new Promise((r) => setTimeout(r, ms))]);
      if (!alive()) return;
      proc.kill('SIGTERM');
      await within(1000);
      if (alive()) proc.kill('SIGTERM');
      await within(5000);
      if (alive()) proc.kill('SIGKILL');
      await exited;
    },
  }));
}

// Runs `command` under `ssetail --save RECORD` to its end (a record for --view / --compare).
export function saveRun(bin, record, command, { cwd, args = [] } = {}) {
  return new Promise((resolve, reject) => {
    const argv = ['--port', '0', '--quiet', '--save', record, ...args, '--', ...command];
    const proc = spawn(bin, argv, { stdio: 'ignore', cwd });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60000);
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal) reject(new Error(`saving ${record}: ssetail killed by ${signal}`));
      else resolve(code);
    });
  });
}

// A file the test creates to let a waiting command go on: commands built by
// `gatedCommand` block at each `wait N` until gate N exists.
export class Gates {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssetail-gates-'));
  }

  open(n = 1) {
    fs.writeFileSync(path.join(this.dir, String(n)), '');
  }

  // `sh -c SCRIPT sh DIR`: inside SCRIPT, `wait_gate N` blocks until gate N is open.
  command(script) {
    const prelude = 'wait_gate() { while [ ! -e "$G/$1" ]; do sleep 0.02; done; }; G="$1"; ';
    return ['sh', '-c', prelude + script, 'sh', this.dir];
  }

  remove() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// What the rendered rows show: number, text, and whether the row is stderr,
// a section header or highlighted. Only rows in the viewport exist.
export function rows(page) {
  return page.$$eval('#rows .line', (els) => els.map((el) => ({
    n: Number(el.querySelector('.ln').textContent),
    text: el.querySelector('.tx').textContent,
    err: el.classList.contains('err'),
    head: el.classList.contains('head'),
    hl: el.classList.contains('hl'),
  })));
}

export async function texts(page) {
  return (await rows(page)).map((r) => r.text);
}

// The one way the browser tests wait for something outside Playwright's own
// waits: polls `check()` until it returns a truthy value, which it returns;
// past `timeout` ms it fails, saying what it waited for and, when given,
// `describe()` of what it saw last.
export async function waitFor(what, check, { timeout = 15000, describe = null } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${describe ? `; ${await describe()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

// Waits until the rendered rows' texts satisfy `predicate(texts)`.
export async function waitForTexts(page, predicate, what, timeout = 15000) {
  let last = [];
  return waitFor(what, async () => {
    last = await texts(page);
    return predicate(last) && last;
  }, { timeout, describe: () => `rows: ${JSON.stringify(last.slice(-20))}` });
}

export function waitForExitBanner(page, timeout = 15000) {
  return page.waitForSelector('#banner:not([hidden])', { timeout });
}

// Parses a computed CSS colour `rgb(r, g, b)` / `rgba(...)` / `color(srgb r g b)`.
export function parseColor(css) {
  let m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(css);
  if (m) return m.slice(1, 4).map(Number);
  m = /color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(css);
  if (m) return m.slice(1, 4).map((v) => Math.round(Number(v) * 255));
  throw new Error(`unparsed colour ${css}`);
}
