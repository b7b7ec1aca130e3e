import { ValidationError } from './errors.js';
import { isPlainObject, type Rule } from './validation.js';

type Defined<T> = Exclude<T, undefined>;

/** The writable fields of one record kind and the rule for each. */
export interface RecordSpec<T> {
  entity: string;
  rules: { [K in keyof T]-?: Rule<Defined<T[K]>> };
  optional: readonly (keyof T)[];
}

/** Fields the store owns: accepted in an update object (so a full record can be passed back) but ignored. */
export const STORE_OWNED_FIELDS: readonly string[] = ['id', 'createdAt', 'updatedAt'];

export function defineRecord<T>(
  entity: string,
  rules: { [K in keyof T]-?: Rule<Defined<T[K]>> },
  optional: readonly (keyof T)[],
): RecordSpec<T> {
  return { entity, rules, optional };
}

function requireObject(entity: string, data: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(data)) {
    throw new ValidationError(`${entity} ${what} must be a plain object`, { details: { entity } });
  }
  return data;
}

function rejectUnknown<T>(
  spec: RecordSpec<T>,
  data: Record<string, unknown>,
  ignored: readonly string[],
): void {
  for (const key of Object.keys(data)) {
    // Own keys only: "constructor" or "__proto__" must be unknown fields, not Object.prototype members.
    if (!Object.hasOwn(spec.rules, key) && !ignored.includes(key)) {
      throw new ValidationError(`${spec.entity}.${key} is not a known field`, {
        details: { entity: spec.entity, field: key },
      });
    }
  }
}

/** Validates a create input: every required field present, optional ones checked when given. */
export function parseInput<T>(spec: RecordSpec<T>, data: unknown, ignored: readonly string[] = []): T {
  const input = requireObject(spec.entity, data, 'input');
  rejectUnknown(spec, input, ignored);
  const out: Partial<T> = {};
  for (const key of Object.keys(spec.rules) as (keyof T & string)[]) {
    const value = input[key];
    if ((value === undefined || value === null) && spec.optional.includes(key)) continue;
    out[key] = spec.rules[key](value, `${spec.entity}.${key}`) as T[typeof key];
  }
  return out as T;
}

/**
 * Validates an update object. A key present with `undefined` or `null` clears an optional field;
 * `undefined` on a required field is ignored, `null` on it is an error. Store-owned fields are ignored.
 */
export function parsePatch<T>(spec: RecordSpec<T>, data: unknown): Partial<T> {
  const input = requireObject(spec.entity, data, 'update');
  rejectUnknown(spec, input, STORE_OWNED_FIELDS);
  const out: Partial<T> = {};
  for (const key of Object.keys(input) as (keyof T & string)[]) {
    if (!Object.hasOwn(spec.rules, key)) continue;
    const value = input[key];
    const optional = spec.optional.includes(key);
    if (value === undefined && !optional) continue;
    if ((value === undefined || value === null) && optional) {
      out[key] = undefined;
      continue;
    }
    out[key] = spec.rules[key](value, `${spec.entity}.${key}`) as T[typeof key];
  }
  return out;
}
