/**
 * What the record cache stores, as versioned JSON. A reader that meets another version (a deploy with a
 * changed record shape) treats the entry as a miss rather than guessing at its fields.
 */
export const CACHE_FORMAT_VERSION = 1;

/**
 * Key layout inside the cache namespace, all under one prefix so a store shared with other users can be
 * flushed of ours alone. Sessions are keyed by the token digest, never the token.
 */
export const cacheKeys = {
  all: 'kc:',
  session: (digest: string) => `kc:s:${digest}`,
  apiKey: (hash: string) => `kc:k:${hash}`,
  owner: (ownerId: string) => `kc:u:${ownerId}`,
  /** Every record key space, flushed when an owner's index cannot be read during a revocation. */
  recordPrefixes: ['kc:s:', 'kc:k:'],
} as const;

/** How to rebuild a record from JSON: which top-level fields were Dates. */
export interface RecordCodec<T> {
  dateFields: readonly (keyof T & string)[];
}

export type CachedEntry<T> =
  { kind: 'record'; record: T } | { kind: 'none' } | { kind: 'tombstone' } | { kind: 'unreadable' };

/** An owner's index: cache keys with their expiry (epoch ms), or the marker left by a revocation. */
export type OwnerIndex =
  | { kind: 'list'; entries: [key: string, expiresAt: number][] }
  | { kind: 'revoked' }
  | { kind: 'unreadable' };

export const encodeRecord = (record: unknown) =>
  JSON.stringify({ v: CACHE_FORMAT_VERSION, t: 'rec', d: record });
export const NEGATIVE_ENTRY = JSON.stringify({ v: CACHE_FORMAT_VERSION, t: 'none' });
export const TOMBSTONE_ENTRY = JSON.stringify({ v: CACHE_FORMAT_VERSION, t: 'tomb' });
export const REVOKED_INDEX = JSON.stringify({ v: CACHE_FORMAT_VERSION, t: 'revoked' });
export const encodeIndex = (entries: [string, number][]) =>
  JSON.stringify({ v: CACHE_FORMAT_VERSION, t: 'idx', e: entries });

function parseEnvelope(raw: string): { t?: unknown; d?: unknown; e?: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const envelope = parsed as { v?: unknown };
    return envelope.v === CACHE_FORMAT_VERSION ? (parsed as { t?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

export function decodeEntry<T>(codec: RecordCodec<T>, raw: string): CachedEntry<T> {
  const envelope = parseEnvelope(raw);
  if (envelope?.t === 'none') return { kind: 'none' };
  if (envelope?.t === 'tomb') return { kind: 'tombstone' };
  if (envelope?.t !== 'rec' || typeof envelope.d !== 'object' || envelope.d === null) {
    return { kind: 'unreadable' };
  }
  // A freshly parsed object nobody else holds: revive its Dates in place rather than copy it.
  const record = envelope.d as Record<string, unknown>;
  for (const field of codec.dateFields) {
    const value = record[field];
    if (value === undefined) continue;
    const date = typeof value === 'string' ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) return { kind: 'unreadable' };
    record[field] = date;
  }
  return { kind: 'record', record: record as T };
}

export function decodeIndex(raw: string | null): OwnerIndex {
  if (raw === null) return { kind: 'list', entries: [] };
  const envelope = parseEnvelope(raw);
  if (envelope?.t === 'revoked') return { kind: 'revoked' };
  const valid =
    envelope?.t === 'idx' &&
    Array.isArray(envelope.e) &&
    envelope.e.every(
      (entry: unknown) =>
        Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number',
    );
  return valid ? { kind: 'list', entries: envelope.e as [string, number][] } : { kind: 'unreadable' };
}
