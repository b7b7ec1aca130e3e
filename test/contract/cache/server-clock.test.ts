import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorageAdapter } from '../../../src/app/kitium/adapters.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import type { Clock } from '../../../src/ports/system.js';
import { redisUrl } from '../../support/postgres.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { uniqueNamespace } from './cache-contract.js';

const hour = 3_600_000;
const minute = 60_000;
const offsetClock = (offsetMs: number): Clock => ({ now: () => new Date(Date.now() + offsetMs) });

/**
 * Processes whose clocks disagree share one Redis: the per-user index that deleteUser walks must not let
 * any of their clocks decide membership (issue 21, scenario 4). One database file, three adapters.
 */
describe.skipIf(redisUrl() === null)('per-user revocation index under clock skew [redis cache]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authkeep-skew-'));
  const namespace = uniqueNamespace('skew');
  const adapters: SqliteStorageAdapter[] = [];
  const open = async (offsetMs: number, maxTtlMs = 300_000) => {
    const adapter = new SqliteStorageAdapter(join(dir, 'auth.db'), {
      logger: silentLogger,
      clock: offsetClock(offsetMs),
      cache: redisUrl() as `redis://${string}`,
      cacheOptions: { namespace, secret: testCacheSecret, timeoutMs: 2_000, maxTtlMs },
    });
    await adapter.connect();
    adapters.push(adapter);
    return adapter;
  };

  beforeAll(async () => {
    await open(0);
  });

  afterAll(async () => {
    for (const adapter of adapters) await adapter.disconnect();
    const raw = new Redis(redisUrl()!);
    const keys = await raw.keys(`${namespace}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A user with one session cached by `reader`; then a second session read by `pruner` (its indexAdd prunes). */
  async function cachedThenPruned(reader: SqliteStorageAdapter, pruner: SqliteStorageAdapter) {
    const user = await adapters[0]!.createUser({ email: `skew-${Math.random()}@example.com` });
    const first = await adapters[0]!.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + hour),
    });
    expect(await reader.getSession(first.id)).toEqual(first);
    const second = await adapters[0]!.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + hour),
    });
    expect(await pruner.getSession(second.id)).toEqual(second);
    return { user, first, second };
  }

  it('a process 6 min behind: its entries stay listed, so deleteUser elsewhere revokes them', async () => {
    const behind = await open(-6 * minute);
    const { user, first, second } = await cachedThenPruned(behind, behind);
    await adapters[0]!.deleteUser(user.id);
    expect(await behind.getSession(first.id)).toBeNull();
    expect(await behind.getSession(second.id)).toBeNull();
  });

  it('a process 6 min ahead cannot prune another process’s entries from the index', async () => {
    const ahead = await open(6 * minute);
    const { user, first, second } = await cachedThenPruned(adapters[0]!, ahead);
    await ahead.deleteUser(user.id);
    expect(await adapters[0]!.getSession(first.id)).toBeNull();
    expect(await adapters[0]!.getSession(second.id)).toBeNull();
  });

  it('an everyday 20 s skew with maxTtlMs 30 s: deleteUser revokes everything cached', async () => {
    const skewed = await open(-20_000, 30_000);
    const plain = await open(0, 30_000);
    const { user, first, second } = await cachedThenPruned(skewed, plain);
    await plain.deleteUser(user.id);
    expect(await skewed.getSession(first.id)).toBeNull();
    expect(await plain.getSession(second.id)).toBeNull();
  });
});
