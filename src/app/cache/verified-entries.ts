import { copyRecord } from './record-copy.js';

interface Verified {
  raw: string;
  record: unknown;
  expiresAt: number;
  instance: string;
}

/**
 * The entries this process authenticated lately, by key. A shared-tier hit whose bytes equal the ones
 * verified before for the same key is that same authentic entry (the MAC is a function of those bytes and the
 * key), so it is served without recomputing the HMAC or parsing the JSON; its lifetime and the store's
 * instance are still checked on every hit. Nothing is answered from here without the store returning those
 * exact bytes, so a revocation (which deletes the key) takes effect exactly as without it.
 * First in, first out: a memo, not a cache, so a hit costs no bookkeeping.
 */
export class VerifiedEntries {
  private readonly entries = new Map<string, Verified>();

  constructor(private readonly maxEntries: number) {}

  /** A copy of the record, when `raw` is exactly what was verified for `key` and is still live. */
  lookup<T>(key: string, raw: string, now: number, instance: string): T | undefined {
    const seen = this.entries.get(key);
    if (seen === undefined || seen.raw !== raw || seen.expiresAt <= now || seen.instance !== instance) {
      return undefined;
    }
    return copyRecord(seen.record as T);
  }

  forget(keys: readonly string[]): void {
    for (const key of keys) this.entries.delete(key);
  }

  /** Call with a record just decoded from `raw` and not yet handed out. */
  remember(key: string, raw: string, record: unknown, expiresAt: number, instance: string): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { raw, record: copyRecord(record), expiresAt, instance });
  }
}
