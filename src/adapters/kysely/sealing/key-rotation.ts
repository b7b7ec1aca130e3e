import { sql } from 'kysely';
import { ConfigError, IntegrityError, ValidationError } from '../../../domain/errors.js';
import type { CipherPort, CodeDigestPort } from '../../../ports/cipher.js';
import { sealPlaintextCodes } from './code-sealing.js';
import type { Logger } from '../../../ports/system.js';
import { ENCRYPTED_COLUMNS, type EncryptedColumnSpec } from './encrypted-columns.js';
import { describeColumns } from '../schema/introspect.js';
import type { SqlStore } from '../sql-store.js';
import type { ColumnRotation, RotationReport } from './rotation-report.js';

export type { ColumnRotation, RotationFailure, RotationReport } from './rotation-report.js';

export interface RotationOptions {
  cipher: CipherPort;
  /** Default: every registered encrypted column; other specs (better-auth's, named by its options) may be given. */
  columns?: readonly EncryptedColumnSpec[];
  /** Rows read, and written in one transaction, per step (default 500). */
  batchSize?: number;
  /** Count what would change without writing anything. */
  dryRun?: boolean;
  /** Called after every batch with the column's running counts. */
  onProgress?: (progress: Readonly<ColumnRotation>) => void;
  /** Checked between batches: aborting stops after the batch in flight. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Also digest bearer codes still in clear (adopted email verification codes) with this port. */
  sealCodes?: CodeDigestPort;
}

export const DEFAULT_ROTATION_BATCH = 500;
export const MAX_ROTATION_BATCH = 5000;
export const MAX_REPORTED_FAILURES = 100;
/** Rows encrypted between two turns of the event loop. */
const YIELD_EVERY = 200;

type DynamicDb = Record<string, Record<string, unknown>>;
interface Row {
  /** Kept as the driver returns it, so the keyset comparison keeps the column's own type. */
  id: string | number;
  value: string;
  /** The values of `spec.boundTo.columns`, as b0, b1…, when the spec has them. */
  [bound: `b${number}`]: unknown;
}
interface Rewrite {
  id: Row['id'];
  old: string;
  next: string;
}

/** Reads one page of non-null values after `after` in id order (keyset pagination: no OFFSET, no drift). */
async function readPage(store: SqlStore, spec: EncryptedColumnSpec, after: Row['id'] | null, limit: number) {
  const db = store.typed<DynamicDb>();
  let query = db
    .selectFrom(spec.table)
    .select([
      `${spec.idColumn} as id`,
      `${spec.column} as value`,
      ...(spec.boundTo?.columns ?? []).map((column, i) => `${column} as b${i}`),
    ])
    .where(spec.column, 'is not', null)
    .orderBy(spec.idColumn)
    .limit(limit);
  if (after !== null) query = query.where(spec.idColumn, '>', after);
  const rows = await store.run(() => query.execute(), { idempotent: true, entity: spec.table });
  return rows as unknown as Row[];
}

/** The PostgreSQL array type a batch's row ids are sent as, matching the id column so its index serves. */
type IdArrayType = 'text' | 'uuid' | 'bigint';

/**
 * Whether the column exists (null when not), and the array type for its id column; a PostgreSQL column
 * that cannot hold an envelope is a config error.
 */
async function columnExists(store: SqlStore, spec: EncryptedColumnSpec): Promise<IdArrayType | null> {
  const columns = await store.run(() => describeColumns(store.typed(), store.dialect, [spec.table]), {
    idempotent: true,
    entity: spec.table,
  });
  const found = columns.find((c) => c.column === spec.column);
  if (found && store.dialect === 'postgres' && !['text', 'character varying'].includes(found.type)) {
    throw new ConfigError(`${spec.table}.${spec.column} is ${found.type}; encrypted columns must be text`);
  }
  if (!found) return null;
  const idType = columns.find((c) => c.column === spec.idColumn)?.type;
  if (idType === 'uuid') return 'uuid';
  // better-auth's numeric ids (serial); a text id stays text, as every authkeep table's.
  return idType === 'integer' || idType === 'bigint' || idType === 'smallint' ? 'bigint' : 'text';
}

