/**
 * Benchmark harness: authkeep and the contenders it is compared with run in the same process, warmed up,
 * interleaved in short rounds (the order rotates every round), so machine noise hits all alike. A round
 * yields one ratio per contender (authkeep's ops in that round ÷ the contender's ops in that round); a case
 * reports the median of those ratios and their min–max spread. Results are ratios, never absolute promises.
 *
 * The bar rule: a bar "ratio ≥ B" passes only when the LOWEST per-round ratio is ≥ B — i.e. the whole
 * measured spread clears the bar, not just the median. A noisy run can fail a bar; it cannot pass one.
 */
export interface BenchResult {
  case: string;
  /** What authkeep is compared with ('' when the case has no comparison, see `extra`). */
  versus: string;
  /** Median per-round ratio authkeep ÷ versus (> 1: authkeep did more operations). 0 without a versus. */
  ratio: number;
  ratio_min: number;
  ratio_max: number;
  rounds: number;
  /** For cases whose bar is not a ratio (event-loop delay, heap): their own measurements. */
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

/** Per-round operations of each contender, in rounds (same length for every contender). */
export type RoundSamples = Record<string, number[]>;

export const DEFAULT_ROUNDS = () => Number(process.env.BENCH_ROUNDS ?? 12);
export const DEFAULT_ROUND_MS = () => Number(process.env.BENCH_ROUND_MS ?? 400);

/** Interleaves every contender round by round, rotating who goes first; returns ops per round each. */
export async function rounds(
  contenders: Record<string, Op>,
  options: CompareOptions = {},
): Promise<RoundSamples> {
  const { rounds: count = DEFAULT_ROUNDS(), roundMs = DEFAULT_ROUND_MS() } = options;
  const { warmupMs = 600, concurrency = 1 } = options;
  const names = Object.keys(contenders);
  for (const name of names) await runFor(contenders[name]!, warmupMs, concurrency);
  const samples: RoundSamples = Object.fromEntries(names.map((n) => [n, [] as number[]]));
  for (let round = 0; round < count; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      samples[name]!.push(await runFor(contenders[name]!, roundMs, concurrency));
    }
  }
  return samples;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round3 = (n: number) => Number(n.toFixed(3));

/** The per-round ratio of `ours` to `versus` as a result with the bar rule above applied. */
export function ratioResult(
  name: string,
  samples: RoundSamples,
  ours: string,
  versus: string,
  atLeast: number,
): BenchResult {
  const a = samples[ours]!;
  const b = samples[versus]!;
  const ratios = a.map((ops, i) => ops / Math.max(1, b[i]!));
  const min = Math.min(...ratios);
  return {
    case: name,
    versus,
    ratio: round3(median(ratios)),
    ratio_min: round3(min),
    ratio_max: round3(Math.max(...ratios)),
    rounds: ratios.length,
    bar: `≥ ${atLeast}`,
    pass: min >= atLeast,
  };
}

/** Two contenders, the common case: `ours` against `baseline` named `versus`. */
export async function compare(
  name: string,
  ours: Op,
  versus: string,
  baseline: Op,
  atLeast: number,
  options: CompareOptions = {},
): Promise<BenchResult> {
  const samples = await rounds({ authkeep: ours, [versus]: baseline }, options);
  return ratioResult(name, samples, 'authkeep', versus, atLeast);
}

/** A case whose bar is its own measurement (event-loop delay, heap growth) rather than a ratio. */
export function measuredResult(
  name: string,
  extra: Record<string, number>,
  bar: string,
  pass: boolean,
): BenchResult {
  return { case: name, versus: '', ratio: 0, ratio_min: 0, ratio_max: 0, rounds: 0, extra, bar, pass };
}
