import { randomBytes, randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Clock, IdGenerator } from '../../ports/system.js';

/** CSPRNG bytes drawn in blocks: one system call per 128 tokens instead of one each (as randomUUID does). */
const ENTROPY_BLOCK = 4096;
const entropy = Buffer.allocUnsafeSlow(ENTROPY_BLOCK);
let entropyUsed = ENTROPY_BLOCK;

/** `bytes` fresh CSPRNG bytes as text; each byte is handed out once and wiped from the block at once. */
function randomText(bytes: number, encoding: 'base64url' | 'hex'): string {
  if (bytes > ENTROPY_BLOCK / 8) return randomBytes(bytes).toString(encoding);
  if (entropyUsed + bytes > ENTROPY_BLOCK) {
    randomFillSync(entropy);
    entropyUsed = 0;
  }
  const start = entropyUsed;
  entropyUsed += bytes;
  const text = entropy.toString(encoding, start, entropyUsed);
  entropy.fill(0, start, entropyUsed);
  return text;
}

/** UUIDv7 record ids (time-ordered, index-friendly) and 256-bit base64url bearer tokens. */
export const uuidV7Ids: IdGenerator = {
  id: () => uuidv7(),
  token: (bytes = 32, encoding = 'base64url') => randomText(bytes, encoding),
};

export const systemClock: Clock = { now: () => new Date() };

/** Epoch milliseconds of `clock`; the system clock's without a Date object (read on every cache hit). */
export function clockMs(clock: Clock): number {
  return clock === systemClock ? Date.now() : clock.now().getTime();
}
