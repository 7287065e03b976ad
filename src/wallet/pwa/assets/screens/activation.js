import { busy, button, errorBox, formatDate, h, masked, messageArea, screen } from '../dom.js';
import { pinPad } from '../pin-pad.js';
import { deviceKeyOf, WalletClient } from '../protocol.js';

const APP_VERSION = '0.1.0';
const POLL_MS = 1500;
let starting = false;

function deviceInfo() {
  const agent = navigator.userAgent;
  const os =
    /Android [\d.]+/.exec(agent)?.[0] ??
    /(?:iPhone|CPU) OS [\d_]+/.exec(agent)?.[0]?.replace(/_/g, '.') ??
    /Windows|Mac OS X|Linux|CrOS/.exec(agent)?.[0] ??
    '';
  const system = os.split(' ')[0];
  return {
    name: system ? `Application e-CPS (${system})` : 'Application e-CPS',
    model: 'PWA',
    os,
    appVersion: APP_VERSION,
  };
}

/**
 * Opens an activation link (e-mail or portal QR code): registers a new device key, then the SMS
 * code (e-mail way) or the code to type on the portal (card way), then the password.
 */
export async function activation(app, { link, resume, replace }) {
  const { client, wallet } = app;
  if (resume) return next(app, await wallet.loadProgress());
  const active = Boolean(client.state.deviceId && !client.state.activationId);
  if (active && !replace) return confirmReplace(app, link);

  // One at a time: a second start would replace the key the first one just registered.
  if (starting) return;
  starting = true;
  screen('Activation de votre e-CPS', h('p', { role: 'status' }, 'Enregistrement de ce téléphone…'));
  const previous = { state: { ...client.state }, pair: await wallet.keyPair() };
  let started;
  try {
    started = await client.startActivation(link, deviceInfo());
  } catch (error) {
    // The client makes the new key before the server accepts the link: put the old one back.
    await wallet.restoreKeyPair(previous.pair);
    return failed(app, error, { keep: true });
  } finally {
    starting = false;
  }
  await app.save();
  const progress = { mode: started.mode, mobile: started.mobile, code: started.code, codeConfirmed: false };
  await wallet.saveProgress(progress);
  if (active) retire(app, previous);
  return next(app, progress);
}

/** The e-CPS this app had is replaced: its key is gone here, so end it on the server too. */
function retire(app, previous) {
  if (!previous.pair) return;
  const keyVault = {
    load: () => deviceKeyOf(previous.pair.privateKey, previous.pair.publicKey),
    create: () => Promise.reject(new Error('read-only vault')),
    remove: async () => {},
  };
  new WalletClient(previous.state, app.fetch, keyVault).deactivate().catch(() => {
    // Already revoked, expired or blocked there: nothing more to do.
  });
}

function next(app, progress) {
  if (progress.codeConfirmed) return choosePin(app);
  if ((app.client.state.activationMode ?? progress.mode) === 'card') return portalCode(app, progress);
  return smsCode(app, progress);
}

function confirmReplace(app, link) {
  screen(
    'Remplacer votre e-CPS ?',
    h('p', {}, 'Une e-CPS est déjà active dans cette application.'),
    h('p', {}, 'Si vous continuez, elle sera désactivée et remplacée par celle que vous activez maintenant.'),
    h(
      'div',
      { class: 'actions' },
      button("Continuer l'activation", () => app.go('activation', { link, replace: true })),
      button('Annuler', () => app.go('home'), { secondary: true }),
    ),
  );
}

/** The activation cannot go on: say why, and start again from the beginning. */
async function failed(app, error, { keep = false } = {}) {
  if (!keep) {
    await app.client.forget();
    await app.save();
    await app.wallet.clearProgress();
  }
  const back = app.client.state.deviceId && !app.client.state.activationId ? 'home' : 'welcome';
  screen(
    "L'activation n'a pas abouti",
    errorBox(error),
    h(
      'div',
      { class: 'actions' },
      button("Retour à l'accueil", () => app.go(back)),
    ),
  );
}

function abandonButton(app) {
  return button(
    "Abandonner l'activation",
    async () => {
      await app.client.forget();
      await app.save();
      await app.wallet.clearProgress();
      app.go('welcome');
    },
    { secondary: true },
  );
}

