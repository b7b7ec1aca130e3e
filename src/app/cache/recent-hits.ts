/** Reads over which the recent hit rate is averaged (exponentially weighted). */
const WINDOW = 64;
/** Under this recent hit rate the shared tier costs more than it saves: most reads skip it (see adaptiveBypass). */
const BYPASS_BELOW = 0.02;
/** While skipping, the rate from which reads use the cache again (apart from BYPASS_BELOW, so it does not flap). */
const BYPASS_UNTIL = 0.05;
/** While skipping, one read in this many still looks up and fills, so returning hits are noticed. */
const BYPASS_SAMPLE = 32;

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

  /** @param adaptive whether a cache that is not hitting is skipped at all (adaptiveBypass). */
  constructor(private readonly adaptive: boolean) {}

  stats(): { bypassing: boolean; bypassedReads: number } {
    return { bypassing: this.bypassing, bypassedReads: this.skipped };
  }

  /** Whether this read goes straight to the database (while bypassing, all but one read in BYPASS_SAMPLE). */
  skip(): boolean {
    if (!this.bypassing || ++this.whileBypassing % BYPASS_SAMPLE === 0) return false;
    this.skipped += 1;
    return true;
  }

  observe(hit: boolean): void {
    this.rate += ((hit ? 1 : 0) - this.rate) / WINDOW;
    this.observed += 1;
    if (!this.adaptive || this.observed < WINDOW) return;
    this.bypassing = this.bypassing ? this.rate < BYPASS_UNTIL : this.rate < BYPASS_BELOW;
  }
}
