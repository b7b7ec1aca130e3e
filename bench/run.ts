import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './harness.js';
import { redisCases } from './cases/cache.js';
import { rotationCase, verifyCase } from './cases/operations.js';
import { postgresCases, sqliteCases } from './cases/sql.js';

const jsonOnly = process.argv.includes('--json');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const databaseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

function report(results: BenchResult[]): void {
  for (const r of results)
    console.log(
      JSON.stringify({
        case: r.case,
        ours_ops: r.ours_ops,
        baseline_ops: r.baseline_ops,
        ratio: r.ratio,
        ...(r.extra ?? {}),
      }),
    );
  if (jsonOnly) return;
  console.log('');
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  console.log(`| case | ours ops/s | baseline ops/s | measured | bar | pass |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const r of results) {
    // Cases without a baseline (event-loop delay, rotation) show their own measurements instead of a ratio.
    const measured =
      r.baseline_ops > 0
        ? `ratio ${r.ratio}`
        : Object.entries(r.extra ?? {})
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
    const baseline = r.baseline_ops > 0 ? String(r.baseline_ops) : '—';
    console.log(
      `| ${r.case} | ${r.ours_ops} | ${baseline} | ${measured} | ${r.bar} | ${r.pass ? 'yes' : 'NO'} |`,
    );
  }
}

const suites: Record<string, () => Promise<BenchResult[]>> = {
  postgres: () => postgresCases(databaseUrl),
  redis: () => redisCases(redisUrl),
  verify: async () => [await verifyCase(databaseUrl)],
  rotation: async () => [await rotationCase(databaseUrl)],
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authkeep-bench-'));
    try {
      return await sqliteCases(join(dir, 'bench.db'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const results: BenchResult[] = [];
for (const [name, suite] of Object.entries(suites)) {
  if (only && !only.split(',').includes(name)) continue;
  results.push(...(await suite()));
}
report(results);
process.exitCode = results.every((r) => r.pass) ? 0 : 1;
