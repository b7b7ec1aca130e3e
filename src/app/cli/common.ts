import { randomBytes } from 'node:crypto';
import { schemaExists } from '../../adapters/kysely/index.js';
import { ConfigError } from '../../domain/errors.js';
import { CACHE_SECRET_ENV } from '../cache/cache-secret.js';
import type { CacheTarget } from '../cache/open-cache.js';
import { createAuthStorage, databaseKind, resolveDatabaseUrl } from '../config.js';
import { envValue } from '../env.js';
import type { KitiumStorageAdapter } from '../kitium/kitium-adapter.js';
import type { MigrationsMode } from '../kitium/kitium-core-adapter.js';
import { cliLogger } from './cli-logger.js';
import { checkDatabaseFlag, missingSchemaError, refuseMissingSqliteFile } from './database-target.js';
import type { FlagSpecs } from './flags.js';
import type { CliIo } from './io.js';

export const DATABASE_FLAGS = {
  database: {
    type: 'string',
    short: 'd',
    value: '<url>',
    help: 'postgres://…, sqlite:./file.db or :memory: (default: AUTHKEEP_DATABASE_URL, else ./.authkeep/authkeep.db)',
  },
  schema: {
    type: 'string',
    value: '<name>',
    help: 'PostgreSQL schema of the auth tables (default: AUTHKEEP_DATABASE_SCHEMA)',
  },
} as const satisfies FlagSpecs;

/** Only for commands that read through the cache (today: demo). */
export const REDIS_FLAG = {
  redis: {
    type: 'string',
    value: '<url>',
    help: 'Redis cache in front of sessions and API keys (default: AUTHKEEP_REDIS_URL)',
  },
} as const satisfies FlagSpecs;

export interface DatabaseValues {
  database?: string | undefined;
  schema?: string | undefined;
  redis?: string | undefined;
}

/** The log level of the CLI: AUTHKEEP_LOG_LEVEL, else warnings and errors only. */
export function cliLogLevel(io: CliIo): string {
  return envValue(io.env, 'AUTHKEEP_LOG_LEVEL') ?? 'warn';
}

/** The PostgreSQL schema a command works in: --schema, else AUTHKEEP_DATABASE_SCHEMA. */
export function schemaOf(values: DatabaseValues, io: CliIo): string | undefined {
  return values.schema ?? envValue(io.env, 'AUTHKEEP_DATABASE_SCHEMA');
}

/** A `--redis` value that is not a URL is a config error here, not a bare "Invalid URL" from the driver. */
function checkRedisFlag(value: string | undefined): void {
  if (value === undefined) return;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new ConfigError('--redis is not a URL: use redis://host:6379 or rediss://host:6380');
  }
  if (!/^rediss?(\+(cluster|sentinel))?$/.test(scheme)) {
    throw new ConfigError(`--redis has the unsupported scheme "${scheme}:"; use redis:// or rediss://`);
  }
  // Topology URLs list several hosts (h1:p1,h2:p2), which URL cannot parse: redis-url.ts checks them.
  if (scheme.includes('+')) return;
  try {
    new URL(value);
  } catch {
    throw new ConfigError(`--redis is not a valid ${scheme}:// URL (host, port or characters)`);
  }
}

export interface OpenOptions {
  /** Whether this command may create the database, file or schema (migrate; demo on its own default). */
  create?: boolean;
  /** The cache when neither --redis nor AUTHKEEP_REDIS_URL names one. */
  fallbackCache?: CacheTarget;
  /** What connect() does with the schema (default: apply). */
  migrations?: MigrationsMode;
}

/**
 * The kitium storage for `--database`/`--schema`/`--redis`, each else read from the environment the way
 * createAuthStorage() reads it. Unless `create`, a SQLite file that does not exist is an error (never
 * created). Warnings (e.g. from adopting an upstream database) go to stderr.
 */
export function openStorage(
  values: DatabaseValues,
  io: CliIo,
  options: OpenOptions = {},
): KitiumStorageAdapter {
  checkDatabaseFlag(values.database);
  checkRedisFlag(values.redis);
  const database = resolveDatabaseUrl(values.database, io.env);
  if (!options.create) refuseMissingSqliteFile(database);
  const cache = (values.redis ?? envValue(io.env, 'AUTHKEEP_REDIS_URL') ?? options.fallbackCache) as
    CacheTarget | undefined;
  return createAuthStorage({
    env: io.env,
    logger: cliLogger(io, cliLogLevel(io)),
    database,
    ...(values.schema !== undefined ? { schema: values.schema } : {}),
    ...(options.migrations ? { migrations: options.migrations } : {}),
    ...(cache ? { cache, cacheOptions: { secret: cliCacheSecret(io) } } : {}),
  });
}

/** Unless the command may create it, a PostgreSQL schema that does not exist is an error (never created). */
export async function refuseMissingSchema(
  storage: KitiumStorageAdapter,
  values: DatabaseValues,
  io: CliIo,
): Promise<void> {
  const schema = schemaOf(values, io);
  if (schema === undefined || storage.sqlStore.dialect !== 'postgres') return;
  if (!(await schemaExists(storage.sqlStore.db, schema))) throw missingSchemaError(schema);
}

/** Opens the storage, runs `work`, and disconnects, whatever happens. */
export async function withStorage<T>(
  values: DatabaseValues,
  io: CliIo,
  work: (storage: KitiumStorageAdapter) => Promise<T>,
  options: OpenOptions = {},
): Promise<T> {
  const storage = openStorage(values, io, options);
  try {
    if (!options.create) await refuseMissingSchema(storage, values, io);
    return await work(storage);
  } finally {
    await storage.disconnect();
  }
}

/** Whether a database URL is PostgreSQL (after the checks openStorage makes). */
export function isPostgres(values: DatabaseValues, io: CliIo): boolean {
  return databaseKind(resolveDatabaseUrl(values.database, io.env)) === 'postgres';
}

/**
 * AUTHKEEP_CACHE_SECRET when set; otherwise a secret of this run's own: a CLI run is one short process, so
 * entries it writes are merely unreadable to the servers (a miss), and its invalidations need no secret.
 */
function cliCacheSecret(io: CliIo): string {
  return envValue(io.env, CACHE_SECRET_ENV) ?? randomBytes(32).toString('base64url');
}
