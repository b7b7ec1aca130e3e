import type {
  BackupCode,
  RoleRecord,
  SSOLink,
  SSOProviderRecord,
  SSOSession,
  TwoFactorDevice,
  TwoFactorSession,
} from '../../domain/records.js';
import { RoleFacade } from './groups/roles.js';
import { SamlTenantConfigFacade } from './groups/saml-tenant-configs.js';
import { SsoLinkFacade } from './groups/sso-links.js';
import { SsoProviderFacade } from './groups/sso-providers.js';
import { TwoFactorFacade } from './groups/two-factor.js';
import { KitiumCoreAdapter, type KitiumAdapterOptions } from './kitium-core-adapter.js';
import type { StorageAdapter } from './storage-adapter.js';
import type { SqlStore } from '../../adapters/kysely/index.js';

export type { KitiumAdapterOptions } from './kitium-core-adapter.js';

/**
 * The whole @kitiumai/auth StorageAdapter: the required methods of `KitiumCoreAdapter` plus the
 * optional groups (RBAC, SSO, two-factor, SAML tenant config), split so each file stays small.
 */
export class KitiumStorageAdapter extends KitiumCoreAdapter implements Required<StorageAdapter> {
  private readonly roles: RoleFacade;
  private readonly twoFactor: TwoFactorFacade;
  private readonly ssoProviders: SsoProviderFacade;
  private readonly ssoLinks: SsoLinkFacade;
  private readonly samlTenantConfigs: SamlTenantConfigFacade;

  protected constructor(store: SqlStore, options: KitiumAdapterOptions) {
    super(store, options);
    this.roles = new RoleFacade(this.ctx);
    this.twoFactor = new TwoFactorFacade(this.ctx);
    this.ssoProviders = new SsoProviderFacade(this.ctx);
    this.ssoLinks = new SsoLinkFacade(this.ctx);
    this.samlTenantConfigs = new SamlTenantConfigFacade(this.ctx);
  }

  /** Stores the config under its own `tenantId` (replacing any before); a config without one is a validation error. */
  async storeTenantSAMLConfig(config: unknown): Promise<void> {
    return this.samlTenantConfigs.store(config);
  }
  async getTenantSAMLConfig(tenantId: string): Promise<unknown | null> {
    return this.samlTenantConfigs.get(tenantId);
  }
  /** Merges the given keys over the stored config. */
  async updateTenantSAMLConfig(tenantId: string, config: unknown): Promise<void> {
    return this.samlTenantConfigs.update(tenantId, config);
  }
  async deleteTenantSAMLConfig(tenantId: string): Promise<void> {
    return this.samlTenantConfigs.delete(tenantId);
  }

  async createRole(data: Omit<RoleRecord, 'id' | 'createdAt' | 'updatedAt'>): Promise<RoleRecord> {
    return this.roles.create(data);
  }
  async getRole(roleId: string): Promise<RoleRecord | null> {
    return this.roles.get(roleId);
  }
  /** System roles are refused (ForbiddenError); orgId and isSystem may appear only unchanged. */
  async updateRole(roleId: string, data: Partial<RoleRecord>): Promise<RoleRecord> {
    return this.roles.update(roleId, data);
  }
  /** Removes the role and its assignments; system roles are refused (ForbiddenError). */
  async deleteRole(roleId: string): Promise<void> {
    return this.roles.delete(roleId);
  }
  async listRoles(orgId: string): Promise<RoleRecord[]> {
    return this.roles.list(orgId);
  }
  /** Idempotent; returns the role. */
  async assignRoleToUser(userId: string, roleId: string, orgId: string): Promise<RoleRecord> {
    return this.roles.assign(userId, roleId, orgId);
  }
  async revokeRoleFromUser(userId: string, roleId: string, orgId: string): Promise<void> {
    return this.roles.revoke(userId, roleId, orgId);
  }
  async getUserRoles(userId: string, orgId: string): Promise<RoleRecord[]> {
    return this.roles.listForUser(userId, orgId);
  }

  async createTwoFactorDevice(data: Omit<TwoFactorDevice, 'id' | 'createdAt'>): Promise<TwoFactorDevice> {
    return this.twoFactor.createDevice(data);
  }
  async getTwoFactorDevice(deviceId: string): Promise<TwoFactorDevice | null> {
    return this.twoFactor.getDevice(deviceId);
  }
  async updateTwoFactorDevice(deviceId: string, data: Partial<TwoFactorDevice>): Promise<TwoFactorDevice> {
    return this.twoFactor.updateDevice(deviceId, data);
  }
  async listTwoFactorDevices(userId: string): Promise<TwoFactorDevice[]> {
    return this.twoFactor.listDevices(userId);
  }
  async deleteTwoFactorDevice(deviceId: string): Promise<void> {
    return this.twoFactor.deleteDevice(deviceId);
  }
  async createBackupCodes(userId: string, codes: BackupCode[]): Promise<BackupCode[]> {
    return this.twoFactor.createBackupCodes(userId, codes);
  }
  async getBackupCodes(userId: string): Promise<BackupCode[]> {
    return this.twoFactor.getBackupCodes(userId);
  }
  /** Single use: of concurrent calls exactly one succeeds, the others are conflicts. */
  async markBackupCodeUsed(codeId: string): Promise<void> {
    return this.twoFactor.markBackupCodeUsed(codeId);
  }
  async createTwoFactorSession(session: TwoFactorSession): Promise<TwoFactorSession> {
    return this.twoFactor.createSession(session);
  }
  async getTwoFactorSession(sessionId: string): Promise<TwoFactorSession | null> {
    return this.twoFactor.getSession(sessionId);
  }
  /** Single use: of concurrent calls exactly one succeeds, the others are conflicts. */
  async completeTwoFactorSession(sessionId: string): Promise<void> {
    return this.twoFactor.completeSession(sessionId);
  }

  /** An OIDC or SAML provider record (`SSOProviderRecord`); the caller may choose its id. */
  async createSSOProvider(data: unknown): Promise<SSOProviderRecord> {
    return this.ssoProviders.create(data);
  }
  async getSSOProvider(providerId: string): Promise<SSOProviderRecord | null> {
    return this.ssoProviders.get(providerId);
  }
  /** A partial or a full record; `type` may appear only unchanged. */
  async updateSSOProvider(providerId: string, data: unknown): Promise<SSOProviderRecord> {
    return this.ssoProviders.update(providerId, data);
  }
  /** Removes the provider with its SSO links and sessions. */
  async deleteSSOProvider(providerId: string): Promise<void> {
    return this.ssoProviders.delete(providerId);
  }
  async listSSOProviders(orgId?: string): Promise<SSOProviderRecord[]> {
    return this.ssoProviders.list(orgId);
  }
  async createSSOLink(data: Omit<SSOLink, 'id' | 'linkedAt'>): Promise<SSOLink> {
    return this.ssoLinks.createLink(data);
  }
  async getSSOLink(linkId: string): Promise<SSOLink | null> {
    return this.ssoLinks.getLink(linkId);
  }
  async getUserSSOLinks(userId: string): Promise<SSOLink[]> {
    return this.ssoLinks.listLinks(userId);
  }
  async deleteSSOLink(linkId: string): Promise<void> {
    return this.ssoLinks.deleteLink(linkId);
  }
  async createSSOSession(data: Omit<SSOSession, 'id' | 'linkedAt'>): Promise<SSOSession> {
    return this.ssoLinks.createSession(data);
  }
  async getSSOSession(sessionId: string): Promise<SSOSession | null> {
    return this.ssoLinks.getSession(sessionId);
  }
}