function smsCode(app, progress) {
  const messages = messageArea();
  const input = h('input', {
    id: 'code-sms',
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: '6',
    pattern: '[0-9]{6}',
    required: true,
  });
  const form = h(
    'form',
    { novalidate: true },
    h(
      'div',
      { class: 'field' },
      h(
        'label',
        { for: 'code-sms' },
        `Saisissez le code reçu par SMS au ${masked(progress.mobile ?? 'mobile de correspondance')}`,
      ),
      input,
    ),
    h(
      'div',
      { class: 'actions' },
      button('Valider le code', undefined, { type: 'submit' }),
      abandonButton(app),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const code = input.value.replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) {
      messages.error({ message: 'Le code reçu par SMS compte 6 chiffres.' });
      input.focus();
      return;
    }
    try {
      await busy(form, () => app.client.confirmCode(code));
    } catch (error) {
      const retry =
        (error.code === 'ECPS_WRONG_ACTIVATION_CODE' && /reste/.test(error.message)) ||
        error.code === 'WALLET_OFFLINE';
      if (!retry) return failed(app, error);
      messages.error(error);
      input.value = '';
      input.focus();
      return;
    }
    await app.wallet.saveProgress({ ...progress, codeConfirmed: true });
    choosePin(app);
  });
  screen(
    'Code reçu par SMS',
    h(
      'p',
      {},
      'Un code à 6 chiffres vient de vous être envoyé par SMS. Il est valable quelques minutes ; 3 essais.',
    ),
    messages.element,
    form,
  );
}

function portalCode(app, progress) {
  const messages = messageArea();
  const waiting = h('p', { role: 'status' }, 'En attente de la saisie du code sur le portail…');
  screen(
    'Code à saisir sur le portail',
    h('p', {}, 'Saisissez ce code sur le portail e-CPS de votre ordinateur :'),
    h(
      'p',
      { class: 'code-dynamique activation-code', 'data-testid': 'code-activation' },
      progress.code ?? '—',
    ),
    waiting,
    messages.element,
    h('div', { class: 'actions' }, abandonButton(app)),
  );
  let stopped = false;
  let timer;
  app.onLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });
  const poll = async () => {
    try {
      const status = await app.client.activationStatus();
      if (stopped) return;
      if (status.codeConfirmed) {
        stopped = true;
        await app.wallet.saveProgress({ ...progress, codeConfirmed: true });
        return choosePin(app);
      }
      if (status.status !== 'open') {
        stopped = true;
        return failed(app, {
          message:
            "L'activation a échoué : le code a été mal saisi trop de fois, ou l'activation a été abandonnée.",
          hint: "Recommencez l'activation depuis le portail e-CPS.",
        });
      }
      messages.clear();
    } catch (error) {
      if (stopped) return;
      if (error.code !== 'WALLET_OFFLINE') {
        stopped = true;
        return failed(app, error);
      }
      messages.error(error);
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  };
  timer = setTimeout(poll, POLL_MS);
}

function choosePin(app, { error } = {}) {
  const messages = messageArea();
  if (error) messages.error(error);
  const pad = pinPad('Mot de passe (4 chiffres)');
  const form = h(
    'form',
    { novalidate: true },
    pad.element,
    h('div', { class: 'actions' }, button('Continuer', undefined, { type: 'submit' })),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!pad.complete()) {
      messages.error({ message: 'Saisissez 4 chiffres.' });
      return;
    }
    confirmPin(app, pad.value());
  });
  screen(
    'Choisissez votre mot de passe',
    h(
      'p',
      {},
      'Ce mot de passe de 4 chiffres vous sera demandé à chaque connexion. Choisissez-le différent du code de votre carte CPS, ' +
        'sans chiffres identiques ni qui se suivent (0000, 1234…).',
    ),
    messages.element,
    form,
  );
}

function confirmPin(app, first) {
  const messages = messageArea();
  const pad = pinPad('Mot de passe, de nouveau');
  const form = h(
    'form',
    { novalidate: true },
    pad.element,
    h('div', { class: 'actions' }, button('Valider', undefined, { type: 'submit' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!pad.complete()) {
      messages.error({ message: 'Saisissez 4 chiffres.' });
      return;
    }
    if (pad.value() !== first)
      return choosePin(app, { error: { message: 'Les deux saisies diffèrent. Recommencez.' } });
    let result;
    try {
      result = await busy(form, () => app.client.choosePin(first));
    } catch (error) {
      if (error.code === 'ECPS_WEAK_PIN' || error.code === 'ECPS_INVALID_PIN_FORMAT')
        return choosePin(app, { error });
      if (error.code !== 'WALLET_OFFLINE') return failed(app, error);
      messages.error(error);
      return;
    }
    await app.wallet.clearProgress();
    await app.save();
    screen(
      'Votre e-CPS est active',
      h('p', {}, `Elle est valable jusqu'au ${formatDate(result.expiresAt)}.`),
      h(
        'p',
        {},
        "Quand vous vous connecterez à un service de santé avec l'application e-CPS, la demande s'affichera ici.",
      ),
      h(
        'div',
        { class: 'actions' },
        button('Continuer', () => app.go('home')),
      ),
    );
  });
  screen('Confirmez votre mot de passe', messages.element, form);
}
