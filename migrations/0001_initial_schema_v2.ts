import type { Kysely } from 'kysely';
import { ConfigError } from '../src/domain/errors.js';
import { tableExists } from '../src/adapters/kysely/schema/introspect.js';
import type { Migration } from '../src/adapters/kysely/schema/migrator.js';
import { columnTypes } from './column-types.js';

/** The tables of upstream @kitiumai/auth-postgres, under upstream's own migration id. */
export const UPSTREAM_TABLES = [
  'users',
  'organizations',
  'api_keys',
  'sessions',
  'email_verification_tokens',
  'email_verification_token_attempts',
  'auth_events',
  'roles',
  'user_roles',
  'sso_providers',
  'sso_links',
  'sso_sessions',
  'twofa_devices',
  'twofa_backup_codes',
  'twofa_sessions',
] as const;

/**
 * Creates the kitium tables under upstream's migration id (TIMESTAMP without zone included, as upstream
 * had). A database made by upstream skips this: migration 0000 reshapes upstream's tables into exactly
 * this shape and records this id, so both reach the same schema through the same later migrations.
 */
export const initialSchemaV2: Migration = {
  id: '0001_initial_schema_v2',
  async up(db: Kysely<any>, { dialect }) {
    for (const table of UPSTREAM_TABLES) {
      if (await tableExists(db, dialect, table)) {
        throw new ConfigError(
          `a table named "${table}" already exists but was not created by authkeep or @kitiumai/auth-postgres; ` +
            'pass the `schema` option so the auth tables live in a schema of their own',
        );
      }
    }
    const t = columnTypes(dialect);
    const created = (b: any) =>
      b.addColumn('created_at', t.legacyTimestamp, (c: any) => c.notNull().defaultTo(t.now));
    const updated = (b: any) =>
      b.addColumn('updated_at', t.legacyTimestamp, (c: any) => c.notNull().defaultTo(t.now));
    const id = (b: any) => b.addColumn('id', t.id, (c: any) => c.primaryKey());

    await updated(
      created(
        id(db.schema.createTable('users'))
          .addColumn('email', t.id, (c: any) => c.unique())
          .addColumn('name', t.text)
          .addColumn('picture', t.text)
          .addColumn('plan', t.id)
          .addColumn('entitlements', t.textArray, (c: any) => c.notNull().defaultTo(t.emptyArray))
          .addColumn('oauth', t.json, (c: any) => c.defaultTo(t.emptyObject))
          .addColumn('metadata', t.json),
      ),
    ).execute();

    await updated(
      created(
        id(db.schema.createTable('organizations'))
          .addColumn('name', t.id, (c: any) => c.notNull())
          .addColumn('plan', t.id, (c: any) => c.notNull())
          .addColumn('seats', t.int, (c: any) => c.notNull().defaultTo(0))
          .addColumn('members', t.json, (c: any) => c.notNull().defaultTo(t.emptyJsonArray))
          .addColumn('metadata', t.json),
      ),
    ).execute();

    await updated(
      created(
        id(db.schema.createTable('api_keys'))
          .addColumn('principal_id', t.id, (c: any) => c.notNull())
          .addColumn('hash', t.id, (c: any) => c.notNull().unique())
          .addColumn('prefix', t.id, (c: any) => c.notNull())
          .addColumn('last_four', t.id, (c: any) => c.notNull())
          .addColumn('scopes', t.textArray, (c: any) => c.notNull().defaultTo(t.emptyArray))
          .addColumn('metadata', t.json)
          .addColumn('expires_at', t.legacyTimestamp),
      ),
    ).execute();

    await updated(
      created(
        id(db.schema.createTable('sessions'))
          .addColumn('user_id', t.id, (c: any) => c.notNull())
          .addColumn('org_id', t.id)
          .addColumn('plan', t.id)
          .addColumn('entitlements', t.textArray, (c: any) => c.notNull().defaultTo(t.emptyArray))
          .addColumn('expires_at', t.legacyTimestamp, (c: any) => c.notNull())
          .addColumn('metadata', t.json),
      ),
    ).execute();

    await created(
      id(db.schema.createTable('email_verification_tokens'))
        .addColumn('email', t.id, (c: any) => c.notNull())
        .addColumn('code', t.id, (c: any) => c.notNull())
        .addColumn('code_hash', t.id, (c: any) => c.notNull())
        .addColumn('type', t.id, (c: any) => c.notNull())
        .addColumn('user_id', t.id)
        .addColumn('metadata', t.json)
        .addColumn('expires_at', t.legacyTimestamp, (c: any) => c.notNull()),
    )
      .addColumn('used_at', t.legacyTimestamp)
      .execute();

    await db.schema
      .createTable('email_verification_token_attempts')
      .addColumn('token_id', t.id, (c: any) => c.primaryKey())
      .addColumn('attempts', t.int, (c: any) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('auth_events')
      .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c: any) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('type', t.id, (c: any) => c.notNull())
      .addColumn('principal_id', t.id, (c: any) => c.notNull())
      .addColumn('org_id', t.id)
      .addColumn('data', t.json, (c: any) => c.notNull().defaultTo(t.emptyObject))
      .addColumn('timestamp', t.legacyTimestamp, (c: any) => c.notNull().defaultTo(t.now))
      .execute();

    await updated(
      created(
        id(db.schema.createTable('roles'))
          .addColumn('org_id', t.id, (c: any) => c.notNull())
          .addColumn('name', t.id, (c: any) => c.notNull())
          .addColumn('description', t.text)
          .addColumn('permissions', t.json, (c: any) => c.notNull().defaultTo(t.emptyJsonArray))
          .addColumn('is_system', t.bool, (c: any) => c.notNull().defaultTo(t.false))
          .addColumn('metadata', t.json),
      ),
    ).execute();

    await db.schema
      .createTable('user_roles')
      .addColumn('user_id', t.id, (c: any) => c.notNull())
      .addColumn('role_id', t.id, (c: any) => c.notNull())
      .addColumn('org_id', t.id, (c: any) => c.notNull())
      .addColumn('assigned_at', t.legacyTimestamp, (c: any) => c.notNull().defaultTo(t.now))
      .execute();

    await updated(
      created(
        id(db.schema.createTable('sso_providers'))
          .addColumn('type', t.id, (c: any) => c.notNull())
          .addColumn('name', t.id, (c: any) => c.notNull())
          .addColumn('org_id', t.id)
          .addColumn('config', t.json, (c: any) => c.notNull().defaultTo(t.emptyObject))
          .addColumn('metadata', t.json),
      ),
    ).execute();

    await id(db.schema.createTable('sso_links'))
      .addColumn('user_id', t.id, (c: any) => c.notNull())
      .addColumn('provider_id', t.id, (c: any) => c.notNull())
      .addColumn('provider_type', t.id, (c: any) => c.notNull())
      .addColumn('provider_subject', t.id, (c: any) => c.notNull())
      .addColumn('provider_email', t.id)
      .addColumn('auto_provisioned', t.bool)
      .addColumn('metadata', t.json)
      .addColumn('linked_at', t.legacyTimestamp, (c: any) => c.notNull().defaultTo(t.now))
      .addColumn('last_auth_at', t.legacyTimestamp, (c: any) => c.notNull().defaultTo(t.now))
      .execute();

    await id(db.schema.createTable('sso_sessions'))
      .addColumn('user_id', t.id, (c: any) => c.notNull())
      .addColumn('provider_id', t.id, (c: any) => c.notNull())
      .addColumn('provider_type', t.id, (c: any) => c.notNull())
      .addColumn('provider_subject', t.id, (c: any) => c.notNull())
      .addColumn('session_token', t.text)
      .addColumn('expires_at', t.legacyTimestamp, (c: any) => c.notNull())
      .addColumn('linked_at', t.legacyTimestamp, (c: any) => c.notNull().defaultTo(t.now))
      .addColumn('last_auth_at', t.legacyTimestamp, (c: any) => c.notNull().defaultTo(t.now))
      .execute();

    await id(db.schema.createTable('twofa_devices'))
      .addColumn('user_id', t.id, (c: any) => c.notNull())
      .addColumn('method', t.id, (c: any) => c.notNull())
      .addColumn('name', t.id)
      .addColumn('verified', t.bool, (c: any) => c.notNull().defaultTo(t.false))
      .addColumn('phone_number', t.id)
      .addColumn('secret', t.text)
      .addColumn('last_used_at', t.legacyTimestamp)
      .addColumn('created_at', t.legacyTimestamp, (c: any) => c.notNull().defaultTo(t.now))
      .addColumn('updated_at', t.legacyTimestamp, (c: any) => c.defaultTo(t.now))
      .addColumn('metadata', t.json)
      .execute();

    await created(
      id(db.schema.createTable('twofa_backup_codes'))
        .addColumn('user_id', t.id, (c: any) => c.notNull())
        .addColumn('code', t.id, (c: any) => c.notNull())
        .addColumn('used', t.bool, (c: any) => c.notNull().defaultTo(t.false))
        .addColumn('used_at', t.legacyTimestamp),
    ).execute();

    await created(
      id(db.schema.createTable('twofa_sessions'))
        .addColumn('user_id', t.id, (c: any) => c.notNull())
        .addColumn('session_id', t.id, (c: any) => c.notNull())
        .addColumn('device_id', t.id, (c: any) => c.notNull())
        .addColumn('method', t.id, (c: any) => c.notNull())
        .addColumn('verification_code', t.id)
        .addColumn('attempt_count', t.int, (c: any) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', t.int, (c: any) => c.notNull().defaultTo(5))
        .addColumn('expires_at', t.legacyTimestamp, (c: any) => c.notNull()),
    )
      .addColumn('completed_at', t.legacyTimestamp)
      .execute();
  },
};
