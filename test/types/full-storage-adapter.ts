/**
 * Compiled by `npm run typecheck`, never run: both facades implement every one of the 66 methods,
 * the 34 optional ones included, so they satisfy `Required<StorageAdapter>` under --strict; and code
 * written against upstream's optional methods compiles against ours unchanged.
 */
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  type BackupCode,
  type KitiumStorageAdapter,
  type Permission,
  type RoleRecord,
  type SSOLink,
  type StorageAdapter,
  type TwoFactorSession,
} from '../../src/index.js';

const pg: Required<StorageAdapter> = new PostgresStorageAdapter('postgres://localhost/db', {
  encryptionKeys: 'k1:...',
});
const lite: Required<StorageAdapter> = new SqliteStorageAdapter(':memory:');

type Assert<T extends true> = T;
type IsFull<T> = T extends Required<StorageAdapter> ? true : false;
export type Checks = [
  Assert<IsFull<KitiumStorageAdapter>>,
  Assert<IsFull<PostgresStorageAdapter>>,
  Assert<IsFull<SqliteStorageAdapter>>,
];

/** How an @kitiumai/auth module calls the optional groups on a plain StorageAdapter. */
async function upstreamStyle(storage: StorageAdapter, orgId: string): Promise<RoleRecord[]> {
  const permission: Permission = { id: 'p', name: 'read', resource: 'doc', action: 'read' };
  const role = await storage.createRole?.({
    orgId,
    name: 'reader',
    permissions: [permission],
    isSystem: false,
  });
  if (role) {
    await storage.updateRole?.(role.id, { ...role, name: 'viewer' });
    await storage.assignRoleToUser?.('user', role.id, orgId);
  }
  const device = await storage.createTwoFactorDevice?.({
    userId: 'user',
    method: 'totp',
    verified: false,
    secret: 's',
  });
  const codes: BackupCode[] = [
    { id: 'c1', userId: 'user', code: 'hash', used: false, createdAt: new Date() },
  ];
  await storage.createBackupCodes?.('user', codes);
  const session: TwoFactorSession = {
    id: 's1',
    userId: 'user',
    sessionId: 'bearer',
    deviceId: device?.id ?? 'd',
    method: 'totp',
    attemptCount: 0,
    maxAttempts: 5,
    expiresAt: new Date(),
    createdAt: new Date(),
  };
  await storage.createTwoFactorSession?.(session);
  await storage.completeTwoFactorSession?.(session.id);
  const provider = await storage.createSSOProvider?.({ type: 'oidc', name: 'okta' });
  await storage.updateSSOProvider?.('okta', provider);
  const link: SSOLink | undefined = await storage.createSSOLink?.({
    userId: 'user',
    providerId: 'okta',
    providerType: 'oidc',
    providerSubject: 'sub',
    lastAuthAt: new Date(),
  });
  await storage.storeTenantSAMLConfig?.({ tenantId: link?.id ?? 't' });
  return (await storage.getUserRoles?.('user', orgId)) ?? [];
}

export const checks = [pg, lite, upstreamStyle];
