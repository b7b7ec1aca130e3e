import { hash } from 'node:crypto';
import { initGetFieldName, initGetModelName } from 'better-auth/adapters';
import { getAuthTables } from 'better-auth/db';
import type { BetterAuthOptions } from 'better-auth/types';
import type { ModelCondition, ModelRow } from '../../../ports/model-store.js';

/** One unique column set a point read may look up by (e.g. [token], [providerId, accountId]). */
export interface LookupColumns {
  columns: string[];
  /** `[table,columns,` as JSON: a key's digest input is this, the values as JSON and `]` (built once). */
  prefix: string;
}

/** A table whose point reads by unique columns are cached, and what invalidating its rows needs. */
export interface CachedTable {
  table: string;
  idColumn: string;
  keys: LookupColumns[];
  /** The lookup by id, when it is one of `keys` (then a joined row may be served by id). */
  byId?: LookupColumns;
  /** Columns the database returns as Date (revived after a cache round trip). */
  dateColumns: string[];
  /** The column that ends the row's validity: nothing is cached past it. */
  expiryColumn?: string;
  /** Cached tables whose rows the database deletes with a row of this one (ON DELETE CASCADE). */
  children: { table: string; column: string }[];
}

/** The cached tables by name, from the same better-auth options the adapter serves. */
export type CachePlan = Map<string, CachedTable>;

/** Point reads better-auth makes on each request or sign-in (better-auth 1.7.25 internal-adapter.mjs). */
const CACHED_MODELS: Record<string, { keys: string[][]; expiry?: string }> = {
  session: { keys: [['token']], expiry: 'expiresAt' },
  user: { keys: [['id'], ['email']] },
  account: { keys: [['providerId', 'accountId']] },
};

export function cachePlan(options: BetterAuthOptions, usePlural: boolean | undefined): CachePlan {
  const schema = getAuthTables(options);
  const modelName = initGetModelName({ schema, usePlural });
  const fieldName = initGetFieldName({ schema, usePlural });
  const plan: CachePlan = new Map();
  const column = (model: string, field: string) => fieldName({ model, field });
  for (const [model, spec] of Object.entries(CACHED_MODELS)) {
    const fields = schema[model]?.fields;
    if (!fields) continue;
    const children = Object.keys(CACHED_MODELS).flatMap((child) =>
      Object.entries(schema[child]?.fields ?? {})
        .filter(
          ([, f]) => f.references?.model === model && (f.references.onDelete ?? 'cascade') === 'cascade',
        )
        .map(([field]) => ({ table: modelName(child), column: column(child, field) })),
    );
    const table = modelName(model);
    const idColumn = column(model, 'id');
    const keys = spec.keys.map((key) =>
      lookupColumns(
        table,
        key.map((field) => column(model, field)),
      ),
    );
    plan.set(table, {
      table,
      idColumn,
      keys,
      byId: keys.find((key) => key.columns.length === 1 && key.columns[0] === idColumn),
      dateColumns: Object.entries(fields)
        .filter(([, f]) => f.type === 'date')
        .map(([field]) => column(model, field)),
      expiryColumn: spec.expiry ? column(model, spec.expiry) : undefined,
      children,
    });
  }
  return plan;
}

function lookupColumns(table: string, columns: string[]): LookupColumns {
  return { columns, prefix: JSON.stringify([table, columns]).slice(0, -1) + ',' };
}

/**
 * The cache key of one unique lookup: a digest of the JSON of [table, columns, values], so no token or email
 * is ever a cache key (nor a bus message).
 */
export function lookupKey(lookup: LookupColumns, values: readonly unknown[]): string {
  const digest = hash('sha256', `${lookup.prefix}${JSON.stringify(values)}]`, 'base64url');
  // Under the session record prefix: flushed with authkeep's other records when an outage overflows.
  return `kc2:s:ba.${digest}`;
}

/** A term a cached lookup may answer: a case-sensitive equality with one non-null value. */
function exactTerm(term: ModelCondition, alone: boolean): boolean {
  if (term.operator !== 'eq' || term.insensitive || (term.connector === 'OR' && !alone)) return false;
  return term.value !== null && !Array.isArray(term.value);
}

/** The unique key a where clause looks up exactly (AND of case-sensitive equalities), or undefined. */
export function lookupOf(cached: CachedTable, where: readonly ModelCondition[]): string | undefined {
  if (where.length === 1) {
    // The hot shape (a session by token, a user by id): no intermediate arrays.
    const term = where[0]!;
    if (!exactTerm(term, true)) return undefined;
    for (const key of cached.keys) {
      if (key.columns.length === 1 && key.columns[0] === term.column) return lookupKey(key, [term.value]);
    }
    return undefined;
  }
  if (where.length === 0 || !where.every((term) => exactTerm(term, false))) return undefined;
  const columns = where.map((term) => term.column);
  for (const key of cached.keys) {
    if (key.columns.length !== columns.length || !key.columns.every((column) => columns.includes(column)))
      continue;
    const values = key.columns.map((column) => where.find((term) => term.column === column)!.value);
    return lookupKey(key, values);
  }
  return undefined;
}

/** Every cache key a stored row is reachable under. */
export function keysOfRow(cached: CachedTable, row: ModelRow): string[] {
  return cached.keys.flatMap((key) => {
    const values = key.columns.map((column) => row[column]);
    return values.some((value) => value === null || value === undefined) ? [] : [lookupKey(key, values)];
  });
}

/** Whether writing `values` may change a row's keys (then the old keys are read before the write). */
export function touchesKeys(cached: CachedTable, values: ModelRow): boolean {
  return cached.keys.some((key) => key.columns.some((column) => column in values));
}
