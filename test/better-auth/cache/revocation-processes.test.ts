import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateBetterAuth } from '../../../src/app/better-auth/index.js';
import { silentLogger } from '../../../src/index.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { databaseUrl, dropSchema, freshSchemaName, redisUrl, withClient } from '../../support/postgres.js';
import { AuthWorker } from '../support/auth-workers.js';
import { flowOptions } from '../support/auth-flows.js';

/** Clock slack between processes reading the same wall clock (sub-millisecond in practice). */
const CLOCK_SLACK_MS = 2;
/** The in-process tier's lease (LocalTierSettings.leaseMs default): its hard bound on serving a revoked entry. */
const LEASE_MS = 1_000;
const USERS = 20;

const url = databaseUrl();
const redis = redisUrl();
const schemas: string[] = [];
afterAll(async () => {
  if (url) for (const schema of schemas) await dropSchema(url, schema);
});

/**
 * Four processes run betterAuth() on authkeepAdapter against one PostgreSQL schema: one revokes sessions
 * through auth.api.revokeSession while three read every session through auth.api.getSession. A read that
 * began more than `boundMs` after the revoking call returned must not find the session.
 */
async function storm(cache: string, cacheOptions: Record<string, unknown>, boundMs: number) {
  const schema = freshSchemaName('ba_procs');
  schemas.push(schema);
  await withClient(url!, undefined, (client) => client.query(`create schema "${schema}"`));
  await migrateBetterAuth({
    database: url!,
    schema,
    logger: silentLogger,
    options: flowOptions(() => undefined as never),
  });
  const config = { database: url!, schema, cache, cacheOptions };
  const workers = await Promise.all([0, 1, 2, 3].map(() => AuthWorker.start(config)));
  try {
    const [revoker, ...readers] = workers as [AuthWorker, ...AuthWorker[]];
    const sessions = await revoker.run<{ cookie: string; token: string }[]>({
      op: 'signUp',
      count: USERS,
      prefix: `storm-${randomBytes(4).toString('hex')}`,
    });
    const cookies = sessions.map((s) => s.cookie);
    // Warm every reader's cache with every session.
    for (const reader of readers)
      expect((await reader.run<boolean[]>({ op: 'read', cookies })).every(Boolean)).toBe(true);
    const loads = readers.map((w) =>
      w.run<{ reads: number; found: [number, number][] }>({ op: 'load', cookies, durationMs: 5_000 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 800));
    const revoked = USERS / 2;
    const returnedAt = await revoker.run<number[]>({
      op: 'revoke',
      cookies: cookies.slice(0, revoked),
      tokens: sessions.slice(0, revoked).map((s) => s.token),
    });
    const results = await Promise.all(loads);
    let served = 0;
    let reads = 0;
    let acceptedBefore = 0;
    for (const { reads: count, found } of results) {
      reads += count;
      served += found.filter(
        ([index, at]) => index < revoked && at > returnedAt[index]! + boundMs + CLOCK_SLACK_MS,
      ).length;
      acceptedBefore += found.filter(([index, at]) => index < revoked && at < returnedAt[index]!).length;
    }
    // Afterwards every process agrees: the revoked sessions are gone, the others stay.
    for (const worker of workers) {
      const present = await worker.run<boolean[]>({ op: 'read', cookies });
      expect(present.slice(0, revoked).filter(Boolean)).toHaveLength(0);
      expect(present.slice(revoked).every(Boolean)).toBe(true);
    }
    return { served, reads, acceptedBefore };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

describe.skipIf(!url)('better-auth session revocation across processes (authkeepAdapter cache)', () => {
  it("cache: 'memory' (in-process tier, LISTEN/NOTIFY bus): none accepted later than the lease", async () => {
    const result = await storm('memory', {}, LEASE_MS);
    expect(result.reads).toBeGreaterThan(100);
    expect(result.acceptedBefore).toBeGreaterThan(0);
    expect(result.served).toBe(0);
  }, 120_000);

  it.skipIf(!redis)(
    'Redis cache: none accepted once the revoking call returned',
    async () => {
      const options = {
        secret: testCacheSecret,
        namespace: `test:ba-procs:${randomBytes(6).toString('hex')}:`,
      };
      const result = await storm(redis!, options, 0);
      expect(result.reads).toBeGreaterThan(100);
      expect(result.served).toBe(0);
    },
    120_000,
  );

  it.skipIf(!redis)(
    'Redis + in-process tier (pub/sub bus): none accepted later than the lease',
    async () => {
      const options = {
        secret: testCacheSecret,
        namespace: `test:ba-procs:${randomBytes(6).toString('hex')}:`,
        local: true,
      };
      const result = await storm(redis!, options, LEASE_MS);
      expect(result.reads).toBeGreaterThan(100);
      expect(result.served).toBe(0);
    },
    120_000,
  );
});
