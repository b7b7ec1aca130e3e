import { randomBytes } from 'node:crypto';
import { KeyedCodeDigest } from '../../../adapters/crypto/hashing/code-digest.js';
import { Sha256TokenDigest } from '../../../adapters/crypto/hashing/token-digest.js';
import { AesGcmKeyring } from '../../../adapters/crypto/keyring/aes-gcm-keyring.js';
import { assertKeyId, ENCRYPTION_KEYS_ENV, KEY_BYTES } from '../../../adapters/crypto/keyring/key-config.js';
import { LegacyReadingCipher } from '../../../adapters/crypto/legacy/legacy-cipher.js';
import { openPostgres, openSqlite, type SqlStore } from '../../../adapters/kysely/index.js';
import { ENCRYPTED_COLUMNS } from '../../../adapters/kysely/sealing/encrypted-columns.js';
import {
  rotateEncryptedColumns,
  type ColumnRotation,
} from '../../../adapters/kysely/sealing/key-rotation.js';
import type { CipherPort } from '../../../ports/cipher.js';
import type { Logger } from '../../../ports/system.js';
import { databaseKind, resolveDatabaseUrl } from '../../config.js';
import { envValue } from '../../env.js';
import { sqlitePath } from '../../kitium/adapters.js';
import { cliLogger } from '../cli-logger.js';
import { findAccountTokens } from './found-account-tokens.js';
import { defineCommand, type CliCommand } from '../command.js';
import { cliLogLevel, DATABASE_FLAGS } from '../common.js';
import { checkDatabaseFlag, refuseMissingSqliteFile } from '../database-target.js';
import { JSON_FLAG } from '../flags.js';
import { CliError, type CliIo } from '../io.js';
import { PROGRESS_FLAG, ProgressReporter } from '../progress.js';

/** `k<yyyymmdd>_<4 hex>`: sortable by creation day, and unlikely to collide on the same day. */
function defaultKeyId(now = new Date()): string {
  return `k${now.toISOString().slice(0, 10).replaceAll('-', '')}_${randomBytes(2).toString('hex')}`;
}

const generateCommand = defineCommand({
  name: 'keys generate',
  summary: 'print a new 32-byte key as id:base64',
  details: [
    `Put it first in ${ENCRYPTION_KEYS_ENV} to make it active (the first key encrypts; every listed key`,
    'decrypts), then run "authkeep keys rotate". Only the key goes to stdout, so $(...) captures it.',
  ],
  flags: {
    id: { type: 'string', value: '<id>', help: 'key id (default k<yyyymmdd>_<4 hex>)' },
    // Accepted like on every command, so a shared wrapper script may pass it; a new key needs none.
    database: { ...DATABASE_FLAGS.database, help: 'accepted and ignored: a new key needs no database' },
  },
  run(values, io) {
    const id = assertKeyId(values.id ?? defaultKeyId(), '--id');
    io.out(`${id}:${randomBytes(KEY_BYTES).toString('base64')}`);
    io.err(`put it first in ${ENCRYPTION_KEYS_ENV} (first key active), then run "authkeep keys rotate"`);
  },
});

/** The store for a URL, with a generous statement timeout: a rotation batch may wait on a busy row. */
function openStore(url: string, schemaFlag: string | undefined, io: CliIo, logger: Logger): SqlStore {
  if (databaseKind(url) === 'postgres') {
    const schema = schemaFlag ?? envValue(io.env, 'AUTHKEEP_DATABASE_SCHEMA');
    return openPostgres(url, { max: 2, statementTimeoutMs: 60_000, ...(schema ? { schema } : {}) }, logger);
  }
  if (schemaFlag) throw new CliError('--schema applies to PostgreSQL only', 2);
  return openSqlite(sqlitePath(url), {}, logger);
}

function batchSizeOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text.trim())) {
    throw new CliError(`--batch-size must be a positive integer (got "${text.slice(0, 20)}")`, 2);
  }
  return Number(text);
}

function describe(progress: ColumnRotation, dryRun: boolean): string {
  const verb = dryRun ? 'to rotate' : 'rotated';
  const counts = `${progress.rotated} ${verb}, ${progress.current} current, ${progress.conflicts} changed concurrently, ${progress.failed} failed`;
  // Account tokens in clear, left unless --seal-plaintext (an app that does not seal them would read envelopes).
  return progress.clear ? `${counts}, ${progress.clear} in clear left as they are` : counts;
}

type RotateValues = {
  database?: string;
  schema?: string;
  keys?: string;
  'batch-size'?: string;
  'dry-run'?: boolean;
  'seal-plaintext'?: boolean;
  progress?: boolean;
  json?: boolean;
};

