// Links from a problem's place to its source (--source-url, --source-root;
// SPEC §11, §13). DOM-free.

// The path of `file` in the repository: a relative path as it is (without a
// leading `./`); an absolute one under a root (--source-root, the CI's
// workspace) without the root and its slash, the longest root first; null
// for an absolute path under no root.
export function repoPath(file, roots = []) {
  if (!file.startsWith('/')) return file.replace(/^\.\//, '');
  let under = '';
  for (const r of roots) {
    if (typeof r !== 'string' || !r.startsWith('/')) continue;
    const root = r.replace(/\/+$/, '');
    if (root && root.length > under.length && file.startsWith(`${root}/`)) under = root;
  }
  return under ? file.slice(under.length + 1) : null;
}

// A link to a problem's source from the --source-url template, or null.
// Only a path of plain segments is linked, relative or made so by a root (no
// `..`, no scheme, no leading `/` left): output cannot make the page link
// anywhere the template does not say. The template itself must be http(s).
export function sourceLink(template, file, fileLine, roots = []) {
  if (!template || !file || !/^https?:\/\//i.test(template)) return null;
  const path = repoPath(file, roots);
  if (path === null) return null;
  if (!/^[\w.+@-][\w./+@-]*$/.test(path) || path.split('/').some((p) => p === '..' || p === '')) return null;
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return template.replaceAll('{file}', encoded).replaceAll('{line}', fileLine > 0 ? String(fileLine) : '1');
}
