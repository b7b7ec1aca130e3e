/**
 * Invalidations that may not have reached the store, kept for exact replay: keys to delete, prefixes to
 * clear, or (past the bound) one flush of the whole namespace, which makes the lists unnecessary.
 */
export class PendingInvalidations {
  /** Each pending key or prefix with the generation it was last added at. */
  readonly keys = new Map<string, number>();
  readonly prefixes = new Map<string, number>();
  flush = false;
  /** Bumped on every addition, so a read started before one can tell that it may be stale. */
  generation = 0;

  constructor(private readonly max: number) {}

  get empty(): boolean {
    return !this.flush && this.keys.size === 0 && this.prefixes.size === 0;
  }

  /** Whether a pending invalidation covers any of `keys` (a key, a prefix, the flush); any at all when omitted. */
  covers(keys?: readonly string[]): boolean {
    if (keys === undefined) return !this.empty;
    if (this.flush) return true;
    const prefixes = [...this.prefixes.keys()];
    return keys.some((key) => this.keys.has(key) || prefixes.some((prefix) => key.startsWith(prefix)));
  }

  addKeys(keys: readonly string[]): void {
    this.generation += 1;
    if (this.flush) return;
    for (const key of keys) this.keys.set(key, this.generation);
    this.checkOverflow();
  }

  addPrefix(prefix: string): void {
    this.generation += 1;
    if (this.flush) return;
    this.prefixes.set(prefix, this.generation);
    this.checkOverflow();
  }

  /** Takes the flush (to run it now); what arrives meanwhile is listed again and replayed after it. */
  takeFlush(): boolean {
    if (!this.flush) return false;
    this.flush = false;
    return true;
  }

  /** A flush that failed: the lists gathered meanwhile are covered by it. */
  restoreFlush(): void {
    this.overflow();
  }

  /** Marks `keys` replayed as of `generation`; one added again since then stays pending. */
  replayedKeys(keys: readonly string[], generation: number): void {
    for (const key of keys) if ((this.keys.get(key) ?? Infinity) <= generation) this.keys.delete(key);
  }

  replayedPrefix(prefix: string, generation: number): void {
    if ((this.prefixes.get(prefix) ?? Infinity) <= generation) this.prefixes.delete(prefix);
  }

  private checkOverflow(): void {
    if (this.keys.size + this.prefixes.size > this.max) this.overflow();
  }

  private overflow(): void {
    this.flush = true;
    this.keys.clear();
    this.prefixes.clear();
  }
}
