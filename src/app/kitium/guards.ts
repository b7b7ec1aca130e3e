import { NotFoundError } from '../../domain/errors.js';
import { id as idRule, string } from '../../domain/validation.js';

const idCheck = idRule();
const lookupCheck = string({ max: 1024 });

/** Validates an id argument: a non-empty string without NUL bytes, at most 255 characters. */
export function checkId(value: unknown, field = 'id'): string {
  return idCheck(value, field);
}

/** Validates a free-form look-up argument (hash, email, provider subject): a string of at most 1024. */
export function checkLookup(value: unknown, field: string): string {
  return lookupCheck(value, field);
}

export function orNotFound<T>(value: T | null, entity: string): T {
  if (value === null) throw new NotFoundError(`${entity} not found`, { details: { entity } });
  return value;
}
