import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { authkeepSecondaryStorage } from '../../../src/app/better-auth/secondary-storage.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { startRedisSentinel, type RedisSentinelHandle } from '../../support/servers/redis-sentinel.js';
import { uniqueNamespace } from '../../contract/cache/cache-contract.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer) {
  const line =
    '[authkeep tests] redis-server binary not on PATH: the secondary storage Sentinel suite is SKIPPED';
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(line.replace('SKIPPED', 'required'));
  console.warn(line);
}

let sentinel: RedisSentinelHandle | undefined;

afterAll(async () => {
  await sentinel?.stop();
});

describe.skipIf(!hasRedisServer)('authkeepSecondaryStorage from a redis+sentinel:// URL', () => {
  it('finds the master through Sentinel: stores, refuses a stale set after a delete, counts', async () => {
    sentinel = await startRedisSentinel(3);
    const namespace = uniqueNamespace('sentinel');
    const [one, two] = [0, 1].map(() =>
      authkeepSecondaryStorage({ cache: sentinel!.url, secret: testCacheSecret, namespace }),
    );
    try {
      await one!.set('token', 'session', 60);
      expect(await two!.get('token')).toBe('session');
      const read = await one!.get('token');
      await two!.delete('token');
      await one!.set('token', `${read} refreshed`, 60);
      expect(await two!.get('token')).toBeNull();
      expect(await one!.increment('rate', 60)).toBe(1);
      expect(await two!.increment('rate', 60)).toBe(2);
      // It is the master Sentinel names that holds them.
      const port = await sentinel!.currentMasterPort();
      expect(port).toBe(sentinel!.master.port);
      expect(await sentinel!.master.cli('EXISTS', `${namespace}v:token`)).toContain('1');
    } finally {
      await one!.close();
      await two!.close();
    }
  });
});
