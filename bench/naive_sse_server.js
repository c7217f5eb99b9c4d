#!/usr/bin/env node
// The naive Node SSE server of the classic tutorials, as a peer for the bench:
// spawn the command once, split its stdout into lines, and res.write() every line to every
// connected client. No history, no back-pressure handling: what a slow client does not
// take, Node buffers in memory. Node built-ins only.
//
//   node naive_sse_server.js PORT COMMAND [ARG...]     (PORT 0: any free port)
//
// Prints "naive: serving http://127.0.0.1:PORT/" on stderr once listening; ends every
// stream with an `exit` event when the command ends, and runs until killed.
import http from 'node:http';
import { spawn } from 'node:child_process';

const [portArg, ...command] = process.argv.slice(2);
if (!command.length) {
  console.error('usage: node naive_sse_server.js PORT COMMAND [ARG...]');
  process.exit(2);
}

const clients = new Set();
let seq = 0;
let finished = false;

const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.setEncoding('utf8');
let rest = '';
child.stdout.on('data', (chunk) => {
  const lines = (rest + chunk).split('\n');
  rest = lines.pop();
  for (const line of lines) {
    seq += 1;
    for (const res of clients) res.write(`id: ${seq}\ndata: ${line}\n\n`);
  }
});
child.on('close', (code) => {
  finished = true;
  for (const res of clients) res.end(`event: exit\ndata: {"code":${code}}\n\n`);
  // No server.close(): since Node 19 it also drops connections whose response has ended
  // but is still buffered, which loses lines. Like the tutorials, it serves until killed.
});

const server = http.createServer((req, res) => {
  if (!req.url.startsWith('/events') || finished) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
  });
  res.flushHeaders();
  clients.add(res);
  req.on('close', () => clients.delete(res));
});
server.listen(Number(portArg), '127.0.0.1', 4096, () => {
  console.error(`naive: serving http://127.0.0.1:${server.address().port}/`);
});
