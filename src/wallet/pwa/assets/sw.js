// The e-CPS app's service worker: keeps the app's own files so that it opens without network,
// and lets the browser offer to install it. Network first, so a new version is used as soon as
// it is reachable; the cache is only the offline copy.
// The e-CPS API (/ecps/api) is never cached nor even seen: it is outside this worker's scope
// path and only POSTed to, and each of its answers is for one signed call.

// Filled in by the server (src/wallet/pwa/routes.ts): the app's files and a hash of them.
const BUILD = { version: 'dev', shell: ['./'] };
const PREFIX = 'ecps-app-';
const CACHE = `${PREFIX}${BUILD.version}`;
const SCOPE = new URL('./', self.location.href).pathname;
const SHARED = new URL('../../assets/', self.location.href).pathname;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(BUILD.shell))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function appFile(url) {
  return (
    url.origin === self.location.origin && (url.pathname.startsWith(SCOPE) || url.pathname.startsWith(SHARED))
  );
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !appFile(new URL(request.url))) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch(request);
        if (response.ok) await cache.put(request, response.clone());
        return response;
      } catch (error) {
        const copy =
          (await cache.match(request, { ignoreSearch: true })) ??
          (request.mode === 'navigate' ? await cache.match('./') : undefined);
        if (copy) return copy;
        throw error;
      }
    })(),
  );
});

// Web Push: the server says a login request waits (never its code, which only the login screen
// shows). The notification opens the app, which fetches the request with a signed call.
self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    // Not ours or unreadable: still tell the user something may wait.
  }
  if (message.type !== 'demande' && event.data) return;
  event.waitUntil(
    self.registration.showNotification('Demande de connexion e-CPS', {
      body: message.service
        ? `${message.service} demande à vous connecter. Ouvrez l'application pour répondre.`
        : "Une demande de connexion vous attend dans l'application e-CPS.",
      tag: message.id ?? 'demande-ecps',
      icon: new URL('./icons/icon-192.png', self.location.href).pathname,
      requireInteraction: true,
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).pathname.startsWith(SCOPE));
      if (open) return open.focus();
      return self.clients.openWindow(SCOPE);
    })(),
  );
});
