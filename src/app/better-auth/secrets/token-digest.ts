import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Stored form of a session token: `h1:` + base64url(SHA-256(token)); better-auth's own tokens never contain ':'. */
const STORED = 'h1:';
const DIGEST_LENGTH = 43;
const MAC_LENGTH = 22;

/**
 * Session tokens kept as digests, and the handles listSessions hands out in their place: a handle is the
 * stored digest plus a MAC under a key derived from the app's secret, so a stolen database (digests only)
 * yields neither tokens nor handles, while a handle from listSessions still finds the row to revoke.
 */
export class SessionTokenDigests {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'authkeep', 'better-auth session handles', 32));
  }

  /** What the database holds for `token`. */
  stored(token: string): string {
    return STORED + createHash('sha256').update(token, 'utf8').digest('base64url');
  }

  isStored(value: unknown): value is string {
    return (
      typeof value === 'string' && value.startsWith(STORED) && value.length === STORED.length + DIGEST_LENGTH
    );
  }

  /** The handle a stored digest is shown as (listSessions): usable to find the row, not derivable from it. */
  handle(stored: string): string {
    return `${stored}.${this.mac(stored)}`;
  }

  /**
   * What to look a presented value up by: a valid handle's digest, else the digest of the value as a token.
   * A stored digest presented as-is is the digest of that string, so it matches nothing.
   */
  lookup(presented: string): string {
    const dot = STORED.length + DIGEST_LENGTH;
    if (presented.startsWith(STORED) && presented.length === dot + 1 + MAC_LENGTH && presented[dot] === '.') {
      const stored = presented.slice(0, dot);
      const given = Buffer.from(presented.slice(dot + 1));
      const expected = Buffer.from(this.mac(stored));
      if (given.length === expected.length && timingSafeEqual(given, expected)) return stored;
    }
    return this.stored(presented);
  }

  private mac(stored: string): string {
    return createHmac('sha256', this.#key).update(stored).digest('base64url').slice(0, MAC_LENGTH);
  }
}
