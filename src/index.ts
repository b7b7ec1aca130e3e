export * from './domain/errors.js';
export type * from './domain/records/records.js';
export type { StorageAdapter } from './app/kitium/storage-adapter.js';
export {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  sqlitePath,
  type PostgresStorageAdapterOptions,
  type SqliteStorageAdapterOptions,
} from './app/kitium/adapters.js';
export { KitiumStorageAdapter, type KitiumAdapterOptions } from './app/kitium/kitium-adapter.js';
export type { IssuedApiKey } from './app/kitium/groups/api-keys.js';
export {
  createAuthStorage,
  databaseKind,
  DEFAULT_SQLITE_FILE,
  type AuthStorageConfig,
} from './app/config.js';
export type { MigrationsMode } from './app/kitium/kitium-core-adapter.js';
export { ENV_VARIABLES, type EnvVariable } from './app/env.js';
export { generateBytes, type ByteEncoding } from './adapters/crypto/random/random.js';
export { createPinoLogger, silentLogger } from './adapters/log/pino-logger.js';
export type { Logger, Clock, HealthStatus } from './ports/system.js';
export { emailIdentity, emailLookupKey, normalizeEmail, type EmailIdentity } from './domain/email/email.js';

// oauth2-passkey compatible data and cache stores.
export {
  createPasskeyStores,
  PasskeyDataStore,
  PasskeyCacheStore,
  PasskeySessionCache,
  resolvePasskeyConfig,
  defaultTableNames,
  hasAdminPrivileges,
  CRATE_CACHE_TTL_SECONDS,
  DEMO_PLACEHOLDER_USER,
  FIRST_USER_SEQUENCE_NUMBER,
  MAX_PASSKEY_COUNTER,
  USER_AGENT_MAX_BYTES,
  CRATE_USER_ID_RULE,
  CRATE_SESSION_ID_RULE,
  crateUserIdProblem,
  crateSessionIdProblem,
  type CreatePasskeyStoresOptions,
  type PasskeyStores,
  type PasskeyDataStoreOptions,
  type PasskeySession,
  type PasskeyConfig,
  type PasskeyConfigOverrides,
  type PasskeyDataStoreConfig,
  type PasskeyCacheStoreConfig,
  type PasskeyCacheStoreOptions,
  type SessionConflictPolicy,
  type ConfigWarn,
  type PasskeyTableNames,
  type PasskeyUser,
  type PasskeyUserInput,
  type OAuth2Account,
  type OAuth2AccountInput,
  type OAuth2AccountSearchField,
  type PasskeyCredential,
  type PasskeyCredentialInput,
  type CredentialSearchField,
  type CounterUpdate,
  type LoginHistoryEntry,
  type LoginHistoryInput,
  type LoginHistoryQuery,
  type LoginHistoryRange,
  type LoginAuthMethod,
} from './app/passkey/index.js';

// Read replicas: routing counters for monitoring (the options live on the PostgreSQL connection options).
export {
  replicaRoutingStats,
  type ReplicaOptions,
} from './adapters/kysely/connection/replica/replica-reads.js';
export type { ReplicaRoutingStats } from './adapters/kysely/connection/replica/replica-router.js';

// Cache edge: stores, the resilient wrapper, and the read-through options of the kitium facades.
export { MemoryCache, type MemoryCacheOptions } from './adapters/cache/memory/memory-cache.js';
export { RedisCache, type RedisCacheOptions } from './adapters/cache/redis/redis-cache.js';
export type { RedisConnection } from './adapters/cache/redis/redis-connection.js';
export {
  ResilientCache,
  type ResilientCacheOptions,
  type CacheHealth,
} from './adapters/cache/resilient/resilient-cache.js';
export type { CacheStore } from './ports/cache.js';
export type { CacheTarget, CacheSettings } from './app/cache/open-cache.js';
export type { KitiumCacheOptions } from './app/cache/kitium-cache.js';
export { CACHE_FORMAT_VERSION } from './app/cache/cache-codec.js';

// Secrets at rest: keyring, key configuration, password hashing, encrypted columns and rotation.
export {
  AesGcmKeyring,
  MAX_PLAINTEXT_BYTES,
  type AesGcmKeyringOptions,
} from './adapters/crypto/keyring/aes-gcm-keyring.js';
export {
  ENCRYPTION_KEYS_ENV,
  KEY_ID_PATTERN,
  parseKeyList,
  keysFromEnv,
  type KeyInput,
} from './adapters/crypto/keyring/key-config.js';
export {
  Argon2Hasher,
  OWASP_ARGON2ID,
  type Argon2Parameters,
} from './adapters/crypto/hashing/argon2-hasher.js';
export {
  ENCRYPTED_COLUMNS,
  ColumnCipher,
  columnCipher,
  type EncryptedColumnSpec,
} from './adapters/kysely/sealing/encrypted-columns.js';
export {
  rotateEncryptedColumns,
  type RotationOptions,
  type RotationReport,
  type ColumnRotation,
  type RotationFailure,
} from './adapters/kysely/sealing/key-rotation.js';
export type { CipherPort, CipherContext, Hasher } from './ports/cipher.js';

// The full kitium facade's pieces: the core class and the cipher option.
export { KitiumCoreAdapter } from './app/kitium/kitium-core-adapter.js';
export { resolveCipher, MissingKeyCipher, type KitiumCipherOptions } from './app/kitium/cipher-option.js';

// Legacy formats: readers for mitthooks-drizzle and dbstore data, and the composite reading cipher.
export {
  LegacyReadingCipher,
  type LegacyReadingCipherOptions,
  type StoredFormat,
} from './adapters/crypto/legacy/legacy-cipher.js';
export { MitthooksCipher, deriveMitthooksKey } from './adapters/crypto/legacy/legacy-mitthooks.js';
export {
  DbstoreCipher,
  classifyDbstoreValue,
  type DbstoreEnvelope,
  type DbstoreShape,
} from './adapters/crypto/legacy/legacy-dbstore.js';

// dbstore-compatible key-value store and mitthooks ExtensionStorage.
export {
  createKeyValueStore,
  KeyValueStore,
  type KeyValueStoreOptions,
  type KeyValueKey,
  type KeyValueEntry,
  type KeyValueItem,
  type KeyValuePairs,
  type ReencryptOptions,
  type ReencryptReport,
} from './app/keyvalue/index.js';
export {
  MitthooksExtensionStorage,
  type MitthooksExtensionStorageOptions,
  type ExtensionToBeAddedWithContext,
  type StoredExtension,
  type ExtensionContextKind,
  type Extension as MitthooksExtension,
  type ExtensionStorage as MitthooksExtensionStorageContract,
  type ExtensionToBeAdded,
  type ExtensionToBeUpdated,
} from './app/mitthooks/index.js';
export type { DatabaseTarget, ConnectionOptions } from './app/open-database.js';
export type { DatabaseHandle, BetterSqliteDatabaseLike } from './app/database-handle.js';
