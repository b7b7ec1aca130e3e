import { createHash } from 'node:crypto';
import pg from 'pg';
import { bucketOfToken } from '../../src/domain/records/session-bucket.js';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { OwnPgBouncer } from '../../test/support/servers/pgbouncer.js';
import { rounds, ratioResult, type BenchResult } from '../harness.js';
import type { BenchModule, BenchContext } from '../module.js';
import { seedSessions } from './sql.js';

const POOL = 10;
const SCHEMA = 'bench_pooler';

/**
 * getSession through a PgBouncer 1.x of the benchmark's own in transaction mode: authkeep's pooler mode
 * (the statement and its `select set_config(…, true)` settings in one exchange, one Sync: one implicit
 * transaction) against raw pg running a select of the same row, unnamed, through the same PgBouncer, from the
 * same table authkeep reads (the row's bucket partition: the partitioned parent would cost raw pg its
 * partition planning, which authkeep does not pay), by the SHA-256 digest of the token, computed per read as
 * authkeep and the direct-connection raw contender compute it. A direct connection keeps the named fast path.
 */
const BARS: Record<number, number> = {
  // About 0.9 × the lowest round with the baseline hashing its tokens (2026-12-08, two module runs and three
  // full runs: 1 caller 0.82–0.88, 16 callers 0.63–0.76; the 16-caller rounds spread wide, up to 1.1).
  1: 0.7,
  16: 0.55,
};

async function poolerCases(context: BenchContext): Promise<BenchResult[]> {
  const bouncer = await OwnPgBouncer.start(context.databaseUrl);
  const adapter = new PostgresStorageAdapter(`${bouncer.url}?pgbouncer=true`, {
    schema: SCHEMA,
    max: POOL,
    logger: silentLogger,
  });
  const raw = new pg.Pool({ connectionString: bouncer.url, max: POOL });
  try {
    await adapter.connect();
    const ids = await seedSessions(adapter, 1000);
    let i = 0;
    const nextId = () => ids[i++ % ids.length]!;
    // The adapter stores the digest of the session id: raw pg hashes each token and reads its row from the
    // token's bucket partition (the table authkeep's statement names).
    let k = 0;
    const nextToken = () => ids[k++ % ids.length]!;
    const contenders = {
      authkeep: () => adapter.getSession(nextId()),
      'raw pg via the same PgBouncer': () => {
        const token = nextToken();
        return raw.query(`select * from ${SCHEMA}.sessions_b${bucketOfToken(token)} where id = $1`, [
          createHash('sha256').update(token).digest(),
        ]);
      },
    };
    const results: BenchResult[] = [];
    for (const concurrency of [1, 16]) {
      const samples = await rounds(contenders, { concurrency });
      results.push(
        ratioResult(
          `getSession through PgBouncer (transaction mode), ${concurrency} caller${concurrency > 1 ? 's' : ''}`,
          samples,
          'authkeep',
          'raw pg via the same PgBouncer',
          BARS[concurrency]!,
        ),
      );
    }
    return results;
  } finally {
    await adapter.disconnect();
    await raw.end();
    await bouncer.stop();
    const cleanup = new pg.Client({ connectionString: context.databaseUrl });
    await cleanup.connect();
    await cleanup.query(`drop schema if exists ${SCHEMA} cascade`);
    await cleanup.end();
  }
}

export const poolerModule: BenchModule = {
  name: 'pooler',
  summary:
    "getSession through PgBouncer in transaction mode (pooler: 'transaction') against raw pg through the same PgBouncer",
  run: (context) => poolerCases(context),
};
