// Problems (SPEC §11): compiler and test diagnostics recognised in the output,
// line by line as lines complete. Pure: no DOM, so node tests it on real
// output of gcc, clang, rustc, go, python and pytest (tests/browser/fixtures).
//
// Each problem: { line, severity: 'error' | 'warning' | 'notice', tool,
// message, file, fileLine, col } (file, fileLine and col when the tool says
// where). `line` is the page's line index of the diagnostic.

// gcc and clang: `file:line:col: error: message` (col optional; `fatal error`).
const GCC = /^([^\s:][^:]*):(\d+):(?:(\d+):)? (fatal error|error|warning): (.*)$/;
// Go (the compiler, vet): `file.go:line:col: message`, no severity: an error.
const GO = /^(\S+\.go):(\d+):(\d+): (.*)$/;
// MSVC: `file(line[,col]): error C1234: message` (also `fatal error`, `warning`).
const MSVC = /^(.+?)\((\d+)(?:,(\d+))?\) ?: (fatal error|error|warning) ([A-Z]+\d+): ?(.*)$/;
// rustc (and cargo): `error[E0425]: message`, the place on a later ` --> file:line:col`.
const RUST_HEAD = /^(error|warning)(?:\[([A-Z]\d+)\])?: (.*)$/;
const RUST_PLACE = /^\s*--> (.+?):(\d+):(\d+)$/;
// Summaries rustc and cargo print after the diagnostics: not problems of their own.
const RUST_SUMMARY = /^(aborting due to|could not compile|\d+ warnings? emitted|build failed)/;
// Python: a traceback, its frames, and the exception line that ends it.
const PY_FRAME = /^\s+File "(.+)", line (\d+)/;
const PY_EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s*(.*))?$/;
// pytest's short test summary: `FAILED path::test - message`, `ERROR path - message`.
const PYTEST = /^(FAILED|ERROR) (\S+?)(?: - (.*))?$/;
// GitHub Actions workflow commands: `::error file=f,line=1,col=2,title=t::message`.
const GITHUB = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/;

function githubProps(props) {
  const out = {};
  for (const part of (props || '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function num(s) {
  return s === undefined || s === '' ? undefined : Number(s);
}

export class ProblemDetector {
  constructor() {
    this.problems = [];
    this.counts = { error: 0, warning: 0, notice: 0 };
    // Per stream (0 stdout, 1 stderr): a rustc diagnostic waiting for its place,
    // and a Python traceback being read.
    this.rust = [null, null];
    this.traceback = [null, null];
  }

  add(problem) {
    this.problems.push(problem);
    this.counts[problem.severity]++;
    return problem;
  }

  // Looks at the complete line `i` of stream `err` (false: stdout); returns
  // the problem it starts, or null.
  line(i, text, err = false) {
    const s = err ? 1 : 0;
    let m;
    // A rustc diagnostic gets its place from the first ` --> ` line after it.
    const rust = this.rust[s];
    if (rust && (m = RUST_PLACE.exec(text))) {
      rust.file = m[1];
      rust.fileLine = Number(m[2]);
      rust.col = Number(m[3]);
      this.rust[s] = null;
      return null;
    }
    const tb = this.traceback[s];
    if (tb) {
      if ((m = PY_FRAME.exec(text))) {
        tb.file = m[1];
        tb.fileLine = Number(m[2]);
        return null;
      }
      if (/^\s/.test(text)) return null; // a frame's source line, or its ^^^^ marks
      this.traceback[s] = null;
      if ((m = PY_EXCEPTION.exec(text))) {
        return this.add({
          line: tb.line, severity: 'error', tool: 'python', message: text, file: tb.file,
          fileLine: tb.fileLine, col: undefined,
        });
      }
    }
    if (text === 'Traceback (most recent call last):') {
      this.traceback[s] = { line: i, file: undefined, fileLine: undefined };
      return null;
    }
    const c = text.charCodeAt(0);
    if (c === 58 /* : */ && (m = GITHUB.exec(text))) {
      const p = githubProps(m[2]);
      return this.add({
        line: i, severity: m[1], tool: 'github', message: p.title ? `${p.title}: ${m[3]}` : m[3],
        file: p.file, fileLine: num(p.line), col: num(p.col),
      });
    }
    // Cheap checks first: most lines are none of these, and the patterns
    // below would each look at the whole line to say so.
    if ((c === 101 /* e */ || c === 119 /* w */) && (m = RUST_HEAD.exec(text))) {
      if (RUST_SUMMARY.test(m[3])) return null;
      const problem = this.add({
        line: i, severity: m[1], tool: 'rustc', message: m[2] ? `[${m[2]}] ${m[3]}` : m[3],
        file: undefined, fileLine: undefined, col: undefined,
      });
      this.rust[s] = problem;
      return problem;
    }
    const colon = text.includes(':'); // the next three patterns have one
    if (colon && (m = GCC.exec(text))) {
      return this.add({
        line: i, severity: m[4] === 'warning' ? 'warning' : 'error', tool: 'cc', message: m[5],
        file: m[1], fileLine: Number(m[2]), col: num(m[3]),
      });
    }
    if (colon && text.indexOf('(') > 0 && (m = MSVC.exec(text))) {
      return this.add({
        line: i, severity: m[4] === 'warning' ? 'warning' : 'error', tool: 'msvc',
        message: `${m[5]}: ${m[6]}`, file: m[1], fileLine: Number(m[2]), col: num(m[3]),
      });
    }
    if (colon && text.includes('.go:') && (m = GO.exec(text))) {
      return this.add({
        line: i, severity: 'error', tool: 'go', message: m[4], file: m[1],
        fileLine: Number(m[2]), col: Number(m[3]),
      });
    }
    if ((c === 70 /* F */ || c === 69 /* E */) && (m = PYTEST.exec(text))) {
      const [path] = m[2].split('::');
      return this.add({
        line: i, severity: 'error', tool: 'pytest', message: m[3] ? `${m[2]} - ${m[3]}` : m[2],
        file: /\.py$/.test(path) ? path : undefined, fileLine: undefined, col: undefined,
      });
    }
    return null;
  }
}

// A link to a problem's source from the --source-url template, or null.
// Only a relative path of plain segments is linked (no `..`, no scheme, no
// leading `/`): output cannot make the page link anywhere the template does
// not say. The template itself must be http(s).
export function sourceLink(template, file, fileLine) {
  if (!template || !file || !/^https?:\/\//i.test(template)) return null;
  const path = file.replace(/^\.\//, '');
  if (!/^[\w.+@-][\w./+@-]*$/.test(path) || path.split('/').some((p) => p === '..' || p === '')) return null;
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return template.replaceAll('{file}', encoded).replaceAll('{line}', fileLine > 0 ? String(fileLine) : '1');
}
