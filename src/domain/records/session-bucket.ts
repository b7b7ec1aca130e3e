/**
 * Sessions are stored by expiry bucket: the UTC day their expiry fell on when they were created. The bucket
 * is written into the token authkeep mints (`<43 base64url>.<bucket base 36>`), so a read by token names
 * its bucket and PostgreSQL probes one partition; the digest covers the whole token, so a changed suffix
 * finds nothing. Tokens without the suffix (minted before migration 0008, or adopted) are bucket 0.
 */
export const SESSION_BUCKET_MS = 86_400_000;

/** Rows stored before buckets existed, and every token without a bucket suffix. */
export const LEGACY_SESSION_BUCKET = 0;

/** The largest bucket: PostgreSQL `integer`, a date far past any session (day 2^31 - 2). */
const MAX_BUCKET = 2_147_483_646;

/** authkeep's session token: 43 base64url characters (256 bits), a dot, the bucket in base 36 (1-6 digits). */
const RANDOM_LENGTH = 43;

/** The bucket a session expiring at `expiresAt` is stored in (1 and up; 0 is the legacy bucket). */
export function sessionBucket(expiresAt: Date): number {
  const day = Math.floor(expiresAt.getTime() / SESSION_BUCKET_MS);
  return Math.min(MAX_BUCKET, Math.max(1, day));
}

/** The first bucket whose sessions may still be live at `now` (every earlier bucket's day has ended). */
export function currentSessionBucket(now: Date): number {
  return sessionBucket(now);
}

/** The bearer token handed to the caller for a session in `bucket`. */
export function bucketedToken(random: string, bucket: number): string {
  return `${random}.${bucket.toString(36)}`;
}

/** 1 for the character codes of [A-Za-z0-9_-]; any other code reads 0 or undefined (past the table). */
const BASE64URL = new Uint8Array(128);
/** The base-36 value of [0-9a-z] by character code; -1 (or undefined, past the table) for any other. */
const BASE36 = new Int8Array(128).fill(-1);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-') {
  BASE64URL[char.charCodeAt(0)] = 1;
}
for (let digit = 0; digit < 36; digit += 1) BASE36[digit.toString(36).charCodeAt(0)] = digit;

/** The bucket a token names; 0 for a token without one. */
export function bucketOfToken(token: string): number {
  // Scanned with lookup tables, not a regular expression: this runs on every session look-up (half the cost).
  const length = token.length;
  if (length < RANDOM_LENGTH + 2 || length > RANDOM_LENGTH + 7) return LEGACY_SESSION_BUCKET;
  if (token.charCodeAt(RANDOM_LENGTH) !== 0x2e) return LEGACY_SESSION_BUCKET;
  for (let i = 0; i < RANDOM_LENGTH; i += 1) {
    if (BASE64URL[token.charCodeAt(i)] !== 1) return LEGACY_SESSION_BUCKET;
  }
  let bucket = 0;
  for (let i = RANDOM_LENGTH + 1; i < length; i += 1) {
    const digit = BASE36[token.charCodeAt(i)] ?? -1;
    if (digit < 0) return LEGACY_SESSION_BUCKET;
    bucket = bucket * 36 + digit;
  }
  return bucket >= 1 && bucket <= MAX_BUCKET ? bucket : LEGACY_SESSION_BUCKET;
}

/**
 * The storage key a session repository gets: the token's digest, with `.<bucket>` after it unless the
 * bucket is 0 (so legacy keys, and the cache keys derived from them, are unchanged).
 */
export function sessionKey(digest: string, bucket: number): string {
  return bucket === LEGACY_SESSION_BUCKET ? digest : `${digest}.${bucket}`;
}

/** The digest and bucket inside a storage key made by sessionKey. */
export function splitSessionKey(key: string): { digest: string; bucket: number } {
  const dot = key.lastIndexOf('.');
  if (dot < 0) return { digest: key, bucket: LEGACY_SESSION_BUCKET };
  const bucket = Number(key.slice(dot + 1));
  return Number.isSafeInteger(bucket) && bucket >= 1 && bucket <= MAX_BUCKET
    ? { digest: key.slice(0, dot), bucket }
    : { digest: key, bucket: LEGACY_SESSION_BUCKET };
}
