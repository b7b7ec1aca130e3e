import {
  extraFieldsFromText,
  extraFieldsToText,
  mergeExtraFields,
  withExtraFields,
  type ExtraFields,
  type ExtraFieldsPatch,
} from '../../../domain/fields/extra-fields.js';
import type { Kysely } from 'kysely';
import type { SqlStore } from '../sql-store.js';

/**
 * The `extra` text column (migrations 0006, 0007): a caller's extra fields as dated JSON, so Dates come back
 * as Dates; NULL when there are none. Column values never come from the field names.
 */
export function writeExtra(extra: ExtraFields | undefined): string | null {
  return extraFieldsToText(extra) ?? null;
}

export function readExtra(stored: unknown): ExtraFields | undefined {
  return extraFieldsFromText(stored);
}

/** The record read from a row, with the row's extra fields added under it. */
export function withStoredExtra<T extends object>(record: T, stored: unknown): T {
  return withExtraFields(record, readExtra(stored));
}

/** The `extra` column after applying `patch` to the stored value. */
export function patchedExtra(entity: string, stored: unknown, patch: ExtraFieldsPatch): string | null {
  return writeExtra(mergeExtraFields(entity, readExtra(stored) ?? {}, patch));
}

export const hasExtraChanges = (patch: ExtraFieldsPatch | undefined): patch is ExtraFieldsPatch =>
  patch !== undefined && Object.keys(patch).length > 0;

/** The tables with an `extra` column whose rows are updated by `id`. */
export type ExtraFieldTable =
  'roles' | 'twofa_devices' | 'users' | 'organizations' | 'api_keys' | 'sessions' | 'sessions_hex';

/**
 * Updates one row by id, merging `extra` into its stored extra fields: read and write in one transaction
 * that holds the row, so concurrent updates lose none of each other's fields. Null when there is no row.
 */
export async function updateWithExtra<R>(
  store: SqlStore,
  table: ExtraFieldTable,
  entity: string,
  id: string | Buffer,
  values: Record<string, unknown>,
  extra: ExtraFieldsPatch,
  toRecord: (row: Record<string, unknown>) => R,
  scope: Record<string, unknown> = {},
): Promise<R | null> {
  return store.transaction(
    async (trx) => {
      // Loosely typed: `scope` names columns of the one table given (a session's bucket).
      const db = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
      let select = db.selectFrom(table).select('extra').where('id', '=', id);
      for (const [column, value] of Object.entries(scope)) select = select.where(column, '=', value);
      if (store.dialect === 'postgres') select = select.forUpdate();
      const current = await select.executeTakeFirst();
      if (!current) return null;
      let update = db
        .updateTable(table)
        .set({ ...values, extra: patchedExtra(entity, current.extra, extra) })
        .where('id', '=', id);
      for (const [column, value] of Object.entries(scope)) update = update.where(column, '=', value);
      const row = await update.returningAll().executeTakeFirstOrThrow();
      return toRecord(row as Record<string, unknown>);
    },
    { idempotent: true, entity },
  );
}
