import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { SqliteStorageAdapter, silentLogger } from '../../src/index.js';
import { compare, type BenchResult } from '../harness.js';
import type { BenchModule } from '../module.js';
import { redisMiss } from './cache-costs.js';
import { readUntilCached, redisSessionKey } from './cache-raw.js';

/**
 * getSession answered from Redis (the database behind it never sees the read) against the least a
 * hand-written cache could do: one GET and a JSON.parse of the same value, with Dates revived.
 */
async function redisCases(redisUrl: string): Promise<BenchResult[]> {
  const namespace = `bench:${randomBytes(4).toString('hex')}:`;
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (_: unknown, message: string) => void warnings.push(message) };
  const adapter = new SqliteStorageAdapter(':memory:', {
    logger,
    cache: redisUrl as `redis://${string}`,
    cacheOptions: { namespace, secret: 'bench-cache-secret-0123456789' },
  });
  await adapter.connect();
  const raw = new Redis(redisUrl);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) {
      const session = await adapter.createSession({
        userId: `user-${i}`,
        entitlements: ['a', 'b'],
        metadata: { ip: '10.0.0.1' },
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      ids.push(session.id);
    }
    await readUntilCached((id) => adapter.getSession(id), ids, raw, namespace);
    // The baseline reads the same bytes our cache wrote, so both sides move the same payload.
    await raw.set(`${namespace}baseline`, (await raw.get(redisSessionKey(namespace, ids[0]!)))!);
    let i = 0;
    const nextId = () => ids[i++ % ids.length]!;
    const baseline = async () => {
      createHash('sha256').update(nextId()).digest('hex');
      const text = await raw.get(`${namespace}baseline`);
      // The JSON body without checking its MAC: the least a cache without authentication would do.
      const parsed = (JSON.parse(text!.slice(text!.indexOf('{'))) as { d: Record<string, unknown> }).d;
      for (const field of ['expiresAt', 'createdAt', 'updatedAt']) {
        if (typeof parsed[field] === 'string') parsed[field] = new Date(parsed[field] as string);
      }
      return parsed;
    };
    const result = await compare(
      'getSession, Redis cache hit',
      () => adapter.getSession(nextId()),
      'ioredis GET + JSON.parse',
      baseline,
      // Lowest rounds 0.83, 0.85, 0.79 in three quiet full runs (medians 0.86–0.94): ~0.9 × the lowest.
      0.7,
      { concurrency: 16 },
    );
    // A cache outage (a slow Redis) would turn reads into database fallbacks: such a run proves nothing.
    result.extra = { cache_outage_warnings: warnings.length };
    if (warnings.length > 0) result.pass = false;
    return [result];
  } finally {
    const stale = await raw.keys(`${namespace}*`);
    if (stale.length > 0) await raw.del(...stale);
    raw.disconnect();
    await adapter.disconnect();
  }
}

export const redisModule: BenchModule = {
  name: 'redis',
  summary:
    'getSession answered from the Redis cache against one raw GET + JSON.parse; 0 % hits (default, and with every read a miss) against no cache',
  run: async (context) => [
    ...(await redisCases(context.redisUrl)),
    await redisMiss(context.databaseUrl, context.redisUrl, true),
    await redisMiss(context.databaseUrl, context.redisUrl, false),
  ],
};
