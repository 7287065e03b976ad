// Web Push for the app: with it, a login request shows as a notification even when the app is
// closed; without it (no permission, no push service reachable), the open app still polls.

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** Asks the permission (from a click), subscribes with the server's key, and registers it. */
export async function enablePush(client) {
  if (!pushSupported()) throw new Error("Ce navigateur ne permet pas les notifications de l'application.");
  const publicKey = await client.pushPublicKey();
  if (!publicKey) throw new Error("Le service e-CPS n'envoie pas de notifications.");
  if ((await Notification.requestPermission()) !== 'granted')
    throw new Error('Les notifications ont été refusées : autorisez-les dans les réglages du navigateur.');
  const registration = await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(publicKey),
    }));
  await client.subscribePush(subscription.toJSON());
}
