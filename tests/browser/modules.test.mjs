// Unit tests of the page's DOM-free modules (terminal, sse, find, store, sections, copy-text, filter, compare-view,
// annotation, source-link, source-refs),
// in plain node. page.test.mjs imports this file, so ctest runs it too;
// alone: node tests/browser/modules.test.mjs
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  A_BOLD, A_DIM, A_INVERSE, A_ITALIC, A_STRIKE, A_UNDERLINE, RGB, newTerminal, styleOf, writeSegment,
} from '../../web/terminal.js';
import { EventStreamParser } from '../../web/sse.js';
import {
  BATCH_EVENTS, B_CR, B_PARTIAL, BatchBuilder, T_EXIT, T_GAP, T_OTHER, T_START, T_STDERR, T_STDOUT,
} from '../../web/events-reader.js';
import {
  FindIndex, MAX_RANGES_PER_LINE, compileFind, highlightPieces, rangesIn, stepMatch,
} from '../../web/find.js';
import { F_ERR, F_HEAD, F_HIDDEN, F_NOTICE, LineStore } from '../../web/store.js';
import { logName } from '../../web/downloads.js';
import { Sections } from '../../web/sections.js';
import { createView } from '../../web/view.js';
import { copiedText } from '../../web/copy-text.js';
import { parseFilter } from '../../web/filter.js';
import { repoPath, sourceLink } from '../../web/source-link.js';
import { MAX_LINKS_PER_LINE, cutAtLinks, sourceLinks, sourceRefs } from '../../web/source-refs.js';
import { parseAnnotation } from '../../web/annotation.js';
import { problemsOf } from '../../web/run-index.js';
import fs from 'node:fs';
import { TIME_MODES, formatStamp, nextTimeMode } from '../../web/time.js';
import { MAX_ROWS, compareRows, estimateText, parseCompare } from '../../web/compare-view.js';

const ATTRS = [[A_BOLD, 'bold'], [A_DIM, 'dim'], [A_ITALIC, 'italic'], [A_UNDERLINE, 'underline'],
  [A_INVERSE, 'inverse'], [A_STRIKE, 'strike']];

function describeStyle(sid) {
  const { fg, bg, attrs } = styleOf(sid);
  const color = (c) => (c >= RGB ? `#${(c - RGB).toString(16).padStart(6, '0')}` : String(c));
  const parts = [];
  if (fg >= 0) parts.push(`fg=${color(fg)}`);
  if (bg >= 0) parts.push(`bg=${color(bg)}`);
  for (const [bit, name] of ATTRS) if (attrs & bit) parts.push(name);
  return parts.join(' ');
}

// A line as [[text, style], ...]; a line without style is just its text.
function show(line) {
  if (!line.runs) return line.text;
  const out = [];
  for (let k = 0; k < line.runs.length; k += 2) {
    const end = k + 2 < line.runs.length ? line.runs[k + 2] : line.text.length;
    out.push([line.text.slice(line.runs[k], end), describeStyle(line.runs[k + 1])]);
  }
  return out;
}

// Feeds segments [text, end] (end: 'nl' by default, 'cr' or 'partial') of one
// stream the way the page does, and returns the lines.
function lines(...segments) {
  const term = newTerminal(false);
  const out = [];
  let line = null;
  for (const [text, end = 'nl'] of segments) {
    const full = term.pending + text;
    term.pending = '';
    if (!line) {
      line = { text: '', runs: null };
      out.push(line);
      term.cursor = 0;
    }
    writeSegment(term, line, full, end === 'partial');
    if (end === 'cr') term.cursor = 0;
    else if (end !== 'partial') line = null;
  }
  return out.map(show);
}

const one = (text) => lines([text])[0];

describe('terminal.js: SGR', () => {
  it('leaves plain text alone', () => {
    assert.equal(one('hello\tworld'), 'hello\tworld');
  });

  it('renders the 16 colours and resets', () => {
    assert.deepEqual(one('\x1b[31mred\x1b[0m plain'), [['red', 'fg=1'], [' plain', '']]);
    assert.deepEqual(one('\x1b[92;104mx\x1b[39my\x1b[49mz'), [['x', 'fg=10 bg=12'], ['y', 'bg=12'], ['z', '']]);
    assert.deepEqual(one('\x1b[mx'), 'x', 'an empty SGR is a reset');
  });

  it('renders 256 colours and truecolor, in ; and : forms', () => {
    assert.deepEqual(one('\x1b[38;5;208ma\x1b[48;5;21mb'), [['a', 'fg=208'], ['b', 'fg=208 bg=21']]);
    assert.deepEqual(one('\x1b[38;2;10;200;30ma\x1b[0m'), [['a', 'fg=#0ac81e']]);
    assert.deepEqual(one('\x1b[48;2;1;2;3ma'), [['a', 'bg=#010203']]);
    assert.deepEqual(one('\x1b[38:2::1:2:3ma\x1b[38:5:9mb'), [['a', 'fg=#010203'], ['b', 'fg=9']]);
    assert.deepEqual(one('\x1b[38;5;300ma'), 'a', 'out of range: ignored');
    assert.deepEqual(one('\x1b[38;7;1;31ma'), 'a', 'malformed: the rest is ignored');
  });

  it('sets and clears attributes', () => {
    assert.deepEqual(one('\x1b[1;2;3;4;7;9mx\x1b[22my\x1b[23;24;27;29mz'), [
      ['x', 'bold dim italic underline inverse strike'], ['y', 'italic underline inverse strike'], ['z', '']]);
    assert.deepEqual(one('\x1b[4:3mu\x1b[4:0mv'), [['u', 'underline'], ['v', '']]);
  });

  it('reads plain codes and colour forms mixed, with leading zeros, as a terminal does', () => {
    assert.deepEqual(one('\x1b[01;031mx\x1b[0;38;5;208;4my\x1b[;1mz'),
      [['x', 'fg=1 bold'], ['y', 'fg=208 underline'], ['z', 'bold']]);
    assert.deepEqual(one('\x1b[1;<3mx'), [['x', 'bold']], 'a code that is no number is skipped, not the others');
  });

  it('keeps the pen across lines, as a terminal does', () => {
    assert.deepEqual(lines(['\x1b[32mgreen']), [[['green', 'fg=2']]]);
    assert.deepEqual(lines(['\x1b[32mgreen'], ['still'], ['\x1b[0mplain']),
      [[['green', 'fg=2']], [['still', 'fg=2']], 'plain']);
  });
});

describe('terminal.js: other sequences are removed', () => {
  it('removes OSC, DCS, charset, cursor and mode sequences', () => {
    assert.equal(one('\x1b]0;title\x07a\x1b]8;;http://x/\x1b\\b\x1b]8;;\x1b\\c'), 'abc');
    assert.equal(one('\x1bP1$r0m\x1b\\a\x1b(Bb\x1b7c\x1b8\x1b=d'), 'abcd');
    assert.equal(one('\x1b[?25l\x1b[2J\x1b[H\x1b[3Aa\x1b[1;2r\x1b[>4;2mb\x1b[2 qc'), 'abc');
    assert.deepEqual(one('\x9b31ma\x07b\x00c\x7f'), [['abc', 'fg=1']]);
  });

  it('lets an unterminated OSC end at the next ESC', () => {
    assert.deepEqual(one('\x1b]0;oops\x1b[31mred'), [['red', 'fg=1']]);
  });

  it('drops an escape cut off at the end of a complete line', () => {
    assert.equal(one('abc\x1b[3'), 'abc');
    assert.equal(one('abc\x1b'), 'abc');
  });

  it('joins an escape cut in two by a partial segment', () => {
    assert.deepEqual(lines(['abc\x1b[3', 'partial'], ['1mred\x1b[0m']), [[['abc', ''], ['red', 'fg=1']]]);
    assert.deepEqual(lines(['a\x1b', 'partial'], [']0;t', 'partial'], ['itle\x07b']), ['ab']);
  });
});

