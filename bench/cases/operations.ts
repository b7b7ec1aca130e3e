import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { openPostgres } from '../../src/adapters/kysely/index.js';
import { rotateEncryptedColumns } from '../../src/adapters/kysely/sealing/key-rotation.js';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { migrateKitium, seedEncryptedRows, testKeys } from '../../test/support/encrypted-rows.js';
import { measuredResult, runFor, type BenchResult } from '../harness.js';
import type { BenchModule } from '../module.js';

async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
}

/** verifyApiKeySecret from 8 concurrent callers: the event loop must stay responsive (p99 delay). */
async function verifyCase(url: string): Promise<BenchResult> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const adapter = new PostgresStorageAdapter(url, { schema, logger: silentLogger });
  await adapter.connect();
  try {
    const keys = await Promise.all(
      Array.from({ length: 100 }, (_, i) => adapter.createApiKeyWithSecret(`svc-${i}`, ['read'])),
    );
    let i = 0;
    const verify = async () => {
      const record = await adapter.verifyApiKeySecret(keys[i++ % keys.length]!.key);
      if (!record) throw new Error('a valid key failed to verify');
    };
    await runFor(verify, 500, 8);
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const ops = await runFor(verify, 4000, 8);
    histogram.disable();
    const p99 = histogram.percentile(99) / 1e6;
    return measuredResult(
      'verifyApiKeySecret, 8 concurrent, event-loop delay p99',
      { p99_ms: Number(p99.toFixed(2)), max_ms: Number((histogram.max / 1e6).toFixed(2)), ops },
      // Absolute on purpose: a stall is felt in milliseconds; one blocking call per request would exceed it.
      'p99 < 50 ms',
      p99 < 50,
    );
  } finally {
    await adapter.disconnect();
    await dropSchema(url, schema);
  }
}

/** Re-encrypting 100,000 secrets to a new key on PostgreSQL: rows per second and heap growth. */
async function rotationCase(url: string, rows = 100_000): Promise<BenchResult> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const store = openPostgres(url, { schema }, silentLogger);
  const keys = testKeys();
  try {
    await migrateKitium(store, silentLogger);
    await seedEncryptedRows(store, keys.old, { devices: rows, ssoSessions: 0 });
    // Heap growth is what stays live while rotating (after a full GC at sampled batches), not garbage
    // that a collection would free anyway; the time spent in those GCs is left out of the rate.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    let gcMs = 0;
    let batches = 0;
    const started = performance.now();
    const report = await rotateEncryptedColumns(store, {
      cipher: keys.rotated,
      batchSize: Number(process.env.BENCH_ROTATION_BATCH ?? 2000),
      onProgress: () => {
        if (gc && ++batches % 5 !== 0) return;
        const before = performance.now();
        gc?.();
        gcMs += performance.now() - before;
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      },
    });
    const seconds = (performance.now() - started - gcMs) / 1000;
    const rotated = report.columns.reduce((sum, c) => sum + c.rotated, 0);
    const rowsPerSecond = rotated / seconds;
    const growthMb = (heapPeak - heapBefore) / 2 ** 20;
    // Throughput is shown, not barred: an absolute rows/s figure is the machine's, not ours.
    return measuredResult(
      `key rotation, ${rows} rows, PostgreSQL`,
      {
        rows_per_s: Math.round(rowsPerSecond),
        heap_growth_mb: Number(growthMb.toFixed(1)),
        seconds: Number(seconds.toFixed(1)),
      },
      'every row rotated, heap growth < 50 MB',
      rotated === rows && growthMb < 50,
    );
  } finally {
    await store.close();
    await dropSchema(url, schema);
  }
}

export const verifyModule: BenchModule = {
  name: 'verify',
  summary: 'verifyApiKeySecret (argon2) from 8 callers: event-loop delay p99',
  run: async (context) => [await verifyCase(context.databaseUrl)],
};

export const rotationModule: BenchModule = {
  name: 'rotation',
  summary: 're-encrypting 100,000 secrets on PostgreSQL: rows/s and live heap growth',
  run: async (context) => [await rotationCase(context.databaseUrl)],
};
