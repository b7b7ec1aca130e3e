import { IntegrityError, ValidationError } from '../../domain/errors.js';

/** The crate's TTLs, in seconds, by cache prefix (the env-configurable ones at their defaults). */
export const CRATE_CACHE_TTL_SECONDS = {
  session: 600,
  user_sessions: 2_592_000,
  csrf: 60,
  nonce: 60,
  pkce: 60,
  misc_session: 60,
  mode: 60,
  jwks: 600,
  aaguid: 31_536_000,
  registration: 60,
  authentication: 60,
  session_info: 60,
} as const;

const MAX_PART_BYTES = 250;
const WHITESPACE = /[ \t\r\n]/;
// The crate's CacheKey/CachePrefix::new (storage/cache_store/types.rs) refuses exactly these words when a
// whole prefix or key equals one (case-insensitive); we refuse the same and nothing more, so every key the
// crate writes can be read here and every key written here can be read there.
const COMMAND_WORDS = new Set([
  'SET',
  'GET',
  'DEL',
  'FLUSHDB',
  'FLUSHALL',
  'EVAL',
  'SCRIPT',
  'SHUTDOWN',
  'CONFIG',
  'CLIENT',
  'DEBUG',
  'MONITOR',
  'SYNC',
]);

function checkPart(value: unknown, field: 'prefix' | 'key'): string {
  if (typeof value !== 'string')
    throw new ValidationError(`cache ${field} must be a string`, { details: { field } });
  if (Buffer.byteLength(value) > MAX_PART_BYTES) {
    throw new ValidationError(`cache ${field} must be at most ${MAX_PART_BYTES} bytes`, {
      details: { field },
    });
  }
  if (WHITESPACE.test(value)) {
    throw new ValidationError(`cache ${field} must not contain spaces, tabs or line breaks`, {
      details: { field },
    });
  }
  if (COMMAND_WORDS.has(value.toUpperCase())) {
    throw new ValidationError(`cache ${field} must not be a bare Redis command word`, { details: { field } });
  }
  return value;
}

/** `cache:{prefix}:{key}`: the crate's layout, the same for its memory and Redis stores. */
export function cacheKey(prefix: string, key: string): string {
  return `cache:${checkPart(prefix, 'prefix')}:${checkPart(key, 'key')}`;
}

/** The crate's CacheData: exactly `{"value":"<string>"}`. */
export function encodeCacheData(value: string): string {
  if (typeof value !== 'string')
    throw new ValidationError('cache value must be a string', { details: { field: 'value' } });
  return JSON.stringify({ value });
}

/** Reads CacheData; extra fields (the pre-0.6 `expires_at`) are ignored, as serde does. */
export function decodeCacheData(raw: string, prefix: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new IntegrityError(`cache entry under ${prefix} is not JSON`, {
      cause: error,
      details: { prefix },
    });
  }
  const value = (parsed as { value?: unknown } | null)?.value;
  if (typeof parsed !== 'object' || parsed === null || typeof value !== 'string') {
    throw new IntegrityError(`cache entry under ${prefix} has no string "value"`, { details: { prefix } });
  }
  return value;
}

/** TTL in whole seconds as the crate takes it (usize); 0 means no expiry on every backend. */
export function ttlMs(ttlSeconds: unknown): number {
  if (typeof ttlSeconds !== 'number' || !Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0) {
    throw new ValidationError('ttlSeconds must be a whole number of seconds, 0 or more', {
      details: { field: 'ttlSeconds' },
    });
  }
  return ttlSeconds * 1000;
}
