// Links from a problem's place to its source (--source-url, SPEC §11).

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
