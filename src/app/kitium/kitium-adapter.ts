import type {
  BackupCode,
  RoleRecord,
  SSOLink,
  SAMLTenantConfigInput,
  SSOProviderInput,
  SSOProviderPatch,
  SSOProviderRecord,
  SSOSession,
  TwoFactorDevice,
  TwoFactorSession,
} from '../../domain/records/records.js';
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
  storeTenantSAMLConfig(config: SAMLTenantConfigInput): Promise<void> {
    return this.samlTenantConfigs.store(config);
  }
  getTenantSAMLConfig(tenantId: string): Promise<unknown | null> {
    return this.samlTenantConfigs.get(tenantId);
  }
  /** Merges the given keys over the stored config. */
  updateTenantSAMLConfig(tenantId: string, config: Partial<SAMLTenantConfigInput>): Promise<void> {
    return this.samlTenantConfigs.update(tenantId, config);
  }
  deleteTenantSAMLConfig(tenantId: string): Promise<void> {
    return this.samlTenantConfigs.delete(tenantId);
  }

  createRole(data: Omit<RoleRecord, 'id' | 'createdAt' | 'updatedAt'>): Promise<RoleRecord> {
    return this.roles.create(data);
  }
  getRole(roleId: string): Promise<RoleRecord | null> {
    return this.roles.get(roleId);
  }
  /** System roles are refused (ForbiddenError); orgId and isSystem may appear only unchanged. */
  updateRole(roleId: string, data: Partial<RoleRecord>): Promise<RoleRecord> {
    return this.roles.update(roleId, data);
  }
  /** Removes the role and its assignments; system roles are refused (ForbiddenError). */
  deleteRole(roleId: string): Promise<void> {
    return this.roles.delete(roleId);
  }
  listRoles(orgId: string): Promise<RoleRecord[]> {
    return this.roles.list(orgId);
  }
  /** Idempotent; returns the role. */
  assignRoleToUser(userId: string, roleId: string, orgId: string): Promise<RoleRecord> {
    return this.roles.assign(userId, roleId, orgId);
  }
  revokeRoleFromUser(userId: string, roleId: string, orgId: string): Promise<void> {
    return this.roles.revoke(userId, roleId, orgId);
  }
  getUserRoles(userId: string, orgId: string): Promise<RoleRecord[]> {
    return this.roles.listForUser(userId, orgId);
  }

  createTwoFactorDevice(data: Omit<TwoFactorDevice, 'id' | 'createdAt'>): Promise<TwoFactorDevice> {
    return this.twoFactor.createDevice(data);
  }
  getTwoFactorDevice(deviceId: string): Promise<TwoFactorDevice | null> {
    return this.twoFactor.getDevice(deviceId);
  }
  updateTwoFactorDevice(deviceId: string, data: Partial<TwoFactorDevice>): Promise<TwoFactorDevice> {
    return this.twoFactor.updateDevice(deviceId, data);
  }
  listTwoFactorDevices(userId: string): Promise<TwoFactorDevice[]> {
    return this.twoFactor.listDevices(userId);
  }
  deleteTwoFactorDevice(deviceId: string): Promise<void> {
    return this.twoFactor.deleteDevice(deviceId);
  }
  createBackupCodes(userId: string, codes: BackupCode[]): Promise<BackupCode[]> {
    return this.twoFactor.createBackupCodes(userId, codes);
  }
  getBackupCodes(userId: string): Promise<BackupCode[]> {
    return this.twoFactor.getBackupCodes(userId);
  }
  /** Single use: of concurrent calls exactly one succeeds, the others are conflicts. */
  markBackupCodeUsed(codeId: string): Promise<void> {
    return this.twoFactor.markBackupCodeUsed(codeId);
  }
  createTwoFactorSession(session: TwoFactorSession): Promise<TwoFactorSession> {
    return this.twoFactor.createSession(session);
  }
  getTwoFactorSession(sessionId: string): Promise<TwoFactorSession | null> {
    return this.twoFactor.getSession(sessionId);
  }
  /** Single use: of concurrent calls exactly one succeeds, the others are conflicts. */
  completeTwoFactorSession(sessionId: string): Promise<void> {
    return this.twoFactor.completeSession(sessionId);
  }

  /** An OIDC or SAML provider record (`SSOProviderRecord`); the caller may choose its id. */
  createSSOProvider(data: SSOProviderInput): Promise<SSOProviderRecord> {
    return this.ssoProviders.create(data);
  }
  getSSOProvider(providerId: string): Promise<SSOProviderRecord | null> {
    return this.ssoProviders.get(providerId);
  }
  /** A partial or a full record; `type` may appear only unchanged. */
  updateSSOProvider(providerId: string, data: SSOProviderPatch): Promise<SSOProviderRecord> {
    return this.ssoProviders.update(providerId, data);
  }
  /** Removes the provider with its SSO links and sessions. */
  deleteSSOProvider(providerId: string): Promise<void> {
    return this.ssoProviders.delete(providerId);
  }
  listSSOProviders(orgId?: string): Promise<SSOProviderRecord[]> {
    return this.ssoProviders.list(orgId);
  }
  createSSOLink(data: Omit<SSOLink, 'id' | 'linkedAt'>): Promise<SSOLink> {
    return this.ssoLinks.createLink(data);
  }
  getSSOLink(linkId: string): Promise<SSOLink | null> {
    return this.ssoLinks.getLink(linkId);
  }
  getUserSSOLinks(userId: string): Promise<SSOLink[]> {
    return this.ssoLinks.listLinks(userId);
  }
  deleteSSOLink(linkId: string): Promise<void> {
    return this.ssoLinks.deleteLink(linkId);
  }
  createSSOSession(data: Omit<SSOSession, 'id' | 'linkedAt'>): Promise<SSOSession> {
    return this.ssoLinks.createSession(data);
  }
  getSSOSession(sessionId: string): Promise<SSOSession | null> {
    return this.ssoLinks.getSession(sessionId);
  }
}
