import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasskeyStores, type PasskeyStores } from '../../../src/app/passkey/create-stores.js';
import type { Logger } from '../../../src/ports/system.js';
import { redisUrl } from '../../support/postgres.js';
import { RedisServerProcess } from '../../support/servers/redis-server.js';

/**
 * A Redis of this test's own, shaped like the ones a Rust oauth2-passkey app may be given: reachable on a
 * unix socket (GENERIC_CACHE_STORE_URL=unix:///…, which redis-rs opens: redis-rs connection.rs
 * `url_to_unix_connection_info`) and without GETDEL, which arrived in Redis 6.2 (the command is renamed away,
 * so the server answers "unknown command" as a 6.0 server does). Entries written here by hand are what the
 * crate writes (`cache:{prefix}:{key}` = `{"value": …}`; docs.rs oauth2-passkey 0.6.0
 * src/storage/cache_store/redis.rs).
 */
describe.skipIf(redisUrl() === null)(
  'oauth2-passkey cache on a unix socket, on a Redis without GETDEL',
  () => {
    let server: RedisServerProcess;
    let socket: string;
    let raw: Redis;
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (_details, message) => warnings.push(message),
      error: () => undefined,
    };
    const opened: PasskeyStores[] = [];

    function stores(url: string): PasskeyStores {
      const made = createPasskeyStores({
        env: {
          GENERIC_DATA_STORE_TYPE: 'sqlite',
          GENERIC_DATA_STORE_URL: 'sqlite::memory:',
          GENERIC_CACHE_STORE_TYPE: 'redis',
          GENERIC_CACHE_STORE_URL: url,
        },
        logger,
      });
      opened.push(made);
      return made;
    }

    beforeAll(async () => {
      server = await RedisServerProcess.start({
        args: () => [
          '--unixsocket',
          'redis.sock',
          '--unixsocketperm',
          '700',
          '--rename-command',
          'GETDEL',
          '',
        ],
      });
      socket = join(server.dir, 'redis.sock');
      raw = new Redis({ path: socket, db: 3 });
    });

    afterAll(async () => {
      await Promise.all(opened.map((made) => made.close()));
      raw?.disconnect();
      await server?.destroy();
    });

    it('unix:// and redis+unix:// with ?db= reach the database the crate would use', async () => {
      for (const scheme of ['unix', 'redis+unix']) {
        const { cache } = stores(`${scheme}://${socket}?db=3`);
        const key = randomBytes(8).toString('hex');
        await cache.putWithTtl('csrf', key, `from ${scheme}`, 60);
        expect(await raw.get(`cache:csrf:${key}`)).toBe(JSON.stringify({ value: `from ${scheme}` }));
        // …and what the crate writes there is read back.
        await raw.set(`cache:nonce:${key}`, JSON.stringify({ value: 'crate' }));
        expect(await cache.get('nonce', key)).toBe('crate');
      }
    });

    it('take() without GETDEL: one warning naming the minimum version, then still exactly one taker of N', async () => {
      const { cache } = stores(`unix://${socket}?db=3`);
      await expect(raw.call('GETDEL', 'x')).rejects.toThrow(/unknown command/i);
      const key = randomBytes(8).toString('hex');
      // A challenge as the crate stores it (SET, then EXPIRE).
      await raw.set(`cache:registration:${key}`, JSON.stringify({ value: 'challenge' }), 'EX', 60);
      const results = await Promise.all(Array.from({ length: 30 }, () => cache.take('registration', key)));
      expect(results.filter((value) => value === 'challenge')).toHaveLength(1);
      expect(await raw.exists(`cache:registration:${key}`)).toBe(0);
      expect(warnings.filter((message) => message.includes('GETDEL'))).toHaveLength(1);
      expect(await cache.take('registration', key)).toBeNull();
    });

    it('TTL 0 as the crate on Redis: putWithTtl leaves no key (SET + EXPIRE 0); a SETNX session keeps none', async () => {
      const { cache, sessions } = stores(`unix://${socket}?db=3`);
      const key = randomBytes(8).toString('hex');
      await raw.set(`cache:jwks:${key}`, JSON.stringify({ value: 'old' }));
      await cache.putWithTtl('jwks', key, 'new', 0);
      expect(await raw.exists(`cache:jwks:${key}`)).toBe(0);
      const { sessionId } = await sessions.createSession('0b6e9d4a-3c1f-4a8e-9f2b-7d5c1e3a9b80', {
        ttlSeconds: 0,
      });
      expect(await raw.ttl(`cache:session:${sessionId}`)).toBe(-1);
    });
  },
);
