// "Notify me" (SPEC §11): one desktop notification when the run ends, asked
// for while it runs (`m` or the button), which is offered only then.
export function createNotify(state, ui) {
  let wanted = false;

  ui.notify.addEventListener('click', async () => {
    if (!wanted) {
      const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
      wanted = permission === 'granted';
    } else {
      wanted = false;
    }
    ui.notify.setAttribute('aria-pressed', String(wanted));
    ui.notify.textContent = wanted ? 'Will notify ✓' : 'Notify me';
    if (Notification.permission === 'denied') ui.notify.hidden = true;
  });

  return {
    // The run goes on: offers the button, where the browser has notifications
    // and they are not denied.
    offer() {
      if ('Notification' in window && Notification.permission !== 'denied' && !state.run.exit) ui.notify.hidden = false;
    },

    // The run ended (`ok`: with success), as `summary` says.
    ended(ok, summary) {
      ui.notify.hidden = true; // the run is over: nothing left to wait for
      if (!wanted || !('Notification' in window) || Notification.permission !== 'granted') return;
      wanted = false;
      try {
        const n = new Notification(`${ok ? '✓' : '✗'} ${state.run.title || 'ssetail'}`, { body: `The command ${summary}.` });
        n.onclick = () => window.focus();
      } catch { /* some browsers allow notifications only from a service worker */ }
    },
  };
}
