// Compare mode's rows (SPEC §14), from `GET /compare`'s answer: only the
// lines that differ, with CONTEXT lines around each hunk like `diff -u`,
// folded separators for what lies between, this run's new lines marked
// inserted and the other run's gone lines marked deleted. Pure: no DOM, so
// node can test it.
//
// /compare names lines by id only ("RUN.SEQ"): this run's text is the
// page's own; the other run's is not sent, so a gone line is shown by its
// number, or by its problem when a gone problem is on it.

export const CONTEXT = 3;
export const MAX_ROWS = 5000; // a pair that differs everywhere: the first rows, then a note

// "RUN.SEQ" -> SEQ (NaN for anything else).
export function seqOf(id) {
  const dot = typeof id === 'string' ? id.lastIndexOf('.') : -1;
  return dot < 0 ? NaN : Number(id.slice(dot + 1));
}

// A gone problem as its line would read.
export function problemText(p) {
  const place = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}${p.col ? `:${p.col}` : ''}: ` : '';
  return `${place}${p.severity}: ${p.message}`;
}

// `answer`: { header, hunks, problems } as parsed from /compare.
// `count`: the page's rows; `rowOf(n)`: the row that shows the run's line n
// (store.js's). Returns the rows to draw, in order:
//   { kind: 'ctx' | 'ins', row }          a line of this run
//   { kind: 'del', withLine, problem }    a gone line of the other run (problem: its gone problem, or null)
//   { kind: 'del-run', from, to }         gone lines of the other run with no problem, folded into one
//   { kind: 'sep', hidden }               unchanged lines not shown
//   { kind: 'more', hunks }               past MAX_ROWS: hunks not drawn
// and `first`: the index of the first changed row (or -1).
export function compareRows(answer, count, rowOf) {
  const goneById = new Map();
  for (const p of answer.problems?.gone_problems ?? []) goneById.set(p.id, p);
  const changed = new Uint8Array(count);
  const keep = new Uint8Array(count);
  const deletions = new Map(); // row after which other-run lines are gone (-1: before the first) -> [ids]
  const rowOfId = (id) => {
    const seq = seqOf(id);
    return Number.isFinite(seq) && seq >= 1 ? rowOf(seq - 1) : -1;
  };
  const keepAround = (from, to) => {
    for (let r = Math.max(0, from); r <= Math.min(count - 1, to); r++) keep[r] = 1;
  };
  for (const hunk of answer.hunks) {
    const rows = (hunk.ids ?? []).map(rowOfId).filter((r) => r >= 0 && r < count);
    for (const r of rows) {
      changed[r] = 1;
      keepAround(r - CONTEXT, r + CONTEXT);
    }
    if (hunk.with_ids?.length) {
      // Gone lines stand where this run's replacement starts, or after `after`.
      let at;
      if (rows.length) at = Math.min(...rows) - 1;
      else if (hunk.after) at = rowOfId(hunk.after);
      else at = -1;
      at = Math.min(at, count - 1);
      if (!deletions.has(at)) deletions.set(at, []);
      deletions.get(at).push(...hunk.with_ids);
      keepAround(at - CONTEXT + 1, at + CONTEXT);
    }
  }

  const out = [];
  let first = -1;
  let hidden = 0;
  let drawnHunks = 0;
  const flushHidden = () => {
    if (hidden) out.push({ kind: 'sep', hidden });
    hidden = 0;
  };
  const pushDeleted = (ids) => {
    flushHidden();
    if (first < 0) first = out.length;
    let run = null;
    for (const id of ids) {
      const withLine = seqOf(id) - 1;
      const problem = goneById.get(id) || null;
      if (problem) {
        run = null;
        out.push({ kind: 'del', withLine, problem });
      } else if (run && run.to === withLine - 1) run.to = withLine;
      else {
        run = { kind: 'del-run', from: withLine, to: withLine };
        out.push(run);
      }
    }
  };
  const total = answer.hunks.length;
  for (let r = -1; r < count; r++) {
    if (out.length > MAX_ROWS) {
      out.push({ kind: 'more', hunks: Math.max(0, total - drawnHunks) });
      break;
    }
    if (r >= 0) {
      if (!keep[r]) hidden++;
      else {
        flushHidden();
        if (changed[r]) {
          if (first < 0) first = out.length;
          if (r === 0 || !changed[r - 1]) drawnHunks++;
        }
        out.push({ kind: changed[r] ? 'ins' : 'ctx', row: r });
      }
    }
    const gone = deletions.get(r);
    if (gone) {
      if (!(r >= 0 && changed[r])) drawnHunks++;
      pushDeleted(gone);
    }
  }
  flushHidden();
  return { rows: out, first };
}

// `left_ms` and `percent_slower` as the header says them.
export function estimateText(estimate) {
  if (!estimate || !Number.isFinite(estimate.left_ms)) return '';
  const s = Math.max(0, Math.round(estimate.left_ms / 1000));
  let left;
  if (s < 60) left = `about ${s} s left`;
  else if (s < 3600) left = `about ${Math.round(s / 60)} min left`;
  else left = `about ${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min left`;
  const p = estimate.percent_slower;
  if (!Number.isFinite(p)) return left;
  if (Math.round(p) === 0) return `${left}, same pace so far`;
  return `${left}, ${Math.abs(Math.round(p))}% ${p > 0 ? 'slower' : 'faster'} so far`;
}

// /compare's NDJSON body -> { header, hunks, problems } (null if it is not one).
export function parseCompare(body) {
  const lines = body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  if (lines.length < 2 || !lines[0].with || !('complete' in lines.at(-1))) return null;
  return { header: lines[0], hunks: lines.slice(1, -1), problems: lines.at(-1) };
}
