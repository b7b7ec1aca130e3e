import { createHash } from 'node:crypto';
import { initGetFieldName, initGetModelName } from 'better-auth/adapters';
import { getAuthTables } from 'better-auth/db';
import type { BetterAuthOptions } from 'better-auth/types';
import type { ModelCondition, ModelRow } from '../../../ports/model-store.js';

/** A table whose point reads by unique columns are cached, and what invalidating its rows needs. */
export interface CachedTable {
  table: string;
  idColumn: string;
  /** Each entry is one unique column set a point read may look up by (e.g. [token], [providerId, accountId]). */
  keys: string[][];
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
    plan.set(modelName(model), {
      table: modelName(model),
      idColumn: column(model, 'id'),
      keys: spec.keys.map((key) => key.map((field) => column(model, field))),
      dateColumns: Object.entries(fields)
        .filter(([, f]) => f.type === 'date')
        .map(([field]) => column(model, field)),
      expiryColumn: spec.expiry ? column(model, spec.expiry) : undefined,
      children,
    });
  }
  return plan;
}

/** The cache key of one unique lookup; values are hashed, so no token or email is ever a cache key. */
export function lookupKey(table: string, columns: readonly string[], values: readonly unknown[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([table, columns, values]))
    .digest('base64url');
  // Under the session record prefix: flushed with authkeep's other records when an outage overflows.
  return `kc2:s:ba.${digest}`;
}

/** The unique key a where clause looks up exactly (AND of case-sensitive equalities), or undefined. */
export function lookupOf(cached: CachedTable, where: readonly ModelCondition[]): string | undefined {
  if (where.length === 0) return undefined;
  for (const term of where) {
    if (term.operator !== 'eq' || term.insensitive || (term.connector === 'OR' && where.length > 1))
      return undefined;
    if (term.value === null || Array.isArray(term.value)) return undefined;
  }
  const columns = where.map((term) => term.column);
  for (const key of cached.keys) {
    if (key.length !== columns.length || !key.every((column) => columns.includes(column))) continue;
    const values = key.map((column) => where.find((term) => term.column === column)!.value);
    return lookupKey(cached.table, key, values);
  }
  return undefined;
}

/** Every cache key a stored row is reachable under. */
export function keysOfRow(cached: CachedTable, row: ModelRow): string[] {
  return cached.keys.flatMap((key) => {
    const values = key.map((column) => row[column]);
    return values.some((value) => value === null || value === undefined)
      ? []
      : [lookupKey(cached.table, key, values)];
  });
}

/** Whether writing `values` may change a row's keys (then the old keys are read before the write). */
export function touchesKeys(cached: CachedTable, values: ModelRow): boolean {
  return cached.keys.some((key) => key.some((column) => column in values));
}
