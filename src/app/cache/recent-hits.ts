/** Reads over which the recent hit rate is averaged (exponentially weighted). */
const WINDOW = 64;
/** Under this recent hit rate the shared tier costs more than it saves: most reads skip it (see adaptiveBypass). */
const BYPASS_BELOW = 0.02;
/** While skipping, the rate from which reads use the cache again (apart from BYPASS_BELOW, so it does not flap). */
const BYPASS_UNTIL = 0.05;
/** While skipping, one read in this many still looks up and fills, so returning hits are noticed... */
const BYPASS_SAMPLE = 32;
/**
 * ...but, while none of the last PROBE_MEMORY probes hit, no more often than this: at 15k reads/s one in 32 is
 * ~470 misses/s, about 10 % of the throughput. A probe that hits (a cold cache warming) lifts the limit.
 */
const PROBE_GAP_MS = 20;
const PROBE_MEMORY = 8;

/**
 * The shared cache's recent hit rate, and from it whether a read should skip the cache: one that is not
 * hitting costs a look-up and a fill per read for nothing, and the database is the truth anyway.
 */
export class RecentHits {
  /** Share of recent observed reads that hit (starts at none: a cold cache misses). */
  rate = 0;
  /** Reads observed so far: the rate means nothing before a window's worth. */
  private observed = 0;
  private bypassing = false;
  /** Reads that came while bypassing, and those of them that skipped the cache. */
  private whileBypassing = 0;
  private skipped = 0;
  /** When the last probe (a read that used the cache while bypassing) was let through, on `now`'s clock. */
  private probedAt = -Infinity;
  /** The outcomes of the last PROBE_MEMORY probes, one bit each (1: hit); 0 while none of them hit. */
  private probeHits = 0;

  /**
   * @param adaptive whether a cache that is not hitting is skipped at all (adaptiveBypass).
   * @param now a monotonic clock in milliseconds.
   */
  constructor(
    private readonly adaptive: boolean,
    private readonly now: () => number = () => performance.now(),
  ) {}

  stats(): { bypassing: boolean; bypassedReads: number } {
    return { bypassing: this.bypassing, bypassedReads: this.skipped };
  }

  /**
   * Whether this read goes straight to the database: while bypassing, all but one read in BYPASS_SAMPLE, and
   * that one too when the last probe is under PROBE_GAP_MS old and no recent probe hit (so the cost of
   * probing a cache that never hits does not grow with load, while a warming one is probed at full rate).
   */
  skip(): boolean {
    if (!this.bypassing) return false;
    if (++this.whileBypassing % BYPASS_SAMPLE === 0) {
      const now = this.now();
      if (this.probeHits !== 0 || now - this.probedAt >= PROBE_GAP_MS) {
        this.probedAt = now;
        return false;
      }
    }
    this.skipped += 1;
    return true;
  }

  observe(hit: boolean): void {
    this.rate += ((hit ? 1 : 0) - this.rate) / WINDOW;
    this.observed += 1;
    if (!this.adaptive || this.observed < WINDOW) return;
    // While bypassing, only probes reach the cache: every observation is one.
    if (this.bypassing) this.probeHits = ((this.probeHits << 1) | (hit ? 1 : 0)) & ((1 << PROBE_MEMORY) - 1);
    else this.probeHits = 0;
    this.bypassing = this.bypassing ? this.rate < BYPASS_UNTIL : this.rate < BYPASS_BELOW;
  }
}
