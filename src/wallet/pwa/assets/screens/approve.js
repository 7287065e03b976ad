import { busy, button, formatTime, h, messageArea, screen } from '../dom.js';
import { pinPad } from '../pin-pad.js';

const POLL_MS = 2000;

/**
 * One login request: the service, the CIBA binding message if any, the three codes of which one
 * is on the login screen (number matching), the password; "Valider" or "Refuser".
 */
export function approve(app, { request }) {
  const { client } = app;
  const messages = messageArea();
  const pad = pinPad('Mot de passe e-CPS');
  const choices = request.choices ?? [];
  const codes = choices.length
    ? h(
        'fieldset',
        { class: 'codes' },
        h('legend', {}, "Choisissez le code affiché sur l'écran de connexion"),
        h(
          'div',
          { class: 'code-choices' },
          choices.map((code, i) =>
            h(
              'div',
              { class: 'code-choice' },
              h('input', { type: 'radio', name: 'code', id: `code-${i}`, value: code, required: true }),
              h('label', { for: `code-${i}` }, code),
            ),
          ),
        ),
      )
    : null;
  const form = h(
    'form',
    { novalidate: true },
    codes,
    pad.element,
    h(
      'div',
      { class: 'actions' },
      button('Valider', undefined, { type: 'submit' }),
      button('Refuser', () => deny(), { secondary: true }),
    ),
    h(
      'div',
      { class: 'actions' },
      button("Ce n'était pas moi", () => deny({ report: true }), { secondary: true }),
    ),
  );

  let stopped = false;
  let timer;
  let answering = false;
  const leave = (name, params) => {
    stopped = true;
    clearTimeout(timer);
    app.go(name, params);
  };
  app.onLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });

  const trouble = (error) => {
    if (app.deviceTrouble(error)) return;
    if (error.code === 'ECPS_WRONG_CODE' || error.code === 'ECPS_REQUEST_NOT_PENDING')
      return leave('home', { error });
    messages.error(error);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[name="code"]:checked')?.value;
    if (choices.length && !chosen) {
      messages.error({ message: "Choisissez le code affiché sur l'écran de connexion." });
      form.querySelector('input[name="code"]')?.focus();
      return;
    }
    if (!pad.complete()) {
      messages.error({ message: 'Saisissez votre mot de passe e-CPS (4 chiffres).' });
      pad.input.focus();
      return;
    }
    answering = true;
    try {
      await busy(form, () => client.approve(request.id, { code: chosen, pin: pad.value() }));
      leave('home', {
        notice: `Connexion à ${request.service} validée. Vous pouvez revenir sur le service.`,
      });
    } catch (error) {
      pad.clear();
      trouble(error);
    } finally {
      answering = false;
    }
  });

  const deny = async (options = {}) => {
    answering = true;
    try {
      await busy(form, () => client.deny(request.id, options));
      leave('home', {
        notice: options.report
          ? `Demande de connexion à ${request.service} refusée et signalée. Un e-mail vous explique quoi faire.`
          : `Demande de connexion à ${request.service} refusée.`,
      });
    } catch (error) {
      trouble(error);
    } finally {
      answering = false;
    }
  };

  screen(
    'Demande de connexion',
    h(
      'p',
      { class: 'request-service' },
      h('strong', {}, request.service),
      ' demande à vous connecter avec votre e-CPS.',
    ),
    request.bindingMessage
      ? h(
          'div',
          { class: 'card' },
          h('p', {}, 'Message du service : ', h('strong', {}, request.bindingMessage)),
          h('p', { class: 'muted' }, 'Vérifiez que le service affiche le même message.'),
        )
      : null,
    h('p', { class: 'muted' }, `Cette demande expire à ${formatTime(request.expiresAt)}.`),
    messages.element,
    form,
    h(
      'p',
      { class: 'muted' },
      "Vous n'êtes pas à l'origine de cette demande ? Choisissez « Ce n'était pas moi », et ne donnez jamais votre mot de passe à quelqu'un d'autre.",
    ),
  );

  // The request may expire or be cancelled (by the login page) while it is shown.
  const poll = async () => {
    if (!answering && !document.hidden) {
      try {
        const requests = await client.pending();
        if (stopped) return;
        if (!answering && !requests.some((pending) => pending.id === request.id))
          return leave('home', {
            error: {
              message: "Cette demande de connexion n'est plus en attente : elle a expiré ou a été annulée.",
              hint: 'Recommencez la connexion depuis le service si besoin.',
            },
          });
      } catch (error) {
        if (stopped) return;
        if (app.deviceTrouble(error)) return;
      }
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  };
  timer = setTimeout(poll, POLL_MS);
}
