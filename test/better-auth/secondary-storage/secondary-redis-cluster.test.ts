import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSecondaryStore } from '../../../src/adapters/cache/secondary/redis-secondary-store.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { authkeepSecondaryStorage } from '../../../src/app/better-auth/secondary-storage.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { startRedisCluster, type RedisClusterHandle } from '../../support/servers/redis-cluster.js';
import { uniqueNamespace } from '../../contract/cache/cache-contract.js';
import {
  describeSecondaryContract,
  describeTombstoneLifetime,
  type SecondaryBackend,
} from './secondary-contract.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer) {
  const line =
    '[authkeep tests] redis-server binary not on PATH: the secondary storage Cluster suite is SKIPPED';
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(line.replace('SKIPPED', 'required'));
  console.warn(line);
}

let cluster: RedisClusterHandle | undefined;
const nodes = async () => (cluster ??= await startRedisCluster(3)).nodes;

afterAll(async () => {
  await cluster?.stop();
});

// Every script touches one key: values and counters of many keys spread over the three masters.
const redisCluster: SecondaryBackend = {
  name: 'redis cluster (3 masters)',
  available: () => hasRedisServer,
  open: async (tombstoneMs) => {
    const seeds = await nodes();
    const namespace = uniqueNamespace('secondary-cluster');
    return {
      view: () =>
        new RedisSecondaryStore({ cluster: seeds }, { namespace, tombstoneMs, logger: silentLogger }),
      cleanup: async () => undefined, // the cluster is this file's own, stopped after it
    };
  },
};

describeSecondaryContract(redisCluster);
describeTombstoneLifetime(redisCluster);

describe.skipIf(!hasRedisServer)('authkeepSecondaryStorage from a redis+cluster:// URL', () => {
  it('stores, guards and counts across the masters', async () => {
    const seeds = await nodes();
    const url = `redis+cluster://${seeds.map((node) => `${node.host}:${node.port}`).join(',')}`;
    const namespace = uniqueNamespace('c');
    const [one, two] = [0, 1].map(() =>
      authkeepSecondaryStorage({ cache: url, secret: testCacheSecret, namespace }),
    );
    try {
      for (let i = 0; i < 30; i += 1) await one!.set(`token-${i}`, `session ${i}`, 60);
      expect(await two!.get('token-29')).toBe('session 29');
      const read = await one!.get('token-7');
      await two!.delete('token-7');
      await one!.set('token-7', `${read} refreshed`, 60);
      expect(await two!.get('token-7')).toBeNull();
      expect(await one!.increment('rate', 60)).toBe(1);
      expect(await two!.increment('rate', 60)).toBe(2);
    } finally {
      await one!.close();
      await two!.close();
    }
  });
});
