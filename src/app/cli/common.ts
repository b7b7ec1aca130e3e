import { randomBytes } from 'node:crypto';
import { CACHE_SECRET_ENV } from '../cache/cache-secret.js';
import type { CacheTarget } from '../cache/open-cache.js';
import { createAuthStorage } from '../config.js';
import { envValue } from '../env.js';
import { cliLogger } from './cli-logger.js';
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
  redis: {
    type: 'string',
    value: '<url>',
    help: 'Redis cache (default: AUTHKEEP_REDIS_URL), opened only by commands that read through it',
  },
} as const satisfies FlagSpecs;

/** The log level of the CLI: AUTHKEEP_LOG_LEVEL, else warnings and errors only. */
export function cliLogLevel(io: CliIo): string {
  return envValue(io.env, 'AUTHKEEP_LOG_LEVEL') ?? 'warn';
}

/**
 * The kitium storage for `--database`/`--schema`/`--redis`, each else read from the environment the way
 * createAuthStorage() reads it; the cache falls back to `fallbackCache` (none unless a command asks).
 * Warnings (e.g. from adopting an upstream database) go to stderr.
 */
export function openStorage(
  values: { database?: string | undefined; schema?: string | undefined; redis?: string | undefined },
  io: CliIo,
  fallbackCache?: CacheTarget,
) {
  const cache = (values.redis ?? envValue(io.env, 'AUTHKEEP_REDIS_URL') ?? fallbackCache) as
    CacheTarget | undefined;
  return createAuthStorage({
    env: io.env,
    logger: cliLogger(io, cliLogLevel(io)),
    ...(values.database !== undefined ? { database: values.database } : {}),
    ...(values.schema !== undefined ? { schema: values.schema } : {}),
    ...(cache ? { cache, cacheOptions: { secret: cliCacheSecret(io) } } : {}),
  });
}

/**
 * AUTHKEEP_CACHE_SECRET when set; otherwise a secret of this run's own: a CLI run is one short process, so
 * entries it writes are merely unreadable to the servers (a miss), and its invalidations need no secret.
 */
function cliCacheSecret(io: CliIo): string {
  return envValue(io.env, CACHE_SECRET_ENV) ?? randomBytes(32).toString('base64url');
}
