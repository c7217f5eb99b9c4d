// The places in a line of output that link to the source (SPEC §13): the
// file:line forms of the tools the server's index knows (gcc/clang
// `src/a.c:3:5:`, rustc's `--> src/main.rs:2:5`, Go's `x.go:12:`, pytest's
// `tests/t.py:7:`, panics, CMake's `at CMakeLists.txt:12`, stack frames
// `(a.js:3:5)`) and Python's `File "/ws/check.py", line 2`. Only the rows
// drawn ask, a row at a time. DOM-free.
import { sourceLink } from './source-link.js';

// At most this many links in a line (a row of a thousand paths stays cheap).
export const MAX_LINKS_PER_LINE = 100;

// `path:line[:col]` where the path begins a word (the start, after a space
// or an opening bracket or quote, `=` or `,`): `//host:8080` and
// `https://a.b/c:3` never begin one. Not followed by more of a word or path
// (`a.c:3x`, `a.c:3/`) or by a fraction (`a.c:1.5`).
const PLACE = /(?<=^|[\s([{<"'`=,])([\w.+@/-]+):(\d+)(?::(\d+))?(?![\w/]|\.\d)/g;

// Python's traceback frames (and warnings'): the link is the file name.
const PYTHON_FRAME = /\bFile "([^"]+)", line (\d+)/g;

// A file name's extension: a letter first (`a.c`, not `1.2` or `3.11`).
const EXTENSION = /\.[A-Za-z][\w+-]*$/;

// Files whose names have no extension (`Makefile:12: *** missing separator`).
const BARE_NAME = /^(?:GNUmakefile|[Mm]akefile|Dockerfile)$/;

// Names that are hosts rather than files (`github.com:443`, `ghcr.io/o/r:3`).
const HOST = /\.(?:com|net|org|io|dev|local)$/i;

// Whether `path` (before its `:line`) reads as a file: a letter in it, not
// `//…`, either a directory in it or a name with an extension (or a
// Makefile's), its first segment not a host. Times (`12:30:45`), versions
// (`1.2.3:4`), ports (`localhost:8080`) and tags (`node:18`) do not.
function looksLikeFile(path) {
  if (!/[A-Za-z]/.test(path) || path.startsWith('//')) return false;
  const segments = path.split('/');
  const name = segments[segments.length - 1];
  const first = path.startsWith('/') ? segments[1] : segments[0];
  if (HOST.test(first)) return false;
  return segments.length > 1 || EXTENSION.test(name) || BARE_NAME.test(name);
}

// The source references in `text`, in order and not overlapping:
// [{ start, end, file, line }] (start..end: the text that links, UTF-16
// units, half-open).
export function sourceRefs(text) {
  const found = [];
  if (text.indexOf(':') < 0 && text.indexOf('File "') < 0) return found;
  for (const m of text.matchAll(PYTHON_FRAME)) {
    const start = m.index + m[0].indexOf('"') + 1;
    found.push({ start, end: start + m[1].length, file: m[1], line: Number(m[2]) });
    if (found.length >= MAX_LINKS_PER_LINE) break;
  }
  const frames = found.length;
  for (const m of text.matchAll(PLACE)) {
    if (found.length >= MAX_LINKS_PER_LINE) break;
    if (!looksLikeFile(m[1])) continue;
    found.push({ start: m.index, end: m.index + m[0].length, file: m[1], line: Number(m[2]) });
  }
  if (frames === 0 || frames === found.length) return found;
  found.sort((a, b) => a.start - b.start); // stable: a frame before a place in it
  const apart = [];
  for (const r of found) if (!apart.length || r.start >= apart[apart.length - 1].end) apart.push(r);
  return apart;
}

// The links of `text`: [{ start, end, href }], the references that
// source-link.js makes a URL of with the template and roots (/status's).
export function sourceLinks(text, template, roots) {
  if (!template) return [];
  const links = [];
  for (const r of sourceRefs(text)) {
    const href = sourceLink(template, r.file, r.line, roots);
    if (href) links.push({ start: r.start, end: r.end, href });
  }
  return links;
}

// Cuts `pieces` ([start, end, …], in order, covering the text; find.js's
// highlightPieces) at the edges of `links` (in order, not overlapping) and
// adds to each piece the index of the link it is in, or -1.
export function cutAtLinks(pieces, links) {
  const out = [];
  let l = 0;
  for (const piece of pieces) {
    let [start] = piece;
    const end = piece[1];
    while (start < end) {
      while (l < links.length && links[l].end <= start) l++;
      const link = l < links.length ? links[l] : null;
      let cut = end;
      let inLink = -1;
      if (link && link.start <= start) {
        inLink = l;
        cut = Math.min(end, link.end);
      } else if (link && link.start < end) cut = link.start;
      out.push([start, cut, ...piece.slice(2), inLink]);
      start = cut;
    }
  }
  return out;
}
