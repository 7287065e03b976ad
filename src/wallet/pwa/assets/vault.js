// Where the app keeps what it must remember, all in one IndexedDB database of this origin:
// - `device-key`: the device's P-256 key pair as CryptoKey objects. The private key is made
//   non-extractable: the page can sign with it but no script (nor this app) can read it out.
//   IndexedDB stores CryptoKeys by structured clone, extractability included.
// - `state`: the WalletState the protocol client needs (server, device id, identifier, the
//   activation under way), nothing secret.
// - `activation`: the screens' progress in an activation (code to show, SMS code done), so that
//   the app can be closed and reopened in the middle of one.
import { deviceKeyOf, generateDeviceKeyPair } from './protocol.js';

export const DB_NAME = 'caducee-ecps';
const STORE = 'wallet';

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDatabase() {
  const opening = indexedDB.open(DB_NAME, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
  return request(opening);
}

/** Only what WalletState holds: a clean copy, whatever else the object carries. */
function stateRecord(state) {
  const { server, deviceId, idnat, activationId, activationMode } = state;
  return { server, deviceId, idnat, activationId, activationMode };
}

export async function openWallet() {
  const db = await openDatabase();
  const store = (mode) => db.transaction(STORE, mode).objectStore(STORE);
  const get = (key) => request(store('readonly').get(key));
  const put = (key, value) => request(store('readwrite').put(value, key));
  const remove = (key) => request(store('readwrite').delete(key));

  /** The protocol's KeyVault, backed by IndexedDB. */
  const vault = {
    async create() {
      const { privateKey, publicKey } = await generateDeviceKeyPair(false);
      await put('device-key', { privateKey, publicKey, createdAt: new Date().toISOString() });
      return deviceKeyOf(privateKey, publicKey);
    },
    async load() {
      const pair = await get('device-key');
      return pair ? deviceKeyOf(pair.privateKey, pair.publicKey) : undefined;
    },
    async remove() {
      await remove('device-key');
    },
  };

  return {
    vault,
    loadState: () => get('state'),
    saveState: (state) => put('state', stateRecord(state)),
    loadProgress: async () => (await get('activation')) ?? {},
    saveProgress: (progress) => put('activation', progress),
    clearProgress: () => remove('activation'),
    /** The raw key pair, kept aside while a new activation replaces it. */
    keyPair: () => get('device-key'),
    restoreKeyPair: (pair) => (pair ? put('device-key', pair) : remove('device-key')),
  };
}
