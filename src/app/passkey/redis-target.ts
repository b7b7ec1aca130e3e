import type { RedisConnection } from '../../adapters/cache/redis/redis-connection.js';
import { ConfigError } from '../../domain/errors.js';

/**
 * Unix-socket Redis URLs as redis-rs reads them for the crate's `redis::Client::open`
 * (redis-rs redis/src/connection.rs: `parse_redis_url` takes the schemes redis, rediss, redis+unix and
 * unix; `url_to_unix_connection_info` takes the socket from `Url::to_file_path` (an absolute path, host
 * empty or localhost, percent-decoded) and `db`, `user` and `pass` from the query string, the last of a
 * repeated key winning; userinfo is not read).
 */
const UNIX_SCHEME = /^(redis\+unix|unix):/i;

export interface CrateUnixRedisTarget {
  path: string;
  db: number;
  username?: string;
  password?: string;
}

function fail(problem: string): never {
  // The URL may hold a password (pass=…): only the variable is named.
  throw new ConfigError(`GENERIC_CACHE_STORE_URL ${problem}`, {
    details: { variable: 'GENERIC_CACHE_STORE_URL' },
  });
}

export function isCrateUnixRedisUrl(url: string): boolean {
  return UNIX_SCHEME.test(url);
}

export function parseCrateUnixRedisUrl(url: string): CrateUnixRedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('is not a valid unix:// or redis+unix:// URL');
  }
  if (parsed.hostname !== '' && parsed.hostname.toLowerCase() !== 'localhost')
    fail('names a host; a unix socket URL is unix:///path/to/redis.sock');
  if (!parsed.pathname.startsWith('/') || parsed.pathname === '/')
    fail('names no absolute socket path (unix:///path/to/redis.sock)');
  const path = decodeURIComponent(parsed.pathname);
  const last = (key: string): string | undefined => parsed.searchParams.getAll(key).at(-1);
  const dbText = last('db');
  let db = 0;
  if (dbText !== undefined) {
    // redis-rs parses db as an i64; a negative one then fails at SELECT, so it is refused here.
    if (!/^\+?[0-9]+$/.test(dbText) || Number(dbText) > 2_147_483_647) fail('has an invalid db number');
    db = Number(dbText);
  }
  const username = last('user');
  const password = last('pass');
  return {
    path,
    db,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/** The ioredis connection for a crate unix-socket URL: ioredis takes a socket as a path starting with '/'. */
export function unixRedisConnection(url: string, defaults: Record<string, unknown>): RedisConnection {
  const { path, db, username, password } = parseCrateUnixRedisUrl(url);
  if (path.includes('?')) fail('has a socket path with "?", which ioredis cannot open');
  return {
    url: path,
    options: {
      ...defaults,
      db,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
    },
  };
}

/** The URL for display: the query's pass= value masked. */
export function maskUnixRedisUrl(url: string): string {
  return url.replace(/([?&]pass=)[^&#]*/gi, '$1***');
}
