// GitHub Actions' workflow commands `::error …::message`, `::warning …`
// and `::notice …` (SPEC §13): the page shows them as annotations, their
// kind, title, message and place, not the command's syntax. The line's text
// stays the raw command: that is what is copied, downloaded and searched.
// DOM-free.

const COMMAND = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/;

// GitHub's escapes: %25 %0D %0A in the message, also %3A %2C in properties.
function unescapeData(s) {
  return s.replace(/%(25|0D|0A|3A|2C)/gi, (m, h) => String.fromCharCode(parseInt(h, 16)));
}

// The annotation on `text`, or null: { kind, title, message, where, file,
// line } (where: `file:line:col` as shown; line 0 when none).
export function parseAnnotation(text) {
  if (text.length < 9 || text.charCodeAt(0) !== 58 || text.charCodeAt(1) !== 58) return null;
  const m = COMMAND.exec(text);
  if (!m) return null;
  const props = {};
  for (const pair of (m[2] || '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) props[pair.slice(0, eq).trim()] = unescapeData(pair.slice(eq + 1));
  }
  const file = props.file || '';
  const line = Number(props.line) || 0;
  let where = file;
  if (where && props.line) where += `:${props.line}${props.col ? `:${props.col}` : ''}`;
  return { kind: m[1], title: props.title || '', message: unescapeData(m[3]), where, file, line };
}
