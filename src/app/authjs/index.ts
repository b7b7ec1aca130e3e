/**
 * An Auth.js (`@auth/core`) `Adapter` on authkeep: `import { authkeepAdapter, migrateAuthjs } from 'authkeep/authjs'`.
 * @module authkeep/authjs
 */
export { authkeepAdapter, type AuthkeepAdapter } from './adapter.js';
export { migrateAuthjs, type MigrateAuthjsOptions, type MigrateAuthjsReport } from './migrate.js';
export type { AuthkeepAdapterOptions, AuthjsDatabaseOptions } from './options.js';
export type { AuthjsLayoutName } from '../../adapters/kysely/authjs/index.js';
export { sessionTokenDigest } from './session-reads.js';
