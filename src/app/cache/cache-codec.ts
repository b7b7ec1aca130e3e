import { createHmac, randomBytes } from 'node:crypto';

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
  /** `expiresAt`: the lifetime the entry was written with (epoch ms). */
  | { kind: 'record'; record: T; expiresAt: number }
  | { kind: 'none' }
  /** A fill reservation: no value yet; the raw text is the ticket a fill must find unchanged. */
  | { kind: 'reservation' }
  /** Not ours to read (another format version, past its lifetime, garbage): a miss, silently. */
  | { kind: 'unreadable' }
  /** Our format, but the MAC does not match this key: forged, tampered, moved, or another secret. */
  | { kind: 'forged' };

const RESERVATION = 'r2.';

/**
 * Unique strings without a CSPRNG call each: 96 random bits drawn once per process, then a counter. Unique is
 * all a reservation or a nonce must be (no later one may equal an earlier one); none of them is a secret.
 */
class UniqueStrings {
  private readonly prefix = randomBytes(12).toString('base64url');
  private counter = 0;

  next(): string {
    this.counter += 1;
    return `${this.prefix}${this.counter.toString(36)}`;
  }
}
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
  private readonly unique = new UniqueStrings();

  constructor(
    macKey: Buffer,
    private readonly namespace: string,
  ) {
    this.#macKey = macKey;
  }

  /** A fresh reservation, unique, so no later one can be mistaken for it. */
  reservation(): string {
    return RESERVATION + this.unique.next();
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
    const json = raw.slice(macEnd + 1);
    if (!sameMac(raw, instanceEnd + 1, this.mac(key, raw.slice(0, instanceEnd), json)))
      return { kind: 'forged' };
    const expiresAt = Number(raw.slice(nonceEnd + 1, expiryEnd));
    if (expiresAt <= now) return { kind: 'unreadable' };
    if (raw.slice(expiryEnd + 1, instanceEnd) !== instance) return { kind: 'unreadable' };
    return parseBody(json, codec, expiresAt);
  }

  private seal(key: string, json: string, expiresAt: number, instance: string): string {
    const head = `${ENTRY}${this.unique.next()}.${Math.ceil(expiresAt)}.${instance}`;
    return `${head}.${this.mac(key, head, json)}.${json}`;
  }

  /** One update of one string: each update call crosses into C++ and is a good part of a hit's cost. */
  private mac(key: string, head: string, json: string): string {
    return createHmac('sha256', this.#macKey)
      .update(`${this.namespace}\0${key}\0${head}\0${json}`, 'utf8')
      .digest('base64url');
  }
}

/** Compares the MAC at `at` in `raw` with `expected` in time independent of where they differ. */
function sameMac(raw: string, at: number, expected: string): boolean {
  let difference = 0;
  for (let i = 0; i < MAC_LENGTH; i += 1) difference |= raw.charCodeAt(at + i) ^ expected.charCodeAt(i);
  return difference === 0;
}

function parseBody<T>(json: string, codec: RecordCodec<T>, expiresAt: number): CachedEntry<T> {
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
  return { kind: 'record', record: record as T, expiresAt };
}
