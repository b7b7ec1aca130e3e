import { INSPECT } from '../../../domain/masking.js';
import type { Cluster, Redis } from 'ioredis';
import { ConfigError, ConflictError } from '../../../domain/errors.js';
import type {
  CacheIndex,
  CacheStore,
  FillListing,
  RecordLookup,
  RecordOperations,
  RevocationMessage,
  WithRecordOperations,
} from '../../../ports/cache.js';
import type { Logger } from '../../../ports/system.js';
import {
  clusterReady,
  isCluster,
  closeRedisClient,
  openRedisClient,
  redisFailure,
  type RedisClientHandle,
  type RedisClientLike,
  type RedisConnection,
} from './redis-connection.js';
import { defineRecordScripts, type RecordScripts } from './record-scripts.js';
import { defineScripts, type ScriptedClient } from './redis-scripts.js';
import { normaliseTtl } from '../ttl.js';

export interface RedisCacheOptions {
  /**
   * Prepended to every key (default `authkeep:`), so one Redis can serve several apps and deletePrefix('')
   * clears only this store. May be '' for stores whose key layout is fixed by another program. It must not
   * contain braces, so that a caller's `{hash tag}` decides the Cluster slot.
   */
  namespace?: string;
  logger?: Logger;
  /** Attempts of the compare-and-set loop behind update() before it gives up with a ConflictError (default 100). */
  maxUpdateAttempts?: number;
  /**
   * How often the server's run id is read again on an open connection (default 250 ms; 0 = only on
   * connect): a failover behind a proxy that keeps client connections open changes the server without a
   * reconnect, and entries written under the old one must stop being trusted within the in-process lease.
   */
  instanceCheckMs?: number;
}

const SCAN_BATCH = 500;
const NOOP = () => undefined;

/**
 * A CacheStore on Redis (single node or Cluster) through ioredis. Value and TTL are set in one command
 * (SET … PX), take is GETDEL (Redis ≥ 6.2), update is a Lua compare-and-set loop, deletePrefix is SCAN on
 * every master. Multi-key deletes go key by key so keys in different Cluster slots never meet in one command.
 */
export class RedisCache implements CacheStore, CacheIndex, RecordOperations, WithRecordOperations {
  readonly namespace: string;
  private readonly handle: RedisClientHandle;
  private readonly log: Logger;
  private readonly client: Redis | Cluster;
  private readonly isCluster: boolean;
  private readonly maxUpdateAttempts: number;
  private readonly scripts: ScriptedClient;
  private readonly recordScripts: RecordScripts;
  private runId: string | undefined;
  /** Connections closed so far, and the run id read in flight: a look-up answered on a new connection waits for it. */
  private closes = 0;
  private learning: Promise<void> | undefined;
  private readonly instanceCheckMs: number;
  private instanceTimer: NodeJS.Timeout | undefined;

  /** Printed and serialised without the client, whose options hold the Redis password. */
  [INSPECT](): Record<string, unknown> {
    return this.toJSON();
  }

  toJSON(): Record<string, unknown> {
    return { kind: 'RedisCache', namespace: this.namespace, cluster: this.isCluster };
  }

  constructor(connection: RedisConnection, options: RedisCacheOptions = {}) {
    this.namespace = options.namespace ?? 'authkeep:';
    if (/[{}]/.test(this.namespace)) {
      throw new ConfigError('redis cache namespace must not contain { or }: it would override hash tags');
    }
    this.maxUpdateAttempts = options.maxUpdateAttempts ?? 100;
    this.instanceCheckMs = options.instanceCheckMs ?? 250;
    this.log = options.logger ?? silent;
    this.handle = openRedisClient(connection, this.log);
    this.client = this.handle.client;
    this.isCluster = isCluster(this.client);
    this.scripts = defineScripts(this.client);
    this.recordScripts = defineRecordScripts(this.client);
    this.watchInstance();
  }

  /**
   * The Redis server's run id (a restart or a failover changes it), once known on the current connection;
   * undefined while (re)connecting. Entries written under another instance may predate writes it lost.
   * A Cluster has one per node: there it is a constant and this protection does not apply.
   */
  instanceId(): string | undefined {
    return this.isCluster ? 'cluster' : this.runId;
  }

