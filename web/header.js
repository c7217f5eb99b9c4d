// The header (title, state, elapsed time, connection, counts), the tab's
// title and favicon, and the banner that says how the run ended. Reads the
// state, writes none of it.
import { formatDuration } from './time.js';

const CONN_TEXT = {
  connecting: 'connecting', loading: 'loading', live: 'live', reconnecting: 'reconnecting', paused: 'paused (tab hidden)', ended: 'closed',
};

export function exitSummary(x) {
  if (x.signal) return `killed by ${x.signal}`;
  if (x.code === null || x.code === undefined) return 'ended';
  return `exited with code ${x.code}`;
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// 1234567 -> "1,234,567" (toLocaleString is slow enough to show at every frame).
export function groupDigits(n) {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

// `firstError()`: the first error problem or undefined; `gotoProblem(p)`;
// `ended(ok, summary)`: the run ended (for "Notify me").
export function createHeader(state, ui, { firstError, gotoProblem, ended }) {
  const { run, status } = state;
  // How the run ended: the exit event, or before it came, what `status` said.
  const exitOf = () => run.exit || status.exit;

  function elapsedMs() {
    const x = exitOf();
    if (x && Number.isFinite(x.duration_ms)) return x.duration_ms;
    const started = Number.isFinite(run.startedMs) ? run.startedMs : status.startedMs;
    if (!Number.isFinite(started)) return run.lastT;
    // The server's clock may differ from ours; the last event's time is a floor.
    return Math.max(run.lastT, Date.now() - started);
  }

  // The state badge: [kind, text].
  function badge() {
    const x = exitOf();
    if (x) {
      const text = x.signal ? `killed (${x.signal})` : x.code === null || x.code === undefined ? 'ended' : `exited ${x.code}`;
      return [!x.signal && x.code === 0 ? 'ok' : 'failed', text];
    }
    if (run.id || status.state === 'running') return ['running', 'running'];
    return ['waiting', 'waiting'];
  }

  // The connection: a finished run's stream is not "live", only loading.
  function connText() {
    if (state.conn === 'live' && !run.exit && status.state === 'exited') return ['loading', 'loading'];
    return [state.conn, CONN_TEXT[state.conn]];
  }

  function render() {
    const [kind, stateText] = badge();
    setText(ui.state, stateText);
    ui.state.dataset.state = kind;
    const title = run.title || status.title || 'ssetail';
    setText(ui.title, title);
    const mark = kind === 'ok' ? '✓ ' : kind === 'failed' ? '✗ ' : '';
    if (document.title !== `${mark}${title}`) document.title = `${mark}${title}`;
    const icon = kind === 'ok' ? 'favicon-ok.svg' : kind === 'failed' ? 'favicon-failed.svg' : 'favicon.svg';
    if (ui.favicon.getAttribute('href') !== icon) ui.favicon.setAttribute('href', icon);
    // A clock while the run goes on, its duration (as the banner says it) once it ended.
    setText(ui.elapsed, formatDuration(elapsedMs(), !!exitOf()));
    const [conn, connLabel] = connText();
    setText(ui.conn, connLabel);
    ui.conn.title = connLabel;
    ui.conn.dataset.conn = conn;
    // The run's counts: the page's own, or the server's when it has more (a gap).
    setText(ui.countOut, groupDigits(Math.max(run.counts[0], status.counts[0])));
    setText(ui.countErr, groupDigits(Math.max(run.counts[1], status.counts[1])));
  }

  // Shown in the same frame as the last lines.
  function renderBanner() {
    const x = run.exit;
    if (!x) return;
    const ok = !x.signal && x.code === 0;
    if (!ui.banner.hidden) {
      if (!ok) offerFirstError(); // the server's index may come after the exit
      return;
    }
    ui.banner.hidden = false;
    ui.banner.dataset.ok = ok ? 'yes' : 'no';
    const when = Number.isFinite(x.duration_ms) ? ` after ${formatDuration(x.duration_ms, true)}` : '';
    ui.banner.textContent = `${ok ? '✓' : '✗'} The command ${exitSummary(x)}${when}.`;
    ended(ok, `${exitSummary(x)}${when}`);
    if (!ok) offerFirstError();
  }

  // A failed run's banner offers its first error, once there is one.
  function offerFirstError() {
    const first = firstError();
    if (first && !ui.banner.querySelector('#first-error')) {
      const button = document.createElement('button');
      button.type = 'button';
      button.id = 'first-error';
      button.className = 'button';
      button.textContent = `First error at line ${first.n}`;
      button.addEventListener('click', () => gotoProblem(first));
      ui.banner.append(' ', button);
    }
  }

  setInterval(() => {
    if (!exitOf() && status.loaded && document.visibilityState === 'visible') setText(ui.elapsed, formatDuration(elapsedMs()));
  }, 1000);

  return {
    render,
    renderBanner,
    // A new run: its banner is to come.
    reset() {
      ui.banner.hidden = true;
    },
  };
}
