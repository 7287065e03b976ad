import { busy, button, formatDate, formatTime, h, messageArea, screen } from '../dom.js';

const POLL_MS = 2000;

/**
 * The active e-CPS: its validity, the login requests waiting for an answer (asked every two
 * seconds while the app is in view), and what one can do with it.
 */
export function home(app, { notice, error } = {}) {
  const { client } = app;
  const messages = messageArea();
  if (notice) messages.success(notice);
  if (error) messages.error(error);
  const validity = h('p', { class: 'muted' });
  const list = h(
    'div',
    { class: 'requests', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Recherche des demandes de connexion…'),
  );
  const actionMessages = messageArea();
  const actions = h(
    'div',
    { class: 'actions' },
    button('Je teste ma e-CPS', () => app.go('pinTest'), { secondary: true }),
    button('Je me déconnecte de toutes les sessions', () => logoutEverywhere(), { secondary: true }),
    button('Paramètres', () => app.go('settings'), { secondary: true }),
  );
  screen(
    'Ma e-CPS',
    messages.element,
    h(
      'div',
      { class: 'card ecps-card' },
      h('p', { class: 'status-title' }, 'Votre e-CPS est active.'),
      h('p', { class: 'muted' }, `Identifiant national : ${client.state.idnat ?? ''}`),
      validity,
    ),
    h(
      'section',
      { 'aria-labelledby': 'titre-demandes' },
      h('h2', { id: 'titre-demandes' }, 'Demandes de connexion'),
      list,
    ),
    h(
      'section',
      { 'aria-labelledby': 'titre-actions' },
      h('h2', { id: 'titre-actions' }, 'Autres actions'),
      actionMessages.element,
      actions,
    ),
  );

  let stopped = false;
  let timer;
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  app.onLeave(stop);

  const logoutEverywhere = async () => {
    actionMessages.clear();
    try {
      const { sessions } = await busy(actions, () => client.logoutEverywhere());
      actionMessages.success(
        sessions > 0
          ? `Vous êtes déconnecté de ${sessions} session${sessions > 1 ? 's' : ''}.`
          : "Aucune session n'était ouverte : vous êtes déconnecté partout.",
      );
    } catch (error) {
      if (!stopped && !app.deviceTrouble(error)) actionMessages.error(error);
    }
  };

  const render = (requests) => {
    if (requests.length === 0) {
      list.replaceChildren(h('p', { class: 'muted' }, 'Aucune demande de connexion en attente.'));
      return;
    }
    list.replaceChildren(
      ...requests.map((request) =>
        h(
          'article',
          { class: 'card request' },
          h('h3', {}, request.service),
          request.bindingMessage ? h('p', {}, `Message : ${request.bindingMessage}`) : null,
          h('p', { class: 'muted' }, `Demande de connexion, expire à ${formatTime(request.expiresAt)}.`),
          button('Répondre', () => app.go('approve', { request }), {}),
        ),
      ),
    );
  };

  let shown;
  let offline = false;
  const poll = async () => {
    if (!document.hidden) {
      try {
        const requests = await client.pending();
        if (stopped) return;
        const ids = requests.map((request) => request.id).join();
        if (ids !== shown) render(requests);
        shown = ids;
        if (offline) messages.clear();
        offline = false;
      } catch (error) {
        if (stopped) return;
        if (app.deviceTrouble(error)) return stop();
        // Said once, not every two seconds; the polling goes on.
        if (!offline) messages.error(error);
        offline = true;
      }
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  };

  (async () => {
    try {
      const status = await client.status();
      if (stopped) return;
      if (status.status === 'blocked') return app.go('blocked');
      if (status.status !== 'active') return app.go('revoked');
      if (status.expiresAt && status.expiresAt < new Date().toISOString())
        return app.go('expired', { expiresAt: status.expiresAt });
      validity.textContent = `Valable jusqu'au ${formatDate(status.expiresAt)}.`;
    } catch (error) {
      if (stopped || app.deviceTrouble(error)) return;
    }
    poll();
  })();
}
