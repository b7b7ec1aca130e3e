import type { BetterAuthOptions } from 'better-auth/types';
import type { EncryptedColumnSpec } from '../../../adapters/kysely/sealing/encrypted-columns.js';
import {
  rotateEncryptedColumns,
  type RotationOptions,
  type RotationReport,
} from '../../../adapters/kysely/sealing/key-rotation.js';
import { ConfigError } from '../../../domain/errors.js';
import { resolveCipher, type KitiumCipherOptions } from '../../kitium/cipher-option.js';
import { defaultLogger } from '../../env.js';
import { openDatabase } from '../../open-database.js';
import { connectionOptions, type BetterAuthDatabaseOptions } from '../options.js';
import { sealedAccountColumns } from './session-secrets.js';

export interface RotateBetterAuthSecretsOptions
  extends BetterAuthDatabaseOptions, KitiumCipherOptions, Pick<RotationOptions, 'dryRun' | 'signal'> {
  /** The same better-auth options the app passes to `betterAuth()`: they name the account table and columns. */
  options: BetterAuthOptions;
  /** As given to `authkeepAdapter` (plural table names). */
  usePlural?: boolean;
  /** Rows read, and written in one statement, per step (default 500, at most 5000). */
  batchSize?: number;
  /** Called after every batch with the column's running counts. */
  onProgress?: RotationOptions['onProgress'];
}

/** The columns `sealOAuthTokens` seals, as rotation specs (clear tokens written before it are adopted). */
export function betterAuthSealedColumns(
  options: BetterAuthOptions,
  usePlural: boolean | undefined,
): EncryptedColumnSpec[] {
  const { table, idColumn, columns } = sealedAccountColumns(options, usePlural);
  return columns.map((column) => ({ table, idColumn, column, clearValues: 'adopt' as const }));
}

const ROTATION_KEYS = ['batchSize', 'dryRun', 'signal', 'onProgress'] as const;

/**
 * Re-seals better-auth's OAuth tokens (`sealOAuthTokens`) under the active key and seals tokens still in
 * clear, batch by batch, each row only if it still holds the value read (a concurrent writer wins); safe to
 * kill and run again. Tokens that do not open with the keyring are counted as failed and left as they are.
 */
export async function rotateBetterAuthSecrets(
  input: RotateBetterAuthSecretsOptions,
): Promise<RotationReport> {
  if (!input || typeof input !== 'object' || !input.options || typeof input.options !== 'object') {
    throw new ConfigError(
      'rotateBetterAuthSecrets takes { database, options, encryptionKeys }: options are your betterAuth() options',
    );
  }
  const cipher = resolveCipher(input);
  // Asked first: without a key this is a config error before any connection opens.
  void cipher.activeKeyId;
  const columns = betterAuthSealedColumns(input.options, input.usePlural);
  const logger = input.logger ?? defaultLogger();
  const connection: Record<string, unknown> = { ...input };
  for (const key of ROTATION_KEYS) delete connection[key];
  const { store, owned } = openDatabase(
    input.database,
    connectionOptions(connection),
    logger,
    'rotateBetterAuthSecrets',
  );
  try {
    return await rotateEncryptedColumns(store, {
      cipher,
      columns,
      logger,
      ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }),
      ...(input.dryRun === undefined ? {} : { dryRun: input.dryRun }),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
      ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
    });
  } finally {
    if (owned) await store.close();
  }
}
