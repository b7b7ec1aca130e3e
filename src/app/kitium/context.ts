import {
  KyselyApiKeyRepo,
  KyselyBackupCodeRepo,
  KyselyEmailTokenRepo,
  KyselyEventLog,
  KyselyOrganizationRepo,
  KyselyRoleRepo,
  KyselySamlTenantConfigRepo,
  KyselySessionRepo,
  KyselySsoLinkRepo,
  KyselySsoProviderRepo,
  KyselySsoSessionRepo,
  KyselyTwoFactorDeviceRepo,
  KyselyTwoFactorSessionRepo,
  KyselyUserRepo,
  type SqlStore,
} from '../../adapters/kysely/index.js';
import { KeyedCodeDigest } from '../../adapters/crypto/hashing/code-digest.js';
import type { CipherPort } from '../../ports/cipher.js';
import type { RoleRepo } from '../../ports/rbac-repos.js';
import type {
  ApiKeyRepo,
  EmailTokenRepo,
  EventLog,
  OrganizationRepo,
  SessionRepo,
  UserRepo,
} from '../../ports/repos.js';
import type {
  SamlTenantConfigRepo,
  SsoLinkRepo,
  SsoProviderRepo,
  SsoSessionRepo,
} from '../../ports/sso-repos.js';
import type {
  BackupCodeRepo,
  TwoFactorDeviceRepo,
  TwoFactorSessionRepo,
} from '../../ports/two-factor-repos.js';
import type { Clock, IdGenerator, Logger, TokenDigest } from '../../ports/system.js';

/** What every facade group needs: the repositories and the system ports, wired once per adapter. */
export interface KitiumContext {
  store: SqlStore;
  apiKeys: ApiKeyRepo;
  sessions: SessionRepo;
  organizations: OrganizationRepo;
  users: UserRepo;
  emailTokens: EmailTokenRepo;
  events: EventLog;
  roles: RoleRepo;
  twoFactorDevices: TwoFactorDeviceRepo;
  backupCodes: BackupCodeRepo;
  twoFactorSessions: TwoFactorSessionRepo;
  ssoProviders: SsoProviderRepo;
  ssoLinks: SsoLinkRepo;
  ssoSessions: SsoSessionRepo;
  samlTenantConfigs: SamlTenantConfigRepo;
  /** Seals the secrets at rest (two-factor, SSO); a MissingKeyCipher when no key is configured. */
  cipher: CipherPort;
  clock: Clock;
  ids: IdGenerator;
  digest: TokenDigest;
  logger: Logger;
}

export function createKitiumContext(
  store: SqlStore,
  system: Pick<KitiumContext, 'clock' | 'ids' | 'digest' | 'logger' | 'cipher'>,
): KitiumContext {
  const { cipher } = system;
  return {
    store,
    apiKeys: new KyselyApiKeyRepo(store),
    sessions: new KyselySessionRepo(store),
    organizations: new KyselyOrganizationRepo(store),
    users: new KyselyUserRepo(store),
    emailTokens: new KyselyEmailTokenRepo(store, new KeyedCodeDigest(cipher, system.digest)),
    events: new KyselyEventLog(store),
    roles: new KyselyRoleRepo(store),
    twoFactorDevices: new KyselyTwoFactorDeviceRepo(store, cipher),
    backupCodes: new KyselyBackupCodeRepo(store),
    twoFactorSessions: new KyselyTwoFactorSessionRepo(store, cipher),
    ssoProviders: new KyselySsoProviderRepo(store, cipher),
    ssoLinks: new KyselySsoLinkRepo(store),
    ssoSessions: new KyselySsoSessionRepo(store, cipher),
    samlTenantConfigs: new KyselySamlTenantConfigRepo(store, cipher),
    ...system,
  };
}
