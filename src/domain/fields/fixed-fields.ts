import { ValidationError } from '../errors.js';
import type { ExtraFieldsPatch } from './extra-fields.js';
import { parsePatchWithExtra, type RecordSpec } from './record-spec.js';
import { isPlainObject, type Rule } from './validation.js';

/** Rules for fields set once at creation (a role's orgId, a provider's type). */
export type FixedRules = Readonly<Record<string, Rule<unknown>>>;

export interface ParsedPatch<T> {
  /** The writable fields to change, as parsePatch returns them. */
  patch: Partial<T>;
  /** Fixed fields the caller passed (validated): they must equal the stored values. */
  fixed: Record<string, unknown>;
  /** Extra fields to set or (when `undefined`) remove; always empty for a spec without extras. */
  extra: ExtraFieldsPatch;
}

/**
 * Validates an update object for a record that also has fixed fields. A fixed field may appear (so a
 * full record can be passed back) but only with its current value: `assertFixedUnchanged` checks that
 * once the stored record is read. Everything else follows parsePatchWithExtra.
 */
export function parsePatchWithFixed<T>(
  spec: RecordSpec<T>,
  rules: FixedRules,
  data: unknown,
): ParsedPatch<T> {
  if (!isPlainObject(data)) return { ...parsePatchWithExtra(spec, data), fixed: {} };
  const writable: Record<string, unknown> = {};
  const fixed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    // Own keys only: "__proto__" or "constructor" in an update object must not find Object.prototype.
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
    if (rule === undefined) writable[key] = value;
    else if (value !== undefined) fixed[key] = rule(value, `${spec.entity}.${key}`);
  }
  return { ...parsePatchWithExtra(spec, writable), fixed };
}

export function assertFixedUnchanged(entity: string, fixed: Record<string, unknown>, current: object): void {
  for (const [key, value] of Object.entries(fixed)) {
    if ((current as Record<string, unknown>)[key] !== value) {
      throw new ValidationError(`${entity}.${key} cannot be changed after creation`, {
        details: { entity, field: key },
      });
    }
  }
}
