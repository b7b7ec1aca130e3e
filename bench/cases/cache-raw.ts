import { createHash } from 'node:crypto';
import type pg from 'pg';
import { bucketOfToken } from '../../src/domain/records/session-bucket.js';

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
