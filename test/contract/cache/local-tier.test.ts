import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorageAdapter, SqliteStorageAdapter, silentLogger } from '../../../src/index.js';
import type { SessionRecord } from '../../../src/domain/records/records.js';
import { bucketOfToken, sessionKey } from '../../../src/domain/records/session-bucket.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { captureLogger } from '../../support/capture-logger.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../../support/postgres.js';
import { RedisServerProcess } from '../../support/servers/redis-server.js';
import { eventually, uniqueNamespace } from './cache-contract.js';

const hour = 3_600_000;
/** The in-process tier's lease (leaseMs default): the bound every check below waits, and no longer. */
const LEASE_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

interface Mode {
  name: string;
  available(): boolean;
  /** Options of every process of one deployment (same schema, same cache namespace). */
  options(): Promise<Record<string, unknown>>;
  /** Breaks the subscription of every process of this deployment. */
  breakBus(schema: string): Promise<void>;
  /** Removes a session's entry from the shared tier behind the processes' backs (two tiers only). */
  dropShared?(options: Record<string, unknown>, sessionId: string): Promise<void>;
  teardown?(): Promise<void>;
}

let ownRedis: RedisServerProcess | undefined;

const modes: Mode[] = [
  {
    name: 'memory tier, PostgreSQL LISTEN/NOTIFY bus',
    available: () => databaseUrl() !== null,
    options: async () => ({ cache: 'memory' }),
    async breakBus(schema) {
      // Only this deployment's listeners: the channel is derived from the namespace and the schema.
      const scope = createHash('sha256').update(`authkeep:\0${schema}`).digest('hex').slice(0, 24);
      await withClient(databaseUrl()!, undefined, (client) =>
        client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
          `authkeep_cache_${scope}`,
        ]),
      );
    },
  },
  {
    name: 'memory tier in front of Redis, pub/sub bus',
    available: () => databaseUrl() !== null && hasRedisServer,
    async options() {
      ownRedis ??= await RedisServerProcess.start();
      return {
        cache: ownRedis.url,
        cacheOptions: {
          local: true,
          secret: testCacheSecret,
          namespace: uniqueNamespace('l1'),
          timeoutMs: 2_000,
        },
      };
    },
    async breakBus() {
      await ownRedis!.cli('CLIENT', 'KILL', 'TYPE', 'pubsub');
    },
    async dropShared(options, sessionId) {
      const { namespace } = options.cacheOptions as { namespace: string };
      // The cache key is the session's storage key: the token's digest and its expiry bucket.
      const digest = createHash('sha256').update(sessionId).digest('hex');
      const key = sessionKey(digest, bucketOfToken(sessionId));
      expect(await ownRedis!.cli('DEL', `${namespace}kc2:s:${key}`)).toContain('1');
    },
    async teardown() {
      await ownRedis?.destroy();
    },
  },
];

for (const mode of modes) {
  describe.skipIf(!mode.available())(`in-process cache across processes [${mode.name}]`, () => {
    const schema = freshSchemaName('l1');
    let a: PostgresStorageAdapter;
    let b: PostgresStorageAdapter;
    let options: Record<string, unknown>;

    beforeAll(async () => {
      options = await mode.options();
      a = new PostgresStorageAdapter(databaseUrl()!, { schema, logger: silentLogger, ...options });
      b = new PostgresStorageAdapter(databaseUrl()!, { schema, logger: silentLogger, ...options });
      await a.connect();
      await b.connect();
    });

    afterAll(async () => {
      await a?.disconnect();
      await b?.disconnect();
      await dropSchema(databaseUrl()!, schema);
      await mode.teardown?.();
    });

    const newSession = (userId: string) =>
      a.createSession({ userId, entitlements: [], expiresAt: new Date(Date.now() + hour) });

    /** A session that B serves from its in-process tier only: its row is gone, yet B still returns it. */
    async function cachedOnlyInB(userId: string): Promise<SessionRecord> {
      let cached: SessionRecord | undefined;
      await eventually(async () => {
        const owner = `${userId}-${Math.random().toString(36).slice(2)}`;
        const session = await newSession(owner);
        // A's create publishes an invalidation of the new key; a fill racing with it is (rightly) refused.
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await b.getSession(session.id)).toEqual(session);
        await b.sqlStore.db.deleteFrom('sessions').where('user_id', '=', owner).execute();
        await mode.dropShared?.(options, session.id);
        expect(await b.getSession(session.id)).toEqual(session);
        cached = session;
      }, 20_000);
      return cached!;
    }

    it('a session deleted by one process stops being served by the other within the bus bound', async () => {
      const session = await cachedOnlyInB('u-delete');
      await a.deleteSession(session.id);
      // Checked once, at the lease: the bench measures the (far shorter) usual propagation.
      await sleep(LEASE_MS);
      expect(await b.getSession(session.id)).toBeNull();
    });

    it('deleting a user in one process revokes their sessions cached in the other', async () => {
      const user = await a.createUser({ email: `l1-${Date.now()}@example.com`, entitlements: [] });
      const session = await newSession(user.id);
      await eventually(async () => expect(await b.getSession(session.id)).toEqual(session), 20_000);
      await a.deleteUser(user.id);
      await sleep(LEASE_MS);
      expect(await b.getSession(session.id)).toBeNull();
    });

    it("a fresh process's first revocation, right after connect(), reaches the others with no warning", async () => {
      const session = await cachedOnlyInB('u-fresh');
      const logger = captureLogger();
      const fresh = new PostgresStorageAdapter(databaseUrl()!, { schema, ...options, logger });
      try {
        await fresh.connect(); // starts the bus: the first revocation neither waits for it nor is queued
        await fresh.deleteSession(session.id);
        await sleep(LEASE_MS);
        expect(await b.getSession(session.id)).toBeNull();
        expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
      } finally {
        await fresh.disconnect();
      }
    });

    it('when the bus connection is lost, the tier is flushed and bypassed until it is back', async () => {
      const canary = await cachedOnlyInB('u-canary');
      await mode.breakBus(schema);
      // Bypassed within the lease: the database answers (the row is gone); flushed: it stays gone once back.
      await sleep(LEASE_MS);
      expect(await b.getSession(canary.id)).toBeNull();
      await cachedOnlyInB('u-after');
      expect(await b.getSession(canary.id)).toBeNull();
    });
  });
}

describe('in-process cache without a bus (SQLite: single process)', () => {
  it('serves from the tier at once', async () => {
    const adapter = new SqliteStorageAdapter(':memory:', { logger: silentLogger, cache: 'memory' });
    await adapter.connect();
    const session = await adapter.createSession({
      userId: 'solo',
      entitlements: [],
      expiresAt: new Date(Date.now() + hour),
    });
    expect(await adapter.getSession(session.id)).toEqual(session);
    await adapter.sqlStore.db.deleteFrom('sessions').execute();
    expect(await adapter.getSession(session.id)).toEqual(session);
    await adapter.deleteSession(session.id);
    expect(await adapter.getSession(session.id)).toBeNull();
    await adapter.disconnect();
  });
});

describe('an in-process tier on Redis Cluster', () => {
  it('is refused with a config error before any connection: pub/sub there proves no lease', () => {
    expect(
      () =>
        new SqliteStorageAdapter(':memory:', {
          logger: silentLogger,
          cache: 'redis+cluster://127.0.0.1:7001,127.0.0.1:7002',
          cacheOptions: { local: true, secret: testCacheSecret },
        }),
    ).toThrow(expect.objectContaining({ code: 'config', message: expect.stringContaining('Redis Cluster') }));
  });
});
