// Rotation throughput on PostgreSQL and SQLite: rows re-encrypted per second, and the dry-run scan rate.
// Usage: npx tsx bench/key-rotation.ts [rows=20000] [batch=500]
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres, openSqlite, type SqlStore } from '../src/adapters/kysely/index.js';
import { rotateEncryptedColumns } from '../src/adapters/kysely/sealing/key-rotation.js';
import { silentLogger } from '../src/adapters/log/pino-logger.js';
import {
  checkAllReadable,
  migrateKitium,
  seedEncryptedRows,
  storedValues,
  testKeys,
} from '../test/support/encrypted-rows.js';

const rows = Number(process.argv[2] ?? 20_000);
const batchSize = Number(process.argv[3] ?? 500);
const databaseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

async function measure(name: string, store: SqlStore): Promise<void> {
  const keys = testKeys();
  await migrateKitium(store, silentLogger);
  await seedEncryptedRows(store, keys.old, { devices: rows, ssoSessions: 0 });
  let started = performance.now();
  await rotateEncryptedColumns(store, { cipher: keys.rotated, batchSize, dryRun: true });
  const dry = performance.now() - started;
  started = performance.now();
  const report = await rotateEncryptedColumns(store, { cipher: keys.rotated, batchSize });
  const real = performance.now() - started;
  started = performance.now();
  await rotateEncryptedColumns(store, { cipher: keys.rotated, batchSize });
  const noop = performance.now() - started;
  checkAllReadable(await storedValues(store), keys.newOnly);
  const rate = (ms: number) => Math.round((rows / ms) * 1000);
  console.log(
    `${name}: ${report.columns[0]?.rotated} rows, batch ${batchSize}: rotate ${rate(real)} rows/s (${real.toFixed(0)} ms), ` +
      `dry run ${rate(dry)} rows/s, re-run over rotated rows ${rate(noop)} rows/s`,
  );
}

const schema = `bench_rotation_${randomBytes(4).toString('hex')}`;
const postgres = openPostgres(databaseUrl, { schema }, silentLogger);
try {
  await measure('postgres', postgres);
} finally {
  await postgres.close();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
}
const sqlite = openSqlite(':memory:', {}, silentLogger);
try {
  await measure('sqlite :memory:', sqlite);
} finally {
  await sqlite.close();
}
