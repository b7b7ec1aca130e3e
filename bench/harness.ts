/**
 * Benchmark harness: ours and a baseline run in the same process, warmed up, interleaved in short
 * rounds, so machine noise hits both alike. Results are ratios, never absolute promises.
 */
export interface BenchResult {
  case: string;
  ours_ops: number;
  baseline_ops: number;
  ratio: number;
  /** For cases whose bar is not a ratio (event-loop delay, rows/s, heap): extra measurements. */
  extra?: Record<string, number>;
  bar: string;
  pass: boolean;
}

export type Op = () => Promise<unknown>;

/** Runs `op` with `concurrency` callers for `ms` milliseconds; returns completed operations. */
export async function runFor(op: Op, ms: number, concurrency: number): Promise<number> {
  const deadline = performance.now() + ms;
  let done = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await op();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}

export interface CompareOptions {
  rounds?: number;
  roundMs?: number;
  warmupMs?: number;
  concurrency?: number;
}

/** Interleaves ours and baseline round by round (alternating who goes first); returns ops/s for each. */
export async function compare(ours: Op, baseline: Op, options: CompareOptions = {}) {
  const {
    rounds = Number(process.env.BENCH_ROUNDS ?? 12),
    roundMs = Number(process.env.BENCH_ROUND_MS ?? 500),
  } = options;
  const { warmupMs = 800, concurrency = 1 } = options;
  await runFor(ours, warmupMs, concurrency);
  await runFor(baseline, warmupMs, concurrency);
  let oursOps = 0;
  let baseOps = 0;
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      oursOps += await runFor(ours, roundMs, concurrency);
      baseOps += await runFor(baseline, roundMs, concurrency);
    } else {
      baseOps += await runFor(baseline, roundMs, concurrency);
      oursOps += await runFor(ours, roundMs, concurrency);
    }
  }
  const seconds = (rounds * roundMs) / 1000;
  return { ours: oursOps / seconds, baseline: baseOps / seconds };
}

export function ratioResult(
  name: string,
  measured: { ours: number; baseline: number },
  atLeast: number,
): BenchResult {
  const ratio = measured.ours / measured.baseline;
  return {
    case: name,
    ours_ops: Math.round(measured.ours),
    baseline_ops: Math.round(measured.baseline),
    ratio: Number(ratio.toFixed(3)),
    bar: `ratio >= ${atLeast}`,
    pass: ratio >= atLeast,
  };
}