describe('terminal.js: carriage returns and partial lines', () => {
  it('overwrites from the start of the line after cr', () => {
    assert.deepEqual(lines(['10%', 'cr'], ['50%', 'cr'], ['100%']), ['100%']);
    assert.deepEqual(lines(['abcdef', 'cr'], ['XY']), ['XYcdef']);
    assert.deepEqual(lines(['abc', 'cr'], ['']), ['abc'], 'a bare newline after cr keeps the text');
  });

  it('erases with CSI K', () => {
    assert.deepEqual(lines(['abcdef', 'cr'], ['XY\x1b[K']), ['XY']);
    assert.deepEqual(lines(['abcdef', 'cr'], ['\x1b[2KXY']), ['XY']);
    assert.deepEqual(lines(['abcdef', 'cr'], ['XY\x1b[1K']), ['   def']);
  });

  it('keeps styles through an overwrite', () => {
    assert.deepEqual(lines(['\x1b[31mabc\x1b[0m', 'cr'], ['X']), [[['X', ''], ['bc', 'fg=1']]]);
    assert.deepEqual(lines(['abc', 'cr'], ['\x1b[1mX\x1b[0m']), [[['X', 'bold'], ['bc', '']]]);
  });

  it('moves the cursor with backspace, CHA, CUF and CUB', () => {
    assert.equal(one('ab\bc'), 'ac');
    assert.equal(one('abc\x1b[1Gx'), 'xbc');
    assert.equal(one('abcd\x1b[3Dx\x1b[1Cy'), 'axcy');
  });

  it('continues a partial line', () => {
    assert.deepEqual(lines(['Password: ', 'partial'], ['hunter2']), ['Password: hunter2']);
    assert.deepEqual(lines(['\x1b[33mWarn', 'partial'], ['ing\x1b[0m!']), [[['Warning', 'fg=3'], ['!', '']]]);
  });
});

describe('sse.js: the event-stream parser', () => {
  const STREAM = 'retry: 2000\n: ssetail\n\nid: r.1\nevent: start\ndata: {"a":1}\n\n'
    + 'event: gap\ndata: {"missed":3}\n\n: ping\n\nid: r.2\nevent: stdout\ndata: line one\n\n'
    + 'id: r.3\ndata: first\ndata:second\ndata\n\nevent: nodata\n\nid: r.4\nevent: exit\ndata: x\n\n';
  const EXPECTED = [['start', '{"a":1}', 'r.1'], ['gap', '{"missed":3}', ''], ['stdout', 'line one', 'r.2'],
    ['message', 'first\nsecond\n', 'r.3'], ['exit', 'x', 'r.4']];

  // The browser's turn, in node: a macrotask that keeps the process alive
  // while it is due (the page's MessageChannel would not).
  const turn = () => new Promise((resolve) => { setImmediate(resolve); });

  async function parse(chunks) {
    const events = [];
    const retries = [];
    const parser = new EventStreamParser((...e) => events.push(e), (ms) => retries.push(ms), turn);
    for (const chunk of chunks) await parser.feed(chunk, { aborted: false });
    return { events, retries };
  }

  it('parses events, comments, ids and retry', async () => {
    const { events, retries } = await parse([STREAM]);
    assert.deepEqual(events, EXPECTED);
    assert.deepEqual(retries, [2000]);
  });

  it('gives the same events however the stream is cut into chunks', async () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      const { events } = await parse([STREAM.slice(0, cut), STREAM.slice(cut)]);
      assert.deepEqual(events, EXPECTED, `cut at ${cut}`);
    }
  });

  it('gives the browser a turn every few milliseconds, across chunks as within one', async () => {
    // Chunks of 20 events, each event taking 0.1 ms to handle: no chunk reaches the
    // 8 ms slice on its own, the 100 of them take 200 ms.
    const busy = () => { const until = performance.now() + 0.1; while (performance.now() < until); };
    let pauses = 0;
    const parser = new EventStreamParser(busy, () => {}, async () => { pauses++; });
    const chunk = Array.from({ length: 20 }, (_, i) => `id: r.${i}\nevent: stdout\ndata: x\n\n`).join('');
    for (let k = 0; k < 100; k++) await parser.feed(chunk, { aborted: false });
    assert.ok(pauses >= 10, `${pauses} pauses in 200 ms`);
    // One chunk of the same 2,000 events pauses as often.
    pauses = 0;
    await new EventStreamParser(busy, () => {}, async () => { pauses++; }).feed(chunk.repeat(100), { aborted: false });
    assert.ok(pauses >= 10, `${pauses} pauses in one chunk`);
  });

  it('accepts CRLF line ends', async () => {
    const { events } = await parse([STREAM.replaceAll('\n', '\r\n')]);
    assert.deepEqual(events, EXPECTED);
  });
});

describe('events-reader.js: events into batches', () => {
  // The events as ingest.js reads them: [type, seq, text, t, flags] per event, per batch.
  function batches(events) {
    const out = [];
    const builder = new BatchBuilder((b) => out.push(b));
    for (const e of events) builder.event(...e);
    builder.flush();
    return out.map((b) => ({
      runId: b.runId,
      events: Array.from({ length: b.n }, (_, k) => [b.type[k], b.seq[k], b.text[k], b.t[k], b.flags[k]]),
    }));
  }

  it('reads output data without JSON.parse as JSON.parse would, and everything else with it', () => {
    const data = [
      { text: 'plain', t: 5 }, { text: 'bar', t: 7, cr: true }, { text: 'prompt: ', t: 9, partial: true },
      { text: 'both', t: 1, cr: true, partial: true }, { text: 'a "quoted" \\ tab\t', t: 2 },
      { text: 'ünïcödé ✓', t: 4294967295 }, { text: '', t: 0 },
    ].map((d) => JSON.stringify(d));
    data.push('{"t":3,"text":"fields the other way"}', '{"text":"x","t":3,"partial":true,"cr":true}', 'not json');
    const [{ runId, events }] = batches(data.map((d, i) => ['stdout', d, `run.${i + 2}`]));
    assert.equal(runId, 'run');
    assert.deepEqual(events.map(([, seq]) => seq), data.map((_, i) => i + 2));
    assert.deepEqual(events.map(([type, , text, t, flags]) => [type, text, t, flags]), [
      [T_STDOUT, 'plain', 5, 0], [T_STDOUT, 'bar', 7, B_CR], [T_STDOUT, 'prompt: ', 9, B_PARTIAL],
      [T_STDOUT, 'both', 1, B_CR | B_PARTIAL], [T_STDOUT, 'a "quoted" \\ tab\t', 2, 0],
      [T_STDOUT, 'ünïcödé ✓', 4294967295, 0], [T_STDOUT, '', 0, 0], [T_STDOUT, 'fields the other way', 3, 0],
      [T_STDOUT, 'x', 3, B_CR | B_PARTIAL], [T_OTHER, 'not json', 0, 0]]);
  });

  it('keeps other events\' data, a gap without a SEQ, and cuts a batch where the run changes or it is full', () => {
    const got = batches([
      ['start', '{"title":"x"}', 'r1.1'], ['gap', '{"missed":3}', ''], ['stderr', '{"text":"e","t":1}', 'r1.5'],
      ['exit', '{"code":0}', 'r1.6'], ['start', '{}', 'r2.1'], ['message', 'hi', 'r2.x'],
    ]);
    assert.deepEqual(got.map((b) => b.runId), ['r1', 'r2']);
    assert.deepEqual(got[0].events.map(([type, seq, text]) => [type, seq, text]), [
      [T_START, 1, '{"title":"x"}'], [T_GAP, NaN, '{"missed":3}'], [T_STDERR, 5, 'e'], [T_EXIT, 6, '{"code":0}']]);
    assert.deepEqual(got[1].events.map(([type, seq]) => [type, seq]), [[T_START, 1], [T_OTHER, NaN]]);
    const many = batches(Array.from({ length: BATCH_EVENTS + 1 }, (_, i) => ['stdout', '{"text":"l","t":0}', `r.${i + 2}`]));
    assert.deepEqual(many.map((b) => b.events.length), [BATCH_EVENTS, 1]);
  });
});

