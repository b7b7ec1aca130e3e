import type { BenchResult } from './harness.js';

/** Where the benchmarks run: the shared services, from BENCH_* / TEST_* env or the local defaults. */
export interface BenchContext {
  databaseUrl: string;
  redisUrl: string;
}

/**
 * One benchmark module: a named group of cases, selectable with `--only=<name>`. Add a module by writing
 * `bench/cases/<name>.ts` exporting one of these and listing it in bench/registry.ts.
 */
export interface BenchModule {
  name: string;
  /** One line for `--list` and the README: what is measured against what. */
  summary: string;
  run(context: BenchContext): Promise<BenchResult[]>;
}
