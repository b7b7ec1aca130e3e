import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { IdGenerator } from '../../../ports/system.js';
import { RandomPool } from './random-pool.js';

/** Token bytes drawn in 4 KiB blocks: one CSPRNG call per 128 session tokens instead of one each. */
const tokenBytes = new RandomPool(4096);
/** Larger requests (none of authkeep's own) go straight to the generator. */
const POOLED_UP_TO = 512;

/** UUIDv7 record ids (time-ordered, index-friendly) and 256-bit base64url bearer tokens. */
export const uuidV7Ids: IdGenerator = {
  id: () => uuidv7(),
  token: (bytes = 32, encoding = 'base64url') =>
    bytes > POOLED_UP_TO ? randomBytes(bytes).toString(encoding) : tokenBytes.text(bytes, encoding),
};
