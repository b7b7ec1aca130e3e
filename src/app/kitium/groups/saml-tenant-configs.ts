import {
  mergeTenantConfig,
  parseTenantConfig,
  parseTenantConfigPatch,
} from '../../../domain/records/saml-tenant-config.js';
import type { KitiumContext } from '../context.js';
import { lookupId, notFound, orNotFound } from '../guards.js';

/** SAML tenant configs, keyed by the config's own `tenantId`, sealed whole at rest. */
export class SamlTenantConfigFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** Stores the config under its tenantId, replacing one stored before; no tenantId is a validation error. */
  async store(config: unknown): Promise<void> {
    const parsed = parseTenantConfig(config);
    await this.ctx.samlTenantConfigs.put(parsed.tenantId, parsed.config, this.ctx.clock.now());
  }

  async get(tenantId: unknown): Promise<Record<string, unknown> | null> {
    const key = lookupId(tenantId, 'tenantId');
    return key === null ? null : this.ctx.samlTenantConfigs.find(key);
  }

  /** Merges the given keys over the stored config (shallow); a missing tenant is not_found. */
  async update(tenantId: unknown, config: unknown): Promise<void> {
    const key = lookupId(tenantId, 'tenantId');
    if (key === null) notFound('samlTenantConfig');
    const changes = parseTenantConfigPatch(key, config);
    const updated = await this.ctx.samlTenantConfigs.update(
      key,
      (current) => mergeTenantConfig(key, current, changes),
      this.ctx.clock.now(),
    );
    orNotFound(updated ? true : null, 'samlTenantConfig');
  }

  async delete(tenantId: unknown): Promise<void> {
    const key = lookupId(tenantId, 'tenantId');
    if (key !== null) await this.ctx.samlTenantConfigs.delete(key);
  }
}
