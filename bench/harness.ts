/**
 * Benchmark harness: authkeep and the contenders it is compared with run in the same process, warmed up,
 * interleaved in short slices (the order rotates every slice), so machine noise hits all alike. A round
 * yields one ratio per contender (authkeep's rate in that round ÷ the contender's rate in that round); a case
 * reports the median of those ratios and their min–max spread. Results are ratios, never absolute promises.
 *
 * The bar rule: a bar "ratio ≥ B" passes only when the LOWEST per-round ratio is ≥ B — i.e. the whole
 * measured spread clears the bar, not just the median.
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
  /** The goal an issue set for this case (bench/targets.ts), and whether this run's median reached it. */
  target?: string;
  meets_target?: boolean;
}

export type Op = () => Promise<unknown>;

/** Runs `op` with `concurrency` callers for `ms` milliseconds; returns completed operations. */
export async function runFor(op: Op, ms: number, concurrency: number): Promise<number> {
  return (await runSlice(op, ms, concurrency)).ops;
}

/**
 * Runs `op` with `concurrency` callers until `ms` have passed, then lets the calls in flight finish:
 * the elapsed time includes that drain, so operations ÷ elapsed is a fair rate even for short slices.
 */
export async function runSlice(
  op: Op,
  ms: number,
  concurrency: number,
): Promise<{ ops: number; ms: number }> {
  const started = performance.now();
  const deadline = started + ms;
  let done = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await op();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ops: done, ms: performance.now() - started };
}

export interface CompareOptions {
  rounds?: number;
  roundMs?: number;
  /** A round is cut in slices of this length, interleaved across contenders, so bursts of load hit all. */
  sliceMs?: number;
  warmupMs?: number;
  concurrency?: number;
}

/** Rates (operations per second) of each contender: one array per round, one entry per slice. */
export type RoundSamples = Record<string, number[][]>;

export const DEFAULT_ROUNDS = () => Number(process.env.BENCH_ROUNDS ?? 12);
export const DEFAULT_ROUND_MS = () => Number(process.env.BENCH_ROUND_MS ?? 300);
export const DEFAULT_SLICE_MS = () => Number(process.env.BENCH_SLICE_MS ?? 20);

/**
 * Interleaves every contender slice by slice (the order rotates every slice); each contender spends
 * `roundMs` per round in total. Returns each contender's rate in every slice of every round.
 */
export async function rounds(
  contenders: Record<string, Op>,
  options: CompareOptions = {},
): Promise<RoundSamples> {
  const {
    rounds: count = DEFAULT_ROUNDS(),
    roundMs = DEFAULT_ROUND_MS(),
    sliceMs = DEFAULT_SLICE_MS(),
  } = options;
  const { warmupMs = 300, concurrency = 1 } = options;
  const names = Object.keys(contenders);
  for (const name of names) await runFor(contenders[name]!, warmupMs, concurrency);
  const samples: RoundSamples = Object.fromEntries(names.map((n) => [n, [] as number[][]]));
  const slices = Math.max(1, Math.round(roundMs / sliceMs));
  let turn = 0;
  for (let round = 0; round < count; round++) {
    for (const name of names) samples[name]!.push([]);
    for (let slice = 0; slice < slices; slice++, turn++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(turn + k) % names.length]!;
        const run = await runSlice(contenders[name]!, roundMs / slices, concurrency);
        samples[name]![round]!.push((run.ops / run.ms) * 1000);
      }
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

/**
 * A round's ratio is the median of its slice ratios (authkeep's rate in a slice ÷ the contender's rate
 * in the same slice cycle, tens of milliseconds apart), so a burst of outside load that hits one slice
 * does not decide the round. The result applies the bar rule above to those per-round ratios.
 */
export function ratioResult(
  name: string,
  samples: RoundSamples,
  ours: string,
  versus: string,
  atLeast: number,
): BenchResult {
  const a = samples[ours]!;
  const b = samples[versus]!;
  const ratios = a.map((slices, round) =>
    median(slices.map((rate, i) => rate / Math.max(1e-9, b[round]![i]!))),
  );
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
