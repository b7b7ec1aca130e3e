import { parseInputWithExtra, parsePatchWithExtra } from '../../../domain/fields/record-spec.js';
import type { OrganizationRecord } from '../../../domain/records/records.js';
import { organizationSpec, type OrganizationInput } from '../../../domain/specs/core.js';
import type { KitiumContext } from '../context.js';
import { lookupId, notFound, orNotFound } from '../guards.js';

export class OrganizationFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** A caller's extra fields are kept and returned (upstream's memory adapter spreads `data`). */
  async create(data: unknown): Promise<OrganizationRecord> {
    const { fields, extra } = parseInputWithExtra<OrganizationInput>(organizationSpec, data, [
      'id',
      'createdAt',
      'updatedAt',
    ]);
    const now = this.ctx.clock.now();
    return this.ctx.organizations.insert(
      { ...fields, id: this.ctx.ids.id(), createdAt: now, updatedAt: now },
      extra,
    );
  }

  async get(id: unknown): Promise<OrganizationRecord | null> {
    const key = lookupId(id);
    return key === null ? null : this.ctx.organizations.findById(key);
  }

  async update(id: unknown, data: unknown): Promise<OrganizationRecord> {
    const key = lookupId(id);
    if (key === null) notFound('organization');
    const { patch, extra } = parsePatchWithExtra<OrganizationInput>(organizationSpec, data);
    return orNotFound(
      await this.ctx.organizations.update(key, patch, extra, this.ctx.clock.now()),
      'organization',
    );
  }

  async delete(id: unknown): Promise<void> {
    const key = lookupId(id);
    if (key !== null) await this.ctx.organizations.delete(key);
  }
}
