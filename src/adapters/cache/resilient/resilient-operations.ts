import { UnavailableError } from '../../../domain/errors.js';
import type { FillListing, RecordLookup, RecordOperations, RevocationMessage } from '../../../ports/cache.js';

/** What ResilientCache lends its record operations: its health, its deadline and its failure accounting. */
export interface Resilience {
  /** Healthy with nothing pending (else a recovery may start); throws once closed. */
  usable(): boolean;
  degraded(): boolean;
  /** Changes whenever an invalidation fails: a read that overlaps one may return what it was meant to remove. */
  generation(): number;
  single<T>(operation: () => Promise<T>): Promise<T>;
  succeeded(): void;
  /** Counts the failure (caller errors are rethrown) and queues `keys` as invalidations. */
  failed(error: unknown, keys: readonly string[]): void;
}

const NO_LOOKUP: RecordLookup = { value: null, ticket: null, revocations: null };

/**
 * The inner store's record operations with the same resilience as ResilientCache's commands: a failed look-up
 * is a miss without a ticket, a failed fill is dropped (its key queued for invalidation), and a revocation that
 * cannot be confirmed rejects, so the caller takes the command-by-command path that queues and replays it.
 */
export class ResilientOperations implements RecordOperations {
  constructor(
    private readonly inner: RecordOperations,
    private readonly resilience: Resilience,
  ) {}

  lookup(
    key: string,
    reservation: string,
    reservationTtlMs: number,
    revocationsKey?: string,
  ): Promise<RecordLookup> {
    const resilience = this.resilience;
    if (!resilience.usable()) return Promise.resolve(NO_LOOKUP);
    const generation = resilience.generation();
    return resilience
      .single(() => this.inner.lookup(key, reservation, reservationTtlMs, revocationsKey))
      .then(
        (found) => {
          resilience.succeeded();
          return generation === resilience.generation() ? found : NO_LOOKUP;
        },
        (error: unknown) => {
          resilience.failed(error, []);
          return NO_LOOKUP;
        },
      );
  }

  async fill(
    key: string,
    ticket: string,
    entry: string,
    ttlMs: number,
    listing?: FillListing,
  ): Promise<boolean> {
    const resilience = this.resilience;
    if (!resilience.usable()) return false;
    try {
      const applied = await resilience.single(() => this.inner.fill(key, ticket, entry, ttlMs, listing));
      resilience.succeeded();
      return applied;
    } catch (error) {
      // It may have landed: a write not confirmed becomes an invalidation, as compareAndSet's does.
      resilience.failed(error, [key]);
      return false;
    }
  }

  async revoke(keys: readonly string[], message?: RevocationMessage): Promise<void> {
    const resilience = this.resilience;
    if (resilience.degraded()) throw new UnavailableError('cache unavailable: revocation not sent');
    try {
      await resilience.single(() => this.inner.revoke(keys, message));
      resilience.succeeded();
    } catch (error) {
      resilience.failed(error, keys);
      throw error;
    }
  }

  async revokeOwner(
    indexKey: string,
    revocationsKey: string,
    revocation: string,
    message?: RevocationMessage,
  ): Promise<string[]> {
    const resilience = this.resilience;
    if (resilience.degraded()) throw new UnavailableError('cache unavailable: revocation not sent');
    try {
      const members = await resilience.single(() =>
        this.inner.revokeOwner(indexKey, revocationsKey, revocation, message),
      );
      resilience.succeeded();
      return members;
    } catch (error) {
      resilience.failed(error, []);
      throw error;
    }
  }
}
