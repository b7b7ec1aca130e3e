import { IntegrityError, ValidationError } from '../errors.js';
import { parseWithDates, setOwn, stringifyWithDates } from './json-dates.js';
import { LIMITS } from './limits.js';
import { checkJsonValue, isPlainObject, UNSAFE_KEYS } from './validation.js';

/**
 * Fields a caller adds beyond the record's own (a subtype's, or the application's). Upstream's memory
 * adapter keeps them, so we do too: plain JSON data (Dates kept as Dates), stored apart from the columns.
 */
export type ExtraFields = Record<string, unknown>;

/** Extra fields of an update: a value sets the field, `undefined` removes it (as a spread would). */
export type ExtraFieldsPatch = Record<string, unknown>;

/** No extra fields: the default of the facades' `Extra` type parameter. */
export type NoExtra = Record<never, never>;

/**
 * A record input with the caller's extra fields, inferred from the argument: `{ email, tenant: 'acme' }`
 * type-checks and the result has `tenant: string`; a record field of the wrong type (`name: 42`) does not.
 */
export type ExtraInput<Input, Extra extends object> = Input & Extra;

/** The record a facade returns with the caller's extra fields (an input cast `as never` adds none). */
export type WithExtra<Record, Extra> = [Extra] extends [never] ? Record : Record & Extra;

function checkKey(entity: string, key: string): void {
  const field = `${entity}.${key}`;
  if (UNSAFE_KEYS.has(key)) {
    throw new ValidationError(`${field} is not an allowed field name`, { details: { entity, field: key } });
  }
  if (key.length > LIMITS.shortText || key.includes('\u0000') || !key.isWellFormed()) {
    throw new ValidationError(`${entity} has a field name that is too long or not text`, {
      details: { entity },
    });
  }
}

function tooLarge(entity: string): never {
  throw new ValidationError(`${entity} extra fields must be at most ${LIMITS.jsonBytes} bytes as JSON`, {
    details: { entity },
  });
}

function checkSize(entity: string, extra: ExtraFields): void {
  if (Buffer.byteLength(JSON.stringify(extra)) > LIMITS.jsonBytes) tooLarge(entity);
}

/** Deep copy of validated JSON data, keeping Dates as Dates. */
function copy(value: unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(copy);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) if (entry !== undefined) setOwn(out, key, copy(entry));
    return out;
  }
  return value;
}

/**
 * Validates the extra fields of a create or update: safe names, JSON-able values (no cycles, bounded
 * depth, finite numbers, valid Dates), bounded size. `undefined` values are kept only in a patch.
 */
export function parseExtraFields(entity: string, entries: [string, unknown][], patch: boolean): ExtraFields {
  const out: ExtraFields = {};
  if (entries.length === 0) return out; // the usual case: nothing to check or size
  // Sized as they are walked (each value once): past the bound, the rest are never looked at.
  let bytes = 2;
  for (const [key, value] of entries) {
    checkKey(entity, key);
    if (value === undefined) {
      if (patch) setOwn(out, key, undefined);
      continue;
    }
    checkJsonValue(value, `${entity}.${key}`);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(value) ?? '') + 4;
    if (bytes > LIMITS.jsonBytes) tooLarge(entity);
    setOwn(out, key, copy(value));
  }
  checkSize(entity, out);
  return out;
}

/** The stored extra fields after a patch: shallow, per field, as `{ ...current, ...patch }` would be. */
export function mergeExtraFields(entity: string, current: ExtraFields, patch: ExtraFieldsPatch): ExtraFields {
  const out: ExtraFields = {};
  for (const [key, value] of Object.entries(current)) setOwn(out, key, value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else setOwn(out, key, value);
  }
  checkSize(entity, out);
  return out;
}

/** A record with its extra fields under it: the record's own fields always win. */
export function withExtraFields<T extends object>(record: T, extra: ExtraFields | undefined): T {
  if (!extra) return record;
  const keys = Object.keys(extra);
  if (keys.length === 0) return record;
  const out = { ...record };
  for (const key of keys) if (!Object.hasOwn(record, key)) setOwn(out, key, extra[key]);
  return out;
}

/**
 * Extra fields as text: dated JSON (json-dates.ts), so Dates come back as Dates wherever the text goes
 * (the database's `extra` column, a JSON cache entry). Undefined when there are none.
 */
export function extraFieldsToText(extra: ExtraFields | undefined): string | undefined {
  return extra && Object.keys(extra).length > 0 ? stringifyWithDates(extra) : undefined;
}

/** A record with its extra fields attached as `extraFields` text, the form cached repositories store. */
export function withExtraFieldsAsText<T extends object>(
  record: T,
  extra: ExtraFields | undefined,
): T & { extraFields?: string } {
  const extraFields = extraFieldsToText(extra);
  return extraFields === undefined ? record : { ...record, extraFields };
}

/** The extra fields of `extraFieldsToText`'s text; undefined for none (null or undefined). */
export function extraFieldsFromText(stored: unknown): ExtraFields | undefined {
  if (stored === null || stored === undefined) return undefined;
  if (typeof stored !== 'string') throw new IntegrityError('stored extra fields are not text');
  const value = parseWithDates(stored);
  if (!isPlainObject(value)) throw new IntegrityError('stored extra fields are not an object');
  return value;
}

/**
 * A record as a cached repository hands it over (extra fields as `extraFields` text, see the ports) turned
 * into the caller's record: the text removed, its fields under the record's own.
 */
export function withExtraFieldsText<T extends object>(stored: T & { extraFields?: string }): T {
  if (stored.extraFields === undefined) return stored;
  const { extraFields, ...record } = stored;
  return withExtraFields(record as T, extraFieldsFromText(extraFields));
}
