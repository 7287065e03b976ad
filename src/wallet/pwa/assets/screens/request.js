import { busy, button, h, masked, messageArea, screen } from '../dom.js';

/**
 * "Demander l'activation de la e-CPS" without a card: the identifier, then the correspondence
 * contacts the directory knows (masked), then the e-mail with the activation link.
 */
export function requestActivation(app) {
  const messages = messageArea();
  const input = h('input', {
    id: 'idnat',
    name: 'idnat',
    inputmode: 'numeric',
    autocomplete: 'username',
    required: true,
    pattern: '[0-9]{10,12}',
    'aria-describedby': 'idnat-aide',
  });
  const form = h(
    'form',
    { novalidate: true },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'idnat' }, 'Identifiant national (8 + RPPS ou 0 + ADELI)'),
      h(
        'p',
        { id: 'idnat-aide', class: 'muted hint' },
        'Il figure sur votre carte CPS : 8 suivi de votre numéro RPPS, ou 0 suivi de votre numéro ADELI.',
      ),
      input,
    ),
    h(
      'div',
      { class: 'actions' },
      button('Continuer', undefined, { type: 'submit' }),
      button('Annuler', () => app.go('welcome'), { secondary: true }),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const idnat = input.value.replace(/\s/g, '');
    if (!/^\d{10,12}$/.test(idnat)) {
      messages.error({
        message:
          'Saisissez votre identifiant national : 8 suivi de votre numéro RPPS, ou 0 suivi de votre numéro ADELI.',
      });
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    messages.clear();
    try {
      const contacts = await busy(form, () => app.client.describeActivation(idnat));
      confirmContacts(app, contacts);
    } catch (error) {
      messages.error(error);
      input.focus();
    }
  });
  screen("Demander l'activation de la e-CPS", messages.element, form);
}

function confirmContacts(app, contacts) {
  const messages = messageArea();
  const form = h(
    'form',
    {},
    h(
      'div',
      { class: 'actions' },
      button("Envoyer ma demande d'activation", undefined, { type: 'submit' }),
      button('Annuler', () => app.go('welcome'), { secondary: true }),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    messages.clear();
    try {
      const sent = await busy(form, () => app.client.sendActivationEmail(contacts.idnat));
      checkMail(app, sent.email ?? contacts.email);
    } catch (error) {
      messages.error(error);
    }
  });
  screen(
    'Vos coordonnées de correspondance',
    h(
      'p',
      {},
      "Le lien d'activation est envoyé par e-mail, puis un code par SMS, aux coordonnées que l'annuaire connaît :",
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'E-mail'),
      h('dd', {}, masked(contacts.email)),
      h('dt', {}, 'Mobile'),
      h('dd', {}, masked(contacts.mobile)),
    ),
    h(
      'p',
      { class: 'muted' },
      "Si elles ne sont plus à jour, mettez-les à jour auprès de votre autorité d'enregistrement (votre Ordre, ou l'ARS) : " +
        'le changement est pris en compte sous 48 heures.',
    ),
    messages.element,
    form,
  );
}

function checkMail(app, email) {
  screen(
    'Consultez votre messagerie',
    h('p', {}, `Un e-mail d'activation a été envoyé à ${masked(email)}.`),
    h(
      'p',
      {},
      "Ouvrez-le sur ce téléphone et touchez « Démarrer l'activation », ou scannez son QR code. " +
        'Le lien ne sert qu’une fois et pour peu de temps.',
    ),
    h(
      'div',
      { class: 'actions' },
      button("Scanner un QR code d'activation", () => app.go('scan')),
      button("Retour à l'accueil", () => app.go('welcome'), { secondary: true }),
    ),
  );
}
