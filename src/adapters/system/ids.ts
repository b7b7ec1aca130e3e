import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Clock, IdGenerator } from '../../ports/system.js';

/** UUIDv7 record ids (time-ordered, index-friendly) and 256-bit base64url bearer tokens. */
export const uuidV7Ids: IdGenerator = {
  id: () => uuidv7(),
  token: (bytes = 32, encoding = 'base64url') => randomBytes(bytes).toString(encoding),
};

export const systemClock: Clock = { now: () => new Date() };

/** Epoch milliseconds of `clock`; the system clock's without a Date object (read on every cache hit). */
export function clockMs(clock: Clock): number {
  return clock === systemClock ? Date.now() : clock.now().getTime();
}
