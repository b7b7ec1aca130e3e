import { PostgresStorageAdapter, replicaRoutingStats, silentLogger } from '../../src/index.js';
import { startReplicatedPostgres } from '../../test/support/servers/own-replica.js';
import { measuredResult, rounds, ratioResult, runFor, type BenchResult } from '../harness.js';
import type { BenchModule } from '../module.js';
import { seedSessions } from './sql.js';

const POOL = 10;

/**
 * getSession through a streaming replica against the same adapter reading only the primary, on a
 * primary and a pg_basebackup standby of the benchmark's own (this machine, loopback). Reports the
 * throughput ratio, at 1 and 16 callers, and how many statements the primary runs per read either way.
 */
async function replicaCases(): Promise<BenchResult[]> {
  const servers = await startReplicatedPostgres(1);
  const schema = 'bench_replica';
  const direct = new PostgresStorageAdapter(servers.primary.url, { schema, max: POOL, logger: silentLogger });
  const routed = new PostgresStorageAdapter(servers.primary.url, {
    schema,
    max: POOL,
    logger: silentLogger,
    replicas: [servers.replicas[0]!.url],
  });
  try {
    await direct.connect();
    await routed.connect();
    const ids = await seedSessions(direct, 1000);
    await servers.caughtUp();
    let i = 0;
    const nextId = () => ids[i++ % ids.length]!;
    const contenders = {
      authkeep: () => routed.getSession(nextId()),
      'primary only': () => direct.getSession(nextId()),
    };
    const results: BenchResult[] = [];
    for (const concurrency of [1, 16]) {
      const samples = await rounds(contenders, { concurrency });
      results.push(
        ratioResult(
          `getSession via a streaming replica, ${concurrency} caller${concurrency > 1 ? 's' : ''}`,
          samples,
          'authkeep',
          'primary only',
          // ~0.9 × the lowest rounds of three quiet full runs (1 caller 0.43–0.47, 16 callers 0.49–0.61).
          concurrency === 1 ? 0.35 : 0.4,
        ),
      );
    }
    // Primary load per routed read: its WAL-position statements (shared by concurrent reads) plus any
    // read that fell back to it. Reading the primary alone costs exactly one statement per read.
    const before = replicaRoutingStats(routed.sqlStore)!;
    const reads = await runFor(contenders.authkeep, 2_000, 16);
    const after = replicaRoutingStats(routed.sqlStore)!;
    const perRead = (after.positionReads - before.positionReads + after.primary - before.primary) / reads;
    results.push(
      measuredResult(
        'primary statements per routed getSession, 16 callers',
        {
          primary_statements_per_read: Number(perRead.toFixed(3)),
          replica_share: Number(((after.replica - before.replica) / reads).toFixed(3)),
        },
        '< 0.3 (reading the primary alone: 1; measured 0.18-0.19)',
        perRead < 0.3,
      ),
    );

    // The same with a write load on the primary: the position moves with every commit, so most routed
    // reads pay the replay check and wait for the standby to replay it.
    let writing = true;
    const writer = async () => {
      while (writing) {
        await direct.createSession({
          userId: 'writer',
          entitlements: [],
          expiresAt: new Date(Date.now() + 86_400_000),
        });
      }
    };
    const writers = Promise.allSettled([writer(), writer()]);
    try {
      const loaded = replicaRoutingStats(routed.sqlStore)!;
      const samples = await rounds(contenders, { concurrency: 16 });
      const done = replicaRoutingStats(routed.sqlStore)!;
      const result = ratioResult(
        'getSession via a streaming replica, 16 callers, 2 writers on the primary',
        samples,
        'authkeep',
        'primary only',
        0.22, // lowest rounds of three quiet full runs: 0.26-0.30
      );
      const routedReads = done.replica - loaded.replica + done.primary - loaded.primary;
      result.extra = {
        replica_share: Number(((done.replica - loaded.replica) / Math.max(1, routedReads)).toFixed(3)),
      };
      results.push(result);
    } finally {
      writing = false;
      await writers;
    }
    return results;
  } finally {
    await routed.disconnect();
    await direct.disconnect();
    await servers.destroy();
  }
}

export const replicaModule: BenchModule = {
  name: 'replica',
  summary:
    'getSession through a streaming replica (own primary + pg_basebackup standby) against the primary alone; primary statements per read',
  run: () => replicaCases(),
};
