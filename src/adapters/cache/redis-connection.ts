import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { AuthkeepError, InternalError, UnavailableError } from '../../domain/errors.js';
import type { Logger } from '../../ports/system.js';

/** Where a RedisCache connects: a URL (redis:// or rediss://), Cluster seed nodes, or a client the caller owns. */
export type RedisConnection =
  | { url: string; options?: RedisOptions }
  | { cluster: ClusterNode[]; options?: ClusterOptions }
  | { client: Redis | Cluster };

export interface RedisClientHandle {
  client: Redis | Cluster;
  /** False when the caller passed its own client: close() then leaves it open. */
  owned: boolean;
}

/** Few retries per command: a cache should fail fast and let the caller go to the database. */
const COMMAND_DEFAULTS: RedisOptions = {
  maxRetriesPerRequest: 2,
  connectTimeout: 5_000,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
};

export function openRedisClient(connection: RedisConnection, logger: Logger): RedisClientHandle {
  if ('client' in connection) return { client: connection.client, owned: false };
  const client =
    'url' in connection
      ? new Redis(connection.url, { ...COMMAND_DEFAULTS, ...connection.options })
      : new Cluster(connection.cluster, {
          clusterRetryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
          ...connection.options,
          redisOptions: { ...COMMAND_DEFAULTS, ...connection.options?.redisOptions },
        });
  // Without a listener ioredis prints every reconnect failure; outages are reported by the caller instead.
  client.on('error', (error: Error) => logger.debug({ err: error.message }, 'redis connection error'));
  return { client, owned: true };
}

/** Resolves once a Cluster knows its slots (node lists are empty before); a single node needs no wait. */
export async function clusterReady(client: Redis | Cluster, timeoutMs: number): Promise<void> {
  if (!(client instanceof Cluster) || client.status === 'ready') return;
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
  // A reply error means Redis answered and refused (wrong type, script error): not an outage.
  if (error instanceof Error && error.name === 'ReplyError') {
    return new InternalError(`redis refused ${operation}`, { cause: error, details: { operation } });
  }
  return new UnavailableError(`redis ${operation} failed`, { cause: error, details: { operation } });
}
