export * from './domain/errors.js';
export type * from './domain/records.js';
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
export { generateBytes, type ByteEncoding } from './adapters/crypto/random.js';
export { createPinoLogger, silentLogger } from './adapters/log/pino-logger.js';
export type { Logger, Clock, HealthStatus } from './ports/system.js';
export { normalizeEmail } from './domain/email.js';