describe('stream-worker.js: how far it reads ahead of the page', () => {
  // The worker's globals, in node: its messages to the page, and fetch() answering the stream.
  const saved = {};
  const sent = [];
  before(() => {
    for (const name of ['fetch', 'postMessage', 'self', 'onmessage']) saved[name] = globalThis[name];
    const stream = Array.from({ length: 20 * BATCH_EVENTS },
      (_, i) => `id: r.${i + 2}\nevent: stdout\ndata: {"text":"line ${i}","t":0}\n\n`).join('');
    globalThis.fetch = async () => new Response(stream);
    globalThis.postMessage = (message) => sent.push(message);
    globalThis.self = globalThis;
  });
  after(async () => {
    if (globalThis.onmessage) { // the last request, ended: its reading stops before the globals go
      globalThis.onmessage({ data: { abort: 3 } });
      for (let deadline = Date.now() + 10000; !sent.some((m) => m.req === 3 && m.done) && Date.now() < deadline;) {
        await new Promise((r) => { setTimeout(r, 10); });
      }
    }
    for (const [name, value] of Object.entries(saved)) globalThis[name] = value;
  });

  // The batches request `req` sends to a page that takes none in, once it stops.
  async function batchesUnanswered(req, ahead) {
    globalThis.onmessage({ data: { open: '', req, ahead } });
    const count = () => sent.filter((m) => m.req === req && m.batch).length;
    let last = -1;
    for (let deadline = Date.now() + 10000; last !== count() && Date.now() < deadline;) {
      last = count();
      await new Promise((r) => { setTimeout(r, 300); });
    }
    return count();
  }

  it('has 2 batches on their way unless the page asks for more, and 16 at most', async () => {
    await import('../../web/stream-worker.js');
    assert.deepEqual(sent.slice(0, 1), [{ ready: true }]);
    assert.equal(await batchesUnanswered(1, undefined), 2);
    assert.equal(await batchesUnanswered(2, 16), 16);
    assert.equal(await batchesUnanswered(3, 1000), 16);
  });
});

describe('find.js', () => {
  const texts = ['Error: one', 'fine', 'error: two, ERROR three', '', 'note', 'caf\u00e9 \u{1F600} Caf\u00c9'];
  const index = (q, opts) => {
    const ix = new FindIndex(compileFind(q, opts), (i) => texts[i]);
    ix.update(0, texts.length);
    return ix;
  };
  const all = (ix) => ix.line.map((l, k) => [l, ix.start[k], ix.end[k]]);

  it('is literal and case-insensitive by default', () => {
    assert.deepEqual(all(index('error')), [[0, 0, 5], [2, 0, 5], [2, 12, 17]]);
    assert.deepEqual(all(index('r: ')), [[0, 4, 7], [2, 4, 7]]);
    assert.deepEqual(all(index('.')), []); // a literal dot
    assert.deepEqual(all(index('café')), [[5, 0, 4], [5, 8, 12]]); // UTF-16 units, after the surrogate pair
  });

  it('matches case with matchCase and regular expressions with regex', () => {
    assert.deepEqual(all(index('ERROR', { matchCase: true })), [[2, 12, 17]]);
    assert.deepEqual(all(index('^e\\w+', { regex: true })), [[0, 0, 5], [2, 0, 5]]);
    assert.deepEqual(all(index('x*', { regex: true })).filter(([l]) => l === 1), [[1, 0, 0], [1, 1, 1], [1, 2, 2], [1, 3, 3], [1, 4, 4]]);
    assert.ok(compileFind('(', { regex: true }).error);
    assert.equal(compileFind(''), null);
    assert.ok(compileFind('(') instanceof RegExp); // literally "("
  });

  it('caps the matches of one line', () => {
    const out = [];
    assert.equal(rangesIn('a'.repeat(500), compileFind('a'), out), MAX_RANGES_PER_LINE);
  });

  it('rescans from the first changed line only', () => {
    const lines = ['hit', 'no', 'hi'];
    const ix = new FindIndex(compileFind('hit'), (i) => lines[i]);
    ix.update(0, 3);
    assert.equal(ix.count, 1);
    lines[2] = 'hit hit'; // the open line took more text
    lines.push('hit');
    ix.update(2, 4);
    assert.deepEqual(all(ix), [[0, 0, 3], [2, 0, 3], [2, 4, 7], [3, 0, 3]]);
    assert.equal(ix.firstAtOrAfter(1), 1);
    assert.deepEqual(ix.on(2), [[1, 0, 3], [2, 4, 7]]);
  });

  it('scans a slice at a time when asked to stop, and ends where a whole scan ends', () => {
    const lines = Array.from({ length: 10000 }, (_, i) => (i % 1000 === 7 ? `hit ${i}` : `line ${i}`));
    const whole = new FindIndex(compileFind('hit'), (i) => lines[i]);
    assert.equal(whole.update(0, lines.length), true);
    const sliced = new FindIndex(compileFind('hit'), (i) => lines[i]);
    const slices = [];
    // At most one slice per line: a scan that never ends fails here instead of hanging.
    for (let from = 0, done = false; !done; from = Infinity) { // Infinity: nothing changed
      assert.ok(slices.length < lines.length, 'the scan makes progress');
      done = sliced.update(from, lines.length, () => true);
      slices.push(sliced.scanned);
    }
    assert.ok(slices.length >= 3, JSON.stringify(slices)); // stopped part way, more than once
    assert.ok(slices.slice(0, -1).every((n) => n > 0 && n < lines.length), JSON.stringify(slices));
    assert.equal(sliced.count, 10);
    assert.deepEqual(all(sliced), all(whole));
    // A line changed behind the scan's position is scanned again.
    lines[7] = 'hit hit';
    assert.equal(sliced.update(7, lines.length), true);
    assert.equal(sliced.count, 11);
  });

  it('steps around', () => {
    assert.equal(stepMatch(0, -1, 1), -1);
    assert.equal(stepMatch(3, -1, 1), 0);
    assert.equal(stepMatch(3, -1, -1), 2);
    assert.equal(stepMatch(3, 2, 1), 0);
    assert.equal(stepMatch(3, 0, -1), 2);
  });

  it('cuts a styled line at the edges of its matches', () => {
    // "abcdef": style 7 over [2, 4); matches 0 over [1, 3), 1 over [5, 6).
    assert.deepEqual(highlightPieces(6, [0, 0, 2, 7, 4, 0], [[0, 1, 3], [1, 5, 6]]),
      [[0, 1, 0, -1], [1, 2, 0, 0], [2, 3, 7, 0], [3, 4, 7, -1], [4, 5, 0, -1], [5, 6, 0, 1]]);
    assert.deepEqual(highlightPieces(3, null, [[4, 0, 3]]), [[0, 3, 0, 4]]);
    assert.deepEqual(highlightPieces(3, null, [[0, 1, 1]]), [[0, 1, 0, -1], [1, 3, 0, -1]]); // empty match: nothing to mark
  });
});

