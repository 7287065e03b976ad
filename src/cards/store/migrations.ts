import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/store/index.ts';

export function cardsMigrations(): Migrations {
  return {
    '2026-11-25-02-cards': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('card')
          .addColumn('serial', 'text', (c) => c.primaryKey())
          .addColumn('idnat', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('not_before', 'text', (c) => c.notNull())
          .addColumn('not_after', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .addColumn('issued_at', 'text', (c) => c.notNull())
          .addColumn('certificate', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('card_idnat').on('card').columns(['idnat']).execute();
        await db.schema
          .createTable('card_crl')
          .addColumn('authority', 'text', (c) => c.primaryKey())
          .addColumn('crl_number', 'integer', (c) => c.notNull())
          .addColumn('der', 'text', (c) => c.notNull())
          .addColumn('this_update', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('card_assertion_use')
          .addColumn('jti', 'text', (c) => c.primaryKey())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('card_host_key')
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('private_jwk', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('card_login_request')
          .addColumn('rid', 'text', (c) => c.primaryKey())
          .addColumn('nonce', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('purpose', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Every card login removes the expired assertion markers: indexed, so that this is not a scan
    // of the markers of the last minute per login (measured by the benchmarks).
    '2026-11-26-41-card-assertion-expiry': {
      async up(db: Kysely<any>) {
        await db.schema
          .createIndex('card_assertion_use_expires_at')
          .on('card_assertion_use')
          .column('expires_at')
          .execute();
      },
    },
  };
}
