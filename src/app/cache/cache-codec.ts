import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * What the record cache stores, authenticated. A reader that meets another version (a deploy with a changed
 * record shape) treats the entry as a miss rather than guessing at its fields.
 */
export const CACHE_FORMAT_VERSION = 2;

/**
 * Key layout inside the cache namespace, all under one prefix so a store shared with other users can be
 * flushed of ours alone. Sessions are keyed by the token digest, never the token.
 */
export const cacheKeys = {
  all: 'kc2:',
  session: (digest: string) => `kc2:s:${digest}`,
  apiKey: (hash: string) => `kc2:k:${hash}`,
  owner: (ownerId: string) => `kc2:u:${ownerId}`,
  /** Changed by every owner revocation; a fill that saw another value gives up. */
  revocations: 'kc2:revocations',
  /** Every record key space, flushed when an owner's index cannot be read during a revocation. */
  recordPrefixes: ['kc2:s:', 'kc2:k:'],
} as const;

/** How to rebuild a record from JSON: which top-level fields were Dates. */
export interface RecordCodec<T> {
  dateFields: readonly (keyof T & string)[];
}

export type CachedEntry<T> =
  | { kind: 'record'; record: T }
  | { kind: 'none' }
  /** A fill reservation: no value yet; the raw text is the ticket a fill must find unchanged. */
  | { kind: 'reservation' }
  /** Not ours to read (another format version, past its lifetime, garbage): a miss, silently. */
  | { kind: 'unreadable' }
  /** Our format, but the MAC does not match this key: forged, tampered, moved, or another secret. */
  | { kind: 'forged' };

const RESERVATION = 'r2.';
const ENTRY = 'e2.';
const MAC_LENGTH = 43; // base64url of 32 bytes

/**
 * Encodes and authenticates cache values with HMAC-SHA-256 under the cache key. The MAC covers the namespace,
 * the cache key, a nonce, the entry's expiry and the JSON, so an entry cannot be forged without the key, moved
 * to another key, or served past the lifetime it was written with.
 * Value layout: `e2.<nonce>.<expiresAtMs>.<mac>.<json>`; a reservation is `r2.<nonce>`.
 */
export class EntryCodec {
  /** Private, so the MAC key (enough to forge entries) never prints or serialises. */
  readonly #macKey: Buffer;

  constructor(
    macKey: Buffer,
    private readonly namespace: string,
  ) {
    this.#macKey = macKey;
  }

  /** A fresh reservation, unique, so no later one can be mistaken for it. */
  reservation(): string {
    return RESERVATION + randomBytes(12).toString('base64url');
  }

  encodeRecord(key: string, record: unknown, expiresAt: number, instance: string): string {
    return this.seal(key, JSON.stringify({ t: 'rec', d: record }), expiresAt, instance);
  }

  encodeNone(key: string, expiresAt: number, instance: string): string {
    return this.seal(key, '{"t":"none"}', expiresAt, instance);
  }

  /** `instance`: the store's current lifetime; an entry of another one is a miss (never a forgery). */
  decode<T>(key: string, raw: string, codec: RecordCodec<T>, now: number, instance: string): CachedEntry<T> {
    if (raw.startsWith(RESERVATION)) return { kind: 'reservation' };
    if (!raw.startsWith(ENTRY)) return { kind: 'unreadable' };
    const nonceEnd = raw.indexOf('.', ENTRY.length);
    const expiryEnd = nonceEnd < 0 ? -1 : raw.indexOf('.', nonceEnd + 1);
    const instanceEnd = expiryEnd < 0 ? -1 : raw.indexOf('.', expiryEnd + 1);
    const macEnd = instanceEnd + 1 + MAC_LENGTH;
    if (instanceEnd < 0 || raw.charCodeAt(macEnd) !== 46 /* . */) return { kind: 'forged' };
    const head = raw.slice(0, instanceEnd);
    const json = raw.slice(macEnd + 1);
    const expected = this.mac(key, head, json);
    const given = Buffer.from(raw.slice(instanceEnd + 1, macEnd), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: 'forged' };
    if (Number(raw.slice(nonceEnd + 1, expiryEnd)) <= now) return { kind: 'unreadable' };
    if (raw.slice(expiryEnd + 1, instanceEnd) !== instance) return { kind: 'unreadable' };
    return parseBody(json, codec);
  }

  private seal(key: string, json: string, expiresAt: number, instance: string): string {
    const head = `${ENTRY}${randomBytes(9).toString('base64url')}.${Math.ceil(expiresAt)}.${instance}`;
    return `${head}.${this.mac(key, head, json).toString('latin1')}.${json}`;
  }

  private mac(key: string, head: string, json: string): Buffer {
    const digest = createHmac('sha256', this.#macKey)
      .update(`${this.namespace}\0${key}\0${head}\0`, 'utf8')
      .update(json, 'utf8')
      .digest('base64url');
    return Buffer.from(digest, 'latin1');
  }
}

function parseBody<T>(json: string, codec: RecordCodec<T>): CachedEntry<T> {
  let body: { t?: unknown; d?: unknown };
  try {
    body = JSON.parse(json) as { t?: unknown; d?: unknown };
  } catch {
    return { kind: 'unreadable' };
  }
  if (body.t === 'none') return { kind: 'none' };
  if (body.t !== 'rec' || typeof body.d !== 'object' || body.d === null) return { kind: 'unreadable' };
  // A freshly parsed object nobody else holds: revive its Dates in place rather than copy it.
  const record = body.d as Record<string, unknown>;
  for (const field of codec.dateFields) {
    const value = record[field];
    if (value === undefined) continue;
    const date = typeof value === 'string' ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) return { kind: 'unreadable' };
    record[field] = date;
  }
  return { kind: 'record', record: record as T };
}
