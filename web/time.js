// Timestamps of lines (SPEC §11): off → wall clock → elapsed since the start
// → delta to the previous line; durations. Pure: node tests it.

export const TIME_MODES = ['off', 'clock', 'elapsed', 'delta'];

export function nextTimeMode(mode) {
  return TIME_MODES[(TIME_MODES.indexOf(mode) + 1) % TIME_MODES.length];
}

// A run's or a section's duration: `M:SS` (`H:MM:SS`); `precise`: `S.s s`
// under a minute (a no-break space before the unit: a narrow banner never
// breaks `0.2 / s.`).
export function formatDuration(ms, precise = false) {
  if (precise && ms < 60000) return `${(ms / 1000).toFixed(1)}\u00a0s`;
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const two = (n) => String(n).padStart(2, '0');
const three = (n) => String(n).padStart(3, '0');

// `t`: ms since the run started; `prevT`: the previous line's (or null);
// `startedMs`: the start, ms since the epoch (NaN when unknown).
export function formatStamp(mode, t, prevT, startedMs, local = true) {
  if (mode === 'clock') {
    if (!Number.isFinite(startedMs)) return `+${(t / 1000).toFixed(3)}s`;
    const d = new Date(startedMs + t);
    const [h, m, s] = local ? [d.getHours(), d.getMinutes(), d.getSeconds()]
      : [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
    return `${two(h)}:${two(m)}:${two(s)}.${three(d.getMilliseconds())}`;
  }
  if (mode === 'elapsed') {
    const s = Math.floor(t / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = `${two(s % 60)}.${three(t % 1000)}`;
    return h ? `${h}:${two(m)}:${rest}` : `${m}:${rest}`;
  }
  if (mode === 'delta') {
    const dt = prevT === null ? 0 : Math.max(0, t - prevT);
    return `+${(dt / 1000).toFixed(3)}s`;
  }
  return '';
}
