import type {
  ApiKeyRecord,
  AuthEvent,
  BackupCode,
  CreateUserInput,
  EmailVerificationToken,
  OAuthLink,
  OrganizationRecord,
  RoleRecord,
  SessionRecord,
  SSOLink,
  SSOSession,
  TwoFactorDevice,
  TwoFactorSession,
  UpdateUserInput,
  UserRecord,
} from '../../domain/records/records.js';

/**
 * The @kitiumai/auth 4.x `StorageAdapter`: 32 required methods and 34 optional ones.
 * A plain object type, as upstream declares it; both authkeep facades implement all 66.
 */
export interface StorageAdapter {
  connect(): Promise<void>;
  disconnect(): Promise<void>;

  createApiKey(data: Omit<ApiKeyRecord, 'id' | 'createdAt'>): Promise<ApiKeyRecord>;
  getApiKey(id: string): Promise<ApiKeyRecord | null>;
  getApiKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
  getApiKeysByPrefixAndLastFour(prefix: string, lastFour: string): Promise<ApiKeyRecord[]>;
  updateApiKey(id: string, data: Partial<ApiKeyRecord>): Promise<ApiKeyRecord>;
  deleteApiKey(id: string): Promise<void>;
  listApiKeys(principalId: string): Promise<ApiKeyRecord[]>;

  createSession(data: Omit<SessionRecord, 'id' | 'createdAt'>): Promise<SessionRecord>;
  getSession(id: string): Promise<SessionRecord | null>;
  updateSession(id: string, data: Partial<SessionRecord>): Promise<SessionRecord>;
  deleteSession(id: string): Promise<void>;

  createOrganization(
    data: Omit<OrganizationRecord, 'id' | 'createdAt' | 'updatedAt'>,
  ): Promise<OrganizationRecord>;
  getOrganization(id: string): Promise<OrganizationRecord | null>;
  updateOrganization(id: string, data: Partial<OrganizationRecord>): Promise<OrganizationRecord>;
  deleteOrganization(id: string): Promise<void>;

  createUser(data: CreateUserInput): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord | null>;
  getUserByEmail(email: string): Promise<UserRecord | null>;
  getUserByOAuth(provider: string, sub: string): Promise<UserRecord | null>;
  updateUser(id: string, data: UpdateUserInput): Promise<UserRecord>;
  deleteUser(id: string): Promise<void>;
  linkOAuthAccount(userId: string, provider: string, oauthData: OAuthLink): Promise<UserRecord>;

  createEmailVerificationToken(data: Omit<EmailVerificationToken, 'id'>): Promise<EmailVerificationToken>;
  getEmailVerificationTokens(email: string, type?: string): Promise<EmailVerificationToken[]>;
  getEmailVerificationTokenById(id: string): Promise<EmailVerificationToken | null>;
  markEmailVerificationTokenAsUsed(id: string): Promise<EmailVerificationToken>;
  deleteExpiredEmailVerificationTokens(): Promise<number>;
  getEmailVerificationTokenAttempts(tokenId: string): Promise<number>;
  incrementEmailVerificationTokenAttempts(tokenId: string): Promise<number>;

  emitEvent(event: AuthEvent): Promise<void>;

  storeTenantSAMLConfig?(config: unknown): Promise<void>;
  getTenantSAMLConfig?(tenantId: string): Promise<unknown | null>;
  updateTenantSAMLConfig?(tenantId: string, config: unknown): Promise<void>;
  deleteTenantSAMLConfig?(tenantId: string): Promise<void>;

  createRole?(data: Omit<RoleRecord, 'id' | 'createdAt' | 'updatedAt'>): Promise<RoleRecord>;
  getRole?(roleId: string): Promise<RoleRecord | null>;
  updateRole?(roleId: string, data: Partial<RoleRecord>): Promise<RoleRecord>;
  deleteRole?(roleId: string): Promise<void>;
  listRoles?(orgId: string): Promise<RoleRecord[]>;
  assignRoleToUser?(userId: string, roleId: string, orgId: string): Promise<RoleRecord>;
  revokeRoleFromUser?(userId: string, roleId: string, orgId: string): Promise<void>;
  getUserRoles?(userId: string, orgId: string): Promise<RoleRecord[]>;

  createTwoFactorDevice?(data: Omit<TwoFactorDevice, 'id' | 'createdAt'>): Promise<TwoFactorDevice>;
  getTwoFactorDevice?(deviceId: string): Promise<TwoFactorDevice | null>;
  updateTwoFactorDevice?(deviceId: string, data: Partial<TwoFactorDevice>): Promise<TwoFactorDevice>;
  listTwoFactorDevices?(userId: string): Promise<TwoFactorDevice[]>;
  deleteTwoFactorDevice?(deviceId: string): Promise<void>;
  createBackupCodes?(userId: string, codes: BackupCode[]): Promise<BackupCode[]>;
  getBackupCodes?(userId: string): Promise<BackupCode[]>;
  markBackupCodeUsed?(codeId: string): Promise<void>;
  createTwoFactorSession?(session: TwoFactorSession): Promise<TwoFactorSession>;
  getTwoFactorSession?(sessionId: string): Promise<TwoFactorSession | null>;
  completeTwoFactorSession?(sessionId: string): Promise<void>;

  createSSOProvider?(data: unknown): Promise<unknown>;
  getSSOProvider?(providerId: string): Promise<unknown | null>;
  updateSSOProvider?(providerId: string, data: unknown): Promise<unknown>;
  deleteSSOProvider?(providerId: string): Promise<void>;
  listSSOProviders?(orgId?: string): Promise<unknown[]>;
  createSSOLink?(data: Omit<SSOLink, 'id' | 'linkedAt'>): Promise<SSOLink>;
  getSSOLink?(linkId: string): Promise<SSOLink | null>;
  getUserSSOLinks?(userId: string): Promise<SSOLink[]>;
  deleteSSOLink?(linkId: string): Promise<void>;
  createSSOSession?(data: Omit<SSOSession, 'id' | 'linkedAt'>): Promise<SSOSession>;
  getSSOSession?(sessionId: string): Promise<SSOSession | null>;
}
