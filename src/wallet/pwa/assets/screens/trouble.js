import { busy, button, errorBox, formatDate, h, screen } from '../dom.js';

/**
 * Ends the e-CPS here and on the server. The server takes the call whatever the device's state
 * (expired, blocked); if it cannot be reached or no longer knows the device, the app forgets it
 * anyway, since it cannot be used again.
 */
async function drop(app) {
  try {
    await app.client.deactivate();
  } catch {
    await app.client.forget();
  }
  await app.save();
}

export function expired(app, { error, expiresAt } = {}) {
  const form = h(
    'form',
    {},
    h('div', { class: 'actions' }, button('Supprimer ma e-CPS', undefined, { type: 'submit' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form, () => drop(app));
    app.go('welcome', {
      notice: 'Votre e-CPS a été supprimée de ce téléphone. Vous pouvez en activer une nouvelle.',
    });
  });
  screen(
    'Votre e-CPS a expiré',
    errorBox(
      error ?? {
        message: `Votre e-CPS a expiré le ${formatDate(expiresAt)}.`,
        hint: 'Supprimez-la (« Supprimer ma e-CPS ») et activez-la de nouveau.',
      },
    ),
    h(
      'p',
      {},
      'Une e-CPS a une durée de validité : une fois expirée, elle doit être supprimée puis activée de nouveau.',
    ),
    form,
  );
}

export function blocked(app) {
  const form = h(
    'form',
    {},
    h(
      'div',
      { class: 'actions' },
      button('Oublier cette e-CPS et la réactiver', undefined, { type: 'submit' }),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form, () => drop(app));
    app.go('welcome', { notice: 'Cette e-CPS a été effacée de ce téléphone. Activez-en une nouvelle.' });
  });
  screen(
    'Votre e-CPS est bloquée',
    errorBox({
      message: 'Votre e-CPS est bloquée : trois mots de passe erronés ont été saisis à la suite.',
      hint: 'Elle ne peut plus servir. Pour continuer, activez une nouvelle e-CPS (ou utilisez « mot de passe oublié » sur le portail e-CPS).',
    }),
    h('p', {}, "Si ce n'est pas vous qui avez saisi ces mots de passe, prévenez l'assistance."),
    form,
  );
}

/** The server no longer has this e-CPS (deactivated on the portal or another way). */
export function revoked(app, { error } = {}) {
  const form = h(
    'form',
    {},
    h('div', { class: 'actions' }, button('Activer une nouvelle e-CPS', undefined, { type: 'submit' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form, async () => {
      await app.client.forget();
      await app.save();
      await app.wallet.clearProgress();
    });
    app.go('welcome');
  });
  screen(
    "Votre e-CPS n'est plus active",
    errorBox(
      error ?? {
        message:
          "La e-CPS de ce téléphone n'est plus active : elle a été désactivée (sur le portail e-CPS, par exemple).",
      },
    ),
    form,
  );
}
