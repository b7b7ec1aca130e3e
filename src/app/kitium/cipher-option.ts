import { AesGcmKeyring } from '../../adapters/crypto/keyring/aes-gcm-keyring.js';
import { envValue } from '../env.js';
import { envelopeKeyId } from '../../adapters/crypto/keyring/envelope.js';
import { ENCRYPTION_KEYS_ENV, type KeyInput } from '../../adapters/crypto/keyring/key-config.js';
import { ConfigError } from '../../domain/errors.js';
import type { CipherContext, CipherPort } from '../../ports/cipher.js';

/** How a kitium facade gets the cipher for secrets at rest (two-factor secrets, SSO secrets and tokens). */
export interface KitiumCipherOptions {
  /** A ready CipherPort, e.g. an `AesGcmKeyring` or a `LegacyReadingCipher` for an adopted database. */
  cipher?: CipherPort;
  /** Keys for the built-in AES-256-GCM keyring: `id:base64,id:base64` or a list; the first is active. */
  encryptionKeys?: string | readonly KeyInput[];
}

const HOW_TO_CONFIGURE =
  `set ${ENCRYPTION_KEYS_ENV} (id:base64,…; "authkeep keys generate" prints a key) ` +
  'or pass the encryptionKeys or cipher option';

/**
 * Stands in when no key is configured, so a store without secrets needs no key: writing a secret is a
 * config error (never a plaintext write), and so is reading one.
 */
export class MissingKeyCipher implements CipherPort {
  get activeKeyId(): string {
    throw new ConfigError(`no encryption key is configured: ${HOW_TO_CONFIGURE}`);
  }

  encrypt(_plaintext: string, context: CipherContext): string {
    throw new ConfigError(
      `${context.table}.${context.column} is a secret stored encrypted, and no encryption key is configured: ${HOW_TO_CONFIGURE}`,
      { details: { table: context.table, column: context.column } },
    );
  }

  decrypt(_envelope: string, context: CipherContext): string {
    throw new ConfigError(
      `${context.table}.${context.column} holds an encrypted secret, and no encryption key is configured: ${HOW_TO_CONFIGURE}`,
      { details: { table: context.table, column: context.column } },
    );
  }

  keyIdOf(envelope: string): string | null {
    return envelopeKeyId(envelope);
  }
}

function isCipherPort(value: unknown): value is CipherPort {
  const candidate = value as Partial<CipherPort> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.encrypt === 'function' &&
    typeof candidate.decrypt === 'function' &&
    typeof candidate.keyIdOf === 'function'
  );
}

/**
 * The cipher a facade uses: the `cipher` option, else a keyring of `encryptionKeys`, else one from
 * AUTHKEEP_ENCRYPTION_KEYS, else MissingKeyCipher. A malformed key is a config error here, at start-up.
 */
export function resolveCipher(
  options: KitiumCipherOptions,
  env: Record<string, string | undefined> = process.env,
): CipherPort {
  const { cipher, encryptionKeys } = options;
  if (cipher !== undefined && encryptionKeys !== undefined) {
    throw new ConfigError('pass either the cipher option or encryptionKeys, not both');
  }
  if (cipher !== undefined) {
    if (!isCipherPort(cipher)) throw new ConfigError('the cipher option must be a CipherPort');
    return cipher;
  }
  if (encryptionKeys !== undefined) return new AesGcmKeyring({ keys: encryptionKeys });
  if (envValue(env, ENCRYPTION_KEYS_ENV) !== undefined) return AesGcmKeyring.fromEnv(env);
  return new MissingKeyCipher();
}
