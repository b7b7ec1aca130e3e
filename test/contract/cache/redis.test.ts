import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import { ResilientCache } from '../../../src/adapters/cache/resilient/resilient-cache.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { ConfigError } from '../../../src/domain/errors.js';
import { redisUrl } from '../../support/postgres.js';
import { describeCacheContract, uniqueNamespace } from './cache-contract.js';

const available = () => redisUrl() !== null;

describeCacheContract({
  name: 'redis single node',
  available,
  open: async () => new RedisCache({ url: redisUrl()! }, { namespace: uniqueNamespace('redis') }),
});

describeCacheContract({
  name: 'resilient over redis',
  available,
  open: async () =>
    new ResilientCache(new RedisCache({ url: redisUrl()! }, { namespace: uniqueNamespace('resilient') }), {
      logger: silentLogger,
      timeoutMs: 5_000,
    }),
});

describe.skipIf(!available())('RedisCache on a single node', () => {
  let raw: Redis;
  let cache: RedisCache;
  const namespace = uniqueNamespace('layout');

  beforeAll(() => {
    raw = new Redis(redisUrl()!);
    cache = new RedisCache({ url: redisUrl()! }, { namespace });
  });

  afterAll(async () => {
    await cache.deletePrefix('');
    await cache.close();
    raw.disconnect();
  });

  it('stores under the namespace, value and TTL in one key', async () => {
    await cache.set('k', 'v', 60_000);
    expect(await raw.get(`${namespace}k`)).toBe('v');
    const ttl = await raw.pttl(`${namespace}k`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await cache.set('k', 'w');
    expect(await raw.pttl(`${namespace}k`)).toBe(-1);
  });

  it('update without a TTL keeps the remaining expiry', async () => {
    await cache.set('kept', '1', 60_000);
    await cache.update('kept', () => '2');
    expect(await raw.get(`${namespace}kept`)).toBe('2');
    expect(await raw.pttl(`${namespace}kept`)).toBeGreaterThan(0);
  });

  it('an empty namespace is allowed (fixed key layouts), braces are not', () => {
    expect(() => new RedisCache({ url: redisUrl()! }, { namespace: 'app{x}:' })).toThrow(ConfigError);
    const bare = new RedisCache({ client: raw }, { namespace: '' });
    expect(bare.namespace).toBe('');
  });

  it('leaves a client passed in by the caller open on close', async () => {
    const borrowed = new RedisCache({ client: raw }, { namespace });
    await borrowed.close();
    expect(await raw.ping()).toBe('PONG');
  });
});
