import { ConfigError } from '../../../domain/errors.js';

/** The environment variable that holds the keyring: `k2:base64,k1:base64`, the first key active. */
export const ENCRYPTION_KEYS_ENV = 'AUTHKEEP_ENCRYPTION_KEYS';

/** AES-256 keys are 32 bytes. */
export const KEY_BYTES = 32;

/** Key ids travel in every envelope, so they are short and use only characters that need no escaping. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const BASE64_TEXT = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface KeyMaterial {
  id: string;
  key: Buffer;
}

/** What a caller may hand the keyring: raw bytes, or base64 / base64url text. */
export interface KeyInput {
  id: string;
  key: Uint8Array | string;
}

// Messages name a key by its id (checked first) or by its position, never by anything that could be key material.
export function assertKeyId(id: unknown, where: string): string {
  if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) {
    throw new ConfigError(`${where} has an invalid key id: use 1-32 characters of A-Z a-z 0-9 _ -`);
  }
  return id;
}

/** Decodes base64 or base64url text strictly: no stray characters, no non-zero padding bits. */
function decodeKeyText(text: string, id: string): Buffer {
  const bytes = BASE64_TEXT.test(text) ? Buffer.from(text, 'base64') : undefined;
  const canonical = (value: string) => value.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (!bytes || bytes.toString('base64url') !== canonical(text)) {
    throw new ConfigError(`key "${id}" is not valid base64`);
  }
  return bytes;
}

/** Validates one key and copies its bytes (the caller's buffer may be reused or wiped). */
export function decodeKey(input: KeyInput, where: string): KeyMaterial {
  const id = assertKeyId(input.id, where);
  let key: Buffer;
  if (typeof input.key === 'string') key = decodeKeyText(input.key.trim(), id);
  else if (input.key instanceof Uint8Array) key = Buffer.from(input.key);
  else throw new ConfigError(`key "${id}" must be base64 text or bytes`);
  if (key.length !== KEY_BYTES) {
    throw new ConfigError(
      `key "${id}" must be ${KEY_BYTES} bytes, got ${key.length} (generate one with "authkeep keys generate")`,
    );
  }
  if (key.every((byte) => byte === 0)) throw new ConfigError(`key "${id}" is all zero bytes`);
  return { id, key };
}

/** Checks a whole keyring: at least one key, unique ids, no key listed twice under two ids. */
export function validateKeyring(inputs: readonly KeyInput[]): KeyMaterial[] {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new ConfigError('at least one encryption key is required');
  }
  const keys = inputs.map((input, index) => decodeKey(input, `encryption key ${index + 1}`));
  for (let i = 0; i < keys.length; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [keys[j] as KeyMaterial, keys[i] as KeyMaterial];
      if (a.id === b.id) throw new ConfigError(`key id "${a.id}" appears twice`);
      if (a.key.equals(b.key)) throw new ConfigError(`keys "${a.id}" and "${b.id}" are the same key`);
    }
  }
  return keys;
}

/** Parses `id:base64,id:base64` (whitespace and empty entries ignored); the first key is the active one. */
export function parseKeyList(text: string, source = ENCRYPTION_KEYS_ENV): KeyMaterial[] {
  if (typeof text !== 'string') throw new ConfigError(`${source} must be a string`);
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) throw new ConfigError(`${source} holds no keys (expected id:base64,…)`);
  const inputs = entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new ConfigError(`${source} entry ${index + 1} is not of the form id:base64`);
    return {
      id: assertKeyId(entry.slice(0, colon).trim(), `${source} entry ${index + 1}`),
      key: entry.slice(colon + 1),
    };
  });
  return validateKeyring(inputs);
}

/** The keyring from the environment; a missing or empty variable is a config error, reported at start-up. */
export function keysFromEnv(env: Record<string, string | undefined> = process.env): KeyMaterial[] {
  const text = env[ENCRYPTION_KEYS_ENV];
  if (text === undefined || text.trim() === '') {
    throw new ConfigError(`${ENCRYPTION_KEYS_ENV} is not set (expected id:base64,…, the first key active)`);
  }
  return parseKeyList(text);
}
