import { describe, expect, it } from 'vitest';
import { RecentHits } from '../../../src/app/cache/recent-hits.js';

/** A RecentHits on a clock the test moves, after a window of misses: it is bypassing. */
function bypassingHits(): { hits: RecentHits; clock: { ms: number } } {
  const clock = { ms: 1_000 };
  const hits = new RecentHits(true, () => clock.ms);
  for (let i = 0; i < 64; i += 1) hits.observe(false);
  return { hits, clock };
}

/** How many of `reads` reads go to the cache, the clock moving `stepMs` per read. */
function probes(hits: RecentHits, clock: { ms: number }, reads: number, stepMs: number): number {
  let used = 0;
  for (let i = 0; i < reads; i += 1) {
    clock.ms += stepMs;
    if (!hits.skip()) used += 1;
  }
  return used;
}

describe('RecentHits (adaptiveBypass)', () => {
  it('uses the cache for every read until a window of reads has missed', () => {
    const hits = new RecentHits(true, () => 0);
    for (let i = 0; i < 63; i += 1) {
      expect(hits.skip()).toBe(false);
      hits.observe(false);
    }
    hits.observe(false);
    expect(hits.skip()).toBe(true);
  });

  it('while bypassing, one read in 32 still uses the cache when reads are slow', () => {
    const { hits, clock } = bypassingHits();
    // A read per millisecond: 32 reads span more than the 20 ms gap, so every 32nd is a probe.
    expect(probes(hits, clock, 320, 1)).toBe(10);
  });

  it('at most one probe per 20 ms however fast reads come, so the cost of probing does not grow with load', () => {
    const { hits, clock } = bypassingHits();
    // 6,400 reads in 64 ms (100k reads/s): one in 32 would be 200 probes; the gap allows 4.
    expect(probes(hits, clock, 6_400, 0.01)).toBeLessThanOrEqual(4);
    expect(probes(hits, clock, 6_400, 0.01)).toBeGreaterThanOrEqual(3);
    // A frozen clock: one probe, then none.
    const frozen = bypassingHits();
    expect(probes(frozen.hits, frozen.clock, 3_200, 0)).toBe(1);
  });

  it('a probe that hits (a cold cache warming) lifts the 20 ms limit until eight probes in a row miss', () => {
    const { hits, clock } = bypassingHits();
    expect(probes(hits, clock, 32, 0)).toBe(1);
    hits.observe(true);
    // The clock frozen: every 32nd read probes again while one of the last eight probes hit.
    let probed = 0;
    for (let i = 0; i < 32 * 20; i += 1) {
      if (!hits.skip()) {
        probed += 1;
        hits.observe(false);
      }
    }
    expect(probed).toBe(8);
    expect(hits.stats().bypassing).toBe(true);
  });

  it('probes that hit bring every read back to the cache', () => {
    const { hits, clock } = bypassingHits();
    let probed = 0;
    for (let i = 0; i < 32 * 8 && hits.stats().bypassing; i += 1) {
      clock.ms += 1;
      if (!hits.skip()) {
        probed += 1;
        hits.observe(true);
      }
    }
    // From under 2 % to 5 %: four hits in a row.
    expect(probed).toBe(4);
    expect(hits.stats().bypassing).toBe(false);
    expect(probes(hits, clock, 100, 0)).toBe(100);
  });

  it('adaptive off: never skips', () => {
    const hits = new RecentHits(false, () => 0);
    for (let i = 0; i < 200; i += 1) hits.observe(false);
    expect(probes(hits, { ms: 0 }, 100, 0)).toBe(100);
  });
});