describe('store.js', () => {
  it('grows its columns and clears', () => {
    const store = new LineStore();
    for (let i = 0; i < 3000; i++) store.add(`l${i}`, i % 2 ? F_ERR : 0, i, 0);
    assert.equal(store.length, 3000);
    assert.equal(store.text[2999], 'l2999');
    assert.equal(store.flags[2999], F_ERR);
    assert.equal(store.time[2999], 2999);
    store.clear();
    assert.equal(store.length, 0);
  });
});

describe('store.js: reserve', () => {
  it('makes room for the lines told, up to a bound, and keeps what it holds', () => {
    const store = new LineStore();
    store.add('a', F_ERR, 7, 3, 2);
    store.reserve(5000);
    assert.ok(store.seq.length >= 5000 && store.time.length >= 5000 && store.flags.length >= 5000
      && store.group.length >= 5000, 'every column has room');
    assert.deepEqual([store.length, store.text[0], store.flags[0], store.time[0], store.group[0], store.seq[0]],
      [1, 'a', F_ERR, 7, 3, 2]);
    assert.ok(store.text.length >= 5000 && store.runs.length >= 5000, 'the texts and runs have room too');
    const columns = [store.seq, store.text, store.runs];
    for (let i = 1; i < 5000; i++) store.add(`l${i}`, 0, 0, 0, i + 2);
    assert.deepEqual([store.seq, store.text, store.runs], columns, 'no column was made again while the lines told came');
    assert.deepEqual([store.text[4999], store.runs[4999], store.length], ['l4999', null, 5000]);
    store.reserve(1e12); // a run told longer than any page holds
    assert.ok(store.seq.length < 1e7, `${store.seq.length}`);
    assert.equal(store.seq[4999], 5001);
  });
});

describe('store.js: the run\'s line numbers', () => {
  it('numbers a line by its first event (SEQ - 1), a note by none, and finds the line of a number', () => {
    const store = new LineStore();
    store.add('100%', 0, 0, 0, 2); // 10%\r50%\r100%\n: SEQ 2, 3, 4
    store.add('done', 0, 0, 0, 5);
    store.add('⋯ 10 events no longer kept', F_NOTICE, 0, 0, 6); // SEQ 6..15 gone
    store.add('back', 0, 0, 0, 16);
    assert.deepEqual([0, 1, 2, 3].map((i) => store.number(i)), [1, 4, 0, 15]);
    assert.deepEqual([0, 1, 2, 3].map((i) => store.firstNumber(i)), [1, 4, 5, 15], 'a note: the first line it stands for');
    assert.deepEqual([0, 1, 2, 3].map((i) => store.isNote(i)), [false, false, true, false]);
    assert.deepEqual([1, 2, 3, 4, 5, 9, 14, 15, 99].map((n) => store.rowOf(n)), [0, 0, 0, 1, 2, 2, 2, 3, 3]);
    assert.equal(new LineStore().rowOf(1), -1);
    // Past 2^32 (a late joiner of a long --no-record run): still exact.
    const far = new LineStore();
    far.add('⋯', F_NOTICE, 0, 0, 2);
    far.add('a', 0, 0, 0, 2 ** 40 + 2);
    far.add('b', 0, 0, 0, 2 ** 40 + 3);
    assert.deepEqual([far.number(1), far.number(2)], [2 ** 40 + 1, 2 ** 40 + 2]);
    assert.deepEqual([far.rowOf(2 ** 40), far.rowOf(2 ** 40 + 1), far.rowOf(2 ** 40 + 2)], [0, 1, 2]);
    assert.equal(far.firstNumber(0), 1, 'the SEQs before kept');
    // Until then 4 bytes a line, not 8.
    assert.equal(store.seq.BYTES_PER_ELEMENT, 4);
  });
});

describe('downloads.js', () => {
  it('names the log after the run\'s title and start (UTC, to the minute)', () => {
    const start = Date.parse('2026-12-06T02:14:33.123Z');
    assert.equal(logName('make build', start), 'make-build-2026-12-06T02-14.log');
    assert.equal(logName("sh -c 'make && ./x' ", start), 'sh-c-make-.-x-2026-12-06T02-14.log');
    assert.equal(logName('../../etc/passwd', NaN), 'etc-passwd.log');
    assert.equal(logName('', start), 'ssetail-2026-12-06T02-14.log');
    assert.equal(logName('x'.repeat(100), NaN).length, 64);
  });
});

