import { withDeadline } from '../../adapters/kysely/deadline.js';
import { encodeInvalidation } from '../../adapters/cache/bus/bus-messages.js';
import type { Invalidation } from '../../ports/invalidation-bus.js';
import { unconfirmedRevocation, type LocalTier } from './local-tier.js';
import type { RecordCache, RecordFacts } from './record-cache.js';
import type { RecordCodec } from './cache-codec.js';

/** What the cached repositories need of a record cache, one tier or two. */
export interface RecordReadThrough {
  read<T>(
    key: string,
    codec: RecordCodec<T>,
    load: () => Promise<T | null>,
    facts: (record: T) => RecordFacts,
  ): Promise<T | null>;
  forget(key: string): Promise<void>;
  invalidate(...keys: string[]): Promise<void>;
  revokeOwner(ownerId: string): Promise<void>;
  /** The longest a revoking call (its write and its invalidation) may take before it fails, retryable. */
  readonly revokeTimeoutMs: number;
}

/** Default bound of a revoking call (write + invalidation + confirmation). */
export const DEFAULT_REVOKE_TIMEOUT_MS = 5_000;

/** Settles like `work`, or rejects with a retryable UnavailableError once `ms` have passed. */
export function withinRevocationBound<T>(work: Promise<T>, ms: number): Promise<T> {
  return withDeadline(work, ms, () => unconfirmedRevocation(new Error(`not done within ${ms} ms`)));
}

/**
 * An in-process tier in front of an optional shared one (Redis). Invalidations go to the shared tier first,
 * then to this process's tier, then onto the bus, and the call returns once the bus confirmed them (or fails,
 * retryable): a process that hears one and reads again finds the shared tier already cleaned.
 */
export class TieredRecords implements RecordReadThrough {
  /**
   * @param channel The Redis bus channel, when the bus publishes on the shared tier's own Redis: then a
   *   revocation's DEL and its PUBLISH are one script, whose reply confirms both.
   */
  constructor(
    private readonly local: LocalTier,
    private readonly shared: RecordCache | undefined,
    readonly revokeTimeoutMs: number = DEFAULT_REVOKE_TIMEOUT_MS,
    private readonly channel?: string,
  ) {}

  read<T>(
    key: string,
    codec: RecordCodec<T>,
    load: () => Promise<T | null>,
    facts: (record: T) => RecordFacts,
  ): Promise<T | null> {
    const shared = this.shared;
    const through = shared ? () => shared.read(key, codec, load, facts) : load;
    if (!this.local.usable) return through();
    return this.local.records.read(key, codec, through, facts);
  }

  async forget(key: string): Promise<void> {
    if (await this.sentWithShared([key], { keys: [key] })) {
      await this.local.records.forget(key);
      return;
    }
    await this.shared?.forget(key);
    await this.local.records.forget(key);
    // Only clears "no such record" entries elsewhere (they expire within negativeTtlMs): not worth failing for.
    await this.local.publish({ keys: [key] }).catch(() => undefined);
  }

  async invalidate(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    // One step: the shared entries and every other process's copies go together, or the call takes the path below.
    if (await this.sentWithShared(keys, { keys })) {
      this.local.records.delete(keys);
      return;
    }
    const shared = await this.sharedStep(async (tier) => {
      await tier.invalidate(...keys);
      return !tier.unconfirmed(keys);
    });
    await this.local.records.invalidate(...keys);
    await this.local.publish({ keys });
    if (!shared.ok) throw unconfirmedRevocation(shared.error);
  }

  async revokeOwner(ownerId: string): Promise<void> {
    const channel = this.channel;
    if (
      channel !== undefined &&
      this.shared?.sendsMessages &&
      (await this.shared.revokeOwnerAndSend(ownerId, { channel, payload: encodeInvalidation({ all: true }) }))
    ) {
      this.local.flush();
      return;
    }
    const shared = await this.sharedStep(async (tier) => {
      await tier.revokeOwner(ownerId);
      return !tier.unconfirmed();
    });
    this.local.flush();
    await this.local.publish({ all: true });
    if (!shared.ok) throw unconfirmedRevocation(shared.error);
  }

  /** Deletes `keys` from the shared tier and publishes `message` in one script; false when not confirmed. */
  private async sentWithShared(keys: readonly string[], message: Invalidation): Promise<boolean> {
    const channel = this.channel;
    if (channel === undefined || !this.shared?.sendsMessages) return false;
    return this.shared.invalidateAndSend(keys, { channel, payload: encodeInvalidation(message) });
  }

  /**
   * The shared tier's part of a revocation. Not confirmed (kept for a replay, or failed), the call fails
   * after the local part and the publish are done: the other processes' tiers would refill from the stale
   * shared entry, so only a call whose shared part reached Redis may succeed.
   */
  private async sharedStep(
    step: (tier: RecordCache) => Promise<boolean>,
  ): Promise<{ ok: true } | { ok: false; error: unknown }> {
    if (!this.shared) return { ok: true };
    try {
      return (await step(this.shared)) ? { ok: true } : { ok: false, error: new Error('queued for replay') };
    } catch (error) {
      return { ok: false, error };
    }
  }
}