async function countValues(store: SqlStore, spec: EncryptedColumnSpec): Promise<number> {
  const db = store.typed<DynamicDb>();
  const row = await store.run(
    () =>
      db
        .selectFrom(spec.table)
        .select((eb) => eb.fn.countAll().as('n'))
        .where(spec.column, 'is not', null)
        .executeTakeFirst(),
    { idempotent: true, entity: spec.table },
  );
  return Number(row?.n ?? 0);
}

/**
 * Writes a batch as one statement, which is its own transaction (one round trip, so the database works
 * on it while this process encrypts the next page). A row is updated only if it still holds the value
 * read (optimistic guard), so a concurrent write is never overwritten. Returns the rows written.
 */
async function writeBatch(
  store: SqlStore,
  spec: EncryptedColumnSpec,
  idType: IdArrayType,
  rewrites: Rewrite[],
): Promise<number> {
  const target = sql.table(spec.table);
  const idRef = sql.ref(`${spec.table}.${spec.idColumn}`);
  const valueRef = sql.ref(`${spec.table}.${spec.column}`);
  // Kysely has no builder for these row sources; table and column names come from the registry.
  const source =
    store.dialect === 'postgres'
      ? // Three array parameters: the same statement text for every batch, prepared once per connection.
        sql`unnest(${rewrites.map((r) => String(r.id))}::${sql.raw(idType)}[], ${rewrites.map((r) => r.old)}::text[],
          ${rewrites.map((r) => r.next)}::text[]) as v (row_id, old_value, new_value)`
      : sql`(select column1 as row_id, column2 as old_value, column3 as new_value
          from (values ${sql.join(rewrites.map((r) => sql`(${r.id}, ${r.old}, ${r.next})`))})) as v`;
  const statement = sql`update ${target} set ${sql.ref(spec.column)} = v.new_value from ${source}
    where ${idRef} = v.row_id and ${valueRef} = v.old_value`;
  // Safe to repeat: a replay finds the new values in place and changes nothing.
  const result = await store.run((db) => statement.execute(db), { idempotent: true, entity: spec.table });
  return Number(result.numAffectedRows ?? 0);
}

/** Re-encrypts every registered column to the active key, batch by batch; safe to kill and re-run. */
export async function rotateEncryptedColumns(
  store: SqlStore,
  options: RotationOptions,
): Promise<RotationReport> {
  const { cipher, dryRun = false, onProgress, signal, logger } = options;
  const batchSize = options.batchSize ?? DEFAULT_ROTATION_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_ROTATION_BATCH) {
    throw new ValidationError(`batchSize must be an integer between 1 and ${MAX_ROTATION_BATCH}`);
  }
  const report: RotationReport = {
    activeKeyId: cipher.activeKeyId,
    dryRun,
    aborted: false,
    columns: [],
    failures: [],
  };
  for (const spec of options.columns ?? ENCRYPTED_COLUMNS) {
    if (signal?.aborted) {
      report.aborted = true;
      break;
    }
    const progress = await rotateColumn(store, spec, {
      cipher,
      dryRun,
      batchSize,
      report,
      logger,
      onProgress,
      signal,
    });
    report.columns.push(progress);
  }
  if (options.sealCodes && !report.aborted) {
    report.columns.push(
      ...(await sealPlaintextCodes(store, options.sealCodes, { dryRun, batchSize, signal, onProgress })),
    );
    if (signal?.aborted) report.aborted = true;
  }
  return report;
}

interface ColumnRun {
  cipher: CipherPort;
  dryRun: boolean;
  batchSize: number;
  report: RotationReport;
  logger: Logger | undefined;
  onProgress: RotationOptions['onProgress'];
  signal: AbortSignal | undefined;
}