  async get(key: string): Promise<string | null> {
    return this.run('get', async () => {
      const value: unknown = await this.client.get(this.full(key));
      // Another command's reply (a proxy that switched servers under the connection): a failure, not a value.
      if (value !== null && typeof value !== 'string') throw new Error('reply out of step with its command');
      return value;
    });
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    const ttl = normaliseTtl(ttlMs);
    await this.run('set', () =>
      ttl > 0 ? this.client.set(this.full(key), value, 'PX', ttl) : this.client.set(this.full(key), value),
    );
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    const ttl = normaliseTtl(ttlMs);
    const reply = await this.run('setIfAbsent', () =>
      ttl > 0
        ? this.client.set(this.full(key), value, 'PX', ttl, 'NX')
        : this.client.set(this.full(key), value, 'NX'),
    );
    return reply === 'OK';
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.run('delete', () => this.unlink(keys.map((key) => this.full(key))));
  }

  async take(key: string): Promise<string | null> {
    return this.run('take', () => this.client.getdel(this.full(key)));
  }

  async deletePrefix(prefix: string): Promise<number> {
    return this.run('deletePrefix', async () => {
      await clusterReady(this.client, 10_000);
      const pattern = `${globEscape(this.full(prefix))}*`;
      const nodes = isCluster(this.client) ? this.client.nodes('master') : [this.client];
      const counts = await Promise.all(nodes.map((node) => this.deleteMatching(node, pattern)));
      return counts.reduce((sum, count) => sum + count, 0);
    });
  }

