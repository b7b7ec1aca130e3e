export { createPasskeyStores, type CreatePasskeyStoresOptions, type PasskeyStores } from './create-stores.js';
export { PasskeyDataStore, type PasskeyDataStoreOptions } from './data-store.js';
export { PasskeyCacheStore, type PasskeyCacheStoreOptions } from './cache-store.js';
export { PasskeySessionCache, type PasskeySession } from './session-cache.js';
export { CRATE_CACHE_TTL_SECONDS, cacheKey, encodeCacheData, decodeCacheData } from './cache-keys.js';
export {
  resolvePasskeyConfig,
  sqliteTarget,
  type PasskeyConfig,
  type PasskeyConfigOverrides,
  type PasskeyDataStoreConfig,
  type PasskeyCacheStoreConfig,
  type SessionConflictPolicy,
  type ConfigWarn,
} from './env-config.js';
export {
  CRATE_USER_ID_RULE,
  CRATE_SESSION_ID_RULE,
  crateUserIdProblem,
  crateSessionIdProblem,
} from '../../domain/passkey/crate-ids.js';
export { defaultTableNames, type PasskeyTableNames } from '../../adapters/kysely/passkey/index.js';
export * from '../../domain/passkey/records.js';
export {
  hasAdminPrivileges,
  truncateUtf8,
  DEMO_PLACEHOLDER_USER,
  FIRST_USER_SEQUENCE_NUMBER,
  MAX_PASSKEY_COUNTER,
  USER_AGENT_MAX_BYTES,
} from '../../domain/passkey/rules.js';
