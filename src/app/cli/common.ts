import { randomBytes } from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { silentLogger } from '../../adapters/log/pino-logger.js';
import { CACHE_SECRET_ENV } from '../cache/cache-secret.js';
import type { CacheTarget } from '../cache/open-cache.js';
import { createAuthStorage } from '../config.js';
import { CliError, type CliIo } from './io.js';

export const DATABASE_OPTION = {
  database: { type: 'string', short: 'd' },
  schema: { type: 'string' },
  redis: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** parseArgs with our error style: an unknown flag is a one-line usage error. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
}

/**
 * The kitium storage for `--database` or AUTHKEEP_DATABASE_URL (or the embedded file), in `--schema` or
 * AUTHKEEP_DATABASE_SCHEMA on PostgreSQL, cached by
 * `--redis` or AUTHKEEP_REDIS_URL, else by `fallbackCache` (none unless a command asks for one).
 */
export function openStorage(
  values: { database?: string; schema?: string; redis?: string },
  io: CliIo,
  fallbackCache?: CacheTarget,
) {
  const cache = (values.redis ?? io.env.AUTHKEEP_REDIS_URL ?? fallbackCache) as CacheTarget | undefined;
  const schema = values.schema ?? io.env.AUTHKEEP_DATABASE_SCHEMA;
  return createAuthStorage({
    database: values.database ?? io.env.AUTHKEEP_DATABASE_URL,
    logger: silentLogger,
    ...(schema ? { schema } : {}),
    ...(cache ? { cache, cacheOptions: { secret: cliCacheSecret(io) } } : {}),
  });
}

/**
 * AUTHKEEP_CACHE_SECRET when set; otherwise a secret of this run's own: a CLI run is one short process, so
 * entries it writes are merely unreadable to the servers (a miss), and its invalidations need no secret.
 */
function cliCacheSecret(io: CliIo): string {
  const configured = io.env[CACHE_SECRET_ENV];
  return configured !== undefined && configured !== '' ? configured : randomBytes(32).toString('base64url');
}
