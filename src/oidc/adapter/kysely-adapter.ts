import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import { clientFromRow, type SecretOpener } from '../store/client-secrets.ts';
import type { OidcDb } from '../store/tables.ts';

/**
 * oidc-provider's storage on the project's store, so that every node shares sessions, codes and
 * tokens. The provider makes one adapter per model (`new Adapter('AccessToken')`); rows are keyed
 * by (model, id).
 *
 * Clients are the exception: they are registered through the CLI into `oidc_client`, and the
 * provider only ever reads them (dynamic registration is off), so writes to `Client` are ignored.
 * Their secrets are stored sealed: `openSecret` opens them (the provider's is
 * rememberingSecretOpener, so that each secret is opened once).
 */
export function kyselyAdapterFactory(
  db: OidcDb,
  openSecret: SecretOpener,
  clock: () => Date = () => new Date(),
): AdapterConstructor {
  return class KyselyAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') return;
      const expiresAt =
        typeof expiresIn === 'number' ? new Date(clock().getTime() + expiresIn * 1000).toISOString() : null;
      const columns = {
        payload: JSON.stringify(payload),
        grant_id: stringOrNull(payload.grantId),
        user_code: stringOrNull(payload.userCode),
        uid: stringOrNull(payload.uid),
        // Lets "end every session of this professional" find them without reading every payload.
        account_id: stringOrNull(payload.accountId),
        expires_at: expiresAt,
        // A rewrite replaces the whole record, as the memory adapter does: what the provider
        // saves again is a new state, whose payload says itself whether it is consumed.
        consumed_at: null,
      };
      await db
        .insertInto('oidc_payload')
        .values({ model: this.model, id, ...columns })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(columns))
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        if (typeof id !== 'string') return undefined;
        const row = await db
          .selectFrom('oidc_client')
          .select(['client_id', 'metadata', 'secret_sealed'])
          .where('client_id', '=', id)
          .executeTakeFirst();
        return row ? (clientFromRow(openSecret, row) as AdapterPayload) : undefined;
      }
      return this.#findWhere('id', id);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.#findWhere('user_code', userCode);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.#findWhere('uid', uid);
    }

    async consume(id: string): Promise<void> {
      await db
        .updateTable('oidc_payload')
        .set({ consumed_at: clock().toISOString() })
        .where('model', '=', this.model)
        .where('id', '=', id)
        .execute();
    }

    async destroy(id: string): Promise<void> {
      if (this.model === 'Client') return;
      await db.deleteFrom('oidc_payload').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      // Every model at once: the provider calls this on each grantable model in turn, and a grant
      // revoked must leave no code or token of any kind behind.
      await db.deleteFrom('oidc_payload').where('grant_id', '=', grantId).execute();
    }

    async #findWhere(column: 'id' | 'user_code' | 'uid', value: string): Promise<AdapterPayload | undefined> {
      // The provider may look up a missing uid or code; a non-string would not bind in SQL.
      if (typeof value !== 'string') return undefined;
      const now = clock().toISOString();
      const row = await db
        .selectFrom('oidc_payload')
        .select(['payload', 'consumed_at'])
        .where('model', '=', this.model)
        .where(column, '=', value)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirst();
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      // The provider expects `consumed` as the memory adapter sets it: epoch seconds.
      if (row.consumed_at) payload.consumed = Math.floor(Date.parse(row.consumed_at) / 1000);
      return payload;
    }
  };
}

/**
 * Rows one purge statement deletes, about. The embedded store runs SQLite on the event loop: one
 * statement deleting the 10 minutes of expired rows of a busy node (a hundred thousand and more)
 * held every request for seconds (measured by the benchmarks' soak). Batches of 1 000 rows
 * (about 50 ms each) still did: a login takes dozens of turns of the event loop, and each could
 * wait for a batch.
 */
const PURGE_BATCH = 200;

/**
 * Expired rows are invisible to `find` already; this only reclaims the space. Consumed rows are
 * left until they expire, so that a replayed code is still recognised as one. Deletes by batches
 * of about `batch` rows, oldest first, pausing between two batches as long as the last one took.
 */
export async function purgeExpired(db: OidcDb, now: Date, batch = PURGE_BATCH): Promise<number> {
  const cutoff = now.toISOString();
  let deleted = 0;
  for (;;) {
    const started = performance.now();
    // The expiry of the batch-th oldest expired row: deleting up to it removes about `batch` rows
    // (more when many expire at the same instant); none means the rest is smaller than a batch.
    const edge = await db
      .selectFrom('oidc_payload')
      .select('expires_at')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', cutoff)
      .orderBy('expires_at')
      .limit(1)
      .offset(batch - 1)
      .executeTakeFirst();
    const result = await db
      .deleteFrom('oidc_payload')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', edge?.expires_at ?? cutoff)
      .executeTakeFirst();
    deleted += Number(result.numDeletedRows);
    if (!edge) return deleted;
    // As long a pause as the batch took: the purge takes at most half of the event loop.
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, performance.now() - started)));
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
