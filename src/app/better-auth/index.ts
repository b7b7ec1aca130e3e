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
