import PostgresAdapter from '@auth/pg-adapter';
import { KyselyAdapter } from '@auth/kysely-adapter';
import type { Adapter } from '@auth/core/adapters';
import { Kysely, PostgresDialect } from 'kysely';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { authkeepAdapter, migrateAuthjs, type AuthjsLayoutName } from '../../src/app/authjs/index.js';
import { silentLogger } from '../../src/index.js';
import { ratioResult, rounds, type BenchResult, type Op } from '../harness.js';
import type { BenchModule } from '../module.js';

const CONCURRENCY = 16;
const POOL = 10;

/**
 * Bars (every round must clear them; see harness.ts), set below the lowest round seen on the shared 2-core
 * machine under load. Issue 24's targets are medians: ≥ 1.5× from the database, ≥ 10× with the tier.
 */
// ~0.9 × the lowest rounds of quiet full runs: 2.05-2.43 (pg adapter), 2.17-2.76 (Kysely: 2.17 on 2026-12-08,
// where the same run's lowest against the pg adapter was 2.16), 27-33 (tier).
const BAR_VS_PG_ADAPTER = 1.8;
const BAR_VS_KYSELY_ADAPTER = 1.95;
const BAR_IN_PROCESS = 25;

interface Seeded {
  schema: string;
  tokens: string[];
}

/**
 * One schema per layout, made by migrateAuthjs (the layout each upstream adapter reads), seeded in SQL with
 * the same users and sessions; authkeep and the upstream adapter then read the very same rows.
 */
async function seed(url: string, layout: AuthjsLayoutName, sessions: number): Promise<Seeded> {
  const schema = `bench_authjs_${layout.split('-')[0]}_${randomBytes(3).toString('hex')}`;
  const salt = randomBytes(8).toString('hex');
  const users = Math.ceil(sessions / 2);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema ${schema}`);
    await migrateAuthjs({ database: url, schema, tables: layout, logger: silentLogger });
    await client.query(`set search_path to ${schema}`);
    if (layout === 'pg-adapter') {
      await client.query(
        `insert into users (name, email) select 'User ' || i, 'user' || i || '@example.com' from generate_series(1, ${users}) i`,
      );
      await client.query(
        `insert into sessions ("userId", expires, "sessionToken")
         select ((j - 1) % ${users}) + 1, now() + interval '30 days', '${salt}' || lpad(j::text, 27, '0')
         from generate_series(1, ${sessions}) j`,
      );
    } else {
      await client.query(
        `insert into "User" (id, name, email) select md5('${salt}u' || i)::uuid, 'User ' || i,
         'user' || i || '@example.com' from generate_series(1, ${users}) i`,
      );
      await client.query(
        `insert into "Session" ("userId", expires, "sessionToken")
         select md5('${salt}u' || (((j - 1) % ${users}) + 1))::uuid, now() + interval '30 days',
         '${salt}' || lpad(j::text, 27, '0') from generate_series(1, ${sessions}) j`,
      );
    }
    await client.query('analyze');
  } finally {
    await client.end();
  }
  const tokens = Array.from({ length: sessions }, (_, j) => `${salt}${String(j + 1).padStart(27, '0')}`);
  return { schema, tokens };
}

/** getSessionAndUser over the seeded tokens in a scattered order every contender repeats. */
function reader(adapter: Pick<Adapter, 'getSessionAndUser'>, tokens: string[], hot = tokens.length): Op {
  let i = 0;
  return async () => {
    const token = tokens[(i++ * 7919) % hot]!;
    if (!(await adapter.getSessionAndUser!(token))) throw new Error('bench: a seeded session was not found');
  };
}

async function authjsCases(url: string): Promise<BenchResult[]> {
  const sessions = Number(process.env.BENCH_AUTHJS_SESSIONS ?? 20_000);
  const [pgLayout, kyselyLayout] = await Promise.all([
    seed(url, 'pg-adapter', sessions),
    seed(url, 'kysely-adapter', sessions),
  ]);
  const pools: pg.Pool[] = [];
  const poolIn = (schema: string) => {
    const pool = new pg.Pool({ connectionString: url, max: POOL, options: `-c search_path=${schema}` });
    pools.push(pool);
    return pool;
  };
  const open = (seeded: Seeded, tables: AuthjsLayoutName, cache?: 'memory') =>
    authkeepAdapter({ database: url, schema: seeded.schema, tables, max: POOL, logger: silentLogger, cache });
  const ours = open(pgLayout, 'pg-adapter');
  const oursKysely = open(kyselyLayout, 'kysely-adapter');
  const oursInProcess = open(pgLayout, 'pg-adapter', 'memory');
  const kysely = new Kysely<never>({ dialect: new PostgresDialect({ pool: poolIn(kyselyLayout.schema) }) });
  try {
    // The in-process tier holds a working set: a quarter of the sessions, as a busy app's active users.
    const hot = Math.floor(sessions / 4);
    // Steady state: the working set is in the tier (each session read once), as after a minute of traffic.
    const fill = reader(oursInProcess, pgLayout.tokens, hot);
    for (let i = 0; i < hot; i += CONCURRENCY) await Promise.all(Array.from({ length: CONCURRENCY }, fill));
    const samples = await rounds(
      {
        authkeep: reader(ours, pgLayout.tokens, hot),
        'authkeep (Kysely layout)': reader(oursKysely, kyselyLayout.tokens, hot),
        'authkeep + in-process tier': reader(oursInProcess, pgLayout.tokens, hot),
        '@auth/pg-adapter': reader(PostgresAdapter(poolIn(pgLayout.schema)), pgLayout.tokens, hot),
        '@auth/kysely-adapter': reader(KyselyAdapter(kysely as never), kyselyLayout.tokens, hot),
      },
      { concurrency: CONCURRENCY },
    );
    const label = 'Auth.js getSessionAndUser, PostgreSQL';
    return [
      ratioResult(label, samples, 'authkeep', '@auth/pg-adapter', BAR_VS_PG_ADAPTER),
      ratioResult(label, samples, 'authkeep (Kysely layout)', '@auth/kysely-adapter', BAR_VS_KYSELY_ADAPTER),
      ratioResult(
        `${label}, in-process tier`,
        samples,
        'authkeep + in-process tier',
        '@auth/pg-adapter',
        BAR_IN_PROCESS,
      ),
      ratioResult(
        `${label}, in-process tier`,
        samples,
        'authkeep + in-process tier',
        '@auth/kysely-adapter',
        BAR_IN_PROCESS,
      ),
    ];
  } finally {
    await Promise.allSettled([ours.close(), oursKysely.close(), oursInProcess.close(), kysely.destroy()]);
    await Promise.allSettled(pools.map((pool) => pool.end()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const { schema } of [pgLayout, kyselyLayout])
      await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
}

export const authjsModule: BenchModule = {
  name: 'authjs',
  summary:
    'authkeep/authjs getSessionAndUser against @auth/pg-adapter and @auth/kysely-adapter on their own ' +
    'layouts (same rows, one PostgreSQL), from the database and with the in-process tier',
  run: (context) => authjsCases(context.databaseUrl),
};
