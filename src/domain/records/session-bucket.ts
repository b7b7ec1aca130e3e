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

/** authkeep's session token: 43 base64url characters (256 bits), a dot, the bucket in base 36. */
const BUCKETED_TOKEN = /^[A-Za-z0-9_-]{43}\.([0-9a-z]{1,6})$/;

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

/** The bucket a token names; 0 for a token without one. */
export function bucketOfToken(token: string): number {
  const suffix = BUCKETED_TOKEN.exec(token)?.[1];
  if (suffix === undefined) return LEGACY_SESSION_BUCKET;
  const bucket = parseInt(suffix, 36);
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
