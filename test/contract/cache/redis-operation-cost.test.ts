import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorageAdapter } from '../../../src/app/kitium/adapters.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { CommandLogProxy } from '../../support/proxies/command-log-proxy.js';
import { redisUrl } from '../../support/postgres.js';
import { uniqueNamespace } from './cache-contract.js';

const hour = 3_600_000;

/** The run-id watch (INFO) and the bus's heartbeats and subscription run on their own clock, not per call. */
const background = (command: string[]) =>
  command[0] === 'INFO' ||
  command[0] === 'SUBSCRIBE' ||
  (command[0] === 'PUBLISH' && (command[2] ?? '').startsWith('{"p":'));

/** A script call counts once, whatever it runs inside Redis: one command is one round trip. */
const names = (commands: string[][]) => commands.map((command) => command[0]);

/**
 * What each cached operation costs in Redis commands (issue 22 item 1: a miss was 16 commands, 9 of them round
 * trips): counted at the socket by a proxy that only this test's clients use, so the shared server's other
 * traffic does not count. Each script named here keeps every guarantee its contract tests check.
 */
describe.skipIf(redisUrl() === null)('Redis commands per cached operation', () => {
  let proxy: CommandLogProxy;
  const adapters: SqliteStorageAdapter[] = [];
  const namespace = uniqueNamespace('cost');

  const open = async (local: boolean, adaptiveBypass?: boolean) => {
    const adapter = new SqliteStorageAdapter(':memory:', {
      logger: silentLogger,
      cache: proxy.url as `redis://${string}`,
      cacheOptions: { namespace, secret: testCacheSecret, timeoutMs: 2_000, local, adaptiveBypass },
    });
    await adapter.connect();
    adapters.push(adapter);
    return adapter;
  };

  /** A user and a session, created and read once, so each script is loaded (EVALSHA, not EVAL) afterwards. */
  const warm = async (adapter: SqliteStorageAdapter) => {
    const user = await adapter.createUser({ email: `cost-${Math.random()}@example.com` });
    const session = await adapter.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + hour),
    });
    await adapter.getSession(session.id);
    await adapter.deleteSession(session.id);
    await adapter.getSession(session.id);
    return user;
  };

  beforeAll(async () => {
    proxy = await CommandLogProxy.start(Number(new URL(redisUrl()!).port || 6379));
  });

  afterAll(async () => {
    for (const adapter of adapters) await adapter.disconnect();
    await proxy.close();
    const raw = new Redis(redisUrl()!);
    const keys = await raw.keys(`${namespace}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
  });

  it('a miss is one look-up and one fill; a hit one look-up; createSession none; deleteSession one', async () => {
    const adapter = await open(false);
    const user = await warm(adapter);
    const expiresAt = new Date(Date.now() + hour);
    let id = '';
    const created = await proxy.during(async () => {
      id = (await adapter.createSession({ userId: user.id, entitlements: [], expiresAt })).id;
    }, background);
    expect(names(created)).toEqual([]);
    const miss = await proxy.during(() => adapter.getSession(id), background);
    expect(names(miss)).toEqual(['EVALSHA', 'EVALSHA']);
    const hit = await proxy.during(() => adapter.getSession(id), background);
    expect(names(hit)).toEqual(['EVALSHA']);
    const deleted = await proxy.during(() => adapter.deleteSession(id), background);
    expect(deleted).toHaveLength(1);
    expect(await adapter.getSession(id)).toBeNull();
  });

  it('once reads mostly hit, a hit is one GET (a miss: GET, look-up, fill); once they mostly miss, two scripts again', async () => {
    const adapter = await open(false);
    const user = await warm(adapter);
    const create = () =>
      adapter.createSession({ userId: user.id, entitlements: [], expiresAt: new Date(Date.now() + hour) });
    const session = await create();
    for (let i = 0; i < 150; i += 1) await adapter.getSession(session.id);
    const hit = await proxy.during(() => adapter.getSession(session.id), background);
    expect(names(hit)).toEqual(['GET']);
    const fresh = await create();
    const miss = await proxy.during(() => adapter.getSession(fresh.id), background);
    expect(names(miss)).toEqual(['GET', 'EVALSHA', 'EVALSHA']);
    // The fill landed: the next read is a GET that hits.
    const filled = await proxy.during(() => adapter.getSession(fresh.id), background);
    expect(names(filled)).toEqual(['GET']);
    for (let i = 0; i < 40; i += 1) await adapter.getSession((await create()).id);
    const later = await create();
    const coldMiss = await proxy.during(() => adapter.getSession(later.id), background);
    expect(names(coldMiss)).toEqual(['EVALSHA', 'EVALSHA']);
  });

  it('once reads stop hitting, 31 of 32 skip Redis, and at most one per 20 ms looks up (a revoked session stays refused); hits bring the cache back', async () => {
    const adapter = await open(false);
    const user = await warm(adapter);
    const create = () =>
      adapter.createSession({ userId: user.id, entitlements: [], expiresAt: new Date(Date.now() + hour) });
    const fresh = async (count: number) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i += 1) ids.push((await create()).id);
      return ids;
    };
    const pause = () => new Promise((resolve) => setTimeout(resolve, 1));
    // A window of reads that all miss: the cache is not paying for itself.
    for (const id of await fresh(80)) await adapter.getSession(id);
    const cold = await fresh(64);
    await new Promise((resolve) => setTimeout(resolve, 25));
    const skipping = await proxy.during(async () => {
      for (const id of cold) {
        expect((await adapter.getSession(id))?.id).toBe(id);
        await pause(); // 32 reads take longer than the 20 ms between probes: each 32nd is one
      }
    }, background);
    // Any 64 such reads in a row hold exactly two sampled ones: a look-up and a fill each.
    expect(names(skipping)).toEqual(['EVALSHA', 'EVALSHA', 'EVALSHA', 'EVALSHA']);
    // As fast as reads come, the sampled ones stay one per 20 ms (one in 32 would be 20 of these 640).
    const burst = await fresh(640);
    const started = performance.now();
    const fast = await proxy.during(async () => {
      for (const id of burst) await adapter.getSession(id);
    }, background);
    const sampled = Math.min(20, Math.floor((performance.now() - started) / 20) + 1);
    expect(names(fast).length).toBeLessThanOrEqual(2 * sampled);
    // Straight from the database: a deleted session is refused, and no read answers from Redis meanwhile.
    await adapter.deleteSession(cold[0]!);
    expect(await adapter.getSession(cold[0]!)).toBeNull();
    // One session read again and again: the sampled reads hit, and the cache takes every read again.
    const hot = (await create()).id;
    for (let i = 0; i < 320; i += 1) {
      await adapter.getSession(hot);
      await pause();
    }
    const back = await proxy.during(async () => {
      for (let i = 0; i < 16; i += 1) await adapter.getSession(hot);
    }, background);
    expect(back).toHaveLength(16);
  });

  it('adaptiveBypass: false keeps every read on the cache, however rarely it hits', async () => {
    const adapter = await open(false, false);
    const user = await warm(adapter);
    const ids: string[] = [];
    for (let i = 0; i < 112; i += 1) {
      ids.push(
        (
          await adapter.createSession({
            userId: user.id,
            entitlements: [],
            expiresAt: new Date(Date.now() + hour),
          })
        ).id,
      );
    }
    for (const id of ids.slice(0, 80)) await adapter.getSession(id);
    const misses = await proxy.during(async () => {
      for (const id of ids.slice(80)) await adapter.getSession(id);
    }, background);
    expect(names(misses)).toEqual(Array.from({ length: 64 }, () => 'EVALSHA'));
  });

  it('with the in-process tier, a revocation is one script that deletes and publishes: no second command', async () => {
    const adapter = await open(true);
    const user = await warm(adapter);
    const session = await adapter.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + hour),
    });
    await adapter.getSession(session.id);
    const deleted = await proxy.during(() => adapter.deleteSession(session.id), background);
    expect(names(deleted)).toEqual(['EVALSHA']);
    expect(deleted[0]!.join(' ')).toContain(`${namespace}kc2:bus`);
    const other = await adapter.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + hour),
    });
    await adapter.getSession(other.id);
    const owner = await proxy.during(() => adapter.deleteUser(user.id), background);
    // Its first call on this connection: ioredis sends the script's text (EVAL) once, then its digest.
    expect(owner).toHaveLength(1);
    expect(owner[0]![0]).toMatch(/^EVAL(SHA)?$/);
    expect(owner[0]!.join(' ')).toContain(`${namespace}kc2:bus`);
    expect(await adapter.getSession(other.id)).toBeNull();
  });
});
