// The event stream, read in a worker (events-reader.js): the page's thread
// gets batches of events ready to add, and stays free for the reader.
//
// To the page, once loaded: { ready: true }. From the page: { open:
// lastEventId, req, ahead } starts request `req` (ending any other), with
// up to `ahead` batches sent and not yet taken in; { abort: req };
// { ack: req } once a batch was taken in. To the page, for request `req`:
// { open: true }, { retry: ms }, { batch } (its typed arrays transferred),
// and last { done: result }.
import { readEvents } from './events-reader.js';

// Batches sent and not yet taken in: past this, reading waits for the page
// (memory stays bounded however slow the page is). Few by default: each one
// waiting is a task the page's thread runs before it answers the reader's
// next click. The page asks for more (MOST_AHEAD at most) when it takes in a
// run that has ended, where waiting on each frame slowed the reading.
const AHEAD = 2;
const MOST_AHEAD = 16;
let current = null; // { req, controller, inFlight, ahead, wake }

function stop() {
  current.controller.abort();
  if (current.wake) current.wake();
  current = null;
}

async function start(req, lastEventId, ahead) {
  if (current) stop();
  ahead = Math.min(Math.max(AHEAD, Number(ahead) || 0), MOST_AHEAD);
  const me = { req, controller: new AbortController(), inFlight: 0, ahead, wake: null };
  current = me;
  const { signal } = me.controller;
  const result = await readEvents(lastEventId, signal, {
    open: () => postMessage({ req, open: true }),
    retry: (ms) => postMessage({ req, retry: ms }),
    async batch(b) {
      while (me.inFlight >= me.ahead && !signal.aborted) await new Promise((resolve) => { me.wake = resolve; });
      me.wake = null;
      if (signal.aborted) return;
      me.inFlight++;
      postMessage({ req, batch: b }, [b.type.buffer, b.seq.buffer, b.t.buffer, b.flags.buffer]);
    },
  });
  if (current === me) current = null;
  postMessage({ req, done: result });
}

postMessage({ ready: true });

self.onmessage = ({ data }) => {
  if ('open' in data) start(data.req, data.open, data.ahead);
  else if (!current || current.req !== (data.abort ?? data.ack)) return; // about an older request
  else if ('abort' in data) stop();
  else {
    current.inFlight--;
    if (current.wake) current.wake();
  }
};
