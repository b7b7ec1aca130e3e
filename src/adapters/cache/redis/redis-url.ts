import { ConfigError } from '../../../domain/errors.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * The Redis URL forms a cache may be configured with:
 * - `redis://…` / `rediss://…`: one server (ioredis parses these itself);
 * - `redis+cluster://[[user]:password@]host:port[,host:port…]`: Redis Cluster seed nodes;
 * - `redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/mastername[/db][?sentinelPassword=…]`:
 *   a master found through Sentinel (default port 26379), the form of redis-sentinel-url and redisvl.
 * A `rediss+` prefix turns on TLS for every connection.
 */
export const REDIS_URL_SCHEMES = [
  'redis',
  'rediss',
  'redis+cluster',
  'rediss+cluster',
  'redis+sentinel',
  'rediss+sentinel',
];

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const TOPOLOGY = /^(rediss?)\+(cluster|sentinel):\/\/(?:([^@/?#]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/i;
const SENTINEL_PORT = 26379;
const REDIS_PORT = 6379;

/** Whether `url` has one of the Redis schemes above (only the scheme is looked at). */
export function isRedisUrl(url: string): boolean {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  return scheme !== undefined && REDIS_URL_SCHEMES.includes(scheme);
}

/** Options every client we make gets (lazyConnect, commandTimeout …), applied to each node of a topology. */
export type RedisClientDefaults = Record<string, unknown>;

/** Turns a Redis URL into a RedisConnection; errors name the part that is wrong, never the URL (it may hold a password). */
export function redisConnectionFromUrl(url: string, defaults: RedisClientDefaults = {}): RedisConnection {
  if (!isRedisUrl(url)) {
    throw new ConfigError(`unsupported Redis URL scheme; use one of ${REDIS_URL_SCHEMES.join(', ')}`);
  }
  const match = TOPOLOGY.exec(url);
  if (!match) {
    if (/^rediss?:\/\//i.test(url)) {
      // ioredis would throw a bare TypeError ("Invalid URL") without a code; say which part to check.
      if (!URL.canParse(url)) {
        throw new ConfigError(
          'the Redis URL does not parse: check its host and port, and percent-encode @ : / in a password',
        );
      }
      return { url, options: defaults };
    }
    throw new ConfigError(
      'malformed Redis topology URL: expected scheme://[user:password@]host:port[,host:port…]',
    );
  }
  const [, base, kind, userinfo, hostList, path = '', query = ''] = match;
  const tls = base!.toLowerCase() === 'rediss';
  const credentials = parseUserinfo(userinfo);
  const params = new URLSearchParams(query);
  if (kind!.toLowerCase() === 'cluster') {
    rejectUnknown(params, []);
    if (path !== '' && path !== '/')
      throw new ConfigError('a redis+cluster:// URL has no path: Cluster has no databases');
    return {
      cluster: parseHosts(hostList!, REDIS_PORT),
      options: {
        ...(defaults.lazyConnect !== undefined ? { lazyConnect: defaults.lazyConnect } : {}),
        redisOptions: { ...defaults, ...credentials, ...(tls ? { tls: {} } : {}) },
      },
    };
  }
  rejectUnknown(params, ['sentinelPassword', 'sentinelUsername']);
  const [name, db, ...extra] = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (!name || extra.length > 0) {
    throw new ConfigError('a redis+sentinel:// URL names its master in the path: …/mastername[/db]');
  }
  if (db !== undefined && !/^\d{1,2}$/.test(db))
    throw new ConfigError('the Sentinel database must be a number');
  const sentinelPassword = params.get('sentinelPassword');
  const sentinelUsername = params.get('sentinelUsername');
  return {
    sentinels: parseHosts(hostList!, SENTINEL_PORT),
    name,
    options: {
      ...defaults,
      ...credentials,
      ...(db !== undefined ? { db: Number(db) } : {}),
      ...(sentinelPassword !== null ? { sentinelPassword } : {}),
      ...(sentinelUsername !== null ? { sentinelUsername } : {}),
      ...(tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
    },
  };
}

function parseUserinfo(userinfo: string | undefined): { username?: string; password?: string } {
  if (userinfo === undefined || userinfo === '') return {};
  const colon = userinfo.indexOf(':');
  const username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
  // `redis://secret@host` means a password (the redis:// convention), `user:secret@` a user and password.
  if (password === undefined) return { password: username };
  return { ...(username ? { username } : {}), password };
}

function parseHosts(list: string, defaultPort: number): { host: string; port: number }[] {
  return list.split(',').map((entry) => {
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(entry.trim());
    const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
    if (!match || port < 1 || port > 65535)
      throw new ConfigError('malformed host:port in a Redis topology URL');
    return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
  });
}

function rejectUnknown(params: URLSearchParams, known: string[]): void {
  for (const key of params.keys()) {
    if (!known.includes(key)) throw new ConfigError(`unknown Redis URL parameter "${key.slice(0, 40)}"`);
  }
}
