// The page's one state object. Every part has one owner, the module that
// writes it; the other modules only read it, and ask the owner for changes.
// app.js makes it and hands it to every module. Pure: no DOM.
import { LineStore } from './store.js';
import { Sections } from './sections.js';

export function createState() {
  const lines = new LineStore();
  return {
    // Owner: ingest.js (sections.js flags headers and hides end markers).
    lines,
    // Owner: sections.js; run-index.js hands it the server's, folds change through its methods.
    sections: new Sections(lines),
    // Owner: ingest.js. What the events said about the run.
    run: {
      id: '', // RUN part of event ids
      seq: 0, // last SEQ applied
      title: '',
      startedMs: NaN,
      lastT: 0, // ms since the start, of the last output event
      exit: null, // the exit event's data, once it came
      counts: [0, 0], // stdout, stderr events the page holds
      missed: 0, // events the server no longer had when this page asked (gaps)
    },
    // Owner: app.js (the connection's state).
    conn: 'connecting',
    // Owner: status.js. What `status` said, asked before the first paint.
    status: {
      loaded: false, // asked (answered or not): the page may draw
      known: false, // answered
      state: null, // 'running' | 'exited'
      exit: null, // the exit event's data, when exited
      startedMs: NaN,
      title: '',
      counts: [0, 0], // the run's stdout, stderr events, when asked
      sourceUrl: '', // --source-url's template
      sourceRoots: [], // --source-root's directories, stripped from absolute paths
    },
    // Owner: run-index.js the list and counts (the server's); problems-panel.js the rest.
    problems: {
      list: [], // { line, severity, tool, message, file, fileLine, col }, in line order
      counts: { error: 0, warning: 0, notice: 0 }, // every problem found (the list may hold fewer)
      cursor: -1, // the number (the run's line) of the problem last jumped to
      current: null, // the problem last jumped to (marked in the panel)
    },
    // Owner: view.js. The lines the reader can see, in order.
    view: {
      lines: [], // indices of the lines that pass the stream toggles, the filter and the folds
      show: { out: true, err: true },
      filter: null, // { test(text) } or null
    },
    // Owner: scroller.js.
    scroll: {
      following: true, // the view follows the tail
      newWhilePaused: 0, // lines added since it stopped following
      topLine: 0, // the first line drawn, last frame
    },
    // Owner: permalink.js. The #L highlight.
    mark: {
      first: -1, // line index (the first of a #L10-L40 range)
      last: -1, // the last line of the range
      anchor: -1, // the line number clicked last without Shift: where Shift-click extends from
    },
    // Owner: toolbar.js.
    prefs: { timestamps: false, timeMode: 'off', wrap: false },
    // Owner: findbar.js.
    find: {
      re: null, // the compiled query, or null
      index: null, // FindIndex over the lines
      current: -1, // the match shown (index into the FindIndex)
      from: Infinity, // the first line changed since the index last looked
      scanning: false, // a task to scan on is queued
      picking: false, // the first scan of a query is under way: no current match yet
      error: '',
      version: 0, // bumped when the matches change (for the scrollbar marks)
    },
  };
}
