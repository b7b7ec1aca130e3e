import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import { redisConnectionFromUrl } from '../../../src/adapters/cache/redis/redis-url.js';
import { runCli } from '../../../src/app/cli/main.js';
import { createAuthStorage, createPasskeyStores, silentLogger } from '../../../src/index.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { startRedisCluster, type RedisClusterHandle } from '../../support/servers/redis-cluster.js';
import { startRedisSentinel, type RedisSentinelHandle } from '../../support/servers/redis-sentinel.js';
import { describeCacheContract, eventually, uniqueNamespace } from './cache-contract.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer) {
  const line = '[authkeep tests] redis-server binary not on PATH: the Redis topology URL suite is SKIPPED';
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(line.replace('SKIPPED', 'required'));
  console.warn(line);
}

const hour = 3_600_000;
let sentinel: RedisSentinelHandle | undefined;
let cluster: RedisClusterHandle | undefined;
const startSentinel = async () => (sentinel ??= await startRedisSentinel(3));

afterAll(async () => {
  await sentinel?.stop();
  await cluster?.stop();
}, 60_000);

describeCacheContract({
  name: 'redis+sentinel:// URL (master, replica, 3 Sentinels)',
  available: () => hasRedisServer,
  setup: async () => void (await startSentinel()),
  open: async () =>
    new RedisCache(redisConnectionFromUrl((await startSentinel()).url), {
      namespace: uniqueNamespace('sentinel'),
    }),
});

describe.skipIf(!hasRedisServer)('Redis topologies from a URL', () => {
  beforeAll(async () => {
    await startSentinel();
    cluster = await startRedisCluster(3);
  }, 120_000);

  const clusterUrl = () =>
    `redis+cluster://${cluster!.nodes.map((node) => `${node.host}:${node.port}`).join(',')}` as const;
  const session = () => ({ userId: 'u1', entitlements: [], expiresAt: new Date(Date.now() + hour) });

  it('createAuthStorage caches in the master Sentinel names, from AUTHKEEP_REDIS_URL', async () => {
    const namespace = uniqueNamespace('env');
    const previous = process.env.AUTHKEEP_REDIS_URL;
    process.env.AUTHKEEP_REDIS_URL = sentinel!.url;
    const storage = createAuthStorage({
      database: ':memory:',
      logger: silentLogger,
      cacheOptions: { namespace, timeoutMs: 2_000, secret: testCacheSecret },
    });
    try {
      await storage.connect();
      const created = await storage.createSession(session());
      expect(await storage.getSession(created.id)).toEqual(created);
      const keys = await sentinel!.master.cli('--scan', '--pattern', `${namespace}*`);
      expect(keys.trim().length).toBeGreaterThan(0);
    } finally {
      if (previous === undefined) delete process.env.AUTHKEEP_REDIS_URL;
      else process.env.AUTHKEEP_REDIS_URL = previous;
      await storage.disconnect();
    }
  });

  it('createAuthStorage caches across the masters of a redis+cluster:// URL', async () => {
    const namespace = uniqueNamespace('cluster');
    const storage = createAuthStorage({
      database: ':memory:',
      logger: silentLogger,
      cache: clusterUrl(),
      cacheOptions: { namespace, timeoutMs: 2_000, secret: testCacheSecret },
    });
    try {
      await storage.connect();
      for (let index = 0; index < 30; index += 1) {
        const created = await storage.createSession(session());
        expect(await storage.getSession(created.id)).toEqual(created);
      }
      const perMaster = cluster!.nodes.map((node) => {
        const args = ['-p', String(node.port), '--scan', '--pattern', `${namespace}*`];
        const { stdout } = spawnSync('redis-cli', args, { encoding: 'utf8' });
        return stdout.trim().split('\n').filter(Boolean).length;
      });
      expect(perMaster.filter((count) => count > 0).length).toBeGreaterThan(1);
    } finally {
      await storage.disconnect();
    }
  });

  it('the passkey cache store takes a Sentinel URL in GENERIC_CACHE_STORE_URL, keys at the top level', async () => {
    const stores = createPasskeyStores({
      logger: silentLogger,
      env: {
        GENERIC_DATA_STORE_TYPE: 'sqlite',
        GENERIC_DATA_STORE_URL: ':memory:',
        GENERIC_CACHE_STORE_TYPE: 'redis',
        GENERIC_CACHE_STORE_URL: sentinel!.url,
      },
    });
    try {
      await stores.cache.putWithTtl('topology', 'k', 'v', 60);
      expect(await stores.cache.get('topology', 'k')).toBe('v');
      expect(await sentinel!.master.cli('GET', 'cache:topology:k')).toContain('"value":"v"');
    } finally {
      await stores.close();
    }
  });

  it('the CLI takes a topology URL in --redis (demo reads sessions through it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authkeep-topology-cli-'));
    const out: string[] = [];
    const io = {
      out: (line: string) => out.push(line),
      err: (line: string) => out.push(line),
      isTTY: false,
      env: {},
    };
    try {
      const database = ['--database', `sqlite:${join(dir, 'cli.db')}`];
      // Only migrate creates a database the demo is pointed at.
      expect(await runCli(['migrate', ...database], io), out.join('\n')).toBe(0);
      const argv = ['demo', ...database, '--redis', sentinel!.url];
      expect(await runCli(argv, io), out.join('\n')).toBe(0);
      expect(out.join('\n')).not.toContain('MISSING');
      const keys = await sentinel!.master.cli('--scan', '--pattern', 'authkeep:*');
      expect(keys.trim().length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('follows a Sentinel failover: writes land on the promoted replica', async () => {
    const cache = new RedisCache(redisConnectionFromUrl(sentinel!.url), { namespace: uniqueNamespace('fo') });
    try {
      await cache.set('before', '1');
      const oldPort = await sentinel!.currentMasterPort();
      await sentinel!.failover();
      const newPort = await sentinel!.currentMasterPort();
      expect(newPort).not.toBe(oldPort);
      const promoted = newPort === sentinel!.master.port ? sentinel!.master : sentinel!.replica;
      expect(await promoted.cli('INFO', 'replication')).toContain('role:master');
      await eventually(async () => {
        await cache.set('after', '2');
        expect(await promoted.cli('GET', `${cache.namespace}after`)).toContain('2');
      }, 30_000);
      expect(await cache.get('after')).toBe('2');
      expect(await cache.get('before')).toBe('1');
    } finally {
      await cache.close();
    }
  }, 60_000);
});
