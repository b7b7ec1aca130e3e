import { ValidationError } from '../../../domain/errors.js';
import { assertFixedUnchanged, parsePatchWithFixed } from '../../../domain/fields/fixed-fields.js';
import { mergeExtraFields, withExtraFields } from '../../../domain/fields/extra-fields.js';
import { parseInputWithExtra, type RecordSpec } from '../../../domain/fields/record-spec.js';
import type { SSOProviderRecord } from '../../../domain/records/records.js';
import { SSO_PROVIDER_SPECS, ssoProviderExtraFields } from '../../../domain/specs/sso.js';
import { isPlainObject, oneOf } from '../../../domain/fields/validation.js';
import type { KitiumContext } from '../context.js';
import { checkId, lookupId, notFound, orNotFound } from '../guards.js';

const entity = 'ssoProvider';
const typeRule = oneOf(['oidc', 'saml'] as const);
const FIXED = { type: typeRule } as const;

function specFor(type: SSOProviderRecord['type']): RecordSpec<Record<string, unknown>> {
  return SSO_PROVIDER_SPECS[type] as unknown as RecordSpec<Record<string, unknown>>;
}

/** Drops fields cleared by a patch (`key: undefined`), so absent optional fields stay absent. */
function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/**
 * SSO providers (OIDC and SAML; typed `unknown` upstream). The caller may choose the id; timestamps
 * are the store's. Secret fields are sealed at rest by the repository. A caller's extra fields are kept
 * and returned (upstream's memory adapter spreads `data`), except the other kind's fields (see specs/sso).
 */
export class SsoProviderFacade {
  constructor(private readonly ctx: KitiumContext) {}

  async create(data: unknown): Promise<SSOProviderRecord> {
    if (!isPlainObject(data)) {
      throw new ValidationError(`${entity} input must be a plain object`, { details: { entity } });
    }
    const type = typeRule(data.type, `${entity}.type`);
    const { fields, extra } = parseInputWithExtra(specFor(type), data, [
      'id',
      'type',
      'createdAt',
      'updatedAt',
    ]);
    const id = data.id === undefined || data.id === null ? this.ctx.ids.id() : checkId(data.id);
    const now = this.ctx.clock.now();
    const record = { ...fields, id, type, createdAt: now, updatedAt: now } as unknown as SSOProviderRecord;
    return this.ctx.ssoProviders.insert(withExtraFields(record, extra));
  }

  async get(id: unknown): Promise<SSOProviderRecord | null> {
    const key = lookupId(id, 'providerId');
    return key === null ? null : this.ctx.ssoProviders.findById(key);
  }

  /**
   * Partial or full record (upstream defect 4): id and timestamps are ignored, `type` is accepted
   * when unchanged, other keys are extra fields (set, or removed by `undefined`). Read, merged and
   * written under the row's lock.
   */
  async update(id: unknown, data: unknown): Promise<SSOProviderRecord> {
    const key = lookupId(id, 'providerId');
    if (key === null) notFound(entity);
    if (!isPlainObject(data)) {
      throw new ValidationError(`${entity} update must be a plain object`, { details: { entity } });
    }
    const now = this.ctx.clock.now();
    const updated = await this.ctx.ssoProviders.update(key, (current) => {
      const { patch, fixed, extra } = parsePatchWithFixed(specFor(current.type), FIXED, data);
      assertFixedUnchanged(entity, fixed, current);
      const extras = mergeExtraFields(entity, ssoProviderExtraFields(current), extra);
      const next: Record<string, unknown> = withoutUndefined({ ...current, ...patch, updatedAt: now });
      for (const key of Object.keys(extra)) delete next[key];
      return withExtraFields(next, extras) as unknown as SSOProviderRecord;
    });
    return orNotFound(updated, entity);
  }

  /** Removes the provider with its SSO links and sessions. */
  async delete(id: unknown): Promise<void> {
    const key = lookupId(id, 'providerId');
    if (key !== null) await this.ctx.ssoProviders.delete(key);
  }

  async list(orgId?: unknown): Promise<SSOProviderRecord[]> {
    return this.ctx.ssoProviders.list(
      // As upstream's memory adapter: no orgId, or an empty one, lists every provider.
      orgId === undefined || orgId === null || orgId === '' ? undefined : checkId(orgId, 'orgId'),
    );
  }
}