describe('sections.js', () => {
  // Lines as the page adds them (row i is the event with SEQ i + 2 of run
  // `r`); the sections, their default fold and end markers are the server's.
  function feed(lines) {
    const store = new LineStore();
    const sections = new Sections(store);
    for (const text of lines) {
      store.add(text, 0, 0, sections.top(), store.length + 2);
      sections.countLine();
    }
    return { store, sections, run: { id: 'r', seq: lines.length + 1 } };
  }
  // A /sections entry over rows first..last (last null: still open), ended
  // by its end marker on row `marker` (null: none).
  const sec = (title, first, last, depth = 0, { collapsed = true, marker = null } = {}) => ({
    title, first: `r.${first + 2}`, last: last === null ? null : `r.${last + 2}`, depth, duration_ms: 0, failed: false,
    collapsed, end_marker: marker === null ? null : `r.${marker + 2}`,
  });

  it('folds a GitHub group that ended while following, and hides its end marker', () => {
    const { store, sections, run } = feed(['::group::Build', 'cc a.c', 'cc b.c', '::endgroup::', 'done']);
    assert.equal(sections.apply([sec('Build', 0, 3, 0, { marker: 3 })], run, true), true);
    const { groups } = sections;
    assert.equal(groups.length, 2);
    assert.equal(sections.label(0), 'Build');
    assert.equal(store.flags[0] & F_HEAD, F_HEAD);
    assert.equal(store.flags[3] & F_HIDDEN, F_HIDDEN);
    assert.equal(groups[1].count, 2); // the end marker is not a line of it
    assert.equal(groups[1].collapsed, true);
    assert.deepEqual([...store.group.slice(0, 5)], [0, 1, 1, 1, 0]);
    assert.equal(sections.hiddenByFold(store.group[1]), true);
    assert.equal(sections.hiddenByFold(store.group[4]), false);
    assert.deepEqual(sections.setCollapsed(1, false), [0, 3]);
    assert.equal(sections.setCollapsed(1, false), null, 'nothing changed');
    assert.equal(sections.apply([sec('Build', 0, 3, 0, { marker: 3 })], run, true), false, 'the same answer again changes nothing');
  });

  it('does not fold under the eyes of a reader; nests by depth; a `---` line is shown, and folds only if the server says it is a section', () => {
    const { store, sections, run } = feed(['section_start:1:outer[collapsed=true]', '--- inner', 'x', 'section_end:2:outer', 'y']);
    sections.apply([sec('outer', 0, 3, 0, { marker: 3 }), sec('inner', 1, 2, 1)], run, false);
    assert.deepEqual(sections.groups.slice(1).map((g) => [g.name, g.parent, g.collapsed, g.auto]),
      [['outer', 0, false, true], ['inner', 1, false, true]]);
    assert.deepEqual([...store.group.slice(0, 5)], [0, 1, 2, 1, 0]);
    const plain = feed(['--- a/x.go', '+++ b/x.go', 'y']);
    assert.equal(plain.sections.apply([], plain.run, true), false);
    assert.equal(plain.store.flags[0] & (F_HEAD | F_HIDDEN), 0);
  });

  it('follows a run: an open section takes the new lines; when it ends, those after it go back', () => {
    const { store, sections } = feed(['::group::outer', '::group::inner', 'deep']);
    sections.apply([sec('outer', 0, null), sec('inner', 1, null, 1)], { id: 'r', seq: 4 }, true);
    assert.equal(sections.top(), 2);
    for (const text of ['::endgroup::', '::endgroup::', 'after']) {
      store.add(text, 0, 0, sections.top(), store.length + 2);
      sections.countLine();
    }
    assert.deepEqual([...store.group.slice(0, 6)], [0, 1, 2, 2, 2, 2], 'given to the innermost open one meanwhile');
    sections.apply([sec('outer', 0, 4, 0, { marker: 4 }), sec('inner', 1, 3, 1, { marker: 3 })], { id: 'r', seq: 7 }, true);
    assert.deepEqual([...store.group.slice(0, 6)], [0, 1, 2, 2, 1, 0]);
    assert.deepEqual(sections.groups.slice(1).map((g) => [g.collapsed, g.count]), [[true, 2], [true, 1]]);
    assert.equal(sections.top(), 0);
    assert.deepEqual(sections.unfoldAround(2), [0, 4]);
    assert.deepEqual(sections.groups.slice(1).map((g) => [g.collapsed, g.user]), [[false, true], [false, true]]);
  });

  it('folds by default only what the server says; hides only the end marker it names', () => {
    const { store, sections, run } = feed(['+++ Open', 'x', '::endgroup::', '--- Folds', 'y', '::endgroup::']);
    sections.apply([sec('Open', 0, 2, 0, { collapsed: false }), sec('Folds', 3, 4, 0, { marker: 4 })], run, true);
    assert.deepEqual(sections.groups.slice(1).map((g) => [g.auto, g.collapsed]), [[false, false], [true, true]]);
    assert.equal(store.flags[2] & F_HIDDEN, 0, 'a line that looks like an end marker but is not one is shown');
    assert.equal(store.flags[4] & F_HIDDEN, F_HIDDEN);
    assert.equal(store.flags[5] & F_HIDDEN, 0);
  });

  it('leaves a gap\'s note as it is: a section whose header or end marker is in the gap neither heads nor hides it', () => {
    // A late joiner: SEQ 2..6 gone (a section `early` in them, and the header of `outer`, still open).
    const store = new LineStore();
    const sections = new Sections(store);
    store.add('⋯ 5 events no longer kept', F_NOTICE, 0, 0, 2);
    for (const [text, seq] of [['x', 7], ['::group::inner', 8], ['y', 9], ['::endgroup::', 10], ['z', 11]]) store.add(text, 0, 0, 0, seq);
    const at = (title, first, last, depth, marker) => ({
      title, first: `r.${first}`, last: last && `r.${last}`, depth, duration_ms: 0, failed: false, collapsed: true, end_marker: marker && `r.${marker}`,
    });
    sections.apply([at('early', 3, 5, 0, 5), at('outer', 6, null, 0, null), at('inner', 8, 10, 1, 10)], { id: 'r', seq: 11 }, false);
    assert.deepEqual(sections.groups.slice(1).map((g) => [g.name, g.line, g.parent]), [['inner', 2, 0]], 'only the section it has the header of');
    assert.equal(store.flags[0], F_NOTICE, 'the note is no header and is shown');
    assert.equal(store.flags[4] & F_HIDDEN, F_HIDDEN);
    assert.deepEqual([...store.group.slice(0, 6)], [0, 0, 0, 1, 1, 0]);
    assert.equal(sections.top(), 0);

    // A viewer that fell behind: the end marker of an open section went in a gap.
    const late = new LineStore();
    const lateSections = new Sections(late);
    late.add('::group::a', 0, 0, 0, 2);
    late.add('⋯ 2 events no longer kept', F_NOTICE, 0, 0, 3);
    late.add('after', 0, 0, 0, 5);
    lateSections.apply([at('a', 2, 4, 0, 4)], { id: 'r', seq: 5 }, false);
    assert.equal(late.flags[1], F_NOTICE, 'the note is not hidden as the end marker it stands for');
    assert.deepEqual([...late.group.slice(0, 3)], [0, 1, 0]);
  });

  it('unfolds a section the server no longer folds (Buildkite\'s `^^^ +++`), unless the reader folded it', () => {
    const { sections } = feed(['--- Tests', 'FAIL', '^^^ +++', '--- Next', 'z']);
    const run = { id: 'r', seq: 3 };
    sections.apply([sec('Tests', 0, null)], run, true);
    assert.equal(sections.groups[1].auto, true);
    // `^^^ +++` and the next section come in the same answer: it ends open.
    assert.equal(sections.apply([sec('Tests', 0, 2, 0, { collapsed: false }), sec('Next', 3, null)], { id: 'r', seq: 6 }, true), true);
    assert.deepEqual(sections.groups.slice(1).map((g) => [g.auto, g.collapsed]), [[false, false], [true, false]]);

    const folded = feed(['--- Tests', 'FAIL', '^^^ +++']);
    folded.sections.apply([sec('Tests', 0, 1)], folded.run, true);
    assert.equal(folded.sections.groups[1].collapsed, true);
    assert.equal(folded.sections.apply([sec('Tests', 0, 1, 0, { collapsed: false })], folded.run, true), true);
    assert.equal(folded.sections.groups[1].collapsed, false, 'it unfolds when the reader had not touched it');
    const kept = feed(['--- Tests', 'FAIL', '^^^ +++']);
    kept.sections.apply([sec('Tests', 0, 1)], kept.run, true);
    kept.sections.toggle(1);
    kept.sections.toggle(1);
    kept.sections.apply([sec('Tests', 0, 1, 0, { collapsed: false })], kept.run, true);
    assert.deepEqual([kept.sections.groups[1].auto, kept.sections.groups[1].collapsed], [false, true], 'the reader\'s fold stays');
  });

  it('waits for a section whose lines have not come, and ignores another run\'s', () => {
    const { sections, run } = feed(['a']);
    assert.equal(sections.apply([sec('later', 5, null), { ...sec('other', 0, null), first: 'x.2' }], run, true), false);
    assert.equal(sections.groups.length, 1);
  });

  it('counts lines into open folded sections, and expands and collapses every section', () => {
    const { store, sections, run } = feed(['::group::one', 'x', '::endgroup::', '::group::two', 'y']);
    sections.apply([sec('one', 0, 2, 0, { marker: 2 }), sec('two', 3, null)], run, true);
    assert.deepEqual(sections.groups.slice(1).map((g) => g.collapsed), [true, false]);
    sections.setCollapsed(2, true);
    store.add('z', 0, 0, sections.top(), 7);
    assert.deepEqual(sections.countLine(), [3], 'a folded section shows its size: its header is redrawn');
    assert.equal(sections.setAll(false), true);
    assert.deepEqual(sections.groups.slice(1).map((g) => [g.collapsed, g.user]), [[false, true], [false, true]]);
    assert.equal(sections.setAll(false), false, 'nothing changed');
    assert.equal(sections.setAll(true), true);
    assert.deepEqual(sections.groups.slice(1).map((g) => g.collapsed), [true, true]);
  });

  it('a section that holds an error stays open, the passed ones fold; each keeps its duration', () => {
    const texts = ['::group::Build', '::group::Configure', 'ok', '::endgroup::', '::group::Compile', 'a.c:1: error: x',
      '::endgroup::', '::endgroup::', '::group::Test', 'fine', '::endgroup::'];
    const { sections, run } = feed(texts);
    const failed = (s) => ({ ...s, failed: true });
    sections.apply([
      { ...failed(sec('Build', 0, 7, 0, { marker: 7 })), duration_ms: 4200 },
      { ...sec('Configure', 1, 3, 1, { marker: 3 }), duration_ms: 1200 },
      { ...failed(sec('Compile', 4, 6, 1, { marker: 6 })), duration_ms: 3000 },
      { ...sec('Test', 8, 10, 0, { marker: 10 }), duration_ms: 61000 },
    ], run, true);
    assert.deepEqual(sections.groups.slice(1).map((g) => [g.name, g.collapsed, g.failed, g.durationMs]), [
      ['Build', false, true, 4200], ['Configure', true, false, 1200], ['Compile', false, true, 3000], ['Test', true, false, 61000]]);
    // The server learns of an error late: the section unfolds, unless the reader folded it.
    const late = feed(['::group::A', 'x', '::endgroup::', '::group::B', 'y', '::endgroup::']);
    const list = [sec('A', 0, 2, 0, { marker: 2 }), sec('B', 3, 5, 0, { marker: 5 })];
    late.sections.apply(list, late.run, true);
    assert.deepEqual(late.sections.groups.slice(1).map((g) => g.collapsed), [true, true]);
    late.sections.toggle(2);
    late.sections.toggle(2); // the reader unfolded and folded B again
    assert.equal(late.sections.apply(list.map(failed), late.run, true), true, 'the view is made again');
    assert.deepEqual(late.sections.groups.slice(1).map((g) => [g.collapsed, g.failed]), [[false, true], [true, true]]);
    // An open section has no duration yet.
    const open = feed(['::group::C', 'z']);
    open.sections.apply([{ ...sec('C', 0, null), duration_ms: null }], open.run, true);
    assert.equal(open.sections.groups[1].durationMs, null);
  });
});

