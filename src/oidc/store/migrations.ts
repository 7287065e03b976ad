import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../../platform/store/index.ts';

export function oidcMigrations(): Migrations {
  return {
    '2026-11-25-04-oidc': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('oidc_payload')
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('grant_id', 'text')
          .addColumn('user_code', 'text')
          .addColumn('uid', 'text')
          .addColumn('expires_at', 'text')
          .addColumn('consumed_at', 'text')
          .addPrimaryKeyConstraint('oidc_payload_pk', ['model', 'id'])
          .execute();
        await db.schema
          .createIndex('oidc_payload_grant_id')
          .on('oidc_payload')
          .columns(['model', 'grant_id'])
          .execute();
        await db.schema
          .createIndex('oidc_payload_user_code')
          .on('oidc_payload')
          .columns(['model', 'user_code'])
          .execute();
        await db.schema
          .createIndex('oidc_payload_uid')
          .on('oidc_payload')
          .columns(['model', 'uid'])
          .execute();
        await db.schema
          .createIndex('oidc_payload_expires_at')
          .on('oidc_payload')
          .columns(['expires_at'])
          .execute();
        await db.schema
          .createTable('oidc_client')
          .addColumn('client_id', 'text', (c) => c.primaryKey())
          .addColumn('metadata', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('oidc_key')
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('alg', 'text', (c) => c.notNull())
          .addColumn('private_jwk', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('retired_at', 'text')
          .execute();
        await db.schema
          .createTable('oidc_secret')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // "Je me déconnecte de toutes les sessions": a professional's sessions are found by account.
    '2026-11-26-03-oidc-account-id': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('oidc_payload').addColumn('account_id', 'text').execute();
        await db.schema
          .createIndex('oidc_payload_account_id')
          .on('oidc_payload')
          .columns(['model', 'account_id'])
          .execute();
        // Sessions opened before this version must be found too. Read in JavaScript rather than
        // with the JSON functions, which differ between SQLite and PostgreSQL; only live rows
        // matter, and there are as many as open sessions and their tokens.
        const rows = await db
          .selectFrom('oidc_payload')
          .select(['model', 'id', 'payload'])
          .where('payload', 'like', '%"accountId"%')
          .where((eb) =>
            eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date().toISOString())]),
          )
          .execute();
        for (const row of rows as Array<{ model: string; id: string; payload: string }>) {
          const accountId = (JSON.parse(row.payload) as { accountId?: unknown }).accountId;
          if (typeof accountId !== 'string') continue;
          await db
            .updateTable('oidc_payload')
            .set({ account_id: accountId })
            .where('model', '=', row.model)
            .where('id', '=', row.id)
            .execute();
        }
      },
    },
    // Client secrets leave the metadata for a sealed column. The rows are sealed when the provider
    // starts (`sealClearClientSecrets`): the key lives outside the database, migrations see none.
    '2026-11-26-60-oidc-client-secret-sealed': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('oidc_client').addColumn('secret_sealed', 'text').execute();
      },
    },
    // Lookup columns are set on a few models only (uid on sessions and interactions, no user code
    // at all while the device flow is off), yet every upsert wrote an entry in each index: partial
    // indexes hold only the rows that have the value, and an upsert on SQLite writes about a
    // quarter fewer pages (measured: 82 → 59 µs of CPU). Revoking a grant looks rows up by grant
    // id across every model, which the (model, grant_id) index could not serve: the table was
    // scanned at every logout and code replay.
    '2026-11-26-80-oidc-payload-partial-indexes': {
      async up(db: Kysely<any>) {
        for (const index of [
          'oidc_payload_grant_id',
          'oidc_payload_user_code',
          'oidc_payload_uid',
          'oidc_payload_account_id',
        ])
          await db.schema.dropIndex(index).execute();
        await db.schema
          .createIndex('oidc_payload_grant_id')
          .on('oidc_payload')
          .column('grant_id')
          .where(sql.ref('grant_id'), 'is not', null)
          .execute();
        for (const [index, column] of [
          ['oidc_payload_user_code', 'user_code'],
          ['oidc_payload_uid', 'uid'],
          ['oidc_payload_account_id', 'account_id'],
        ] as const)
          await db.schema
            .createIndex(index)
            .on('oidc_payload')
            .columns(['model', column])
            .where(sql.ref(column), 'is not', null)
            .execute();
      },
    },
  };
}
