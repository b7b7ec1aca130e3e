import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSecondaryStore } from '../../../src/adapters/cache/secondary/redis-secondary-store.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { authkeepSecondaryStorage } from '../../../src/app/better-auth/secondary-storage.js';
import { ConfigError } from '../../../src/domain/errors.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { redisUrl } from '../../support/postgres.js';
import { sparePort } from '../../support/servers/redis-server.js';
import { uniqueNamespace } from '../../contract/cache/cache-contract.js';
import {
  describeSecondaryContract,
  describeTombstoneLifetime,
  type SecondaryBackend,
} from './secondary-contract.js';

const available = () => redisUrl() !== null;

/** Deletes every key under `namespace` (SCAN, never FLUSH: the Redis is shared). */
async function dropNamespace(namespace: string): Promise<void> {
  const raw = new Redis(redisUrl()!);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${namespace}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await raw.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    raw.disconnect();
  }
}

const redis: SecondaryBackend = {
  name: 'redis',
  available,
  open: async (tombstoneMs) => {
    const namespace = uniqueNamespace('secondary');
    return {
      // Each view its own connection: another process's client of the same keys.
      view: () =>
        new RedisSecondaryStore({ url: redisUrl()! }, { namespace, tombstoneMs, logger: silentLogger }),
      cleanup: () => dropNamespace(namespace),
    };
  },
};

describeSecondaryContract(redis);
describeTombstoneLifetime(redis);

describe('authkeepSecondaryStorage with Redis unreachable', () => {
  it('every call fails with an unavailable error within its deadline, naming no URL or password', async () => {
    const port = await sparePort(); // nothing listens there
    const storage = authkeepSecondaryStorage({
      cache: `redis://:hunter2-password@127.0.0.1:${port}`,
      secret: testCacheSecret,
      timeoutMs: 500,
    });
    try {
      const calls: (() => Promise<unknown>)[] = [
        () => storage.get('k'),
        () => storage.set('k', 'v', 60),
        () => storage.delete('k'),
        () => storage.getAndDelete('k'),
        () => storage.increment('k', 60),
      ];
      for (const call of calls) {
        const started = Date.now();
        const error = (await call().catch((caught: unknown) => caught)) as { code?: string; message: string };
        // A miss here could hide a live session's revocation marker: the caller must see the failure.
        expect(error.code).toBe('unavailable');
        expect(`${error.message} ${JSON.stringify(error)}`).not.toMatch(/hunter2|127\.0\.0\.1/);
        expect(Date.now() - started).toBeLessThan(1_500); // the 500 ms command deadline, with room for a busy CPU
      }
    } finally {
      await storage.close();
    }
  });
});

describe.skipIf(!available())('authkeepSecondaryStorage on Redis', () => {
  const namespace = uniqueNamespace('secondary-url');
  let raw: Redis;

  beforeAll(() => {
    raw = new Redis(redisUrl()!);
  });

  afterAll(async () => {
    await dropNamespace(namespace);
    raw.disconnect();
  });

  it('from a URL: values under <namespace>v:, counters under <namespace>n:, TTLs in Redis', async () => {
    const storage = authkeepSecondaryStorage({
      cache: redisUrl()!,
      secret: testCacheSecret,
      namespace,
    });
    try {
      await storage.set('session-token', '{"session":{}}', 30);
      await storage.increment('rate', 10);
      const stored = await raw.hgetall(`${namespace}v:session-token`);
      expect(stored.v).toMatch(/^a1\.\d+\./);
      expect(stored.v).not.toBe('{"session":{}}');
      const valueTtl = await raw.pttl(`${namespace}v:session-token`);
      expect(valueTtl).toBeGreaterThan(25_000);
      expect(valueTtl).toBeLessThanOrEqual(30_000);
      expect(await raw.get(`${namespace}n:rate`)).toBe('1');
      const counterTtl = await raw.pttl(`${namespace}n:rate`);
      expect(counterTtl).toBeGreaterThan(5_000);
      expect(counterTtl).toBeLessThanOrEqual(10_000);
      await storage.delete('session-token');
      const tombstone = await raw.hgetall(`${namespace}v:session-token`);
      expect(tombstone.v).toBeUndefined();
      expect(tombstone.d).toBe(tombstone.g);
      expect(await raw.pttl(`${namespace}v:session-token`)).toBeLessThanOrEqual(600_000);
      expect(await raw.exists(`${namespace}n:rate`)).toBe(1);
    } finally {
      await storage.close();
    }
  });

  it('a value HSET straight into Redis, or copied from another key, is a miss', async () => {
    const storage = authkeepSecondaryStorage({ cache: raw, secret: testCacheSecret, namespace });
    await storage.set('victim', 'victim session', 60);
    const sealed = await raw.hget(`${namespace}v:victim`, 'v');
    await raw.hset(`${namespace}v:attacker`, 'v', sealed!, 'g', '1');
    await raw.hset(`${namespace}v:forged`, 'v', 'attacker session', 'g', '1');
    expect(await storage.get('attacker')).toBeNull();
    expect(await storage.get('forged')).toBeNull();
    expect(await storage.get('victim')).toBe('victim session');
    expect(storage.stats().forgedEntries).toBe(2);
  });

  it("over the caller's ioredis client, which close() leaves connected", async () => {
    const storage = authkeepSecondaryStorage({ cache: raw, secret: testCacheSecret, namespace });
    await storage.set('k', 'v', 60);
    expect(await storage.get('k')).toBe('v');
    await storage.close();
    expect(raw.status).toBe('ready');
    expect(await raw.ping()).toBe('PONG');
  });

  it('without a secret Redis is refused (a config error); a namespace with braces too', () => {
    const previous = process.env.AUTHKEEP_CACHE_SECRET;
    delete process.env.AUTHKEEP_CACHE_SECRET;
    try {
      expect(() => authkeepSecondaryStorage({ cache: redisUrl()! })).toThrow(ConfigError);
      expect(() =>
        authkeepSecondaryStorage({ cache: raw, secret: testCacheSecret, namespace: 'app{x}:' }),
      ).toThrow(ConfigError);
    } finally {
      if (previous !== undefined) process.env.AUTHKEEP_CACHE_SECRET = previous;
    }
  });

  it("across processes: a child reads, the parent deletes, the child's stale set is refused", async () => {
    const parent = authkeepSecondaryStorage({ cache: raw, secret: testCacheSecret, namespace });
    await parent.set('cross', 'session v1', 60);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('../fixtures/secondary-stale-writer.ts', import.meta.url))],
      {
        env: {
          ...process.env,
          REDIS: redisUrl()!,
          NAMESPACE: namespace,
          SECRET: testCacheSecret,
          KEY: 'cross',
        },
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const exited = once(child, 'exit');
    let output = '';
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      lines.splice(0, lines.length, ...output.split('\n').filter(Boolean));
      for (const wake of waiters.splice(0)) wake();
    });
    const line = async (index: number) => {
      const deadline = Date.now() + 20_000;
      while (lines.length <= index) {
        if (Date.now() > deadline) throw new Error(`child said only: ${output}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return JSON.parse(lines[index]!) as Record<string, unknown>;
    };
    expect(await line(0)).toEqual({ read: 'session v1' });
    await parent.delete('cross'); // the revocation completes while the child holds its stale value
    child.stdin!.end('go\n');
    expect(await line(1)).toEqual({ refusedWrites: 1, after: null });
    await exited;
    expect(await parent.get('cross')).toBeNull();
  });
});