async function rotate(values: RotateValues, io: CliIo): Promise<void> {
  const dryRun = values['dry-run'] === true;
  const batchSize = batchSizeOf(values['batch-size']);
  const keyring =
    values.keys !== undefined ? new AesGcmKeyring({ keys: values.keys }) : AesGcmKeyring.fromEnv(io.env);
  // Adopted databases hold upstream's plaintext secrets: reading them as plaintext is opt-in, once.
  const cipher: CipherPort = values['seal-plaintext']
    ? new LegacyReadingCipher({ primary: keyring, plaintext: 'allow' })
    : keyring;
  const logger = cliLogger(io, cliLogLevel(io));
  checkDatabaseFlag(values.database);
  const url = resolveDatabaseUrl(values.database, io.env);
  refuseMissingSqliteFile(url);
  const store = openStore(url, values.schema, io, logger);
  const progress = new ProgressReporter(io, values.progress === true);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (!values.json) {
      io.out(`${dryRun ? 'dry run: counting' : 'rotating'} encrypted columns to key ${cipher.activeKeyId}`);
    }
    const accounts = await findAccountTokens(store, values['seal-plaintext'] ? 'adopt' : 'skip');
    const report = await rotateEncryptedColumns(store, {
      cipher,
      // better-auth's and Auth.js's sealed account tokens under default names, when this database has them.
      columns: [...ENCRYPTED_COLUMNS, ...accounts.betterAuth, ...accounts.authjs],
      dryRun,
      logger,
      signal: abort.signal,
      // Adopted email verification codes in clear become keyed digests (one-way: not re-encrypted).
      ...(values['seal-plaintext']
        ? { sealCodes: new KeyedCodeDigest(keyring, new Sha256TokenDigest()) }
        : {}),
      ...(batchSize === undefined ? {} : { batchSize }),
      onProgress: (p) => {
        if (!p.missing) progress.update(`${p.table}.${p.column}`, p.scanned, p.total, describe(p, dryRun));
      },
    });
    progress.finish();
    if (values.json) {
      io.out(JSON.stringify(report));
    }
    for (const column of values.json ? [] : report.columns) {
      const name = `${column.table}.${column.column}`;
      io.out(
        column.missing
          ? `${name}: not in this database, skipped`
          : `${name}: ${column.scanned} values, ${describe(column, dryRun)}`,
      );
    }
    for (const failure of report.failures) {
      io.err(`cannot decrypt ${failure.table}.${failure.column} row ${failure.rowId}: left unchanged`);
    }
    if (report.columns.length > 0 && report.columns.every((column) => column.missing)) {
      throw new CliError('no encrypted tables in this database: is it migrated ("authkeep migrate")?');
    }
    if (report.aborted) throw new CliError('interrupted; run the same command again to finish', 130);
    const failed = report.columns.reduce((sum, column) => sum + column.failed, 0);
    if (failed > 0) {
      throw new CliError(
        `${failed} value(s) could not be decrypted with the configured keys and were left unchanged`,
      );
    }
    if (values.json) return;
    io.out(
      dryRun
        ? 'dry run complete: nothing was written'
        : `done: every encrypted value uses key ${cipher.activeKeyId}`,
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await store.close();
  }
}

const rotateCommand = defineCommand({
  name: 'keys rotate',
  summary: 're-encrypt every encrypted column with the active (first) key, in batches',
  details: [
    'Safe to interrupt and run again. Keys come from --keys or AUTHKEEP_ENCRYPTION_KEYS (prefer the',
    'variable: arguments are visible to other local users).',
    "Sealed account tokens are rotated too: better-auth's account.accessToken, refreshToken, idToken",
    '(sealOAuthTokens; default names and text ids, else use rotateBetterAuthSecrets from',
    "authkeep/better-auth) and Auth.js's accounts/Account access_token, refresh_token, id_token",
    '(sealAccountTokens; migrateAuthjs({ sealAccountTokens: true }) does the same). Their tokens in clear',
    'are sealed only with --seal-plaintext: do that only if the app runs with that sealing option on.',
  ],
  flags: {
    database: DATABASE_FLAGS.database,
    schema: DATABASE_FLAGS.schema,
    keys: { type: 'string', value: '<list>', help: 'id:base64,… (default: AUTHKEEP_ENCRYPTION_KEYS)' },
    'batch-size': { type: 'string', value: '<n>', help: 'rows per batch (default 500)' },
    'dry-run': { type: 'boolean', help: 'only count what would be rotated; write nothing' },
    'seal-plaintext': {
      type: 'boolean',
      help: 'also encrypt values still in clear (an adopted @kitiumai/auth-postgres database; account tokens)',
    },
    ...PROGRESS_FLAG,
    ...JSON_FLAG,
  },
  run: rotate,
});

export const KEYS_COMMANDS: readonly CliCommand[] = [generateCommand, rotateCommand];
