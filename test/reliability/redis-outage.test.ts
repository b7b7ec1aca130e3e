import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorageAdapter, type Logger, type SessionRecord } from '../../src/index.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';
import { awaitLater } from '../support/await-later.js';
import { RedisServerProcess } from '../support/servers/redis-server.js';
import { testCacheSecret } from '../support/cache-secret.js';
import { recordTally } from './tally.js';

const url = databaseUrl();
const hour = 3_600_000;

describe.skipIf(!url)(
  'Redis stopped mid-load (a redis-server of the suite’s own, PostgreSQL behind it)',
  () => {
    const schema = freshSchemaName('redisload');
    let server: RedisServerProcess;
    beforeAll(async () => {
      server = await RedisServerProcess.start();
    });
    afterAll(async () => {
      await server?.destroy();
      await dropSchema(url!, schema);
    });

    it('reads fall back to the database, and no revoked session is served after Redis returns with its old data', async () => {
      const warnings: string[] = [];
      const logger: Logger = {
        debug: () => {},
        info: () => {},
        error: () => {},
        warn: (_o, m) => void warnings.push(m),
      };
      const adapter = new PostgresStorageAdapter(url!, {
        schema,
        logger,
        cache: server.url as `redis://${string}`,
        cacheOptions: { timeoutMs: 500, probeIntervalMs: 100, secret: testCacheSecret },
      });
      await adapter.connect();
      const sessions: SessionRecord[] = [];
      for (let i = 0; i < 200; i++) {
        sessions.push(
          await adapter.createSession({
            userId: `load-${i}`,
            entitlements: [],
            expiresAt: new Date(Date.now() + hour),
          }),
        );
      }
      for (const s of sessions) await adapter.getSession(s.id); // every session is now cached in Redis
      const revoking = new Set<string>(); // ids whose deleteSession has started (reads may go either way)
      const revoked = new Set<string>(); // ids whose deleteSession has completed
      let phase = 'before';
      const violations: string[] = [];
      let reads = 0;
      let running = true;
      const reader = async (offset: number) => {
        for (let i = offset; running; i += 7) {
          const s = sessions[i % sessions.length]!;
          const revokedBefore = revoked.has(s.id);
          const read = await adapter.getSession(s.id);
          reads++;
          if (revokedBefore && read !== null) violations.push(`revoked session served: ${s.userId}`);
          if (!revoking.has(s.id) && read?.userId !== s.userId)
            violations.push(`live session missing: ${s.userId} (${phase})`);
        }
      };
      const load = awaitLater(Promise.all(Array.from({ length: 8 }, (_, i) => reader(i))));
      const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

      await pause(300);
      await server.stop({ keepData: true }); // the dump keeps every cached session for the restart
      phase = 'outage';
      await pause(300);
      for (const s of sessions.slice(0, 60)) {
        revoking.add(s.id);
        await adapter.deleteSession(s.id);
        revoked.add(s.id);
      }
      await pause(300);
      await server.startAgain();
      phase = 'back';
      await pause(1500); // recovery: pending invalidations replayed before the cache serves again
      for (const s of sessions.slice(60, 80)) {
        revoking.add(s.id);
        await adapter.deleteSession(s.id);
        revoked.add(s.id);
      }
      await pause(500);
      running = false;
      await load;

      expect(violations).toEqual([]);
      for (const s of sessions) {
        const read = await adapter.getSession(s.id);
        if (revoked.has(s.id)) expect(read).toBeNull();
        else expect(read?.userId).toBe(s.userId);
      }
      expect(
        warnings.filter((w) => /down|outage|unavailable|timed out|degraded/i.test(w)).length,
      ).toBeLessThanOrEqual(1);
      expect(reads).toBeGreaterThan(500);
      await adapter.disconnect();
      recordTally({
        suite: 'redis-outage-load',
        operations: reads + 80,
        faults: 1,
        rowsVerified: sessions.length,
        rowsLost: 0,
      });
    });
  },
);
