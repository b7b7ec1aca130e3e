export { authkeepAdapter, type AuthkeepBetterAuthAdapter } from './adapter.js';
export { migrateBetterAuth, type MigrateBetterAuthOptions } from './migrate.js';
export type { AuthkeepAdapterOptions, BetterAuthDatabaseOptions } from './options.js';
export {
  authkeepSecondaryStorage,
  type AuthkeepSecondaryStorage,
  type AuthkeepSecondaryStorageOptions,
  type BetterAuthSecondaryStorage,
  type SecondaryTarget,
} from './secondary-storage.js';
export { rotateBetterAuthSecrets, type RotateBetterAuthSecretsOptions } from './secrets/rotate-secrets.js';
export type {
  ColumnRotation,
  RotationFailure,
  RotationReport,
} from '../../adapters/kysely/sealing/rotation-report.js';
