import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const PREFIX = 'a1.';
const PURPOSE = 'authkeep secondary storage v1';
const MAC_LENGTH = 43; // base64url of 32 bytes

/**
 * Authenticates secondary-storage values: `a1.<expiresAtMs>.<mac>.<value>`, the HMAC-SHA-256 covering the
 * namespace, the key, the expiry and the value. Without the key nobody can write a value that reads back; a
 * value copied to another key, or served past the lifetime it was written with (0: none), is a miss.
 */
export class EntrySeal {
  /** Private, so the MAC key never prints or serialises. */
  readonly #macKey: Buffer;

  /** `cacheKey`: the cache's MAC key; a key of this purpose alone is derived from it, apart from record entries'. */
  constructor(
    cacheKey: Buffer,
    private readonly namespace: string,
  ) {
    this.#macKey = Buffer.from(hkdfSync('sha256', cacheKey, '', PURPOSE, 32));
  }

  seal(key: string, value: string, expiresAt: number): string {
    const expiry = String(Math.ceil(expiresAt));
    return `${PREFIX}${expiry}.${this.mac(key, expiry, value)}.${value}`;
  }

  /** The value, or null when `raw` is not an authentic, live entry of `key`. */
  open(key: string, raw: string, now: number): string | null {
    if (!raw.startsWith(PREFIX)) return null;
    const expiryEnd = raw.indexOf('.', PREFIX.length);
    if (expiryEnd < 0 || raw.charCodeAt(expiryEnd + 1 + MAC_LENGTH) !== 46 /* . */) return null;
    const expiry = raw.slice(PREFIX.length, expiryEnd);
    if (!/^\d+$/.test(expiry)) return null;
    const value = raw.slice(expiryEnd + 2 + MAC_LENGTH);
    const given = Buffer.from(raw.slice(expiryEnd + 1, expiryEnd + 1 + MAC_LENGTH), 'latin1');
    const expected = Buffer.from(this.mac(key, expiry, value), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const expiresAt = Number(expiry);
    if (expiresAt !== 0 && expiresAt <= now) return null;
    return value;
  }

  private mac(key: string, expiry: string, value: string): string {
    return createHmac('sha256', this.#macKey)
      .update(`${PURPOSE}\0${this.namespace}\0${key}\0${expiry}\0${value}`, 'utf8')
      .digest('base64url');
  }
}
