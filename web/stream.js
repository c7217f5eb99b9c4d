// The event stream, read with fetch() and parsed by sse.js. EventSource would
// do, but Chromium turns each of its events into a task of its own: on a
// 2-core machine it delivered about 13,000 events/s, where this reader handles
// several times that and yields to input and rendering in the middle of a
// large chunk. It keeps EventSource's rules: `retry:`, resuming with a
// Last-Event-ID header, 204 meaning "no more".
import { EventStreamParser } from './sse.js';

// The most bytes of a chunk decoded at once.
const DECODE_BYTES = 256 << 10;

export class Connection {
  // onEvent(type, data, id); onState('live' | 'reconnecting' | 'ended' | ...);
  // lastEventId() to resume after; ended() true once the run's exit arrived.
  constructor({ onEvent, onState, lastEventId, ended }) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.lastEventId = lastEventId;
    this.ended = ended;
    this.state = 'connecting';
    this.stream = null; // AbortController of the open request
    this.retryMs = 2000; // from the server's `retry:` field
    this.failures = 0; // in a row, for backing off
    this.retryTimer = 0;
  }

  setState(state) {
    this.state = state;
    this.onState(state);
  }

  async connect() {
    clearTimeout(this.retryTimer);
    if (this.stream || this.ended()) return;
    const controller = new AbortController();
    this.stream = controller;
    if (this.state !== 'connecting') this.setState('reconnecting');
    let ok = false;
    let retryAfter = NaN; // seconds, when the server says
    try {
      const headers = { Accept: 'text/event-stream' };
      const last = this.lastEventId();
      if (last) headers['Last-Event-ID'] = last;
      const res = await fetch('events?format=json', { headers, cache: 'no-store', signal: controller.signal });
      if (res.status === 204) { // the run is over and we have all of it
        this.stream = null;
        this.setState('ended');
        return;
      }
      if (res.ok && res.body) {
        ok = true;
        this.failures = 0;
        this.setState('live');
        await this.readEvents(res.body, controller.signal);
      } else {
        retryAfter = Number(res.headers.get('Retry-After') ?? NaN);
      }
    } catch {
      // A network error, or our own abort (checked below).
    }
    if (this.stream !== controller || controller.signal.aborted) return;
    this.stream = null;
    if (this.ended()) return;
    // The stream ended or was refused (503 when the server is full, say):
    // try again like EventSource, when the server says or backing off while
    // it keeps failing.
    if (!ok) this.failures++;
    this.setState('reconnecting');
    const delay = retryAfter >= 0 ? retryAfter * 1000 : this.retryMs * 2 ** Math.min(this.failures, 3);
    this.retryTimer = setTimeout(() => this.connect(), Math.min(delay, 16000));
  }

  async readEvents(body, signal) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new EventStreamParser(this.onEvent, (ms) => { this.retryMs = ms; });
    try {
      while (!signal.aborted) {
        const { value, done } = await reader.read();
        if (done) return;
        // Chromium hands over up to 2 MiB at once: decoding that in one go
        // takes ~10 ms, so it goes a piece at a time, the parser pausing between.
        for (let at = 0; at < value.length && !signal.aborted; at += DECODE_BYTES) {
          await parser.feed(decoder.decode(value.subarray(at, at + DECODE_BYTES), { stream: true }), signal);
        }
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  disconnect(state) {
    clearTimeout(this.retryTimer);
    if (this.stream) this.stream.abort();
    this.stream = null;
    this.setState(state);
  }
}