describe('copy-text.js', () => {
  // A run with a folded section holding a nested one, and an annotation.
  function run() {
    const texts = ['before', '::group::Outer', 'a', '::group::Inner', 'b', '::endgroup::', '::endgroup::',
      '::error file=x.c,line=3::bad', 'after'];
    const lines = new LineStore();
    const sections = new Sections(lines);
    for (const text of texts) {
      lines.add(text, 0, 0, sections.top(), lines.length + 2);
      sections.countLine();
    }
    const at = (row) => `r.${row + 2}`;
    sections.apply([
      { title: 'Outer', first: at(1), last: at(6), depth: 0, collapsed: true, end_marker: at(6) },
      { title: 'Inner', first: at(3), last: at(5), depth: 1, collapsed: true, end_marker: at(5) },
    ], { id: 'r', seq: texts.length + 1 }, true);
    const state = { lines, sections, view: { lines: [], show: { out: true, err: true }, filter: null } };
    const view = createView(state, () => {});
    view.rebuild();
    return { state, view };
  }

  it('copies a folded section\'s lines, nested ones too, never its placeholder; an annotation raw', () => {
    const { state } = run();
    assert.deepEqual(state.view.lines, [0, 1, 7, 8], 'Outer folded');
    assert.equal(copiedText(state, { i: 0, at: 2 }, { i: 8, at: 3 }),
      'fore\nOuter\na\nInner\nb\n::error file=x.c,line=3::bad\naft');
    // From the very end of a line to the very start of another: neither adds a line.
    assert.equal(copiedText(state, { i: 0, at: 6 }, { i: 8, at: 0 }), 'Outer\na\nInner\nb\n::error file=x.c,line=3::bad');
    // An annotation is copied whole, however little of it is selected.
    assert.equal(copiedText(state, { i: 7, at: 3 }, { i: 7, at: 4 }), '::error file=x.c,line=3::bad');
  });

  it('copies what the view shows between the ends: an open section\'s lines one by one, its header by title', () => {
    const { state, view } = run();
    view.refresh(state.sections.setCollapsed(1, false));
    assert.deepEqual(state.view.lines, [0, 1, 2, 3, 7, 8], 'Inner folded inside Outer');
    assert.equal(copiedText(state, { i: 1, at: 1 }, { i: 1, at: 4 }), 'ute');
    assert.equal(copiedText(state, { i: 2, at: 0 }, { i: 3, at: Infinity }), 'a\nInner\nb');
    view.refresh(state.sections.setCollapsed(2, false));
    assert.equal(copiedText(state, { i: 1, at: 0 }, { i: 8, at: Infinity }),
      'Outer\na\nInner\nb\n::error file=x.c,line=3::bad\nafter', 'no end markers');
    // An end the view no longer shows (folded away since): the lines the view has between them.
    view.refresh(state.sections.setCollapsed(1, true));
    assert.equal(copiedText(state, { i: 2, at: 0 }, { i: 8, at: Infinity }), '::error file=x.c,line=3::bad\nafter');
  });
});

describe('filter.js', () => {
  const passes = (q, lines) => { const f = parseFilter(q); return lines.filter((l) => f.test(l)); };
  it('is a substring, case-insensitive unless it has a capital, or a /regex/', () => {
    const lines = ['apple', 'Apple pie', 'banana', 'a.b'];
    assert.equal(parseFilter(''), null);
    assert.deepEqual(passes('apple', lines), ['apple', 'Apple pie']);
    assert.deepEqual(passes('Apple', lines), ['Apple pie']);
    assert.deepEqual(passes('.', lines), ['a.b']);
    assert.deepEqual(passes('/^a/', lines), ['apple', 'a.b']);
    assert.deepEqual(passes('/^A/i', lines), ['apple', 'Apple pie', 'a.b']);
    assert.throws(() => parseFilter('/(/'));
  });
});

