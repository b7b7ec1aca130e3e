import { createHash, randomBytes } from 'node:crypto';
import { bucketedToken, sessionBucket } from '../../../src/domain/records/session-bucket.js';

/**
 * The one data set every contender gets: the same users (ids, emails, names) and the same sessions
 * (tokens, owners, expiry), generated in SQL for speed and reproducible in JS to pick keys. Tokens are
 * 43 characters like authkeep's; each peer stores them the way it does (authkeep: SHA-256 digest; Auth.js
 * and better-auth: the token itself).
 */
export interface PeerData {
  salt: string;
  users: number;
  sessions: number;
  /** The expiry bucket of every seeded session (they expire in a day): authkeep's tokens end in it. */
  bucket: number;
}

export function peerData(sessions: number): PeerData {
  const bucket = sessionBucket(new Date(Date.now() + 86_400_000));
  return { salt: randomBytes(8).toString('hex'), users: Math.ceil(sessions / 2), sessions, bucket };
}

/** The token authkeep minted for seeded session j: the same 43 characters, then its bucket. */
export const authkeepToken = (d: PeerData, token: string) => bucketedToken(token, d.bucket);

export const tokenOf = (d: PeerData, j: number) => `${d.salt}${String(j).padStart(27, '0')}`;
export const emailOf = (i: number) => `user${i}@example.com`;
export const userIdOf = (d: PeerData, i: number) => {
  const h = createHash('md5').update(`${d.salt}u${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
/** Session j (1-based) belongs to user ((j - 1) mod users) + 1. */
export const ownerOf = (d: PeerData, j: number) => ((j - 1) % d.users) + 1;

/** SQL expressions of the same values, for `generate_series(1, n) as i` / `as j` (salt is hex). */
export const sql = {
  userId: (d: PeerData) => `md5('${d.salt}u' || i)::uuid`,
  email: `'user' || i || '@example.com'`,
  name: `'User ' || i`,
  token: (d: PeerData) => `'${d.salt}' || lpad(j::text, 27, '0')`,
  authkeepToken: (d: PeerData) => `'${d.salt}' || lpad(j::text, 27, '0') || '${bucketedToken('', d.bucket)}'`,
  ownerId: (d: PeerData) => `md5('${d.salt}u' || (((j - 1) % ${d.users}) + 1))::uuid`,
};

/**
 * Key pickers: reads walk the first quarter of the sessions (and all users) in a scattered order that
 * every contender repeats; deletes take the rest from the top, so reads never hit a deleted row.
 */
export function pickers(d: PeerData) {
  const readable = Math.floor(d.sessions / 4);
  let r = 0;
  let u = 0;
  let del = d.sessions;
  return {
    readToken: () => tokenOf(d, ((r++ * 7919) % readable) + 1),
    userIndex: () => ((u++ * 7919) % d.users) + 1,
    deleteToken: () => {
      if (del <= readable)
        throw new Error('deleteSession ran out of seeded sessions: raise BENCH_PEER_SESSIONS');
      return tokenOf(d, del--);
    },
  };
}
