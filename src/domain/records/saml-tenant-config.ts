import { ValidationError } from '../errors.js';
import { setOwn } from '../fields/json-dates.js';
import { LIMITS } from '../fields/limits.js';
import { id, jsonObject } from '../fields/validation.js';

const entity = 'samlTenantConfig';
const checkJson = jsonObject();
const checkTenantId = id();

/** A SAML tenant config: an object of the caller's shape, keyed by its own `tenantId`. */
export interface TenantConfig {
  tenantId: string;
  config: Record<string, unknown>;
}

function checked(value: unknown, what: string): Record<string, unknown> {
  checkJson(value, `${entity} ${what}`);
  // jsonObject returns a JSON copy (Dates as strings); keep the caller's Dates instead.
  return structuredClone(value as Record<string, unknown>);
}

/** Validates a whole config; one without a string `tenantId` cannot be stored. */
export function parseTenantConfig(value: unknown): TenantConfig {
  const config = checked(value, 'config');
  if (config.tenantId === undefined || config.tenantId === null) {
    throw new ValidationError(`${entity}.tenantId is required: it is the key the config is stored under`, {
      details: { entity, field: 'tenantId' },
    });
  }
  return { tenantId: checkTenantId(config.tenantId, `${entity}.tenantId`), config };
}

/**
 * Validates a partial update: it merges shallowly over the stored config, and a key given as
 * `undefined` or `null` is removed. `tenantId` may appear only with the tenant's own id.
 */
export function parseTenantConfigPatch(tenantId: string, patch: unknown): Record<string, unknown> {
  const changes = checked(patch, 'update');
  if (changes.tenantId !== undefined && changes.tenantId !== null && changes.tenantId !== tenantId) {
    throw new ValidationError(`${entity}.tenantId cannot be changed`, {
      details: { entity, field: 'tenantId' },
    });
  }
  return changes;
}

export function mergeTenantConfig(
  tenantId: string,
  current: Record<string, unknown>,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === null) delete merged[key];
    else setOwn(merged, key, value);
  }
  merged.tenantId = tenantId;
  if (Buffer.byteLength(JSON.stringify(merged)) > LIMITS.jsonBytes) {
    throw new ValidationError(`${entity} must be at most ${LIMITS.jsonBytes} bytes as JSON`, {
      details: { entity },
    });
  }
  return merged;
}
