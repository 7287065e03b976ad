import type { Kysely } from 'kysely';
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
  };
}
