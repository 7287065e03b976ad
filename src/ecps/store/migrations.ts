import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/store/index.ts';

export function ecpsMigrations(): Migrations {
  return {
    '2026-11-25-06-ecps': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('ecps_device')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('idnat', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('pin_mac', 'text')
          .addColumn('pin_failures', 'integer', (c) => c.notNull())
          .addColumn('activation_mode', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('os', 'text', (c) => c.notNull())
          .addColumn('app_version', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('activated_at', 'text')
          .addColumn('expires_at', 'text')
          .addColumn('last_used_at', 'text')
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema
          .createIndex('ecps_device_idnat')
          .on('ecps_device')
          .columns(['idnat', 'status'])
          .execute();
        await db.schema
          .createTable('ecps_activation')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('idnat', 'text', (c) => c.notNull())
          .addColumn('mode', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('token_expires_at', 'text', (c) => c.notNull())
          .addColumn('token_used_at', 'text')
          .addColumn('device_id', 'text')
          .addColumn('code_hash', 'text')
          .addColumn('code_expires_at', 'text')
          .addColumn('code_attempts', 'integer', (c) => c.notNull())
          .addColumn('code_confirmed_at', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('ecps_activation_idnat')
          .on('ecps_activation')
          .columns(['idnat', 'created_at'])
          .execute();
        await db.schema
          .createTable('ecps_auth_request')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('idnat', 'text', (c) => c.notNull())
          .addColumn('client_name', 'text', (c) => c.notNull())
          .addColumn('binding_message', 'text')
          .addColumn('code', 'text')
          .addColumn('choices', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('origin', 'text', (c) => c.notNull())
          .addColumn('device_id', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('answered_at', 'text')
          .execute();
        await db.schema
          .createIndex('ecps_auth_request_idnat')
          .on('ecps_auth_request')
          .columns(['idnat', 'status'])
          .execute();
        await db.schema
          .createTable('ecps_seen_jti')
          .addColumn('jti', 'text', (c) => c.primaryKey())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // The portal: activation with a card, "mot de passe oublié" by e-mail + SMS, expiry reminders,
    // Web Push subscriptions, and a per-address limit on what sends e-mails and SMS.
    '2026-11-26-01-ecps-portal': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('ecps_activation').addColumn('request_ip', 'text').execute();
        await db.schema.alterTable('ecps_device').addColumn('reminder_sent_at', 'text').execute();
        await db.schema.alterTable('ecps_device').addColumn('push_subscription', 'text').execute();
        await db.schema
          .createIndex('ecps_activation_request_ip')
          .on('ecps_activation')
          .columns(['request_ip', 'created_at'])
          .execute();
        await db.schema
          .createTable('ecps_recovery')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('idnat', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('token_expires_at', 'text', (c) => c.notNull())
          .addColumn('token_used_at', 'text')
          .addColumn('code_hash', 'text')
          .addColumn('code_expires_at', 'text')
          .addColumn('code_attempts', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('request_ip', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('ecps_recovery_idnat')
          .on('ecps_recovery')
          .columns(['idnat', 'created_at'])
          .execute();
        await db.schema
          .createIndex('ecps_recovery_request_ip')
          .on('ecps_recovery')
          .columns(['request_ip', 'created_at'])
          .execute();
      },
    },
    // "Ce n'était pas moi": a refused request can be reported, naming where it came from.
    '2026-11-26-04-ecps-report': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('ecps_auth_request').addColumn('request_ip', 'text').execute();
        await db.schema.alterTable('ecps_auth_request').addColumn('reported_at', 'text').execute();
      },
    },
    // What sends e-mails is counted per address as the other limits count it, an IPv6 /64 as one
    // (`limitedAddress`); `request_ip` keeps the exact address.
    '2026-11-26-50-ecps-request-network': {
      async up(db: Kysely<any>) {
        for (const table of ['ecps_activation', 'ecps_recovery']) {
          await db.schema.alterTable(table).addColumn('request_network', 'text').execute();
          await db.schema
            .createIndex(`${table}_request_network`)
            .on(table)
            .columns(['request_network', 'created_at'])
            .execute();
        }
      },
    },
    // Every signed app call removes the expired replay markers: without an index that was a scan
    // of every marker of the last two minutes, per call (measured by the benchmarks).
    '2026-11-26-40-ecps-seen-jti-expiry': {
      async up(db: Kysely<any>) {
        await db.schema
          .createIndex('ecps_seen_jti_expires_at')
          .on('ecps_seen_jti')
          .column('expires_at')
          .execute();
      },
    },
  };
}
