import { spawnSync } from 'node:child_process';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import { startRedisCluster, type RedisClusterHandle } from '../../support/servers/redis-cluster.js';
import { describeCacheContract, uniqueNamespace } from './cache-contract.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer) {
  const line = '[authkeep tests] redis-server binary not on PATH: the Redis Cluster suite is SKIPPED';
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(line.replace('SKIPPED', 'required'));
  console.warn(line);
}

let cluster: RedisClusterHandle | undefined;
const openClusterCache = async (namespace = uniqueNamespace('cluster')) => {
  if (!cluster) cluster = await startRedisCluster(3);
  return new RedisCache({ cluster: cluster.nodes }, { namespace });
};

afterAll(async () => {
  await cluster?.stop();
});

describeCacheContract({
  name: 'redis cluster (3 masters)',
  available: () => hasRedisServer,
  open: () => openClusterCache(),
});

describe.skipIf(!hasRedisServer)('RedisCache on a 3-master cluster', () => {
  let cache: RedisCache;
  let masters: Redis[];
  const namespace = uniqueNamespace('spread');

  beforeAll(async () => {
    cache = await openClusterCache(namespace);
    masters = cluster!.nodes.map((node) => new Redis(node.port, node.host));
  });

  afterAll(async () => {
    await cache.close();
    for (const master of masters) master.disconnect();
  });

  it('really spreads keys over every master, and deletePrefix finds them on all of them', async () => {
    for (let index = 0; index < 90; index += 1) await cache.set(`spread:${index}`, 'v');
    const mine = () =>
      Promise.all(masters.map(async (master) => (await master.keys(`${namespace}*`)).length));
    const sizes = await mine();
    expect(sizes.every((size) => size > 0)).toBe(true);
    expect(await cache.deletePrefix('spread:')).toBe(90);
    expect(await mine()).toEqual([0, 0, 0]);
  });

  it('keeps hash-tagged keys in one slot', async () => {
    const keys = ['{user:42}:sessions', '{user:42}:keys', '{user:42}'];
    for (const key of keys) await cache.set(key, 'v');
    const slots = await Promise.all(
      keys.map((key) => masters[0]!.call('CLUSTER', 'KEYSLOT', `${namespace}${key}`)),
    );
    expect(new Set(slots).size).toBe(1);
    await cache.delete(...keys);
  });

  it('is a Cluster client underneath', () => {
    expect((cache as unknown as { client: unknown }).client).toBeInstanceOf(Cluster);
  });
});
