// A line's text as DOM: style runs as spans, find matches as <mark>s, links
// to the source as <a>s. Output only ever becomes text nodes, never HTML.
import { A_BOLD, A_DIM, A_INVERSE, A_ITALIC, A_STRIKE, A_UNDERLINE, RGB, styleOf } from './terminal.js';
import { cutAtLinks } from './source-refs.js';
import { highlightPieces } from './find.js';

const X256 = [0, 95, 135, 175, 215, 255];

export function colorCss(c) {
  if (c < 16) return `var(--c${c})`;
  if (c < 232) {
    const n = c - 16;
    return `rgb(${X256[Math.floor(n / 36)]},${X256[Math.floor(n / 6) % 6]},${X256[n % 6]})`;
  }
  if (c < RGB) {
    const v = 8 + (c - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  return `#${(c - RGB).toString(16).padStart(6, '0')}`;
}

const styleCss = []; // styleId -> { cls, color, background }

function cssOf(sid) {
  let css = styleCss[sid];
  if (css) return css;
  const { fg, bg, attrs } = styleOf(sid);
  let color = fg >= 0 ? colorCss(fg) : '';
  let background = bg >= 0 ? colorCss(bg) : '';
  if (attrs & A_INVERSE) {
    [color, background] = [background || 'var(--bg)', color || 'var(--fg)'];
  }
  const cls = [];
  if (attrs & A_BOLD) cls.push('sb');
  if (attrs & A_DIM) cls.push('sd');
  if (attrs & A_ITALIC) cls.push('si');
  if (attrs & A_UNDERLINE) cls.push('su');
  if (attrs & A_STRIKE) cls.push('ss');
  css = { cls: cls.join(' '), color, background };
  styleCss[sid] = css;
  return css;
}

// A piece of text in style `sid`: a text node, or a span when styled.
function styled(piece, sid) {
  if (sid === 0) return piece;
  const css = cssOf(sid);
  const span = document.createElement('span');
  if (css.cls) span.className = css.cls;
  if (css.color) span.style.color = css.color;
  if (css.background) span.style.backgroundColor = css.background;
  span.textContent = piece;
  return span;
}

// Output becomes text nodes only: never HTML.
export function renderText(el, text, runs) {
  if (!runs) {
    el.textContent = text;
    return;
  }
  for (let k = 0; k < runs.length; k += 2) {
    const start = runs[k];
    const end = k + 2 < runs.length ? runs[k + 2] : text.length;
    if (end <= start) continue;
    el.append(styled(text.slice(start, end), runs[k + 1]));
  }
}

// A link to the source (source-refs.js), opened in a new tab.
export function sourceAnchor(href) {
  const a = document.createElement('a');
  a.className = 'src';
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

// The same with the find's matches (`marks`: [k, start, end]) in <mark>s,
// match `current` marked apart, and the source links (`links`: [{ start,
// end, href }], in order) as <a>s around their pieces. The text nodes are
// the line's text in order whatever wraps them: copying counts on it.
export function renderMarked(el, text, runs, marks, current, links = []) {
  let a = null; // the <a> of link `open`
  let open = -1;
  for (const [start, end, sid, k, l] of cutAtLinks(highlightPieces(text.length, runs, marks), links)) {
    let node = styled(text.slice(start, end), sid);
    if (k >= 0) {
      const mark = document.createElement('mark');
      mark.className = k === current ? 'fm cur' : 'fm';
      mark.append(node);
      node = mark;
    }
    if (l < 0) {
      el.append(node);
      continue;
    }
    if (l !== open) {
      a = sourceAnchor(links[l].href);
      el.append(a);
      open = l;
    }
    a.append(node);
  }
}