async function rotateColumn(store: SqlStore, spec: EncryptedColumnSpec, run: ColumnRun) {
  const { table, column } = spec;
  const progress: ColumnRotation = {
    table,
    column,
    total: 0,
    scanned: 0,
    current: 0,
    rotated: 0,
    conflicts: 0,
    failed: 0,
    ...(spec.clearValues === 'skip' ? { clear: 0 } : {}),
    missing: false,
  };
  const idType = await columnExists(store, spec);
  if (idType === null) {
    progress.missing = true;
    run.onProgress?.({ ...progress });
    return progress;
  }
  progress.total = await countValues(store, spec);
  // A pipeline: while this process encrypts one page, the database reads the next and writes the
  // previous. At most one write is in flight, and writes commit in page order, so a kill leaves a
  // clean prefix of rotated pages, as a strictly sequential run would.
  let nextPage: Promise<Row[]> | null = readPage(store, spec, null, run.batchSize);
  let inFlight: Promise<void> = Promise.resolve();
  while (nextPage) {
    const rows = await nextPage;
    nextPage = null;
    if (run.signal?.aborted) {
      run.report.aborted = true;
      break;
    }
    if (rows.length === 0) break;
    if (rows.length === run.batchSize) {
      nextPage = readPage(store, spec, (rows[rows.length - 1] as Row).id, run.batchSize);
      nextPage.catch(() => undefined); // awaited on the next turn; never an unhandled rejection
    }
    const rewrites = await reencryptPage(rows, spec, run, progress);
    await inFlight;
    // Stop between batches: a page encrypted while the previous write was in flight is not written.
    if (run.signal?.aborted) {
      run.report.aborted = true;
      break;
    }
    inFlight = finishPage(store, spec, idType, run, progress, rewrites, rows.length);
    inFlight.catch(() => undefined);
  }
  await inFlight;
  return progress;
}

/**
 * Decrypts and re-encrypts one page in memory; rows already on the active key are counted and skipped.
 * It yields to the event loop every few hundred rows, so the database calls in flight (the previous
 * page's write, the next page's read) are sent and answered while this page is encrypted.
 */
async function reencryptPage(
  rows: Row[],
  spec: EncryptedColumnSpec,
  run: ColumnRun,
  progress: ColumnRotation,
): Promise<Rewrite[]> {
  const { table, column } = spec;
  const active = run.cipher.activeKeyId;
  const rewrites: Rewrite[] = [];
  for (const [index, row] of rows.entries()) {
    if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    const id = String(row.id);
    const keyId = run.cipher.keyIdOf(row.value);
    if (keyId === active) {
      progress.current++;
      continue;
    }
    if (keyId === null && spec.clearValues === 'skip') {
      progress.clear = (progress.clear ?? 0) + 1;
      continue;
    }
    const bound = spec.boundTo;
    const rowId = bound ? bound.rowId(bound.columns.map((_, i) => row[`b${i}`])) : id;
    const context = { table, column, rowId };
    try {
      // A value in clear is adopted as it is only where the spec says clear values are legitimate.
      const plaintext =
        keyId === null && spec.clearValues === 'adopt' ? row.value : run.cipher.decrypt(row.value, context);
      rewrites.push({ id: row.id, old: row.value, next: run.cipher.encrypt(plaintext, context) });
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      progress.failed++;
      if (run.report.failures.length < MAX_REPORTED_FAILURES) {
        run.report.failures.push({ table, column, rowId: id });
        run.logger?.warn(
          { table, column, rowId: id, code: error.code },
          'value could not be decrypted; left unchanged',
        );
      }
    }
  }
  return rewrites;
}

/** Writes one page's rewrites (unless dry-running) and reports progress once they are durable. */
async function finishPage(
  store: SqlStore,
  spec: EncryptedColumnSpec,
  idType: IdArrayType,
  run: ColumnRun,
  progress: ColumnRotation,
  rewrites: Rewrite[],
  scanned: number,
): Promise<void> {
  progress.scanned += scanned;
  if (rewrites.length > 0) {
    const written = run.dryRun ? rewrites.length : await writeBatch(store, spec, idType, rewrites);
    progress.rotated += written;
    progress.conflicts += rewrites.length - written;
  }
  run.onProgress?.({ ...progress });
}
