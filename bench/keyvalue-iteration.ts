// Iterates a 1,000,000-row key-value table with `for await` and prints the JS heap growth, which must
// stay under 100 MB (issue 8): iteration pages by key, so memory is constant in the table size.
// Run: npm run bench:kv [-- --rows=N] [-- --database=postgres://…] (default: a temporary SQLite file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AesGcmKeyring } from '../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { silentLogger } from '../src/adapters/log/pino-logger.js';
import { createKeyValueStore } from '../src/app/keyvalue/index.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const rows = Number(arg('rows') ?? 1_000_000);
const encrypted = process.argv.includes('--encrypted');
const LIMIT_MB = 100;
const WRITE_CHUNK = 10_000;

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const dir = mkdtempSync(join(tmpdir(), 'authkeep-kv-bench-'));
const schema = `bench_kv_${randomBytes(4).toString('hex')}`;
const database = arg('database') ?? `sqlite:${join(dir, 'kv.db')}`;
const postgres = database.startsWith('postgres');
const store = createKeyValueStore({
  database,
  table: 'bench_keyvalue',
  logger: silentLogger,
  ...(postgres ? { connection: { schema, statementTimeoutMs: 0 } } : {}),
  ...(encrypted ? { keyring: new AesGcmKeyring({ keys: [{ id: 'bench', key: randomBytes(32) }] }) } : {}),
});

try {
  console.log(
    `filling ${rows.toLocaleString()} rows on ${postgres ? 'PostgreSQL' : 'SQLite'}${encrypted ? ' (encrypted)' : ''}…`,
  );
  const fillStart = performance.now();
  for (let start = 0; start < rows; start += WRITE_CHUNK) {
    const pairs: [string, unknown][] = [];
    for (let i = start; i < Math.min(rows, start + WRITE_CHUNK); i++) {
      pairs.push([`key-${String(i).padStart(8, '0')}`, { i, name: `value number ${i}`, tags: ['a', 'b'] }]);
    }
    await store.bulkPut(pairs);
  }
  console.log(`filled in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

  const baseline = heapMb();
  let peak = baseline;
  let retained = baseline;
  let count = 0;
  const iterStart = performance.now();
  for await (const [key, value] of store) {
    if (key.length === 0 || value === undefined) throw new Error('bad entry');
    // Sampled without forcing GC: garbage not yet collected counts against us, as in production.
    if (++count % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed / 2 ** 20);
    // What survives a full collection mid-iteration: flat if nothing accumulates.
    if (count % 200_000 === 0) retained = Math.max(retained, heapMb());
  }
  const seconds = (performance.now() - iterStart) / 1000;
  const after = heapMb();
  const growth = peak - baseline;
  if (count !== rows) throw new Error(`iterated ${count} rows, expected ${rows}`);
  console.log(
    `iterated ${count.toLocaleString()} rows in ${seconds.toFixed(1)} s (${Math.round(count / seconds).toLocaleString()} rows/s)`,
  );
  console.log(
    `heap: baseline ${baseline.toFixed(1)} MB, peak ${peak.toFixed(1)} MB, ` +
      `largest live after a mid-run GC ${retained.toFixed(1)} MB, after GC ${after.toFixed(1)} MB` +
      (gc ? '' : ' (run with --expose-gc for exact figures)'),
  );
  console.log(
    `heap growth during iteration: ${growth.toFixed(1)} MB (limit ${LIMIT_MB} MB) → ${growth < LIMIT_MB ? 'PASS' : 'FAIL'}`,
  );
  process.exitCode = growth < LIMIT_MB ? 0 : 1;
} finally {
  if (postgres) {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
