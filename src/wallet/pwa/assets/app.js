// The e-CPS app: boots the protocol client (the same module as the CLI's) on an IndexedDB vault
// and switches between screens. Each screen is a function of `app` that draws itself into <main>
// and registers with `app.onLeave` whatever must stop when another screen replaces it.
import { errorBox, screen } from './dom.js';
import { activationToken, WalletClient } from './protocol.js';
import { activation } from './screens/activation.js';
import { approve } from './screens/approve.js';
import { home } from './screens/home.js';
import { requestActivation } from './screens/request.js';
import { scan } from './screens/scan.js';
import { confirmDeactivation, settings } from './screens/settings.js';
import { pinTest } from './screens/test.js';
import { blocked, expired, revoked } from './screens/trouble.js';
import { welcome } from './screens/welcome.js';
import { openWallet } from './vault.js';

const SCREENS = {
  welcome,
  requestActivation,
  scan,
  activation,
  home,
  approve,
  pinTest,
  settings,
  confirmDeactivation,
  expired,
  blocked,
  revoked,
};

/** The provider's origin (and path, if any): the app lives at `<issuer>/ecps/app/`. */
const SERVER = new URL('../../', import.meta.url).href.replace(/\/$/, '');

const jsonFetch = (url, init) => fetch(url, { ...init, credentials: 'omit', cache: 'no-store' });

function createApp(wallet, client) {
  let leaving = [];
  const app = {
    client,
    wallet,
    fetch: jsonFetch,
    save: () => wallet.saveState(client.state),
    onLeave(stop) {
      leaving.push(stop);
    },
    go(name, params = {}) {
      const stops = leaving;
      leaving = [];
      for (const stop of stops) stop();
      return SCREENS[name](app, params);
    },
    /** The screen for a state of the e-CPS itself, if the error says it cannot be used any more. */
    deviceTrouble(error) {
      switch (error?.code) {
        case 'ECPS_EXPIRED':
          app.go('expired', { error });
          return true;
        case 'ECPS_BLOCKED':
          app.go('blocked', { error });
          return true;
        case 'ECPS_NOT_ACTIVATED':
          app.go('revoked', { error });
          return true;
        case 'ECPS_DEVICE_UNAUTHORIZED':
          if (!/appareil inconnu/.test(error.message)) return false;
          app.go('revoked', { error });
          return true;
        default:
          return false;
      }
    },
  };
  return app;
}

/** An activation link opened in the app (the e-mail's button, or a QR code scanned elsewhere). */
function takeActivationLink() {
  if (!activationToken(location.hash)) return undefined;
  const link = location.href;
  // The token serves once: a reload must not try it again.
  history.replaceState(null, '', location.pathname + location.search);
  return link;
}

async function boot() {
  if (!globalThis.crypto?.subtle || !globalThis.indexedDB) {
    screen(
      'e-CPS',
      errorBox({
        message: "Ce navigateur ne permet pas d'utiliser la e-CPS ici.",
        hint: "Ouvrez l'application par son adresse https, dans un navigateur récent (pas en navigation privée).",
      }),
    );
    return;
  }
  navigator.serviceWorker?.register('sw.js', { scope: './' }).catch(() => {
    // Without the service worker the app still works, only not offline.
  });
  let wallet;
  try {
    wallet = await openWallet();
  } catch {
    screen(
      'e-CPS',
      errorBox({
        message: "L'application ne peut pas enregistrer de données sur ce téléphone.",
        hint: "Autorisez le stockage pour ce site, ou quittez la navigation privée, puis rouvrez l'application.",
      }),
    );
    return;
  }
  const saved = (await wallet.loadState()) ?? {};
  const client = new WalletClient({ ...saved, server: SERVER }, jsonFetch, wallet.vault);
  const app = createApp(wallet, client);

  const link = takeActivationLink();
  if (link) app.go('activation', { link });
  else if (client.state.activationId) app.go('activation', { resume: true });
  else if (client.state.deviceId) app.go('home');
  else app.go('welcome');

  window.addEventListener('hashchange', () => {
    const opened = takeActivationLink();
    if (opened) app.go('activation', { link: opened });
  });
}

boot();
