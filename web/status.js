// The run as `status` tells it, asked before the page draws anything: so a
// run that ended long ago shows as ended from the first paint (its state,
// elapsed time, favicon and title), never as running while its lines are
// still coming in (SPEC §13). Its counts are the run's: the page's own fall
// short after a gap (events the server no longer had), so they are asked
// again every second while the run goes on after one, and at its end.
//
// Owner of state.status.

// How long the page waits for `status` before drawing what the events say.
const STATUS_WAIT_MS = 3000;

function parse(s) {
  const started = Date.parse(s.started);
  return {
    state: s.state === 'exited' ? 'exited' : 'running',
    exit: s.exit && typeof s.exit === 'object' ? s.exit : null,
    startedMs: Number.isFinite(started) ? started : NaN,
    title: typeof s.title === 'string' ? s.title : '',
    counts: [Number(s.stdout_lines) || 0, Number(s.stderr_lines) || 0],
    sourceUrl: typeof s.source_url === 'string' ? s.source_url : '',
    sourceRoots: Array.isArray(s.source_roots) ? s.source_roots.filter((r) => typeof r === 'string') : [],
  };
}

// `changed()` after every answer; `sourceChanged()` when the answer's source
// links (template, roots) differ from what the page had (one that came after
// the page drew without them: rows and Problems are drawn again).
export function createStatus(state, changed, sourceChanged = () => {}) {
  let asking = false;
  let asked = false;
  let again = false; // a new run came while asking: the answer may be the old one's

  async function ask() {
    if (asking) {
      again = true;
      return;
    }
    asking = true;
    try {
      // The first answer is the one index.html preloads (a request like it:
      // the default cache mode); later ones are asked anew.
      const res = await fetch('status', asked ? { cache: 'no-store' } : {});
      asked = true;
      const s = res.ok ? await res.json() : null;
      if (s && typeof s === 'object' && !again) {
        const { sourceUrl, sourceRoots } = state.status;
        Object.assign(state.status, parse(s));
        state.status.known = true;
        if (state.status.sourceUrl !== sourceUrl || state.status.sourceRoots.join('\n') !== sourceRoots.join('\n')) {
          sourceChanged();
        }
      }
    } catch { /* what the events say, then */ }
    asking = false;
    if (again) {
      again = false;
      ask();
    }
    changed();
  }

  setInterval(() => {
    if (state.run.missed && !state.run.exit && document.visibilityState === 'visible') ask();
  }, 1000);

  return {
    // Asks once; resolves when answered, or after STATUS_WAIT_MS anyway.
    async load() {
      await Promise.race([ask(), new Promise((r) => { setTimeout(r, STATUS_WAIT_MS); })]);
      state.status.loaded = true;
    },

    // The run ended: after a gap, the final counts are the server's.
    ended() {
      if (state.run.missed) ask();
    },

    // A new run replaced the one shown (the server restarted): what `status`
    // said was the old run's (its counts, how it ended), so it is asked again.
    reset() {
      Object.assign(state.status, { state: null, exit: null, startedMs: NaN, title: '', counts: [0, 0] });
      ask();
    },
  };
}
