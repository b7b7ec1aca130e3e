import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorageAdapter } from '../../../src/app/kitium/adapters.js';
import type { SessionRecord } from '../../../src/domain/records/records.js';
import type { Logger } from '../../../src/ports/system.js';
import { RedisServerProcess } from '../../support/servers/redis-server.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { eventually, uniqueNamespace } from './cache-contract.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer && process.env.REQUIRE_SERVICES === '1') {
  throw new Error(
    '[authkeep tests] redis-server binary not on PATH: the revocation-during-outage suite is required',
  );
}

const hour = 3_600_000;

// A redis-server of this file's own is stopped and restarted; the shared one on 6379 is never touched.
describe.skipIf(!hasRedisServer)('revocation while the Redis cache is down', () => {
  let server: RedisServerProcess;
  let adapter: SqliteStorageAdapter;
  const warnings: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (_object, message) => warnings.push(message),
    error: () => undefined,
  };

  beforeAll(async () => {
    server = await RedisServerProcess.start();
  });

  afterEach(async () => {
    await server.startAgain();
    await adapter?.disconnect();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  async function openAdapter(): Promise<void> {
    warnings.length = 0;
    adapter = new SqliteStorageAdapter(':memory:', {
      logger,
      cache: server.url as `redis://${string}`,
      // A budget well above 50 ms, for a loaded machine; probing every 50 ms so recovery is observed quickly.
      cacheOptions: {
        namespace: uniqueNamespace('revoke'),
        timeoutMs: 1_000,
        probeIntervalMs: 50,
        secret: testCacheSecret,
      },
    });
    await adapter.connect();
  }

  /**
   * A session that only the cache still knows: its row is removed behind the cache's back. Reading it
   * proves the cache is serving; once the cache is bypassed it reads as null.
   */
  async function cacheOnlyCanary(): Promise<SessionRecord> {
    const canary = await adapter.createSession({
      userId: 'canary',
      entitlements: [],
      expiresAt: new Date(Date.now() + hour),
    });
    expect(await adapter.getSession(canary.id)).toEqual(canary);
    await adapter.sqlStore.db.deleteFrom('sessions').where('user_id', '=', 'canary').execute();
    expect(await adapter.getSession(canary.id)).toEqual(canary);
    return canary;
  }

  it('a session deleted during the outage is gone after Redis returns with its old data', async () => {
    await openAdapter();
    const session = await adapter.createSession({
      userId: 'u1',
      entitlements: [],
      expiresAt: new Date(Date.now() + hour),
    });
    expect(await adapter.getSession(session.id)).toEqual(session);
    const canary = await cacheOnlyCanary();

    await server.stop({ keepData: true });
    expect(await adapter.getSession(canary.id)).toBeNull(); // the outage is noticed: reads go to the database
    await expect(adapter.deleteSession(session.id)).resolves.toBeUndefined();
    expect(await adapter.getSession(session.id)).toBeNull();
    expect(warnings).toHaveLength(1);

    await server.startAgain();
    // The restarted server (another run id) has the old entries back; none is trusted: a fresh canary
    // proves the cache serves again, and the old canary is read from the database (its row is gone).
    await eventually(async () => {
      const fresh = await cacheOnlyCanary();
      expect(await adapter.getSession(fresh.id)).toEqual(fresh);
    }, 30_000);
    expect(await adapter.getSession(canary.id)).toBeNull();
    expect(await adapter.getSession(session.id)).toBeNull();
    expect(warnings).toHaveLength(2);
  });

  it('reads during the outage do not count as cache misses: once Redis is back, the cache serves at once', async () => {
    await openAdapter();
    const sessions = [];
    for (let i = 0; i < 200; i += 1) {
      sessions.push(
        await adapter.createSession({
          userId: `o${i}`,
          entitlements: [],
          expiresAt: new Date(Date.now() + hour),
        }),
      );
    }
    await server.stop({ keepData: true });
    // Far more than the window over which a cache that is not hitting gets skipped (adaptiveBypass: 64 reads).
    for (const session of sessions) expect(await adapter.getSession(session.id)).toEqual(session);
    await server.startAgain();
    // Skipped, the cache would fill only one read in 32 and never serve a canary (two reads in a row).
    await eventually(async () => {
      const fresh = await cacheOnlyCanary();
      expect(await adapter.getSession(fresh.id)).toEqual(fresh);
    }, 10_000);
  });

  it('deleting a user during the outage revokes their cached sessions and API keys after Redis returns', async () => {
    await openAdapter();
    const user = await adapter.createUser({ email: 'outage@example.com' });
    const session = await adapter.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + hour),
    });
    const issued = await adapter.createApiKeyWithSecret(user.id, ['read']);
    expect(await adapter.getSession(session.id)).toEqual(session);
    expect(await adapter.verifyApiKeySecret(issued.key)).not.toBeNull();
    const canary = await cacheOnlyCanary();

    await server.stop({ keepData: true });
    expect(await adapter.getSession(canary.id)).toBeNull();
    await expect(adapter.deleteUser(user.id)).resolves.toBeUndefined();

    await server.startAgain();
    // The user's index was unreadable during the outage, so every cached record is flushed on return;
    // a fresh canary proves the cache serves again.
    await eventually(async () => {
      const fresh = await cacheOnlyCanary();
      expect(await adapter.getSession(fresh.id)).toEqual(fresh);
    }, 30_000);
    expect(await adapter.getSession(session.id)).toBeNull();
    expect(await adapter.verifyApiKeySecret(issued.key)).toBeNull();
    expect(await adapter.getApiKeyByHash(issued.record.hash)).toBeNull();
  });
});
