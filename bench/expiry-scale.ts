// Expiry at scale on PostgreSQL: N sessions over 30 daily buckets (10% in buckets that have ended),
// built with generate_series in a scratch schema; sweepExpired() timed while readers run getSession,
// their p50/p99 compared with a quiet run, and the table's size before and after. With `legacy`, the
// same rows in one unpartitioned table at migration 0007 instead: migration 0008 timed (in place), then
// the sweep of the expired 10% row by row (keyset batches), as a database upgraded today would see it.
// Usage: npx tsx bench/expiry-scale.ts [sessions=1000000] [readers=8] [layout=partitioned|legacy]
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureSessionPartition } from '../src/adapters/kysely/expiry/session-partitions.js';
import { runMigrations } from '../src/adapters/kysely/schema/migrator.js';
import { bucketedToken, SESSION_BUCKET_MS } from '../src/domain/records/session-bucket.js';
import { PostgresStorageAdapter, silentLogger } from '../src/index.js';
import { kitiumMigrations } from '../migrations/index.js';

const sessions = Number(process.argv[2] ?? 1_000_000);
const readers = Number(process.argv[3] ?? 8);
const layout = process.argv[4] === 'legacy' ? 'legacy' : 'partitioned';
const url =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const BUCKETS = 30;
const ENDED = 3; // buckets 0..2 of 30: 10% of the rows
const CHUNK = 500_000;

const schema = `bench_expiry_${randomBytes(4).toString('hex')}`;
const salt = randomBytes(8).toString('hex');
const first = Math.floor(Date.now() / SESSION_BUCKET_MS) - ENDED;
const bucketOf = (j: number) => first + (j % BUCKETS);
// 43 characters like a minted token; the partitioned layout adds the bucket suffix authkeep mints.
const plainToken = (j: number) => `${salt}${String(j).padStart(27, '0')}`;
const tokenOf = (j: number) =>
  layout === 'legacy' ? plainToken(j) : bucketedToken(plainToken(j), bucketOf(j));
const suffixes = Array.from({ length: BUCKETS }, (_, i) => `'.${(first + i).toString(36)}'`).join(',');

const ms = (from: number) => performance.now() - from;
const fmt = (n: number) => n.toFixed(n < 10 ? 2 : 0);

async function build(client: pg.Client): Promise<void> {
  const token =
    layout === 'legacy'
      ? `'${salt}' || lpad(j::text, 27, '0')`
      : `'${salt}' || lpad(j::text, 27, '0') || (array[${suffixes}])[1 + j % ${BUCKETS}]`;
  const bucket = layout === 'legacy' ? '' : `${first} + j % ${BUCKETS}, `;
  for (let from = 1; from <= sessions; from += CHUNK) {
    const to = Math.min(sessions, from + CHUNK - 1);
    // Expiry: noon of the row's bucket day, spread over 40 s so that no two thousand rows share one.
    await client.query(`
      insert into sessions (id, ${layout === 'legacy' ? '' : 'bucket, '}user_id, entitlements, expires_at,
        metadata, created_at, updated_at)
      select ${layout === 'legacy' ? `encode(sha256(convert_to(${token}, 'UTF8')), 'hex')` : `sha256(convert_to(${token}, 'UTF8'))`}, ${bucket}
        md5('u' || (j % 500000))::uuid::text, '{a,b}',
        to_timestamp((${first} + j % ${BUCKETS}) * 86400.0 + 43200 + (j % 40000) / 1000.0),
        '{"ip": "10.0.0.1"}', now(), now()
      from generate_series(${from}, ${to}) as j`);
  }
  await client.query('vacuum analyze sessions');
}

/** Partitions of `sessions` and, after migration 0009 on an upgraded database, of `sessions_hex`. */
const PARTITIONS = `select inhrelid as oid from pg_inherits
  where inhparent in (select oid from pg_class where relname in ('sessions', 'sessions_hex')
    and relnamespace = current_schema()::regnamespace and relkind = 'p')`;

async function tableBytes(client: pg.Client): Promise<number> {
  const { rows } = await client.query(`
    select coalesce(sum(pg_total_relation_size(oid)), 0) as bytes from (${PARTITIONS}) p`);
  return Number(rows[0].bytes);
}

