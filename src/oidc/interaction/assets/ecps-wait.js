// Waiting page of an e-CPS login: asks the server where the request stands and moves on as soon
// as the professional has answered on the phone (or the request expired). Without JavaScript,
// the "Continuer" link does the same by hand.
(() => {
  const main = document.querySelector('[data-status-url]');
  if (!main) return;
  const statusUrl = main.getAttribute('data-status-url');
  const doneUrl = main.getAttribute('data-done-url');
  const tick = async () => {
    try {
      const response = await fetch(statusUrl, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      });
      const { status } = await response.json();
      if (status !== 'pending') {
        window.location.assign(doneUrl);
        return;
      }
    } catch {
      // Network hiccup: try again.
    }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 1000);
})();