describe('run-index.js and source-link.js', () => {
  it('takes the server\'s problems to the page\'s lines, each with the run\'s number of its own', () => {
    const store = new LineStore();
    for (const seq of [2, 3, 5]) store.add('x', 0, 0, 0, seq); // the row of SEQ 3 took SEQ 4 in too (a cr)
    store.add('⋯ 4 events no longer kept', F_NOTICE, 0, 0, 6); // SEQ 6..9: a gap
    store.add('y', 0, 0, 0, 10);
    const p = (id, severity, message, file = null, line = null) => ({ id, severity, file, line, col: null, message, tool: 'cc' });
    const answer = { problems: [
      p('r.3', 'error', 'bad', 'a.c', 2), p('r.4', 'warning', 'overwritten'), p('r.5', 'warning', 'meh'),
      p('r.7', 'error', 'in the gap'), p('r.12', 'error', 'not here yet'), p('q.2', 'error', 'another run'),
    ] };
    const got = problemsOf(answer, { id: 'r', seq: 10 }, store);
    assert.deepEqual(got[0], { line: 1, n: 2, severity: 'error', tool: 'cc', message: 'bad', file: 'a.c', fileLine: 2, col: undefined });
    // The row that shows it (or the note that stands for it), and its own number: the server's, #L's.
    assert.deepEqual(got.map((x) => [x.message, x.line, x.n]), [['bad', 1, 2], ['overwritten', 1, 3], ['meh', 2, 4], ['in the gap', 3, 6]]);
    assert.deepEqual(problemsOf(null, { id: 'r', seq: 5 }, store), []);
  });

  it('links only relative paths, into an http(s) template', () => {
    const t = 'https://git.example/repo/blob/main/{file}#L{line}';
    assert.equal(sourceLink(t, 'src/lib/a+b.c', 12), 'https://git.example/repo/blob/main/src/lib/a%2Bb.c#L12');
    assert.equal(sourceLink(t, './main.go', 7), 'https://git.example/repo/blob/main/main.go#L7');
    for (const bad of ['/etc/passwd', '../secret', 'a/../../b', 'javascript:alert(1)', 'C:\\x.c', 'a//b', 'https://evil/x']) {
      assert.equal(sourceLink(t, bad, 1), null, bad);
    }
    assert.equal(sourceLink('javascript:alert({file})', 'a.c', 1), null);
    assert.equal(sourceLink('', 'a.c', 1), null);
  });

  it('links an absolute path under a root (--source-root), without the root; under none, not', () => {
    const t = 'https://github.com/o/r/blob/abc/{file}#L{line}';
    const roots = ['/home/runner/work/r/r', '/srv/'];
    assert.equal(sourceLink(t, '/home/runner/work/r/r/src/a.py', 3, roots), 'https://github.com/o/r/blob/abc/src/a.py#L3');
    assert.equal(sourceLink(t, '/srv/check.py', 2, roots), 'https://github.com/o/r/blob/abc/check.py#L2');
    assert.equal(sourceLink(t, 'src/a.py', 3, roots), 'https://github.com/o/r/blob/abc/src/a.py#L3');
    for (const bad of ['/home/runner/work/r/rx/a.py', '/home/runner/work/r/r', '/home/runner/work/r/r/', '/etc/passwd',
      '/home/runner/work/r/r/../../../etc/passwd', '/home/runner/work/r/r//a.py', '/srv/javascript:x']) {
      assert.equal(sourceLink(t, bad, 1, roots), null, bad);
    }
    assert.equal(sourceLink('javascript:alert({file})', '/srv/a.c', 1, roots), null);
  });

  it('takes the longest root a path is under', () => {
    assert.equal(repoPath('/w/sub/a.c', ['/w', '/w/sub']), 'a.c');
    assert.equal(repoPath('/w/sub/a.c', ['/w/sub', '/w']), 'a.c');
    assert.equal(repoPath('/w/a.c', ['/w/sub', '/w']), 'a.c');
    assert.equal(repoPath('./a.c', ['/w']), 'a.c');
    assert.equal(repoPath('/w/a.c', []), null);
    assert.equal(repoPath('/w/a.c', ['w', '/', 7, null]), null);
  });
});

describe('source-refs.js', () => {
  // What links in `text`: [linked text, file, line].
  const refs = (text) => sourceRefs(text).map((r) => [text.slice(r.start, r.end), r.file, r.line]);

  it('finds the file:line forms of the tools the index knows', () => {
    const cases = [
      ['src/a.c:3:5: error: expected ;', ['src/a.c:3:5', 'src/a.c', 3]], // gcc, clang
      ['  --> src/main.rs:2:5', ['src/main.rs:2:5', 'src/main.rs', 2]], // rustc
      ['./cmd/x.go:12:3: undefined: y', ['./cmd/x.go:12:3', './cmd/x.go', 12]], // go
      ['    x_test.go:14: got 1', ['x_test.go:14', 'x_test.go', 14]], // go test
      ['tests/test_a.py:7: AssertionError', ['tests/test_a.py:7', 'tests/test_a.py', 7]], // pytest
      ["thread 'main' panicked at src/lib.rs:10:5:", ['src/lib.rs:10:5', 'src/lib.rs', 10]], // rust
      ['CMake Error at CMakeLists.txt:12 (project):', ['CMakeLists.txt:12', 'CMakeLists.txt', 12]],
      ['Makefile:4: *** missing separator.  Stop.', ['Makefile:4', 'Makefile', 4]],
      ['    at f (/ws/a.js:3:5)', ['/ws/a.js:3:5', '/ws/a.js', 3]], // a stack frame
      ['/ws/src/a.py:3', ['/ws/src/a.py:3', '/ws/src/a.py', 3]],
      ['in "a.c:9", or file=b.h:2,c.h:4', ['a.c:9', 'a.c', 9], ['b.h:2', 'b.h', 2], ['c.h:4', 'c.h', 4]],
    ];
    for (const [text, ...want] of cases) assert.deepEqual(refs(text), want, text);
  });

  it('links the file of a Python traceback frame', () => {
    assert.deepEqual(refs('  File "/ws/check.py", line 2, in <module>'), [['/ws/check.py', '/ws/check.py', 2]]);
    assert.deepEqual(refs('File "a.c:3", line 2'), [['a.c:3', 'a.c:3', 2]]); // one link, not two
    assert.deepEqual(refs('b.py:4: from File "a.py", line 2'), [['b.py:4', 'b.py', 4], ['a.py', 'a.py', 2]]);
  });

  it('leaves times, versions, hosts, URLs and half-words alone', () => {
    for (const text of ['at 12:30:45', '2026-12-07T02:14:33.123Z started', 'T02:14:33', 'v1.2.3:4', 'python3.11:5',
      'localhost:8080', 'github.com:443', 'docker.io/library/postgres:15', 'node:18', 'image:latest',
      'https://example.com:8080/x.py:3', 'http://a/b.c:4', 'file://x/a.c:1', 'error:src/a.c:3', 'a.c:3x', 'a.c:3/4',
      'a.c:1.5', 'README:3', '1/2:3', 'C:\\src\\a.c:3', 'no colon at all']) {
      assert.deepEqual(refs(text), [], text);
    }
  });

  it('makes links only of what source-link.js links (under a root, relative, plain)', () => {
    const t = 'https://github.com/o/r/blob/abc/{file}#L{line}';
    const text = '/ws/src/a.py:3 /usr/include/stdio.h:12 ../up.c:1 rel/c.c:5:7';
    assert.deepEqual(sourceLinks(text, t, ['/ws']).map((l) => [text.slice(l.start, l.end), l.href]), [
      ['/ws/src/a.py:3', 'https://github.com/o/r/blob/abc/src/a.py#L3'],
      ['rel/c.c:5:7', 'https://github.com/o/r/blob/abc/rel/c.c#L5'],
    ]);
    assert.deepEqual(sourceLinks(text, '', ['/ws']), []);
  });

  it('stops at MAX_LINKS_PER_LINE', () => {
    assert.equal(sourceRefs('a.c:1 '.repeat(MAX_LINKS_PER_LINE + 5)).length, MAX_LINKS_PER_LINE);
  });

  it('cuts the pieces of a line at its links\' edges', () => {
    // "ab" styled 1, "cdef" plain, a find match over "de"; a link over "bcd".
    const pieces = highlightPieces(6, [0, 1, 2, 0], [[0, 3, 5]]);
    assert.deepEqual(cutAtLinks(pieces, [{ start: 1, end: 4 }]), [
      [0, 1, 1, -1, -1], [1, 2, 1, -1, 0], [2, 3, 0, -1, 0], [3, 4, 0, 0, 0], [4, 5, 0, 0, -1], [5, 6, 0, -1, -1],
    ]);
    assert.deepEqual(cutAtLinks(pieces, []), pieces.map((p) => [...p, -1]));
    assert.deepEqual(cutAtLinks([[0, 6, 0, -1]], [{ start: 0, end: 2 }, { start: 4, end: 6 }]),
      [[0, 2, 0, -1, 0], [2, 4, 0, -1, -1], [4, 6, 0, -1, 1]]);
  });
});