/** Bytes per session of the heap (with TOAST, FSM, VM) and of each index, over every partition. */
async function breakdown(client: pg.Client): Promise<string> {
  const { rows } = await client.query(`
    select 'heap' as part, sum(pg_table_size(p.oid)) as bytes from (${PARTITIONS}) p
    union all
    select case when x.indisprimary then 'primary key' else pg_get_indexdef(x.indexrelid) end, pg_relation_size(x.indexrelid)
    from (${PARTITIONS}) p join pg_index x on x.indrelid = p.oid`);
  const parts = new Map<string, number>();
  for (const row of rows) {
    const part = String(row.part).replace(/^.* USING (\w+) /, '$1 ');
    parts.set(part, (parts.get(part) ?? 0) + Number(row.bytes));
  }
  return [...parts].map(([part, bytes]) => `${part} ${fmt(bytes / sessions)}`).join(', ');
}

/** Readers calling getSession on live sessions until `stop()`; latencies kept with their start time. */
function startReaders(adapter: PostgresStorageAdapter) {
  const samples: { at: number; ms: number }[] = [];
  let running = true;
  const live = () => {
    for (;;) {
      const j = 1 + Math.floor(Math.random() * sessions);
      if (j % BUCKETS >= ENDED) return j;
    }
  };
  const loops = Array.from({ length: readers }, async () => {
    while (running) {
      const at = performance.now();
      const found = await adapter.getSession(tokenOf(live()));
      if (!found) throw new Error('a live session was not found');
      samples.push({ at, ms: performance.now() - at });
    }
  });
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`create schema ${schema}`);
const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
await client.connect();
const open = () => new PostgresStorageAdapter(url, { schema, logger: silentLogger, max: readers + 2 });
let adapter = open();
try {
  let started = performance.now();
  if (layout === 'legacy') {
    const at0007 = open();
    await runMigrations(at0007.sqlStore, kitiumMigrations.slice(0, 8), at0007.migrationContext());
    await at0007.disconnect();
  } else {
    await adapter.connect();
    for (let b = first; b < first + BUCKETS; b++) await ensureSessionPartition(adapter.sqlStore, b);
  }
  await build(client);
  console.log(`${layout}: ${sessions} sessions built in ${fmt(ms(started) / 1000)} s (${readers} readers)`);
  if (layout === 'legacy') {
    started = performance.now();
    await adapter.connect(); // migrations 0008 and 0009, in place
    console.log(`migrations 0008 and 0009 in place: ${fmt(ms(started) / 1000)} s`);
    await client.query('analyze sessions');
  }
  const sizeBefore = await tableBytes(client);
  console.log(`bytes/session by part: ${await breakdown(client)}`);

  // Quiet: readers alone for 10 s (after 2 s of warm-up).
  let load = startReaders(adapter);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const quietFrom = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  await load.stop();
  const quiet = percentiles(load.samples.filter((s) => s.at >= quietFrom).map((s) => s.ms));

  // The sweep, with the same readers running through it.
  load = startReaders(adapter);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const lsn = async () => (await client.query('select pg_current_wal_lsn() as at')).rows[0].at as string;
  const walFrom = await lsn();
  const sweepFrom = performance.now();
  const counts = await adapter.sweepExpired();
  const sweepMs = ms(sweepFrom);
  const sweepTo = performance.now();
  await load.stop();
  const during = percentiles(
    load.samples.filter((s) => s.at >= sweepFrom && s.at <= sweepTo).map((s) => s.ms),
  );
  const sizeAfter = await tableBytes(client);
  // Server-wide: other sessions' writes in the same seconds are included (an upper bound).
  const wal = Number(
    (await client.query('select pg_wal_lsn_diff(pg_current_wal_lsn(), $1) as b', [walFrom])).rows[0].b,
  );

  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
  console.log(
    `sweepExpired(): ${counts.sessions} sessions removed in ${fmt(sweepMs / 1000)} s; ` +
      `WAL written meanwhile (whole server): ${mb(wal)}`,
  );
  console.log(
    `table: ${mb(sizeBefore)} -> ${mb(sizeAfter)} (${fmt(sizeBefore / sessions)} bytes/session before)`,
  );
  console.log(
    `getSession quiet: p50 ${fmt(quiet.p50)} ms, p99 ${fmt(quiet.p99)} ms (${quiet.n} reads); ` +
      `during the sweep: p50 ${fmt(during.p50)} ms, p99 ${fmt(during.p99)} ms, max ${fmt(during.max)} ms ` +
      `(${during.n} reads): p99 ${fmt(during.p99 / quiet.p99)}x`,
  );
} finally {
  await adapter.disconnect();
  adapter = undefined as never;
  await client.end();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
}
