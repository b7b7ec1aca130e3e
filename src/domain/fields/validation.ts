import { ValidationError } from '../errors.js';
import { LIMITS } from './limits.js';

/** A field rule: checks and normalises one value, naming the field in any error. */
export type Rule<T> = (value: unknown, field: string) => T;

function fail(field: string, problem: string): never {
  throw new ValidationError(`${field} ${problem}`, { details: { field } });
}

function checkText(value: string, field: string, max: number): void {
  if (value.includes('\u0000')) fail(field, 'must not contain NUL bytes');
  if (value.length > max) fail(field, `must be at most ${max} characters`);
  if (!value.isWellFormed()) fail(field, 'must be well-formed Unicode');
}

export function string(options: { max?: number; allowEmpty?: boolean } = {}): Rule<string> {
  const max = options.max ?? LIMITS.text;
  return (value, field) => {
    if (typeof value !== 'string') fail(field, 'must be a string');
    if (!options.allowEmpty && value.length === 0) fail(field, 'must not be empty');
    checkText(value, field, max);
    return value;
  };
}

export const id = (): Rule<string> => string({ max: LIMITS.id });

export function oneOf<const T extends string>(values: readonly T[]): Rule<T> {
  return (value, field) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      fail(field, `must be one of ${values.join(', ')}`);
    }
    return value as T;
  };
}

export function integer(options: { min?: number; max?: number } = {}): Rule<number> {
  const min = options.min ?? 0;
  const max = options.max ?? 2_147_483_647;
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(field, 'must be an integer');
    if (value < min || value > max) fail(field, `must be between ${min} and ${max}`);
    return value;
  };
}

export const boolean = (): Rule<boolean> => (value, field) => {
  if (typeof value !== 'boolean') fail(field, 'must be a boolean');
  return value;
};

/** A real `Date`, finite and within the range both databases can store. */
export const date = (): Rule<Date> => (value, field) => {
  if (!(value instanceof Date)) fail(field, 'must be a Date');
  const time = value.getTime();
  if (!Number.isFinite(time)) fail(field, 'must be a valid Date');
  if (time < -62135596800000 || time > 253402300799999) fail(field, 'must be between years 1 and 9999');
  return new Date(time);
};

export function array<T>(item: Rule<T>, options: { max?: number } = {}): Rule<T[]> {
  const max = options.max ?? LIMITS.arrayItems;
  return (value, field) => {
    if (!Array.isArray(value)) fail(field, 'must be an array');
    if (value.length > max) fail(field, `must have at most ${max} items`);
    return value.map((entry, index) => item(entry, `${field}[${index}]`));
  };
}

export const stringArray = (): Rule<string[]> => array(string({ max: LIMITS.shortText, allowEmpty: true }));

// Keys that would reach Object.prototype through a careless merge somewhere downstream.
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** What a JSON walk has seen so far, so a hostile value is refused before its bulk is walked. */
interface JsonBudget {
  entries: number;
  /** UTF-16 length of strings and keys: a lower bound of their UTF-8 size. */
  chars: number;
}

function spend(budget: JsonBudget, field: string, entries: number, chars: number): void {
  budget.entries += entries;
  budget.chars += chars;
  if (budget.entries > LIMITS.jsonEntries) {
    fail(field, `must have at most ${LIMITS.jsonEntries} keys and items in all`);
  }
  if (budget.chars > LIMITS.jsonBytes) fail(field, `must be at most ${LIMITS.jsonBytes} bytes as JSON`);
}

/**
 * Walks a JSON-bound value: plain data only, no NUL, no cycles, bounded depth. Counts come first: an
 * object's key count (Object.keys, which reads no values) is charged before any value is looked at.
 */
function checkJson(
  value: unknown,
  field: string,
  depth: number,
  seen: Set<object>,
  budget: JsonBudget = { entries: 0, chars: 0 },
): void {
  if (depth > LIMITS.jsonDepth) fail(field, `must be nested at most ${LIMITS.jsonDepth} levels deep`);
  if (value === null || typeof value === 'boolean' || value === undefined) return;
  if (typeof value === 'string') {
    spend(budget, field, 0, value.length);
    return checkText(value, field, LIMITS.jsonBytes);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(field, 'must contain only finite numbers');
    return;
  }
  if (value instanceof Date) {
    if (!Number.isFinite(value.getTime())) fail(field, 'must contain only valid Dates');
    return;
  }
  if (typeof value !== 'object') fail(field, 'must contain only JSON values');
  if (seen.has(value)) fail(field, 'must not contain cycles');
  seen.add(value);
  if (Array.isArray(value)) {
    spend(budget, field, value.length, 0);
    value.forEach((entry, index) => checkJson(entry, `${field}[${index}]`, depth + 1, seen, budget));
  } else if (isPlainObject(value)) {
    const keys = Object.keys(value);
    spend(budget, field, keys.length, 0);
    for (const key of keys) {
      spend(budget, field, 0, key.length);
      checkText(key, `${field} key`, LIMITS.shortText);
      checkJson(value[key], `${field}.${key}`, depth + 1, seen, budget);
    }
  } else {
    fail(field, 'must contain only plain objects, arrays and JSON scalars');
  }
  seen.delete(value);
}

/** Checks one JSON-bound value (plain data, Dates allowed), as the fields of a JSON object are checked. */
export function checkJsonValue(value: unknown, field: string): void {
  checkJson(value, field, 0, new Set());
}

/** A JSON object (metadata and the like), bounded in depth and serialised size. */
export function jsonObject<T extends Record<string, unknown> = Record<string, unknown>>(): Rule<T> {
  return (value, field) => {
    if (!isPlainObject(value)) fail(field, 'must be a plain object');
    checkJson(value, field, 0, new Set());
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text) > LIMITS.jsonBytes)
      fail(field, `must be at most ${LIMITS.jsonBytes} bytes as JSON`);
    return JSON.parse(text) as T;
  };
}

/** An object whose values are all strings (ApiKeyRecord.metadata). */
export const stringRecord = (): Rule<Record<string, string>> => (value, field) => {
  const object = jsonObject()(value, field);
  for (const [key, entry] of Object.entries(object)) {
    if (typeof entry !== 'string') fail(`${field}.${key}`, 'must be a string');
  }
  return object as Record<string, string>;
};

/**
 * A plain object of known fields. With `extras`, other fields are kept when they are JSON data under
 * a safe name (upstream keeps them); without, they are refused.
 */
export function object<T>(
  shape: { [K in keyof T]-?: Rule<T[K]> },
  optionalKeys: readonly (keyof T)[] = [],
  options: { extras?: boolean } = {},
): Rule<T> {
  return (value, field) => {
    if (!isPlainObject(value)) fail(field, 'must be a plain object');
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(shape, key)) continue;
      if (!options.extras || UNSAFE_KEYS.has(key)) fail(`${field}.${key}`, 'is not a known field');
      checkText(key, `${field} key`, LIMITS.shortText);
      const entry = value[key];
      if (entry === undefined) continue;
      checkJson(entry, `${field}.${key}`, 1, new Set());
      out[key] = entry;
    }
    for (const key of Object.keys(shape) as (keyof T & string)[]) {
      const entry = value[key];
      if (entry === undefined && optionalKeys.includes(key)) continue;
      out[key] = shape[key](entry, `${field}.${key}`);
    }
    return out as T;
  };
}

export { fail as failValidation, isPlainObject };
