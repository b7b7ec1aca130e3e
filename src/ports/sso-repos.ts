import type { ExtraFields } from '../domain/fields/extra-fields.js';
import type { SSOLink, SSOProviderRecord, SSOSession } from '../domain/records/records.js';

/** SSO providers; secret fields (client secrets, signing keys) are encrypted at rest, bound to the id. */
export interface SsoProviderRepo {
  insert(provider: SSOProviderRecord): Promise<SSOProviderRecord>;
  findById(id: string): Promise<SSOProviderRecord | null>;
  /** Every provider, or those of one organisation. */
  list(orgId?: string): Promise<SSOProviderRecord[]>;
  /**
   * Reads the provider, applies `change` and writes the result, in one transaction that holds the row,
   * so concurrent partial updates do not lose each other's fields. Null when the provider is missing.
   */
  update(
    id: string,
    change: (current: SSOProviderRecord) => SSOProviderRecord,
  ): Promise<SSOProviderRecord | null>;
  /** Deletes the provider with its links and sessions, atomically. */
  delete(id: string): Promise<void>;
}

export interface SsoLinkRepo {
  /** `extra` holds the caller's own fields, returned with the link. */
  insert(link: SSOLink, extra: ExtraFields): Promise<SSOLink>;
  findById(id: string): Promise<SSOLink | null>;
  listByUser(userId: string): Promise<SSOLink[]>;
  delete(id: string): Promise<void>;
}

/** SSO sessions; the session token is encrypted at rest, bound to the row id. */
export interface SsoSessionRepo {
  insert(session: SSOSession, extra: ExtraFields): Promise<SSOSession>;
  findById(id: string): Promise<SSOSession | null>;
}

/** SAML tenant configs, keyed by tenant id; the whole config is encrypted at rest. */
export interface SamlTenantConfigRepo {
  /** Inserts or replaces the config (keeping the original creation time). */
  put(tenantId: string, config: Record<string, unknown>, at: Date): Promise<void>;
  find(tenantId: string): Promise<Record<string, unknown> | null>;
  /** Read-change-write in one transaction holding the row; false when the tenant has no config. */
  update(
    tenantId: string,
    change: (current: Record<string, unknown>) => Record<string, unknown>,
    at: Date,
  ): Promise<boolean>;
  delete(tenantId: string): Promise<void>;
}
