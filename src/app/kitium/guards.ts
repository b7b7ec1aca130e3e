import { NotFoundError } from '../../domain/errors.js';
import { id as idRule, string } from '../../domain/fields/validation.js';

const idCheck = idRule();
const lookupCheck = string({ max: 1024 });

/** Validates an id argument: a non-empty string without NUL bytes, at most 255 characters. */
export function checkId(value: unknown, field = 'id'): string {
  return idCheck(value, field);
}

/**
 * An id to look something up by: the empty string finds nothing (null from a get, [] from a list, a
 * no-op delete), as upstream's memory adapter answers it; any other bad id is a validation error.
 */
export function lookupId(value: unknown, field = 'id'): string | null {
  return value === '' ? null : checkId(value, field);
}

/** Validates a free-form look-up argument (hash, email, provider subject): a string of at most 1024. */
export function checkLookup(value: unknown, field: string): string {
  return lookupCheck(value, field);
}

/** A free-form look-up argument where the empty string finds nothing (see lookupId). */
export function lookupValue(value: unknown, field: string): string | null {
  return value === '' ? null : checkLookup(value, field);
}

export function notFound(entity: string): never {
  throw new NotFoundError(`${entity} not found`, { details: { entity } });
}

export function orNotFound<T>(value: T | null, entity: string): T {
  if (value === null) notFound(entity);
  return value;
}
