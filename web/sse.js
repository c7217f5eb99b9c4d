// Reading a text/event-stream response body (the HTML Living Standard's
// server-sent events) without EventSource; see app.js for why.

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
    yieldChannel.port1.unref?.(); // in node (the tests): do not hold the process open
  }
  return new Promise((resolve) => {
    yieldQueue.push(resolve);
    yieldChannel.port2.postMessage(null);
  });
}

// Whether text[a, end) is `name`; compared in place, without a string per line.
function isField(text, a, end, name) {
  return end - a === name.length && text.startsWith(name, a);
}

// The text/event-stream format (HTML Living Standard, "server-sent events"),
// for lines ended by LF or CRLF (ssetail never ends one with a lone CR).
export class EventStreamParser {
  // dispatch(type, data, id) per event; onRetry(ms) for a `retry:` field.
  constructor(dispatch, onRetry) {
    this.dispatch = dispatch;
    this.onRetry = onRetry;
    this.rest = '';
    this.type = '';
    this.data = null;
    this.id = '';
  }

  // Handles every complete line of `chunk`, pausing every few milliseconds
  // so a burst of thousands of events never blocks the page.
  async feed(chunk, signal) {
    const text = this.rest + chunk;
    this.rest = '';
    let pos = 0;
    let count = 0;
    let deadline = performance.now() + YIELD_AFTER_MS;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line(text, pos, end);
      pos = nl + 1;
      if ((++count & 127) === 0 && performance.now() > deadline) {
        await yieldToBrowser();
        if (signal.aborted) return;
        deadline = performance.now() + YIELD_AFTER_MS;
      }
    }
    this.rest = text.slice(pos);
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
    const value = v < b ? text.slice(v, b) : '';
    if (isField(text, a, colon, 'data')) this.data = this.data === null ? value : `${this.data}\n${value}`;
    else if (isField(text, a, colon, 'event')) this.type = value;
    else if (isField(text, a, colon, 'id')) { if (!value.includes('\0')) this.id = value; }
    else if (isField(text, a, colon, 'retry')) { if (/^\d+$/.test(value)) this.onRetry(Number(value)); }
  }
}
