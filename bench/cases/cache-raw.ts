import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { bucketOfToken, sessionKey } from '../../src/domain/records/session-bucket.js';

/** The Redis key authkeep caches a session under (its token's digest and bucket, in `namespace`). */
export function redisSessionKey(namespace: string, token: string): string {
  return `${namespace}kc2:s:${sessionKey(createHash('sha256').update(token).digest('hex'), bucketOfToken(token))}`;
}

/**
 * Reads every session until Redis holds an entry for each. One pass of first reads is a workload no cache
 * helps, so adaptiveBypass skips most of it; the following passes' probes hit and bring the cache back.
 */
export async function readUntilCached(
  read: (token: string) => Promise<unknown>,
  tokens: string[],
  raw: Redis,
  namespace: string,
): Promise<void> {
  const keys = tokens.map((token) => redisSessionKey(namespace, token));
  for (let pass = 0; pass < 100; pass += 1) {
    for (const token of tokens) await read(token);
    if ((await raw.exists(...keys)) === keys.length) return;
  }
  throw new Error('bench: the Redis cache did not fill in 100 passes');
}

/**
 * The least a hand-written read of a session by token does on raw `pg`: one named SELECT of the row by its
 * SHA-256 digest (32 bytes) in the token's bucket partition (`sessions_b<bucket>`), as authkeep reads it.
 */
export function rawSessionRead(pool: pg.Pool, schema: string): (token: string) => Promise<unknown> {
  return (token) => {
    const bucket = bucketOfToken(token);
    return pool.query({
      name: `bench-session-b${bucket}`,
      text: `SELECT * FROM ${schema}.sessions_b${bucket} WHERE id = $1`,
      values: [createHash('sha256').update(token).digest()],
    });
  };
}
