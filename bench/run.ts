// npm run bench [-- --only=a,b] [--json] [--list] [--write-readme]
// Runs the registered modules (bench/registry.ts) and prints one JSON line per case and a markdown table;
// --write-readme puts the table between the bench markers of README.md. Exits non-zero when a bar fails.
import { DEFAULT_ROUNDS, DEFAULT_ROUND_MS, DEFAULT_SLICE_MS, type BenchResult } from './harness.js';
import type { BenchContext } from './module.js';
import { modules } from './registry.js';
import { jsonLines, markdownTable, writeIntoReadme } from './report.js';
import { applyTargets } from './targets.js';

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const context: BenchContext = {
  redisUrl: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  databaseUrl:
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/test',
};

if (args.includes('--write-readme') && only) {
  console.error('--write-readme embeds the whole table: run it without --only');
  process.exit(2);
}
if (args.includes('--list')) {
  for (const m of modules) console.log(`${m.name}: ${m.summary}`);
  process.exit(0);
}
const unknown = (only ?? []).filter((name) => !modules.some((m) => m.name === name));
if (unknown.length > 0) {
  console.error(`unknown bench module(s): ${unknown.join(', ')} (see --list)`);
  process.exit(2);
}

const results: BenchResult[] = [];
for (const m of modules) {
  if (only && !only.includes(m.name)) continue;
  const started = performance.now();
  results.push(...(await m.run(context)));
  console.error(`bench: ${m.name} done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
applyTargets(results);
console.log(jsonLines(results));
if (!args.includes('--json')) {
  const table = markdownTable(results, DEFAULT_ROUNDS(), DEFAULT_ROUND_MS(), DEFAULT_SLICE_MS());
  console.log(`\n${table}`);
  if (args.includes('--write-readme'))
    writeIntoReadme(new URL('../README.md', import.meta.url).pathname, table);
}
process.exitCode = results.every((r) => r.pass) ? 0 : 1;
