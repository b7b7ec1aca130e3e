import type { CodeDigestPort } from '../../../ports/cipher.js';
import { describeColumns } from '../schema/introspect.js';
import type { ColumnRotation } from './rotation-report.js';
import { DIGESTED_COLUMNS } from './digested-columns.js';
import type { SqlStore } from '../sql-store.js';

export { DIGESTED_COLUMNS };

export interface CodeSealingRun {
  dryRun: boolean;
  batchSize: number;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: Readonly<ColumnRotation>) => void) | undefined;
}

type DynamicDb = Record<string, Record<string, unknown>>;

/**
 * Replaces each code still in clear (an adopted upstream row) by its digest, page by page in id order;
 * a row changed meanwhile is left as the other writer left it. Digests under older keys stay: a digest
 * cannot be re-keyed, and the codes expire. `rotated` counts the rows sealed (in a dry run: to seal).
 */
export async function sealPlaintextCodes(
  store: SqlStore,
  codes: CodeDigestPort,
  run: CodeSealingRun,
): Promise<ColumnRotation[]> {
  const reports: ColumnRotation[] = [];
  for (const spec of DIGESTED_COLUMNS) {
    const { table, column, idColumn } = spec;
    const progress: ColumnRotation = {
      ...{ table, column, total: 0, scanned: 0, current: 0, rotated: 0, conflicts: 0, failed: 0 },
      missing: false,
    };
    reports.push(progress);
    const columns = await store.run(() => describeColumns(store.typed(), store.dialect, [table]), {
      idempotent: true,
      entity: table,
    });
    if (!columns.some((c) => c.column === column)) {
      progress.missing = true;
      run.onProgress?.({ ...progress });
      continue;
    }
    const db = store.typed<DynamicDb>();
    const counted = await store.run(
      () =>
        db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      { idempotent: true, entity: table },
    );
    progress.total = Number(counted?.n ?? 0);
    for (let after: string | null = null; ;) {
      if (run.signal?.aborted) break;
      let query = db
        .selectFrom(table)
        .select([`${idColumn} as id`, `${column} as value`])
        .orderBy(idColumn)
        .limit(run.batchSize);
      if (after !== null) query = query.where(idColumn, '>', after);
      const rows = (await store.run(() => query.execute(), { idempotent: true, entity: table })) as {
        id: string;
        value: string;
      }[];
      for (const row of rows) {
        const id = String(row.id);
        progress.scanned++;
        if (codes.isSealed(row.value)) {
          progress.current++;
          continue;
        }
        if (run.dryRun) {
          progress.rotated++;
          continue;
        }
        const sealed = codes.seal(row.value, { table, column, rowId: id });
        const result = await store.run(
          () =>
            db
              .updateTable(table)
              .set({ [column]: sealed })
              .where(idColumn, '=', id)
              .where(column, '=', row.value)
              .executeTakeFirst(),
          { idempotent: true, entity: table },
        );
        if (Number(result.numUpdatedRows) === 1) progress.rotated++;
        else progress.conflicts++;
      }
      run.onProgress?.({ ...progress });
      if (rows.length < run.batchSize) break;
      after = String((rows[rows.length - 1] as { id: string }).id);
    }
  }
  return reports;
}
