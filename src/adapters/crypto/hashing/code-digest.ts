import { timingSafeEqual } from 'node:crypto';
import type { CipherContext, CipherPort, CodeDigestPort } from '../../../ports/cipher.js';
import type { TokenDigest } from '../../../ports/system.js';

const PURPOSE = 'bearer-code';
/** `ecd1.<keyId>.<HMAC, base64url>`: keyed with a subkey of a keyring key. */
const KEYED = /^ecd1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{43})$/;
/** `ecd0.<hex>`: no keyring, so the token digest (HMAC with the token pepper, else SHA-256). */
const UNKEYED = /^ecd0\.([0-9a-f]{64})$/;

/** What is digested: the code bound to its row, so a digest copied to another row matches nothing. */
function input(code: string, context: CipherContext): string {
  return `${context.table}\u0000${context.column}\u0000${context.rowId}\u0000${code}`;
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Email verification codes at rest: a keyed digest with the keyring when there is one (a dump cannot
 * be checked against guessed six-digit codes without the key), else the token digest. One-way: a
 * code reads back as its digest; whoever issued it already holds the code.
 */
export class KeyedCodeDigest implements CodeDigestPort {
  readonly #cipher: CipherPort;
  readonly #fallback: TokenDigest;

  constructor(cipher: CipherPort, fallback: TokenDigest) {
    this.#cipher = cipher;
    this.#fallback = fallback;
  }

  /** Whether new codes are keyed (a keyring with a MAC is configured). */
  get keyed(): boolean {
    return typeof this.#cipher.mac === 'function';
  }

  seal(code: string, context: CipherContext): string {
    const data = input(code, context);
    if (this.#cipher.mac) {
      const { keyId, mac } = this.#cipher.mac(PURPOSE, data);
      return `ecd1.${keyId}.${mac.toString('base64url')}`;
    }
    return `ecd0.${this.#fallback.digest(data)}`;
  }

  matches(stored: string, code: string, context: CipherContext): boolean {
    const data = input(code, context);
    const keyed = KEYED.exec(stored);
    if (keyed && this.#cipher.mac) {
      try {
        const { mac } = this.#cipher.mac(PURPOSE, data, keyed[1]);
        return same(mac.toString('base64url'), keyed[2] as string);
      } catch {
        return false; // a key no longer in the keyring: the code cannot be confirmed
      }
    }
    const unkeyed = UNKEYED.exec(stored);
    return unkeyed !== null && same(this.#fallback.digest(data), unkeyed[1] as string);
  }

  isSealed(stored: string): boolean {
    return KEYED.test(stored) || UNKEYED.test(stored);
  }

  toJSON(): Record<string, unknown> {
    return { keyed: this.keyed };
  }
}
