import { randomBytes } from 'node:crypto';
import { KeyedCodeDigest } from '../../adapters/crypto/code-digest.js';
import { Sha256TokenDigest } from '../../adapters/crypto/token-digest.js';
import { AesGcmKeyring } from '../../adapters/crypto/aes-gcm-keyring.js';
import { assertKeyId, ENCRYPTION_KEYS_ENV, KEY_BYTES } from '../../adapters/crypto/key-config.js';
import { LegacyReadingCipher } from '../../adapters/crypto/legacy-cipher.js';
import { openPostgres, openSqlite, type SqlStore } from '../../adapters/kysely/index.js';
import { rotateEncryptedColumns, type ColumnRotation } from '../../adapters/kysely/key-rotation.js';
import { createPinoLogger } from '../../adapters/log/pino-logger.js';
import type { CipherPort } from '../../ports/cipher.js';
import type { Logger } from '../../ports/system.js';
import { databaseKind, resolveDatabaseUrl } from '../config.js';
import { sqlitePath } from '../kitium/adapters.js';
import { parse } from './common.js';
import { CliError, type CliIo } from './io.js';
import { ProgressReporter } from './progress.js';

export const KEYS_USAGE = [
  'usage: authkeep keys <generate|rotate> [options]',
  '',
  '  keys generate [--id <id>]',
  '      prints a new 32-byte key as id:base64; put it first in AUTHKEEP_ENCRYPTION_KEYS to make it active',
  '  keys rotate [--database <url>] [--schema <name>] [--keys <list>] [--batch-size <n>] [--dry-run]',
  '             [--seal-plaintext]',
  '      re-encrypts every encrypted column with the active (first) key, in batches; safe to interrupt',
  '      and run again. --dry-run only counts. --seal-plaintext also encrypts values still in clear',
  '      (a database adopted from @kitiumai/auth-postgres). Keys come from --keys or',
  '      AUTHKEEP_ENCRYPTION_KEYS (prefer the variable: arguments are visible to other local users).',
].join('\n');

const ROTATE_OPTIONS = {
  database: { type: 'string', short: 'd' },
  schema: { type: 'string' },
  keys: { type: 'string' },
  'batch-size': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'seal-plaintext': { type: 'boolean' },
  // Accepted like on every command; rotation touches no cached record (the cache holds no secrets).
  redis: { type: 'string' },
} as const;

/** `k<yyyymmdd>_<4 hex>`: sortable by creation day, and unlikely to collide on the same day. */
function defaultKeyId(now = new Date()): string {
  return `k${now.toISOString().slice(0, 10).replaceAll('-', '')}_${randomBytes(2).toString('hex')}`;
}

function generate(argv: string[], io: CliIo): void {
  const { values } = parse(argv, {
    id: { type: 'string' },
    database: { type: 'string' },
    redis: { type: 'string' },
  });
  const id = assertKeyId(values.id ?? defaultKeyId(), '--id');
  io.out(`${id}:${randomBytes(KEY_BYTES).toString('base64')}`);
  io.err(`put it first in ${ENCRYPTION_KEYS_ENV} (first key active), then run "authkeep keys rotate"`);
}

/** The store for a URL, with a generous statement timeout: a rotation batch may wait on a busy row. */
function openStore(url: string, schema: string | undefined, logger: Logger): SqlStore {
  if (databaseKind(url) === 'postgres') {
    return openPostgres(url, { max: 2, statementTimeoutMs: 60_000, ...(schema ? { schema } : {}) }, logger);
  }
  if (schema) throw new CliError('--schema applies to PostgreSQL only', 2);
  return openSqlite(sqlitePath(url), {}, logger);
}

function batchSizeOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new CliError('--batch-size must be a positive integer', 2);
  return Number(text);
}

function describe(progress: ColumnRotation, dryRun: boolean): string {
  const verb = dryRun ? 'to rotate' : 'rotated';
  return `${progress.rotated} ${verb}, ${progress.current} current, ${progress.conflicts} changed concurrently, ${progress.failed} failed`;
}

async function rotate(argv: string[], io: CliIo): Promise<void> {
  const { values } = parse(argv, ROTATE_OPTIONS);
  const dryRun = values['dry-run'] === true;
  const batchSize = batchSizeOf(values['batch-size']);
  const keyring =
    values.keys !== undefined ? new AesGcmKeyring({ keys: values.keys }) : AesGcmKeyring.fromEnv(io.env);
  // Adopted databases hold upstream's plaintext secrets: reading them as plaintext is opt-in, once.
  const cipher: CipherPort = values['seal-plaintext']
    ? new LegacyReadingCipher({ primary: keyring, plaintext: 'allow' })
    : keyring;
  const logger = createPinoLogger();
  const store = openStore(resolveDatabaseUrl(values.database, io.env), values.schema, logger);
  const progress = new ProgressReporter(io);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    io.out(`${dryRun ? 'dry run: counting' : 'rotating'} encrypted columns to key ${cipher.activeKeyId}`);
    const report = await rotateEncryptedColumns(store, {
      cipher,
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
    for (const column of report.columns) {
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

/** `authkeep keys generate | rotate`. */
export async function runKeysCommand(argv: string[], io: CliIo): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'generate') return generate(rest, io);
  if (sub === 'rotate') return rotate(rest, io);
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.out(KEYS_USAGE);
    if (sub === undefined) throw new CliError('a keys subcommand is required', 2);
    return;
  }
  throw new CliError(`unknown keys subcommand "${sub}" (generate or rotate)`, 2);
}
