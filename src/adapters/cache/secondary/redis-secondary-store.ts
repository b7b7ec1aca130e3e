import type { Cluster, Redis } from 'ioredis';
import { ConfigError } from '../../../domain/errors.js';
import { INSPECT } from '../../../domain/masking.js';
import type { SecondaryStore, VersionedRead } from '../../../ports/secondary-store.js';
import type { Logger } from '../../../ports/system.js';
import {
  closeRedisClient,
  openRedisClient,
  redisFailure,
  type RedisClientHandle,
  type RedisConnection,
} from '../redis/redis-connection.js';
import { defineSecondaryScripts, type SecondaryScripts } from './secondary-scripts.js';

export interface RedisSecondaryStoreOptions {
  /** Prepended to every key; no braces, so it never decides a Cluster slot. */
  namespace: string;
  /** How long a delete's tombstone refuses writes that saw the key before it (ms). */
  tombstoneMs: number;
  logger: Logger;
}

/**
 * A SecondaryStore on Redis (single node, Sentinel or Cluster): each operation is one script on one key, its
 * versions from the server's clock. Values live under `<namespace>v:<key>`, counters under `<namespace>n:<key>`.
 */
export class RedisSecondaryStore implements SecondaryStore {
  private readonly handle: RedisClientHandle;
  private readonly client: Redis | Cluster;
  private readonly scripts: SecondaryScripts;
  private readonly namespace: string;
  private readonly tombstoneMs: string;

  constructor(connection: RedisConnection, options: RedisSecondaryStoreOptions) {
    if (/[{}]/.test(options.namespace)) {
      throw new ConfigError('the secondary storage namespace must not contain { or }');
    }
    this.namespace = options.namespace;
    this.tombstoneMs = String(options.tombstoneMs);
    this.handle = openRedisClient(connection, options.logger);
    this.client = this.handle.client;
    this.scripts = defineSecondaryScripts(this.client);
  }

  /** Printed and serialised without the client, whose options hold the Redis password. */
  [INSPECT](): Record<string, unknown> {
    return this.toJSON();
  }

  toJSON(): Record<string, unknown> {
    return { kind: 'RedisSecondaryStore', namespace: this.namespace };
  }

  async read(key: string): Promise<VersionedRead> {
    const [value, version] = await this.run('read', () => this.client.hmget(this.valueKey(key), 'v', 'g'));
    return { value: value ?? null, version: version === null || version === undefined ? 0 : Number(version) };
  }

  async write(key: string, value: string, ttlMs: number, seenVersion?: number): Promise<number | null> {
    const seen = seenVersion === undefined ? '' : String(seenVersion);
    const version = await this.run('write', () =>
      this.scripts.secondaryWrite(this.valueKey(key), value, String(ttlMs), seen),
    );
    return version === null ? null : Number(version);
  }

  async delete(key: string): Promise<number> {
    // Two keys, two commands: on a Cluster they may sit in different slots.
    const [version] = await Promise.all([
      this.run('delete', () => this.scripts.secondaryDelete(this.valueKey(key), this.tombstoneMs)),
      this.run('delete', () => this.client.unlink(this.counterKey(key))),
    ]);
    return Number(version);
  }

  async take(key: string): Promise<VersionedRead> {
    const [value, version] = await this.run('take', () =>
      this.scripts.secondaryTake(this.valueKey(key), this.tombstoneMs),
    );
    return { value, version: Number(version) };
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    return this.run('increment', () => this.scripts.secondaryIncrement(this.counterKey(key), String(ttlMs)));
  }

  async close(): Promise<void> {
    await closeRedisClient(this.handle);
  }

  private valueKey(key: string): string {
    return `${this.namespace}v:${key}`;
  }

  private counterKey(key: string): string {
    return `${this.namespace}n:${key}`;
  }

  private run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    return command().catch((error: unknown) => {
      throw redisFailure(`secondary ${operation}`, error);
    });
  }
}
