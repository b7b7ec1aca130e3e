// Re-implementations of the upstream writers and readers, from the facts in specs/legacy-crypto.md, so
// tests can make vectors of their own instead of only replaying the published ones.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

// Copies of specs/vectors/ (the published vectors), kept in the repository so tests run anywhere.
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/legacy-crypto/${name}`, import.meta.url), 'utf8'));

export interface MitthooksVector {
  name: string;
  password: string;
  salt: string;
  stored: string;
  plaintext?: string;
  derivedKeyHex?: string;
  expect?: 'error';
}

export interface DbstoreVector {
  name: string;
  key: string;
  stored: unknown;
  value?: unknown;
  legacy?: boolean;
  expect?: 'error';
}

export const MITTHOOKS_VECTORS = fixture('mitthooks-public.json') as MitthooksVector[];
export const DBSTORE_VECTORS = fixture('dbstore-public.json') as DbstoreVector[];

/** mitthooks-drizzle's key: `scryptSync(masterPassword, salt, 32)`, Node's defaults. */
export function upstreamMitthooksKey(password: string, salt: string): Buffer {
  return scryptSync(password, salt, 32);
}

/** mitthooks-drizzle's `toDriver`. */
export function upstreamMitthooksWrite(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${iv.toString('base64')}:${encrypted.toString('base64')}:${cipher.getAuthTag().toString('base64')}`;
}

/** mitthooks-drizzle's lenient `fromDriver` (without the empty-piece check, to read `iv::tag`). */
export function upstreamMitthooksRead(key: Buffer, stored: string): string {
  const [iv, data, tag] = stored.split(':') as [string, string, string];
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
}

/** dbstore-manager's `encrypt` for a 32-byte key. */
export function upstreamDbstoreWrite(key: string | Buffer, value: unknown) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key), iv);
  let ciphertext = cipher.update(JSON.stringify(value), 'utf8', 'base64');
  ciphertext += cipher.final('base64');
  return { ciphertext, iv: iv.toString('base64'), authTag: cipher.getAuthTag().toString('base64') };
}

/** dbstore-manager's lenient `decrypt`, including its plaintext fallback. */
export function upstreamDbstoreRead(key: string | Buffer, stored: any): unknown {
  if (!stored || !stored.ciphertext || !stored.iv || !stored.authTag) return stored;
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key), Buffer.from(stored.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(stored.authTag, 'base64'));
  let text = decipher.update(stored.ciphertext, 'base64', 'utf8');
  text += decipher.final('utf8');
  return JSON.parse(text);
}

/** Flips one bit of a base64 field's bytes and re-encodes it canonically. */
export function flipBit(base64: string, byte = 0, bit = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byte] = (bytes[byte] as number) ^ (1 << bit);
  return bytes.toString('base64');
}

/** Keeps the first `length` bytes of a base64 field. */
export function truncate(base64: string, length: number): string {
  return Buffer.from(base64, 'base64').subarray(0, length).toString('base64');
}

/** A random string with ASCII, accented, CJK, emoji and colon characters. */
export function randomText(length: number): string {
  const alphabet = ['a', 'Z', '0', ':', ' ', 'é', 'ß', '秘', '🔐', '👩‍💻', '"', '\\', '\n', '='];
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomBytes(1)[0]! % alphabet.length];
  return out;
}
