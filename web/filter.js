// The Filter box's query (SPEC §6): which lines it lets through. Pure.
import { escapeRegExp } from './find.js';

// "/re/flags" is a regular expression; anything else a substring, matched
// case-insensitively unless it has a capital letter (as `less` and `rg -S` do).
export function parseFilter(query) {
  if (query === '') return null;
  const m = /^\/(.+)\/([a-z]*)$/.exec(query);
  if (m) {
    const re = new RegExp(m[1], m[2].replace(/[gy]/g, '')); // stateless test()
    return { test: (s) => re.test(s) };
  }
  if (query !== query.toLowerCase()) return { test: (s) => s.includes(query) };
  const re = new RegExp(escapeRegExp(query), 'i');
  return { test: (s) => re.test(s) };
}
