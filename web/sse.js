// Reading a text/event-stream response body (the HTML Living Standard's
// server-sent events) without EventSource; see stream.js for why.

// Parsing pauses for the browser after this long, within one chunk.
const YIELD_AFTER_MS = 8;

// An ordinary task, not scheduler.yield(): its continuations outrank every
// other task and would starve timers (the filter's, the clock) during a burst.
let yieldChannel = null;
const yieldQueue = [];

export function yieldToBrowser() {
  if (!yieldChannel) {
    yieldChannel = new MessageChannel();
    yieldChannel.port1.onmessage = () => yieldQueue.shift()();
  }
  return new Promise((resolve) => {
    yieldQueue.push(resolve);
    yieldChannel.port2.postMessage(null);
  });
}

// Event types read as these strings, not as a new one per event.
const KNOWN_TYPES = ['stdout', 'stderr', 'start', 'exit', 'gap'];

// Whether text[a, end) is `name`; compared in place, without a string per line.
function isField(text, a, end, name) {
  return end - a === name.length && text.startsWith(name, a);
}

// The text/event-stream format (HTML Living Standard, "server-sent events"),
// for lines ended by LF or CRLF (ssetail never ends one with a lone CR).
export class EventStreamParser {
  // dispatch(type, data, id) per event; onRetry(ms) for a `retry:` field;
  // pause() gives the browser a turn (a promise; the tests count them), or
  // null in a worker, which has no one to give a turn to.
  constructor(dispatch, onRetry, pause = yieldToBrowser) {
    this.dispatch = dispatch;
    this.onRetry = onRetry;
    this.pause = pause;
    this.rest = '';
    this.type = '';
    this.data = null;
    this.id = '';
    this.lines = 0; // since the clock was last looked at
    this.sliceEnd = 0; // when the browser gets its next turn
  }

  // Handles every complete line of `chunk`, pausing every few milliseconds
  // so a burst of thousands of events never blocks the page. The time slice
  // runs across chunks: when the network has the next chunk ready, reading
  // it resolves at once (a microtask), so pausing only within a chunk would
  // let a run of small chunks hold the page for as long as they keep coming.
  async feed(chunk, signal) {
    const text = this.rest + chunk;
    this.rest = '';
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line(text, pos, end);
      pos = nl + 1;
      if (this.pause && (++this.lines & 127) === 0 && !(await this.turn(signal))) return;
    }
    this.rest = text.slice(pos);
    if (this.pause) await this.turn(signal);
  }

  // Pauses if the time slice is over; false if the stream was aborted meanwhile.
  async turn(signal) {
    const now = performance.now();
    if (now <= this.sliceEnd) return true;
    if (this.sliceEnd > 0) {
      await this.pause();
      if (signal.aborted) return false;
    }
    this.sliceEnd = performance.now() + YIELD_AFTER_MS;
    return true;
  }

  line(text, a, b) {
    if (a === b) { // a blank line ends an event
      if (this.data !== null) this.dispatch(this.type || 'message', this.data, this.id);
      this.type = '';
      this.data = null;
      this.id = '';
      return;
    }
    if (text.charCodeAt(a) === 58) return; // ": comment"
    let colon = text.indexOf(':', a);
    if (colon < 0 || colon > b) colon = b;
    let v = colon + 1;
    if (v < b && text.charCodeAt(v) === 32) v++;
    if (isField(text, a, colon, 'event')) {
      this.type = KNOWN_TYPES.find((t) => isField(text, v, b, t)) ?? text.slice(v, b);
      return;
    }
    const value = v < b ? text.slice(v, b) : '';
    if (isField(text, a, colon, 'data')) this.data = this.data === null ? value : `${this.data}\n${value}`;
    else if (isField(text, a, colon, 'id')) { if (!value.includes('\0')) this.id = value; }
    else if (isField(text, a, colon, 'retry')) { if (/^\d+$/.test(value)) this.onRetry(Number(value)); }
  }
}
