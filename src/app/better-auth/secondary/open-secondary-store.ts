import type { RedisClientLike } from '../../../adapters/cache/redis/redis-connection.js';
import { isRedisUrl, redisConnectionFromUrl } from '../../../adapters/cache/redis/redis-url.js';
import { MemorySecondaryStore } from '../../../adapters/cache/secondary/memory-secondary-store.js';
import { RedisSecondaryStore } from '../../../adapters/cache/secondary/redis-secondary-store.js';
import { ConfigError } from '../../../domain/errors.js';
import type { SecondaryStore } from '../../../ports/secondary-store.js';
import type { Logger } from '../../../ports/system.js';

/**
 * `'memory'`, a Redis URL (redis://, rediss://, redis+cluster://, redis+sentinel://, rediss+…; any string, so
 * `process.env.REDIS_URL` fits, checked when opened), your ioredis client, or a SecondaryStore.
 */
// `string & {}` keeps 'memory' suggested by editors while accepting any string.
export type SecondaryTarget = 'memory' | (string & {}) | RedisClientLike | SecondaryStore;

export interface SecondaryStoreSettings {
  namespace: string;
  tombstoneMs: number;
  /** Per-command deadline of a client made from a URL (ms). */
  timeoutMs: number | undefined;
  maxEntries: number | undefined;
  logger: Logger;
}

export interface OpenedSecondaryStore {
  store: SecondaryStore;
  /** Shared between processes: then a secret is required. */
  shared: boolean;
  /** Made here, so closed with the facade; a store the caller passed stays open. */
  owned: boolean;
}

/** The store behind the facade. */
export function openSecondaryStore(
  target: SecondaryTarget,
  settings: SecondaryStoreSettings,
): OpenedSecondaryStore {
  const { namespace, tombstoneMs, logger } = settings;
  if (target === 'memory') {
    const store = new MemorySecondaryStore({ tombstoneMs, maxEntries: settings.maxEntries });
    return { store, shared: false, owned: true };
  }
  if (typeof target === 'string') {
    if (!isRedisUrl(target)) {
      // Only the scheme is named: the rest of a URL may hold a password.
      throw new ConfigError(
        `unsupported secondary storage "${target.slice(0, target.indexOf(':') + 1) || 'value'}"; use 'memory', a redis:// URL or an ioredis client`,
      );
    }
    const timeout = settings.timeoutMs === undefined ? {} : { commandTimeout: settings.timeoutMs };
    const connection = redisConnectionFromUrl(target, { lazyConnect: true, ...timeout });
    const store = new RedisSecondaryStore(connection, { namespace, tombstoneMs, logger });
    return { store, shared: true, owned: true };
  }
  if (isSecondaryStore(target)) {
    return { store: target, shared: !(target instanceof MemorySecondaryStore), owned: false };
  }
  if (!isIoredisClient(target)) {
    throw new ConfigError(
      'secondary storage takes "memory", a redis:// URL, an ioredis client or a SecondaryStore',
    );
  }
  // The caller's client stays theirs: the store made over it leaves it connected when closed.
  const store = new RedisSecondaryStore({ client: target }, { namespace, tombstoneMs, logger });
  return { store, shared: true, owned: true };
}

function isSecondaryStore(value: unknown): value is SecondaryStore {
  if (typeof value !== 'object' || value === null) return false;
  const methods = ['read', 'write', 'delete', 'take', 'increment', 'close'];
  return methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** An ioredis `Redis` or `Cluster` instance, recognised by shape (ioredis is an optional peer). */
function isIoredisClient(value: unknown): value is RedisClientLike {
  if (typeof value !== 'object' || value === null) return false;
  const client = value as Record<string, unknown>;
  return (
    typeof client.status === 'string' &&
    ['sendCommand', 'defineCommand', 'disconnect'].every((name) => typeof client[name] === 'function')
  );
}
