import { busy, button, formatDate, h, messageArea, screen } from '../dom.js';
import { enablePush, pushSupported } from '../push.js';

const MODES = { mail_sms: 'Par e-mail et SMS', card: 'Avec la carte CPS' };

/** Paramètres: what this e-CPS is, and "Désactiver ma e-CPS". */
export function settings(app) {
  const { client } = app;
  const messages = messageArea();
  const facts = h('dl', { class: 'facts' });
  const fact = (term, value) => [h('dt', {}, term), h('dd', {}, value ?? '—')];
  screen(
    'Paramètres',
    messages.element,
    h('section', { 'aria-labelledby': 'titre-ecps' }, h('h2', { id: 'titre-ecps' }, 'Votre e-CPS'), facts),
    pushSupported()
      ? h(
          'section',
          { 'aria-labelledby': 'titre-notifications' },
          h('h2', { id: 'titre-notifications' }, 'Notifications'),
          h('p', {}, "Recevez les demandes de connexion même lorsque l'application est fermée."),
          h(
            'div',
            { class: 'actions' },
            button('Recevoir les demandes en notification', async () => {
              try {
                await enablePush(client);
                messages.success('Les demandes de connexion vous seront notifiées.');
              } catch (error) {
                messages.error(error);
              }
            }),
          ),
        )
      : '',
    h(
      'section',
      { 'aria-labelledby': 'titre-desactiver' },
      h('h2', { id: 'titre-desactiver' }, 'Désactiver ma e-CPS'),
      h(
        'p',
        {},
        'Ce téléphone ne recevra plus de demandes de connexion. Pour utiliser de nouveau une e-CPS, il faudra la réactiver.',
      ),
      h(
        'div',
        { class: 'actions' },
        button('Désactiver ma e-CPS', () => app.go('confirmDeactivation'), { secondary: true }),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      button('Retour', () => app.go('home')),
    ),
  );
  (async () => {
    try {
      const [status, fingerprint] = await Promise.all([client.status(), client.fingerprint()]);
      facts.replaceChildren(
        ...fact('Identifiant national', status.idnat),
        ...fact('Activée le', formatDate(status.activatedAt)),
        ...fact("Valable jusqu'au", formatDate(status.expiresAt)),
        ...fact('Dernière utilisation', status.lastUsedAt ? formatDate(status.lastUsedAt) : 'jamais'),
        ...fact("Mode d'activation", MODES[status.activationMode] ?? status.activationMode),
        ...fact('Clé de ce téléphone', fingerprint),
      );
    } catch (error) {
      if (!app.deviceTrouble(error)) messages.error(error);
    }
  })();
}

export function confirmDeactivation(app) {
  const messages = messageArea();
  const form = h(
    'form',
    {},
    h(
      'div',
      { class: 'actions' },
      button('Oui, désactiver ma e-CPS', undefined, { type: 'submit' }),
      button('Annuler', () => app.go('settings'), { secondary: true }),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await busy(form, () => app.client.deactivate());
    } catch (error) {
      messages.error(error);
      return;
    }
    await app.save();
    app.go('welcome', {
      notice: 'Votre e-CPS a été désactivée. Ce téléphone ne reçoit plus de demandes de connexion.',
    });
  });
  screen(
    'Désactiver ma e-CPS ?',
    h('p', {}, "La e-CPS de ce téléphone sera désactivée tout de suite, et sa clé effacée de l'application."),
    h(
      'p',
      {},
      'Vous ne pourrez plus vous connecter avec elle. Vous pourrez activer une nouvelle e-CPS ensuite.',
    ),
    messages.element,
    form,
  );
}
