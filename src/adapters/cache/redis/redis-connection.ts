import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { AuthkeepError, InternalError, UnavailableError } from '../../../domain/errors.js';
import type { Logger } from '../../../ports/system.js';
import { ioredisModule } from './ioredis-module.js';

/**
 * Where a RedisCache connects: a URL (redis:// or rediss://) with ioredis `RedisOptions`, Cluster seed
 * nodes with ioredis `ClusterOptions`, Sentinels and the master's name (ioredis `RedisOptions`), or an
 * ioredis `Redis`/`Cluster` the caller owns. Typed loosely on purpose: ioredis is an optional peer, and
 * the shipped types must not require it. `redisConnectionFromUrl` (redis-url.ts) builds one from a URL.
 */
export type RedisConnection =
  | { url: string; options?: object }
  | { cluster: RedisClusterNode[]; options?: object }
  | { sentinels: { host: string; port: number }[]; name: string; options?: object }
  | { client: RedisClientLike };

/** A Cluster seed node as ioredis takes it: `"host:port"`, a port, or `{ host, port }`. */
export type RedisClusterNode = string | number | { host?: string; port?: number };

/** An ioredis `Redis` or `Cluster` instance. */
export interface RedisClientLike {
  status: string;
  disconnect(): void;
}

export interface RedisClientHandle {
  client: Redis | Cluster;
  /** False when the caller passed its own client: close() then leaves it open. */
  owned: boolean;
}

/** Few retries per command: a cache should fail fast and let the caller go to the database. */
const COMMAND_DEFAULTS: RedisOptions = {
  maxRetriesPerRequest: 2,
  connectTimeout: 5_000,
  // Every command gets a deadline, also while queued offline: a silent Redis never holds a caller.
  commandTimeout: 2_000,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
};

export function openRedisClient(connection: RedisConnection, logger: Logger): RedisClientHandle {
  if ('client' in connection) return { client: connection.client as Redis | Cluster, owned: false };
  const { Redis, Cluster } = ioredisModule();
  const client: Redis | Cluster =
    'url' in connection
      ? new Redis(connection.url, { ...COMMAND_DEFAULTS, ...(connection.options as RedisOptions) })
      : 'sentinels' in connection
        ? new Redis({
            ...COMMAND_DEFAULTS,
            ...(connection.options as RedisOptions),
            sentinels: connection.sentinels,
            name: connection.name,
          })
        : new Cluster(connection.cluster, clusterOptions(connection.options));
  // Without a listener ioredis prints every reconnect failure; outages are reported by the caller instead.
  client.on('error', (error: Error) => logger.debug({ err: error.message }, 'redis connection error'));
  return { client, owned: true };
}

function clusterOptions(given: object | undefined): ClusterOptions {
  const options = given as ClusterOptions | undefined;
  return {
    clusterRetryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
    ...options,
    redisOptions: { ...COMMAND_DEFAULTS, ...options?.redisOptions },
  };
}

/** Whether a client is an ioredis Cluster (ioredis is loaded by then: the client came from it). */
export function isCluster(client: Redis | Cluster): client is Cluster {
  return client instanceof ioredisModule().Cluster;
}

/** Resolves once a Cluster knows its slots (node lists are empty before); a single node needs no wait. */
export async function clusterReady(client: Redis | Cluster, timeoutMs: number): Promise<void> {
  if (!isCluster(client) || client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new UnavailableError('redis cluster not ready'));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(new UnavailableError('redis cluster connection ended'));
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}

/** Quits politely when connected, then drops the socket so no reconnect timer outlives close(). */
export async function closeRedisClient(handle: RedisClientHandle): Promise<void> {
  if (!handle.owned) return;
  const { client } = handle;
  if (client.status === 'ready') await client.quit().catch(() => undefined);
  client.disconnect();
}

/** Maps a driver failure to a typed error; the message names the operation, never a key or the URL. */
export function redisFailure(operation: string, error: unknown): AuthkeepError {
  if (error instanceof AuthkeepError) return error;
  // ioredis attaches the failed command (`command.args`: keys and cached values) to its errors: the
  // cause keeps only the name, message and code.
  const cause = sanitizedRedisError(error);
  // A reply error means Redis answered and refused (wrong type, script error): not an outage.
  if (error instanceof Error && error.name === 'ReplyError') {
    return new InternalError(`redis refused ${operation}`, { cause, details: { operation } });
  }
  return new UnavailableError(`redis ${operation} failed`, { cause, details: { operation } });
}

function sanitizedRedisError(error: unknown): Error {
  const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  const safe = new Error(typeof message === 'string' ? message : 'redis error');
  safe.name = typeof name === 'string' ? name : 'Error';
  if (typeof code === 'string') Object.assign(safe, { code });
  return safe;
}
