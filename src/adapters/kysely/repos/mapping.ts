import type { Codec } from '../codec.js';

/** Row values arrive as `unknown`; these narrow them without a runtime cost on the hot path. */
export const text = (value: unknown): string => value as string;
export const optionalText = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : (value as string);

export function optionalDate(codec: Codec, value: unknown): Date | undefined {
  return value === null || value === undefined ? undefined : codec.readTimestamp(value);
}

export function optionalJson<T>(codec: Codec, value: unknown): T | undefined {
  if (value === null || value === undefined) return undefined;
  const parsed = codec.readJson<T | null>(value);
  return parsed === null ? undefined : parsed;
}

/** Builds a record from entries, leaving out optional fields that are absent (no `key: undefined`). */
export function compact<T extends object>(record: T): T {
  // Copying beats `delete`, which would turn the object into a slow dictionary on the hot path.
  const out = {} as T;
  for (const key in record) {
    if (record[key] !== undefined) out[key] = record[key];
  }
  return out;
}

/** How one record field is written: its column and its encoder (null clears the column). */
export type ColumnMap<T> = {
  [K in keyof T]?: [column: string, encode: (value: NonNullable<T[K]>) => unknown];
};

/** Turns a validated partial record into column values; `undefined` in the patch becomes NULL. */
export function patchColumns<T>(patch: Partial<T>, map: ColumnMap<T>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(patch) as (keyof T)[]) {
    const entry = map[key];
    if (!entry) continue;
    const value = patch[key];
    out[entry[0]] =
      value === undefined || value === null ? null : entry[1](value as NonNullable<T[typeof key]>);
  }
  return out;
}

/** JSON read back from the database: turn the named ISO-string fields into Dates. */
export function reviveDates<T extends Record<string, unknown>>(value: T, fields: readonly string[]): T {
  const out: Record<string, unknown> = { ...value };
  for (const field of fields) {
    const raw = out[field];
    if (typeof raw === 'string' || typeof raw === 'number') out[field] = new Date(raw);
  }
  return out as T;
}
