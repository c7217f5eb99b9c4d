// A Redis holding runs written by hand, for a relay's run list (SPEC §13): the browser
// test and the screenshot of the list use it. Each run gets the meta hash, a start entry
// and its place in the index as ssetail's publisher writes them; a run "running" keeps a
// lease, one "lost" has none (its publisher died).
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

export const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';

function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function cli(port, args) {
  const out = spawnSync(REDIS_CLI, ['-p', String(port), ...args], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${out.stderr}`);
  return out.stdout.trim();
}

// A redis-server of its own, without persistence; resolves once it answers PING.
export async function startRedis() {
  const port = await freePort();
  const proc = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10000;
  for (;;) {
    const ping = spawnSync(REDIS_CLI, ['-p', String(port), 'PING'], { encoding: 'utf8' });
    if (ping.stdout.trim() === 'PONG') break;
    if (Date.now() > deadline) throw new Error('redis-server did not answer in 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, url: `redis://127.0.0.1:${port}`, stop: () => proc.kill('SIGTERM') };
}

// `runs`: { id, title, minutesAgo, state: 'passed'|'failed'|'running'|'lost', code?,
// signal?, durationMs?, errors?, warnings?, firstError? (its line number) }.
export function addRuns(port, runs, nowMs = Date.now()) {
  for (const run of runs) {
    const started = new Date(nowMs - run.minutesAgo * 60000).toISOString();
    const start = { command: ['make', 'check'], pid: 1, started, title: run.title };
    cli(port, ['XADD', `ssetail:run:${run.id}`, '0-1', 'n', '1', 'events', `s ${JSON.stringify(start)}\n`]);
    const meta = ['title', run.title, 'command', '["make","check"]', 'started', started,
      'state', run.state === 'passed' || run.state === 'failed' ? 'exited' : 'running'];
    if (run.state === 'passed' || run.state === 'failed') {
      const exit = { code: run.signal ? null : (run.code ?? (run.state === 'passed' ? 0 : 1)), signal: run.signal ?? null, duration_ms: run.durationMs ?? 60000 };
      meta.push('exit', JSON.stringify(exit));
    }
    if (run.errors !== undefined) meta.push('errors', String(run.errors), 'warnings', String(run.warnings ?? 0), 'first_error', String(run.firstError ?? 0));
    cli(port, ['HSET', `ssetail:run:${run.id}:meta`, ...meta]);
    if (run.state === 'running') cli(port, ['SET', `ssetail:run:${run.id}:alive`, '1', 'EX', '600']);
    cli(port, ['ZADD', 'ssetail:runs', String(Date.parse(started)), run.id]);
  }
}

// A dozen runs of three titles: passed, failed (by a code and by a signal), running, lost.
export const DOZEN = [
  { id: 'b7', title: 'ci / build', minutesAgo: 2, state: 'running', errors: 0, warnings: 1 },
  { id: 'b6', title: 'ci / build', minutesAgo: 26, state: 'failed', code: 2, durationMs: 214000, errors: 3, warnings: 1, firstError: 1187 },
  { id: 'b5', title: 'ci / build', minutesAgo: 71, state: 'passed', durationMs: 198000, errors: 0, warnings: 2 },
  { id: 'b4', title: 'ci / build', minutesAgo: 190, state: 'passed', durationMs: 205000, errors: 0, warnings: 2 },
  { id: 'b3', title: 'ci / build', minutesAgo: 320, state: 'failed', code: 1, durationMs: 45000, errors: 1, warnings: 0, firstError: 212 },
  { id: 't4', title: 'unit tests', minutesAgo: 9, state: 'passed', durationMs: 38400, errors: 0, warnings: 0 },
  { id: 't3', title: 'unit tests', minutesAgo: 44, state: 'passed', durationMs: 40100, errors: 0, warnings: 0 },
  { id: 't2', title: 'unit tests', minutesAgo: 130, state: 'failed', signal: 'SIGTERM', durationMs: 600000, errors: 0, warnings: 0 },
  { id: 't1', title: 'unit tests', minutesAgo: 250, state: 'passed', durationMs: 39000, errors: 0, warnings: 0 },
  { id: 'd3', title: 'deploy <staging>', minutesAgo: 16, state: 'lost', errors: 0, warnings: 0 },
  { id: 'd2', title: 'deploy <staging>', minutesAgo: 150, state: 'passed', durationMs: 92000, errors: 0, warnings: 0 },
  { id: 'd1', title: 'deploy <staging>', minutesAgo: 1500, state: 'passed', durationMs: 88000, errors: 0, warnings: 0 },
];
