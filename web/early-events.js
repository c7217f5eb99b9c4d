// The event stream, asked for as soon as the page's HTML is read, while its
// thirty-odd modules load: stream.js takes this answer for its first request
// (takeEarlyEvents), so the first lines are there when app.js starts rather
// than asked for then. A classic script (the page's CSP allows no inline
// one) that makes the request events-reader.js makes. Not for a hidden tab,
// which does not read the stream until it is shown.
self.ssetailEarlyEvents = (() => {
  if (document.visibilityState === 'hidden') return null;
  const controller = new AbortController();
  const response = fetch('events?format=json', {
    headers: { Accept: 'text/event-stream' }, cache: 'no-store', signal: controller.signal,
  });
  response.catch(() => {}); // a failure is readEvents' to see
  return { response, controller };
})();
