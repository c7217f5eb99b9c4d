// The event stream's connection: one request at a time, reconnecting the
// way EventSource does (`retry:`, Last-Event-ID, 204 meaning "no more"),
// backing off while the server refuses (503 when full, say).
//
// EventSource would do, but Chromium turns each of its events into a task
// of its own: on a 2-core machine it delivered about 13,000 events/s. The
// stream is read with fetch() instead (events-reader.js), in a worker
// (stream-worker.js) where there is one, so that decoding and parsing a
// million events does not hold the page's thread: the page gets batches of
// events in columns, ready to add.
import { readEvents } from './events-reader.js';
import { yieldToBrowser } from './sse.js';

// Events a request read in the page after which the worker is made, and
// after which the request goes on there.
const MAKE_WORKER_AFTER = 5000;
const HAND_OVER_AFTER = 20000;

// The request early-events.js made while the page loaded, once: { response,
// controller }, or null (none, or taken).
export function takeEarlyEvents() {
  const early = self.ssetailEarlyEvents ?? null;
  self.ssetailEarlyEvents = null;
  return early;
}

// Reading in the page itself: the parser gives the browser a turn every
// few milliseconds. The first request from the start is the one made early.
function pageSource(onBatch) {
  return {
    start(lastEventId, on) {
      const controller = new AbortController();
      const early = lastEventId ? null : takeEarlyEvents();
      if (early) controller.signal.addEventListener('abort', () => early.controller.abort());
      const done = readEvents(lastEventId, controller.signal, { ...on, batch: onBatch }, yieldToBrowser, early?.response);
      return { done, abort: () => controller.abort() };
    },
  };
}

// Reading in a worker; null where there is none. `ready` once it has
// loaded; `broken()` is called if it cannot run (its request then ends as a
// network error would); `catchingUp()`: whether a request is for a run that
// has ended (the worker then reads as far ahead as it goes: stream-worker.js).
function workerSource(onBatch, { broken, catchingUp }) {
  let worker;
  try {
    worker = new Worker('stream-worker.js', { type: 'module' });
  } catch {
    return null;
  }
  let next = 0;
  let active = null; // { req, on, resolve }
  const end = (result) => {
    const a = active;
    active = null;
    if (a) a.resolve(result);
  };
  const source = {
    ready: false,
    start(lastEventId, on) {
      const req = ++next;
      const done = new Promise((resolve) => { active = { req, on, resolve }; });
      worker.postMessage({ open: lastEventId, req, ahead: catchingUp() ? Infinity : 0 });
      return {
        done,
        abort() {
          if (!active || active.req !== req) return;
          worker.postMessage({ abort: req });
          end({ status: 0, opened: false, retryAfter: NaN });
        },
      };
    },
  };
  worker.onmessage = ({ data }) => {
    if (data.ready) {
      source.ready = true;
      return;
    }
    if (!active || data.req !== active.req) return; // what an aborted request still sent
    if (data.batch) {
      onBatch(data.batch);
      worker.postMessage({ ack: data.req });
    } else if (data.open) active.on.open();
    else if ('retry' in data) active.on.retry(data.retry);
    else if (data.done) end(data.done);
  };
  worker.onerror = (e) => {
    e.preventDefault();
    worker.terminate();
    broken();
    end({ status: 0, opened: false, retryAfter: 0 }); // again at once, in the page
  };
  return source;
}

export class Connection {
  // onBatch(batch) for events (events-reader.js); onState('live' |
  // 'reconnecting' | 'ended' | ...); lastEventId() to resume after; ended()
  // true once the run's exit arrived; catchingUp() true while what is read
  // is a run that has ended (the worker may then read further ahead).
  constructor({ onBatch, onState, lastEventId, ended, catchingUp = () => false }) {
    this.onState = onState;
    this.lastEventId = lastEventId;
    this.ended = ended;
    this.state = 'connecting';
    // A request starts in the page: the first lines come soonest so. One
    // that turns out long (the replay of a long run) gets the worker made,
    // and once that has loaded it goes on there, as more events come:
    // resuming after the last one the page took in. (Not a stream that has
    // caught up: while no event comes the server would hold the old
    // request's slot until its next heartbeat.)
    this.page = pageSource((b) => {
      onBatch(b);
      this.inPage += b.n;
      if (this.inPage >= MAKE_WORKER_AFTER && this.worker === undefined) {
        this.worker = workerSource(onBatch, { broken: () => { this.worker = null; }, catchingUp });
      }
      if (this.inPage >= HAND_OVER_AFTER) this.handOver();
    });
    this.worker = undefined; // not made yet; null: there is none
    this.request = null; // the request under way: { done, abort(), source }
    this.inPage = 0; // events the page read in the request under way
    this.retryMs = 2000; // from the server's `retry:` field
    this.failures = 0; // in a row, for backing off
    this.retryTimer = 0;
  }

  setState(state) {
    this.state = state;
    this.onState(state);
  }

  // A long stream the page is reading goes on in the worker, if loaded.
  handOver() {
    const request = this.request;
    if (!request || request.source !== this.page || this.inPage < HAND_OVER_AFTER) return;
    if (!this.worker || !this.worker.ready) return;
    this.request = null;
    request.abort();
    this.connect(true);
  }

  // `quietly`: the stream goes on (a hand-over), the state says nothing new.
  async connect(quietly = false) {
    clearTimeout(this.retryTimer);
    if (this.request || this.ended()) return;
    if (this.state !== 'connecting' && !quietly) this.setState('reconnecting');
    const source = this.worker && this.worker.ready ? this.worker : this.page;
    this.inPage = 0;
    const request = source.start(this.lastEventId(), {
      open: () => {
        this.failures = 0;
        if (this.state !== 'live') this.setState('live');
      },
      retry: (ms) => { this.retryMs = ms; },
    });
    request.source = source;
    this.request = request;
    const result = await request.done;
    if (this.request !== request) return; // disconnected, or handed over, meanwhile
    this.request = null;
    if (result.status === 204) { // the run is over and we have all of it
      this.setState('ended');
      return;
    }
    if (this.ended()) return;
    // The stream ended or was refused: try again like EventSource, when the
    // server says or backing off while it keeps failing.
    if (!result.opened) this.failures++;
    this.setState('reconnecting');
    const delay = result.retryAfter >= 0 ? result.retryAfter * 1000 : this.retryMs * 2 ** Math.min(this.failures, 3);
    this.retryTimer = setTimeout(() => this.connect(), Math.min(delay, 16000));
  }

  disconnect(state) {
    clearTimeout(this.retryTimer);
    const request = this.request;
    this.request = null;
    if (request) request.abort();
    this.setState(state);
  }
}