describe('index.html', () => {
  it('preloads every module the page imports, and nothing else', () => {
    const web = new URL('../../web/', import.meta.url);
    const html = fs.readFileSync(new URL('index.html', web), 'utf8');
    const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]).sort();
    // What app.js imports, and what those import, followed through the files.
    const imported = new Set();
    const follow = (file) => {
      for (const [, dep] of fs.readFileSync(new URL(file, web), 'utf8').matchAll(/^import [^;]*? from '\.\/([\w-]+\.js)';$/gm)) {
        if (!imported.has(dep)) {
          imported.add(dep);
          follow(dep);
        }
      }
    };
    follow('app.js');
    assert.ok(imported.size > 10, [...imported].join());
    assert.deepEqual(preloaded, [...imported].sort());
  });
});

describe('time.js', () => {
  it('cycles off → clock → elapsed → delta → off', () => {
    assert.deepEqual(TIME_MODES.map(nextTimeMode), ['clock', 'elapsed', 'delta', 'off']);
  });
  it('formats each mode', () => {
    const start = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    assert.equal(formatStamp('off', 1234, null, start), '');
    assert.equal(formatStamp('clock', 1234, null, start, false), '03:04:06.240');
    assert.equal(formatStamp('clock', 1234, null, NaN), '+1.234s');
    assert.equal(formatStamp('elapsed', 61234, null, start), '1:01.234');
    assert.equal(formatStamp('elapsed', 3723004, null, start), '1:02:03.004');
    assert.equal(formatStamp('delta', 1234, 1000, start), '+0.234s');
    assert.equal(formatStamp('delta', 1234, null, start), '+0.000s');
  });
});

describe('compare-view.js', () => {
  // 40 lines, line n at row n - 1 (SEQ n + 1): rowOf is the identity on numbers.
  const rowOf = (n) => n;
  const answer = (hunks, gone = []) => ({ header: { with: {} }, hunks, problems: { new_problems: [], gone_problems: gone, complete: true } });
  const kinds = (rows) => rows.map((r) => (r.kind === 'sep' ? `sep${r.hidden}` : r.kind === 'ctx' || r.kind === 'ins' ? `${r.kind}${r.row}` : r.kind === 'del' ? `del@${r.withLine}` : `${r.kind}${r.from}-${r.to}`));

  it('keeps 3 lines of context around each hunk and folds the rest', () => {
    // Row 10 new; other run's lines 30, 31 gone after row 25.
    const { rows, first } = compareRows(answer([
      { op: 'insert', ids: ['R.11'], with_ids: [] },
      { op: 'delete', ids: [], with_ids: ['O.31', 'O.32'], after: 'R.26' },
    ]), 40, rowOf);
    assert.deepEqual(kinds(rows), ['sep7', 'ctx7', 'ctx8', 'ctx9', 'ins10', 'ctx11', 'ctx12', 'ctx13', 'sep9',
      'ctx23', 'ctx24', 'ctx25', 'del-run30-31', 'ctx26', 'ctx27', 'ctx28', 'sep11']);
    assert.equal(first, 4);
  });

  it('names a gone line by its gone problem; a deletion before the first line; a replacement', () => {
    const gone = [{ id: 'O.3', severity: 'warning', file: 'a.c', line: 2, col: 7, message: 'unused' }];
    const { rows, first } = compareRows(answer([
      { op: 'delete', ids: [], with_ids: ['O.2', 'O.3'], after: null },
      { op: 'replace', ids: ['R.5'], with_ids: ['O.8'] },
    ], gone), 8, rowOf);
    assert.deepEqual(kinds(rows), ['del-run1-1', 'del@2', 'ctx0', 'ctx1', 'ctx2', 'ctx3', 'del-run7-7', 'ins4', 'ctx5', 'ctx6', 'ctx7']);
    assert.equal(rows[1].problem.message, 'unused');
    assert.equal(first, 0);
  });

  it('draws at most MAX_ROWS rows and says how many hunks it left out', () => {
    const hunks = [];
    for (let n = 1; n <= 20000; n += 2) hunks.push({ op: 'insert', ids: [`R.${n + 1}`], with_ids: [] });
    const { rows } = compareRows(answer(hunks), 20000, rowOf);
    assert.ok(rows.length <= MAX_ROWS + 2, String(rows.length));
    assert.equal(rows.at(-1).kind, 'more');
    assert.ok(rows.at(-1).hunks > 0);
  });

  it('says the estimate as the header shows it; parses /compare', () => {
    assert.equal(estimateText({ left_ms: 42400, percent_slower: 12.4 }), 'about 42 s left, 12% slower so far');
    assert.equal(estimateText({ left_ms: 150000, percent_slower: -8 }), 'about 3 min left, 8% faster so far');
    assert.equal(estimateText({ left_ms: 1000, percent_slower: null }), 'about 1 s left');
    assert.equal(estimateText(undefined), '');
    const body = '{"with":{"title":"t","started":"s","exit":null},"first_difference":null}\n{"new_problems":[],"gone_problems":[],"complete":false}\n';
    assert.deepEqual(parseCompare(body).hunks, []);
    assert.equal(parseCompare('{"x":1}\n'), null);
  });
});


describe('annotation.js', () => {
  it('reads ::error/::warning/::notice with their properties and GitHub\'s escapes', () => {
    assert.deepEqual(parseAnnotation('::error file=src/a.c,line=3,col=7,title=Build%3A C::it broke%0Atwice'),
      { kind: 'error', title: 'Build: C', message: 'it broke\ntwice', where: 'src/a.c:3:7', file: 'src/a.c', line: 3 });
    assert.deepEqual(parseAnnotation('::warning::look here'),
      { kind: 'warning', title: '', message: 'look here', where: '', file: '', line: 0 });
    assert.deepEqual(parseAnnotation('::notice file=x.py::fyi'),
      { kind: 'notice', title: '', message: 'fyi', where: 'x.py', file: 'x.py', line: 0 });
  });
  it('leaves other lines and other workflow commands alone', () => {
    for (const text of ['::group::Build', 'error: x', ' ::error::indented', '::debug::x', '::errors::x', '']) {
      assert.equal(parseAnnotation(text), null, text);
    }
  });
});
