// The page's keys (the `?` help lists them): one table from key to action.
// Keys act outside text boxes only, but Ctrl-F (the page's own find: it
// knows every line, not just those drawn).

function typing() {
  const el = document.activeElement;
  return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

// `actions`: key -> function, or { when() , run() } for a key that acts
// only when `when()` says so. `find()` is Ctrl-F's, `help` the help dialog.
export function bindKeys(help, find, actions) {
  help.addEventListener('click', () => { help.hidden = true; });
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'f') {
      e.preventDefault();
      find();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing()) return;
    if (!help.hidden) { // any key closes the help
      e.preventDefault();
      help.hidden = true;
      return;
    }
    if (e.key === '?') {
      e.preventDefault();
      help.hidden = false;
      return;
    }
    const action = actions[e.key];
    if (!action) return;
    if (typeof action === 'function') action();
    else if (action.when()) action.run();
    else return;
    if (e.key !== 'Escape') e.preventDefault();
  });
}
