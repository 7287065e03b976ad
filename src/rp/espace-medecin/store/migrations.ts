import type { Kysely } from 'kysely';
import { auditMigrations, type Migrations } from '../../../platform/index.ts';

/**
 * The espace médecin's schema, in its own database (its own SQLite file, or its own PostgreSQL
 * schema): it shares no table with the provider. Logins are audited in the platform's
 * `audit_event` table, created here in this database.
 */
export function espaceMedecinMigrations(): Migrations {
  return {
    ...auditMigrations(),
    '2026-11-26-10-espace-medecin-accounts': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('account')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('idnat', 'text', (c) => c.notNull().unique())
          .addColumn('family_name', 'text', (c) => c.notNull())
          .addColumn('given_name', 'text', (c) => c.notNull())
          .addColumn('profession_code', 'text', (c) => c.notNull())
          .addColumn('profession_label', 'text', (c) => c.notNull())
          .addColumn('specialty_code', 'text', (c) => c.notNull())
          .addColumn('specialty_label', 'text', (c) => c.notNull())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('phone', 'text', (c) => c.notNull())
          .addColumn('address', 'text', (c) => c.notNull())
          .addColumn('postcode', 'text', (c) => c.notNull())
          .addColumn('city', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('charter_accepted_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('session')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('csrf', 'text', (c) => c.notNull())
          .addColumn('account_id', 'text')
          .addColumn('login_account_id', 'text')
          .addColumn('method', 'text')
          .addColumn('oidc_sid', 'text')
          .addColumn('oidc_sub', 'text')
          .addColumn('id_token', 'text')
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('session_expires').on('session').column('expires_at').execute();
        await db.schema.createIndex('session_oidc_sid').on('session').column('oidc_sid').execute();
        await db.schema.createIndex('session_oidc_sub').on('session').column('oidc_sub').execute();
        await db.schema.createIndex('session_account').on('session').column('login_account_id').execute();
        await db.schema
          .createTable('attempt')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('attempt_key_at').on('attempt').columns(['key', 'at']).execute();
      },
    },
    '2026-11-26-11-espace-medecin-codes': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('email_code')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull().references('account.id').onDelete('cascade'))
          .addColumn('purpose', 'text', (c) => c.notNull())
          .addColumn('requester_id', 'text')
          .addColumn('session_hash', 'text', (c) => c.notNull())
          .addColumn('code_mac', 'text', (c) => c.notNull())
          .addColumn('tries_left', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('used_at', 'text')
          .execute();
        await db.schema.createIndex('email_code_expires').on('email_code').column('expires_at').execute();
        await db.schema
          .createTable('password_reset')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull().references('account.id').onDelete('cascade'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('used_at', 'text')
          .execute();
        await db.schema
          .createTable('logout_token')
          .addColumn('jti', 'text', (c) => c.primaryKey())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '2026-11-26-12-espace-medecin-practice': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('delegation')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('delegator_id', 'text', (c) => c.notNull().references('account.id'))
          .addColumn('delegate_id', 'text', (c) => c.notNull().references('account.id'))
          .addColumn('starts_on', 'text', (c) => c.notNull())
          .addColumn('ends_on', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema.createIndex('delegation_delegate').on('delegation').column('delegate_id').execute();
        await db.schema.createIndex('delegation_delegator').on('delegation').column('delegator_id').execute();
        await db.schema
          .createTable('account_link')
          .addColumn('account_a', 'text', (c) => c.notNull().references('account.id'))
          .addColumn('account_b', 'text', (c) => c.notNull().references('account.id'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('account_link_pk', ['account_a', 'account_b'])
          .execute();
        await db.schema.createIndex('account_link_b').on('account_link').column('account_b').execute();
        await db.schema
          .createTable('patient_file')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_id', 'text', (c) => c.notNull().references('account.id'))
          .addColumn('family_name', 'text', (c) => c.notNull())
          .addColumn('given_name', 'text', (c) => c.notNull())
          .addColumn('birth_date', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('patient_file_owner').on('patient_file').column('owner_id').execute();
        await db.schema
          .createTable('patient_activity')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('file_id', 'text', (c) => c.notNull().references('patient_file.id'))
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor_id', 'text', (c) => c.notNull().references('account.id'))
          .addColumn('on_behalf_of_id', 'text', (c) => c.notNull().references('account.id'))
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('patient_activity_file')
          .on('patient_activity')
          .columns(['file_id', 'at'])
          .execute();
      },
    },
    // Named after the platform's audit-chain migration, which databases already have: Kysely
    // refuses a new migration that sorts before one already applied.
    '2026-11-26-50-espace-medecin-login-indexes': {
      async up(db: Kysely<any>) {
        // Every counted attempt purges the rows older than a day, and every code sent retires
        // the account's earlier codes: without these, both scanned their whole table, which
        // grows by two attempts and one code per password login.
        await db.schema.createIndex('attempt_at').on('attempt').column('at').execute();
        await db.schema.createIndex('email_code_account').on('email_code').column('account_id').execute();
      },
    },
  };
}
