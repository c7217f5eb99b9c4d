// One request for the event stream (`events?format=json`, SPEC §3), read
// into batches of events in columns, ready for ingest.js: the text decoded,
// the SSE fields parsed, each output event's JSON data read. It runs in a
// worker (stream-worker.js), so that the page's own thread only adds lines
// (a million events took it seconds to decode and parse), or in the page
// where there is no worker. No DOM.
import { EventStreamParser } from './sse.js';

export const T_STDOUT = 0;
export const T_STDERR = 1;
export const T_START = 2;
export const T_EXIT = 3;
export const T_GAP = 4;
export const T_OTHER = 5; // another type, or output whose data is not JSON: its id counts, nothing else
const TYPES = { stdout: T_STDOUT, stderr: T_STDERR, start: T_START, exit: T_EXIT, gap: T_GAP };

export const B_CR = 1;
export const B_PARTIAL = 2;

// The most events in a batch: about a millisecond or two of the page's work.
export const BATCH_EVENTS = 1024;

// The most bytes of a chunk decoded at once (Chromium hands over up to
// 2 MiB); the first pieces of a request are smaller, so its first lines are
// handed on at once.
const DECODE_BYTES = 256 << 10;
const FIRST_DECODE_BYTES = 16 << 10;

// Events of one run in columns: event k has type[k], SEQ seq[k] (NaN when its
// id was not RUN.SEQ: a gap has none), and text[k] — an output event's text
// with t[k] (ms since the start) and flags[k] (B_CR, B_PARTIAL), or the raw
// data of any other event. `runId` is the RUN part of the ids ('' for none).
export class Batch {
  constructor(runId) {
    this.runId = runId;
    this.n = 0;
    this.type = new Uint8Array(BATCH_EVENTS);
    this.seq = new Float64Array(BATCH_EVENTS);
    this.t = new Uint32Array(BATCH_EVENTS);
    this.flags = new Uint8Array(BATCH_EVENTS);
    this.text = [];
  }
}

function parseJson(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

const OUTPUT_HEAD = '{"text":"';
const FLAG_ENDS = [['}', 0], [',"cr":true}', B_CR], [',"partial":true}', B_PARTIAL], [',"cr":true,"partial":true}', B_CR | B_PARTIAL]];

// An output event's data as ssetail writes it, `{"text":"…","t":N}` with
// `"cr":true` / `"partial":true` when so and a text without escapes, read
// into event k of batch b in place of JSON.parse (most lines of a log are
// such; anything else goes to JSON.parse). False when it is not so.
function readPlainOutput(data, b, k) {
  if (!data.startsWith(OUTPUT_HEAD)) return false;
  const q = data.indexOf('"', OUTPUT_HEAD.length);
  const escape = data.indexOf('\\', OUTPUT_HEAD.length);
  if (q < 0 || (escape >= 0 && escape < q) || !data.startsWith(',"t":', q + 1)) return false;
  let p = q + 6;
  let t = 0;
  for (; p < data.length; p++) {
    const c = data.charCodeAt(p) - 48;
    if (c < 0 || c > 9) break;
    t = t * 10 + c;
  }
  if (p === q + 6 || t > 0xffffffff) return false;
  const end = FLAG_ENDS.find(([tail]) => p + tail.length === data.length && data.startsWith(tail, p));
  if (!end) return false;
  b.text.push(data.slice(OUTPUT_HEAD.length, q));
  b.t[k] = t;
  b.flags[k] = end[1];
  return true;
}

// Builds batches from parsed events; `flush(batch)` is called with each full
// one, and by flush() with what there is.
export class BatchBuilder {
  constructor(send) {
    this.send = send;
    this.batch = new Batch('');
  }

  event(type, data, id) {
    const dot = id.lastIndexOf('.');
    const known = this.batch.runId;
    const runId = dot <= 0 ? known : dot === known.length && id.startsWith(known) ? known : id.slice(0, dot);
    let seq = NaN;
    if (dot > 0 && dot + 1 < id.length) {
      seq = 0;
      for (let k = dot + 1; k < id.length && seq === seq; k++) {
        const c = id.charCodeAt(k) - 48;
        seq = c >= 0 && c <= 9 ? seq * 10 + c : NaN;
      }
    }
    let b = this.batch;
    if (b.n === BATCH_EVENTS || (runId !== b.runId && b.n > 0)) {
      this.flush();
      b = this.batch;
    }
    b.runId = runId;
    const k = b.n++;
    b.seq[k] = seq;
    const code = TYPES[type] ?? T_OTHER;
    b.type[k] = code;
    if ((code !== T_STDOUT && code !== T_STDERR) || readPlainOutput(data, b, k)) {
      if (code !== T_STDOUT && code !== T_STDERR) b.text.push(data);
      return;
    }
    const d = parseJson(data);
    if (d && typeof d === 'object') {
      b.text.push(String(d.text ?? ''));
      b.t[k] = d.t >>> 0;
      b.flags[k] = (d.cr ? B_CR : 0) | (d.partial ? B_PARTIAL : 0);
    } else {
      b.type[k] = T_OTHER;
      b.text.push(data);
    }
  }

  flush() {
    const b = this.batch;
    if (b.n === 0) return;
    this.batch = new Batch(b.runId);
    this.send(b);
  }
}

// Requests the stream, resuming after `lastEventId`, and reads it until it
// ends or `signal` aborts it. `on`: open() once the server accepted,
// retry(ms) for a `retry:` field, batch(b) for events (awaited: it may hold
// the reading back). `pause`: the parser's (null in a worker). Resolves
// { status, opened, retryAfter }: status 0 for a network error; opened once
// the stream was accepted (whatever ended it later). `asked`: the answer to
// this very request, asked for already (early-events.js), or null.
export async function readEvents(lastEventId, signal, on, pause = null, asked = null) {
  const headers = { Accept: 'text/event-stream' };
  if (lastEventId) headers['Last-Event-ID'] = lastEventId;
  let res;
  try {
    res = await (asked ?? fetch('events?format=json', { headers, cache: 'no-store', signal }));
  } catch {
    return { status: 0, opened: false, retryAfter: NaN };
  }
  if (res.status === 204 || !res.ok || !res.body) {
    return { status: res.status, opened: false, retryAfter: Number(res.headers.get('Retry-After') ?? NaN) };
  }
  on.open();
  const pending = [];
  const builder = new BatchBuilder((b) => pending.push(b));
  const parser = new EventStreamParser((...e) => builder.event(...e), on.retry, pause);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let piece = FIRST_DECODE_BYTES;
  try {
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) break;
      for (let at = 0; at < value.length && !signal.aborted; at += piece, piece = Math.min(DECODE_BYTES, piece * 2)) {
        await parser.feed(decoder.decode(value.subarray(at, at + piece), { stream: true }), signal);
        builder.flush();
        while (pending.length && !signal.aborted) await on.batch(pending.shift());
      }
    }
  } catch {
    // A network error, or our own abort: the caller tells them apart.
  } finally {
    reader.cancel().catch(() => {});
  }
  return { status: res.status, opened: true, retryAfter: NaN };
}
