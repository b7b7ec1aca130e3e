export { codecFor, postgresCodec, sqliteCodec, type Codec, type Dialect } from './codec.js';
export {
  openPostgres,
  assertIdentifier,
  type PostgresConnectionOptions,
} from './connection/open-postgres.js';
export { openSqlite, isMemoryTarget, type SqliteConnectionOptions } from './connection/open-sqlite.js';
export { SqlStore, type Db, type Trx } from './sql-store.js';
export {
  runMigrations,
  migrationStatus,
  readMigrationStatus,
  type Migration,
  type MigrationContext,
  type MigrationStatus,
} from './schema/migrator.js';
export { describeColumns, schemaExists, tableExists, type ColumnInfo } from './schema/introspect.js';
export { KyselyApiKeyRepo } from './repos/api-key-repo.js';
export { KyselySessionRepo } from './repos/sessions/session-repo.js';
export { KyselyOrganizationRepo } from './repos/organization-repo.js';
export { KyselyUserRepo } from './repos/user-repo.js';
export { KyselyEmailTokenRepo } from './repos/email-token-repo.js';
export { KyselyEventLog } from './repos/event-log.js';
export { KyselyRoleRepo } from './repos/role-repo.js';
export { KyselyTwoFactorDeviceRepo } from './repos/two-factor/two-factor-device-repo.js';
export { KyselyBackupCodeRepo } from './repos/two-factor/backup-code-repo.js';
export { KyselyTwoFactorSessionRepo } from './repos/two-factor/two-factor-session-repo.js';
export { KyselySsoProviderRepo } from './repos/sso/sso-provider-repo.js';
export { KyselySsoLinkRepo } from './repos/sso/sso-link-repo.js';
export { KyselySsoSessionRepo } from './repos/sso/sso-session-repo.js';
export { KyselySamlTenantConfigRepo } from './repos/sso/saml-tenant-config-repo.js';
export {
  planMigrations,
  inScratch,
  type MigrationScriptEntry,
  type MigrationScriptOptions,
} from './schema/migration-script.js';
export { verifySchema } from './schema/schema-verify.js';
