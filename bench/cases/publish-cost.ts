import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { compare, type BenchResult } from '../harness.js';

const SECRET = 'bench-cache-secret-0123456789';
const hour = 3_600_000;

/**
 * What publishing a revocation with the write costs (issue 21): a revoking call now returns only once its
 * invalidation is confirmed (NOTIFY through the pool, or PUBLISH awaited). Measured against the same
 * adapter with `bus: 'off'`, which publishes nothing — the floor the old unconfirmed publish approached.
 */
export async function publishCost(
  databaseUrl: string,
  redisUrl: string,
  mode: 'memory' | 'redis',
  op: 'update' | 'delete',
): Promise<BenchResult> {
  const schema = `bench_publish_${randomBytes(4).toString('hex')}`;
  const namespace = `bench:${randomBytes(4).toString('hex')}:`;
  const cache = (mode === 'memory' ? 'memory' : redisUrl) as 'memory';
  const base = mode === 'memory' ? {} : { namespace, secret: SECRET, local: true };
  const open = (bus: 'auto' | 'off') =>
    new PostgresStorageAdapter(databaseUrl, {
      schema,
      logger: silentLogger,
      cache,
      cacheOptions: { ...base, bus },
    });
  const published = open('auto');
  await published.connect();
  const silent = open('off');
  await silent.connect();
  try {
    const session = (adapter: PostgresStorageAdapter) =>
      adapter.createSession({ userId: 'bench', entitlements: [], expiresAt: new Date(Date.now() + hour) });
    const pools = await Promise.all(
      [published, silent].map(async (adapter) => {
        const ids: string[] = [];
        for (let i = 0; i < 200; i += 1) ids.push((await session(adapter)).id);
        return ids;
      }),
    );
    let n = 0;
    const run = (adapter: PostgresStorageAdapter, ids: string[]) =>
      op === 'update'
        ? () => adapter.updateSession(ids[n++ % ids.length]!, { metadata: { n: String(n) } })
        : async () => adapter.deleteSession((await session(adapter)).id);
    const bus = mode === 'memory' ? 'PostgreSQL NOTIFY' : 'Redis PUBLISH';
    const what = op === 'update' ? 'updateSession' : 'createSession + deleteSession';
    return await compare(
      `${what}, in-process tier, revocation confirmed over ${bus}`,
      run(published, pools[0]!),
      "the same with bus: 'off' (nothing published)",
      run(silent, pools[1]!),
      // ~0.9 × the lowest rounds of three quiet full runs (NOTIFY 0.50 / 0.66, PUBLISH 0.86 / 0.90).
      mode === 'memory' ? (op === 'update' ? 0.45 : 0.55) : op === 'update' ? 0.75 : 0.8,
      { concurrency: 4 },
    );
  } finally {
    await published.disconnect();
    await silent.disconnect();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}
