import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { BenchResult } from './harness.js';

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

export function jsonLines(results: BenchResult[]): string {
  return results.map((r) => JSON.stringify(r)).join('\n');
}

const measurements = (r: BenchResult) =>
  Object.entries(r.extra ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** The markdown table: ratios only (authkeep ÷ the contender, per round), median and min–max. */
export function markdownTable(
  results: BenchResult[],
  rounds: number,
  roundMs: number,
  sliceMs: number,
): string {
  const cpu = cpus()[0]?.model.trim() ?? 'cpu';
  const lines = [
    `${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpu}, node ${process.version}, ` +
      `${rounds} rounds × ${roundMs} ms per contender, interleaved in ${sliceMs} ms slices; ratio = authkeep rate ÷ contender rate in the same round ` +
      `(> 1: authkeep faster); a bar guards against regression and passes only if the lowest round clears it; ` +
      `a target is an issue's goal for the median (bench/targets.ts).`,
    '',
    '| case | authkeep vs | median ratio | min–max | bar | pass | target | met |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const compared = r.versus !== '';
    lines.push(
      `| ${r.case} | ${compared ? r.versus : '—'} | ${compared ? r.ratio.toFixed(2) : measurements(r)} | ` +
        `${compared ? `${r.ratio_min.toFixed(2)}–${r.ratio_max.toFixed(2)}` : '—'} | ${r.bar} | ${r.pass ? 'yes' : 'NO'} | ` +
        `${r.target ?? '—'} | ${r.target === undefined ? '—' : r.meets_target ? 'yes' : 'not yet'} |`,
    );
  }
  return lines.join('\n');
}

/** Replaces what sits between the bench markers in a README with `table`. */
export function writeIntoReadme(path: string, table: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${path} has no ${README_START} … ${README_END} markers`);
  const next = `${text.slice(0, start + README_START.length)}\n\n${table}\n\n${text.slice(end)}`;
  writeFileSync(path, next);
}
