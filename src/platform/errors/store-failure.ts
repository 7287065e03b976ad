/**
 * Recognises a database that is down, unreachable, restarting or locked, among whatever a query
 * threw, so that a request meets STORE_UNAVAILABLE (503, "try again") instead of an internal
 * error while it lasts. Only the kind of failure is kept: addresses and driver messages go to
 * the logs, not to the public.
 */
export interface StoreFailure {
  store: 'PostgreSQL' | 'SQLite' | 'Redis';
  reason: string;
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connexion refusée',
  ECONNRESET: 'connexion interrompue',
  EPIPE: 'connexion interrompue',
  ETIMEDOUT: 'délai de connexion dépassé',
  EHOSTUNREACH: 'serveur injoignable',
  ENETUNREACH: 'serveur injoignable',
  ENOTFOUND: 'serveur introuvable',
  EAI_AGAIN: 'serveur introuvable',
};

/**
 * `network`: whether a bare connection error counts. It does for what a query threw itself
 * (node-postgres passes the socket's error on as it is), not for the cause of another error: a
 * failed `fetch` to some other service carries the same codes.
 */
function describeOne(error: unknown, network: boolean): StoreFailure | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { code, message, errcode, name } = error as {
    code?: unknown;
    message?: unknown;
    errcode?: unknown;
    name?: unknown;
  };
  // ioredis rejects the commands queued while the connection is down with these (it reports
  // the socket's own errors as events, not on the commands).
  if (name === 'MaxRetriesPerRequestError') return { store: 'Redis', reason: 'connexion perdue' };
  if (typeof message === 'string') {
    if (message === 'Command timed out') return { store: 'Redis', reason: 'délai de réponse dépassé' };
    if (message === 'Connection is closed.' || message.startsWith("Stream isn't writeable"))
      return { store: 'Redis', reason: 'connexion fermée' };
  }
  if (typeof code === 'string') {
    if (network && NETWORK[code]) return { store: 'PostgreSQL', reason: NETWORK[code] };
    // SQLSTATE class 08 (connection exception), 57P01-57P03 (shutting down, restarting),
    // 53300 (too many connections).
    if (/^08[0-9A-Z]{3}$/.test(code)) return { store: 'PostgreSQL', reason: 'connexion perdue' };
    if (/^57P0[123]$/.test(code))
      return { store: 'PostgreSQL', reason: 'serveur en cours d’arrêt ou de démarrage' };
    if (code === '53300') return { store: 'PostgreSQL', reason: 'trop de connexions' };
    // SQLITE_BUSY, SQLITE_LOCKED: another process held the file longer than the busy timeout.
    if (code === 'ERR_SQLITE_ERROR' && (errcode === 5 || errcode === 6))
      return { store: 'SQLite', reason: 'base occupée par un autre processus' };
  }
  // node-postgres reports a lost or timed-out connection by message only.
  if (typeof message === 'string') {
    if (/^Connection terminated|Client has encountered a connection error/.test(message))
      return { store: 'PostgreSQL', reason: 'connexion interrompue' };
    if (/timeout exceeded when trying to connect/.test(message))
      return { store: 'PostgreSQL', reason: 'délai de connexion dépassé' };
  }
  return undefined;
}

export function describeStoreFailure(error: unknown, depth = 0, network = true): StoreFailure | undefined {
  if (depth > 3) return undefined;
  const direct = describeOne(error, network);
  if (direct) return direct;
  if (error && typeof error === 'object') {
    // A connection to a name with several addresses fails with an AggregateError of each.
    const { errors, cause } = error as { errors?: unknown; cause?: unknown };
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const found = describeStoreFailure(inner, depth + 1, network);
        if (found) return found;
      }
    }
    if (cause) return describeStoreFailure(cause, depth + 1, false);
  }
  return undefined;
}
