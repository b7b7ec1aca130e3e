import { hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError } from '../../domain/errors.js';
import type { CipherPort } from '../../ports/cipher.js';

export const CACHE_SECRET_ENV = 'AUTHKEEP_CACHE_SECRET';
const PURPOSE = 'authkeep cache entry mac v2';

export interface CacheSecretSources {
  /** `cacheOptions.secret`: a per-deployment secret (at least 16 bytes), the same in every process. */
  secret?: string | undefined;
  tokenPepper?: string | undefined;
  cipher?: CipherPort | undefined;
  /** Whether the cache is shared between processes (Redis): then a secret is required. */
  shared: boolean;
}

/**
 * The key that authenticates cache entries, derived (HKDF-SHA-256) from configured secret material: the cache
 * secret, else AUTHKEEP_CACHE_SECRET, else the token pepper, else the keyring's active key. A shared cache
 * without any of them is a config error: a per-process random key would make the entries of other processes
 * unreadable, and no key at all would let whoever writes to Redis mint credentials. An in-process cache,
 * which nobody else can write, uses a random key.
 */
export function cacheMacKey(sources: CacheSecretSources, env: NodeJS.ProcessEnv = process.env): Buffer {
  const secret = sources.secret ?? nonEmpty(env[CACHE_SECRET_ENV]);
  if (secret !== undefined) {
    if (Buffer.byteLength(secret) < 16) throw new ConfigError('the cache secret must be at least 16 bytes');
    return derive(Buffer.from(secret, 'utf8'));
  }
  if (sources.tokenPepper !== undefined) return derive(Buffer.from(sources.tokenPepper, 'utf8'));
  const fromKeyring = keyringKey(sources.cipher);
  if (fromKeyring) return derive(fromKeyring);
  if (!sources.shared) return randomBytes(32);
  throw new ConfigError(
    `a Redis cache needs secret material to authenticate its entries: set ${CACHE_SECRET_ENV} ` +
      '(or cacheOptions.secret), the tokenPepper option, or encryption keys; the same in every process',
  );
}

function keyringKey(cipher: CipherPort | undefined): Buffer | undefined {
  if (!cipher?.deriveKey) return undefined;
  try {
    return cipher.deriveKey(PURPOSE);
  } catch {
    return undefined; // e.g. no key configured
  }
}

function derive(material: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', material, 'authkeep', PURPOSE, 32));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
