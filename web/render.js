// A line's text as DOM: style runs as spans, find matches as <mark>s. Output
// only ever becomes text nodes, never HTML.
import { A_BOLD, A_DIM, A_INVERSE, A_ITALIC, A_STRIKE, A_UNDERLINE, RGB, styleOf } from './terminal.js';
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
    const piece = text.slice(start, end);
    const sid = runs[k + 1];
    if (sid === 0) {
      el.append(piece);
      continue;
    }
    const css = cssOf(sid);
    const span = document.createElement('span');
    if (css.cls) span.className = css.cls;
    if (css.color) span.style.color = css.color;
    if (css.background) span.style.backgroundColor = css.background;
    span.textContent = piece;
    el.append(span);
  }
}

// The same with the find's matches (`marks`: [k, start, end]) in <mark>s;
// match `current` is marked apart.
export function renderMarked(el, text, runs, marks, current) {
  for (const [start, end, sid, k] of highlightPieces(text.length, runs, marks)) {
    let node = text.slice(start, end);
    if (sid !== 0) {
      const css = cssOf(sid);
      const span = document.createElement('span');
      if (css.cls) span.className = css.cls;
      if (css.color) span.style.color = css.color;
      if (css.background) span.style.backgroundColor = css.background;
      span.textContent = node;
      node = span;
    }
    if (k < 0) {
      el.append(node);
      continue;
    }
    const mark = document.createElement('mark');
    mark.className = k === current ? 'fm cur' : 'fm';
    mark.append(node);
    el.append(mark);
  }
}
