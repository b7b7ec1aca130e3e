import { ValidationError } from '../errors.js';
import { parseExtraFields, type ExtraFields, type ExtraFieldsPatch } from './extra-fields.js';
import { LIMITS } from './limits.js';
import { isPlainObject, type Rule } from './validation.js';

type Defined<T> = Exclude<T, undefined>;

/** The writable fields of one record kind and the rule for each. */
export interface RecordSpec<T> {
  entity: string;
  rules: { [K in keyof T]-?: Rule<Defined<T[K]>> };
  optional: readonly (keyof T)[];
  /** Whether fields beyond `rules` are kept as extra fields (see extra-fields.ts) instead of refused. */
  extras: boolean;
  /**
   * With extras: names that are never extra fields and stay refused as unknown (a field the store
   * manages, like a user's `oauth`, or a secret of another kind of record that must not land in clear).
   */
  reserved: readonly string[];
}

/** Fields the store owns: accepted in an update object (so a full record can be passed back) but ignored. */
export const STORE_OWNED_FIELDS: readonly string[] = ['id', 'createdAt', 'updatedAt'];

export function defineRecord<T>(
  entity: string,
  rules: { [K in keyof T]-?: Rule<Defined<T[K]>> },
  optional: readonly (keyof T)[],
  options: { extras?: boolean; reserved?: readonly string[] } = {},
): RecordSpec<T> {
  return { entity, rules, optional, extras: options.extras ?? false, reserved: options.reserved ?? [] };
}

function requireObject(entity: string, data: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(data)) {
    throw new ValidationError(`${entity} ${what} must be a plain object`, { details: { entity } });
  }
  return data;
}

function unknownField(entity: string, key: string): never {
  throw new ValidationError(`${entity}.${key} is not a known field`, { details: { entity, field: key } });
}

function rejectUnknown<T>(
  spec: RecordSpec<T>,
  data: Record<string, unknown>,
  ignored: readonly string[],
): void {
  for (const key of Object.keys(data)) {
    // Own keys only: "constructor" or "__proto__" must be unknown fields, not Object.prototype members.
    if (!Object.hasOwn(spec.rules, key) && !ignored.includes(key)) unknownField(spec.entity, key);
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

/** Counted as they are gathered, so a million of them are refused before any is validated. */
function tooManyExtraFields(entity: string): never {
  throw new ValidationError(`${entity} has more than ${LIMITS.jsonEntries} extra fields`, {
    details: { entity },
  });
}

/** Separates a caller's object into the spec's own fields (with `ignored` ones) and the rest. */
function splitExtra<T>(
  spec: RecordSpec<T>,
  input: Record<string, unknown>,
  ignored: readonly string[],
): { own: Record<string, unknown>; rest: [string, unknown][] } {
  const own: Record<string, unknown> = {};
  const rest: [string, unknown][] = [];
  for (const key of Object.keys(input)) {
    if (Object.hasOwn(spec.rules, key) || ignored.includes(key)) own[key] = input[key];
    else if (spec.reserved.includes(key)) unknownField(spec.entity, key);
    else if (rest.push([key, input[key]]) > LIMITS.jsonEntries) tooManyExtraFields(spec.entity);
  }
  if (!spec.extras) rejectUnknown(spec, input, ignored);
  return { own, rest };
}

/** parseInput for a spec with extras: the own fields validated, the others returned as extra fields. */
export function parseInputWithExtra<T>(
  spec: RecordSpec<T>,
  data: unknown,
  ignored: readonly string[] = [],
): { fields: T; extra: ExtraFields } {
  const { own, rest } = splitExtra(spec, requireObject(spec.entity, data, 'input'), ignored);
  return { fields: parseInput(spec, own, ignored), extra: parseExtraFields(spec.entity, rest, false) };
}

/** parsePatch for a spec with extras: extra fields are set, or removed when given as `undefined`. */
export function parsePatchWithExtra<T>(
  spec: RecordSpec<T>,
  data: unknown,
): { patch: Partial<T>; extra: ExtraFieldsPatch } {
  const { own, rest } = splitExtra(spec, requireObject(spec.entity, data, 'update'), STORE_OWNED_FIELDS);
  return { patch: parsePatch(spec, own), extra: parseExtraFields(spec.entity, rest, true) };
}