  async update(
    key: string,
    update: (current: string | null) => string | null,
    ttlMs?: number,
  ): Promise<string | null> {
    const ttl = normaliseTtl(ttlMs);
    const full = this.full(key);
    for (let attempt = 1; attempt <= this.maxUpdateAttempts; attempt += 1) {
      const current = await this.run('update', () => this.client.get(full));
      const next = update(current);
      const mode = next === null ? (current === null ? 'none' : 'del') : ttl > 0 ? 'px' : 'keep';
      const applied = await this.run('update', () =>
        this.scripts.authkeepCas(
          full,
          current === null ? '0' : '1',
          current ?? '',
          mode,
          next ?? '',
          String(ttl),
        ),
      );
      if (applied === 1) return next;
      // Lost the race: yield once so the writer that won is not starved by our retry.
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new ConflictError('cache update kept losing to concurrent writers', {
      retryable: true,
      details: { attempts: this.maxUpdateAttempts },
    });
  }

  async compareAndSet(
    key: string,
    expected: string | null,
    next: string | null,
    ttlMs?: number,
  ): Promise<boolean> {
    const ttl = normaliseTtl(ttlMs);
    const mode = next === expected ? 'none' : next === null ? 'del' : ttl > 0 ? 'px' : 'plain';
    const applied = await this.run('compareAndSet', () =>
      this.scripts.authkeepCas(
        this.full(key),
        expected === null ? '0' : '1',
        expected ?? '',
        mode,
        next ?? '',
        String(ttl),
      ),
    );
    return applied === 1;
  }

  async indexAdd(indexKey: string, member: string, ttlMs: number, maxMembers: number): Promise<boolean> {
    const added = await this.run('indexAdd', () =>
      this.scripts.authkeepIndexAdd(
        this.full(indexKey),
        member,
        String(Math.max(1, Math.ceil(ttlMs))),
        String(maxMembers),
      ),
    );
    return added === 1;
  }

  async indexTake(indexKey: string): Promise<string[]> {
    return this.run('indexTake', () => this.scripts.authkeepIndexTake(this.full(indexKey)));
  }

  /** One script per operation on a single node; a Cluster keeps keys of several slots apart, so not there. */
  recordOperations(): RecordOperations | undefined {
    return this.isCluster ? undefined : this;
  }

  async lookup(
    key: string,
    reservation: string,
    reservationTtlMs: number,
    revocationsKey?: string,
  ): Promise<RecordLookup> {
    const ttl = String(Math.max(1, normaliseTtl(reservationTtlMs)));
    const closes = this.closes;
    const [value, revocations] = await this.run('lookup', () =>
      revocationsKey === undefined
        ? this.recordScripts.authkeepLookup(this.full(key), reservation, ttl)
        : this.recordScripts.authkeepLookupWithRevocations(
            this.full(key),
            this.full(revocationsKey),
            reservation,
            ttl,
          ),
    );
    // Answered on a fresh connection: its run id (read just after connecting) is the server the look-up ran on.
    if (!this.isCluster && this.runId === undefined && this.closes === closes) await this.learning;
    // A connection closed meanwhile: the ticket may come from another server than the one now known.
    const ticket = this.closes === closes ? (value ?? reservation) : null;
    return { value, ticket, revocations };
  }

  async fill(
    key: string,
    ticket: string,
    entry: string,
    ttlMs: number,
    listing?: FillListing,
  ): Promise<boolean> {
    const ttl = String(Math.max(1, normaliseTtl(ttlMs)));
    const applied = await this.run('fill', () =>
      listing === undefined
        ? this.recordScripts.authkeepFill(this.full(key), ticket, entry, ttl)
        : this.recordScripts.authkeepFillListed(
            this.full(key),
            this.full(listing.indexKey),
            this.full(listing.revocationsKey),
            ticket,
            entry,
            ttl,
            listing.revocations === null ? '0' : '1',
            listing.revocations ?? '',
            String(Math.max(1, Math.ceil(listing.listedTtlMs))),
            String(listing.maxMembers),
            key,
          ),
    );
    return applied === 1;
  }

  async revoke(keys: readonly string[], message?: RevocationMessage): Promise<void> {
    if (keys.length === 0 && !message) return;
    const full = keys.map((key) => this.full(key));
    await this.run('revoke', () =>
      this.recordScripts.authkeepRevoke(full.length, ...full, message?.channel ?? '', message?.payload ?? ''),
    );
  }

  async revokeOwner(
    indexKey: string,
    revocationsKey: string,
    revocation: string,
    message?: RevocationMessage,
  ): Promise<string[]> {
    return this.run('revokeOwner', () =>
      this.recordScripts.authkeepRevokeOwner(
        this.full(revocationsKey),
        this.full(indexKey),
        revocation,
        message?.channel ?? '',
        message?.payload ?? '',
        this.namespace,
      ),
    );
  }

  /**
   * The ioredis client (a `Redis` or `Cluster`), for a bus that publishes on the same connection (tests and
   * the cache wiring); typed loosely so the shipped types do not require ioredis.
   */
  get redisClient(): RedisClientLike {
    return this.client;
  }

  async close(): Promise<void> {
    clearInterval(this.instanceTimer);
    await closeRedisClient(this.handle);
  }

  /** Learns the run id on every connect and, while connected, every instanceCheckMs (one INFO each). */
  private watchInstance(): void {
    if (this.isCluster) return;
    const client = this.client as Redis;
    const learn = () => {
      this.learning = client.info('server').then(
        (info) => {
          const runId = /run_id:([0-9a-f]+)/.exec(info)?.[1]?.slice(0, 16);
          if (this.runId !== undefined && runId !== this.runId) {
            this.log.warn(
              {},
              'the Redis server changed under an open connection (failover): older entries are distrusted',
            );
          }
          this.runId = runId;
        },
        () => undefined,
      );
    };
    client.on('ready', learn);
    client.on('close', () => {
      this.runId = undefined;
      this.closes += 1;
    });
    if (client.status === 'ready') learn();
    if (this.instanceCheckMs > 0) {
      this.instanceTimer = setInterval(() => client.status === 'ready' && learn(), this.instanceCheckMs);
      this.instanceTimer.unref();
    }
  }

  private full(key: string): string {
    return this.namespace + key;
  }

  /** One UNLINK on a single node; one per key on a Cluster (a multi-key command must stay in one slot). */
  private async unlink(fullKeys: string[]): Promise<number> {
    if (!this.isCluster) return this.client.unlink(...fullKeys);
    const counts = await Promise.all(fullKeys.map((key) => this.client.unlink(key)));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** SCANs one node (a Cluster master) and unlinks what matches; deletes route through the main client. */
  private async deleteMatching(node: Redis | Cluster, pattern: string): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
      cursor = next;
      if (keys.length > 0) deleted += await this.unlink(keys);
    } while (cursor !== '0');
    return deleted;
  }

  private run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    return command().catch((error: unknown) => {
      throw redisFailure(operation, error);
    });
  }
}

/** SCAN MATCH treats * ? [ ] and \ as glob syntax; a prefix is literal text. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

const silent: Logger = { debug: NOOP, info: NOOP, warn: NOOP, error: NOOP };
