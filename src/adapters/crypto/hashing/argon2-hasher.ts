import { ConfigError, ValidationError } from '../../../domain/errors.js';
import type { Hasher } from '../../../ports/cipher.js';
import { argon2Module } from './argon2-module.js';

export interface Argon2Parameters {
  /** Memory in KiB (OWASP: 19456 = 19 MiB). */
  memoryCost: number;
  /** Passes over memory (OWASP: 2). */
  timeCost: number;
  /** Lanes (OWASP: 1). */
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id first option. */
export const OWASP_ARGON2ID: Readonly<Argon2Parameters> = Object.freeze({
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

/** Longer inputs are refused: a password or backup code is short, and argon2 time must stay bounded. */
export const MAX_SECRET_BYTES = 4096;
const HASH_BYTES = 32;
const SALT_BYTES = 16;
const ARGON2_VERSION = 0x13;
// Hashes read back are trusted data, but a corrupted one must not make us allocate gigabytes.
const LIMITS = { memoryCost: 4 * 1024 * 1024, timeCost: 1000, parallelism: 255 };

/**
 * A stored hash may ask for at most this multiple of the configured total cost (m × t × p): whoever can write
 * a hash (a database writer) must not be able to tie up the thread pool with t=1000, m=1 GiB, or each
 * dimension at 4× at once (64× the work).
 */
export const MAX_COST_FACTOR = 4;

interface ParsedHash extends Argon2Parameters {
  type: string;
  version: number;
  saltBytes: number;
  hashBytes: number;
}

const B64 = /^[A-Za-z0-9+/]+$/;

/** Reads `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`; parameters may come in any order (PHC). */
function parseHash(hash: string): ParsedHash {
  const pieces = hash.split('$');
  if (pieces.length === 5) pieces.splice(2, 0, 'v=16'); // hashes from before argon2 1.3 carry no version
  const [empty, type, version, params, salt, digest] = pieces;
  if (
    pieces.length !== 6 ||
    empty !== '' ||
    !/^argon2(id|i|d)$/.test(type ?? '') ||
    !/^v=\d{1,3}$/.test(version ?? '') ||
    !B64.test(salt ?? '') ||
    !B64.test(digest ?? '')
  ) {
    throw new ValidationError('hash is not an argon2 PHC string');
  }
  const values = new Map((params ?? '').split(',').map((pair) => pair.split('=', 2) as [string, string]));
  const parsed: ParsedHash = {
    type: type as string,
    version: Number((version as string).slice(2)),
    memoryCost: Number(values.get('m')),
    timeCost: Number(values.get('t')),
    parallelism: Number(values.get('p')),
    saltBytes: Math.floor(((salt as string).length * 3) / 4),
    hashBytes: Math.floor(((digest as string).length * 3) / 4),
  };
  for (const name of ['memoryCost', 'timeCost', 'parallelism'] as const) {
    const value = parsed[name];
    if (!Number.isInteger(value) || value < 1 || value > LIMITS[name]) {
      throw new ValidationError(`hash has a missing or out-of-range ${name}`);
    }
  }
  return parsed;
}

function checkSecret(secret: unknown): string {
  if (typeof secret !== 'string') throw new ValidationError('secret must be a string');
  if (secret.length === 0) throw new ValidationError('secret must not be empty');
  if (Buffer.byteLength(secret, 'utf8') > MAX_SECRET_BYTES) {
    throw new ValidationError(`secret exceeds ${MAX_SECRET_BYTES} bytes`);
  }
  return secret;
}

/**
 * argon2id through the `argon2` native binding, whose work runs on libuv's threadpool, so hashing
 * never blocks the event loop. Verify accepts any argon2 hash and flags those weaker than today's.
 */
export class Argon2Hasher implements Hasher {
  readonly parameters: Readonly<Argon2Parameters>;

  constructor(parameters: Partial<Argon2Parameters> = {}) {
    const chosen = { ...OWASP_ARGON2ID, ...parameters };
    for (const name of ['memoryCost', 'timeCost', 'parallelism'] as const) {
      const value = chosen[name];
      if (!Number.isInteger(value) || value < 1 || value > LIMITS[name]) {
        throw new ConfigError(`argon2 ${name} must be an integer between 1 and ${LIMITS[name]}`);
      }
    }
    // argon2 itself requires at least 8 KiB per lane.
    if (chosen.memoryCost < 8 * chosen.parallelism) {
      throw new ConfigError('argon2 memoryCost must be at least 8 KiB per lane of parallelism');
    }
    this.parameters = Object.freeze(chosen);
  }

  async hash(secret: string): Promise<string> {
    const argon2 = argon2Module();
    return argon2.hash(checkSecret(secret), {
      type: argon2.argon2id,
      version: ARGON2_VERSION,
      hashLength: HASH_BYTES,
      ...this.parameters,
    });
  }

  async verify(hash: string, secret: string): Promise<{ valid: boolean; needsRehash: boolean }> {
    if (typeof hash !== 'string') throw new ValidationError('hash must be a string');
    const parsed = parseHash(hash);
    checkSecret(secret);
    if (this.isTooCostly(parsed)) {
      throw new ValidationError(
        `hash asks for more than ${MAX_COST_FACTOR}x the configured argon2 cost; refused before any work`,
        {
          details: {
            memoryCost: parsed.memoryCost,
            timeCost: parsed.timeCost,
            parallelism: parsed.parallelism,
          },
        },
      );
    }
    const argon2 = argon2Module();
    let valid: boolean;
    try {
      valid = await argon2.verify(hash, secret);
    } catch {
      throw new ValidationError('hash is not a usable argon2 hash');
    }
    return { valid, needsRehash: valid && (this.isWeaker(parsed) || this.isCostlier(parsed)) };
  }

  /**
   * Whether a stored hash should be replaced: not the current parameters (weaker in any dimension that adds
   * cost, or costlier in any dimension than configured), or so much costlier that `verify` refuses it.
   */
  needsRehash(hash: string): boolean {
    if (typeof hash !== 'string') throw new ValidationError('hash must be a string');
    const parsed = parseHash(hash);
    return this.isWeaker(parsed) || this.isCostlier(parsed);
  }

  /** Whether verifying would cost more than MAX_COST_FACTOR times the configured m × t × p. */
  private isTooCostly(parsed: ParsedHash): boolean {
    const current = this.parameters;
    const budget = current.memoryCost * current.timeCost * current.parallelism * MAX_COST_FACTOR;
    return parsed.memoryCost * parsed.timeCost * parsed.parallelism > budget;
  }

  /** Above the configuration in any dimension: verifiable (within the budget) but worth re-hashing down. */
  private isCostlier(parsed: ParsedHash): boolean {
    const current = this.parameters;
    return (
      parsed.memoryCost > current.memoryCost ||
      parsed.timeCost > current.timeCost ||
      parsed.parallelism > current.parallelism
    );
  }

  private isWeaker(parsed: ParsedHash): boolean {
    const current = this.parameters;
    return (
      parsed.type !== 'argon2id' ||
      parsed.version < ARGON2_VERSION ||
      parsed.memoryCost < current.memoryCost ||
      parsed.timeCost < current.timeCost ||
      parsed.saltBytes < SALT_BYTES ||
      parsed.hashBytes < HASH_BYTES
    );
  }
}
