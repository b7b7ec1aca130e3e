import { expect, it } from 'vitest';
import { SqliteStorageAdapter, silentLogger, type KitiumStorageAdapter } from '../../../src/index.js';
import { describeKitium } from './backends.js';
import { TEST_KEYS } from './keyed-backends.js';

/**
 * Look-ups by an empty id answer as upstream's own memory adapter does for an id it does not hold
 * (kitium-ai/auth src/adapters/memory.ts, commit 50480ec: `map.get(id) || null`, a filter that finds
 * nothing, `attempts.get(id) || 0`), never a validation error; writes by an empty id keep its
 * "not found" (`throw new Error(... not found)`, here a NotFoundError). Every group's gets, lists,
 * deletes and writes are here, with a check that none of them needs the database.
 */
const lookups = (a: KitiumStorageAdapter) => ({
  nulls: [
    () => a.getUser(''),
    () => a.getUserByEmail(''),
    () => a.getUserByOAuth('', ''),
    () => a.getUserByOAuth('google', ''),
    () => a.getSession(''),
    () => a.getApiKey(''),
    () => a.getApiKeyByHash(''),
    () => a.getOrganization(''),
    () => a.getEmailVerificationTokenById(''),
    () => a.getRole(''),
    () => a.getTwoFactorDevice(''),
    () => a.getTwoFactorSession(''),
    () => a.getSSOProvider(''),
    () => a.getSSOLink(''),
    () => a.getSSOSession(''),
    () => a.getTenantSAMLConfig(''),
  ],
  empties: [
    () => a.listApiKeys(''),
    () => a.getApiKeysByPrefixAndLastFour('', ''),
    () => a.getEmailVerificationTokens(''),
    () => a.getEmailVerificationTokens('', 'verify_email'),
    () => a.listRoles(''),
    () => a.getUserRoles('', ''),
    () => a.getUserRoles('user-1', ''),
    () => a.listTwoFactorDevices(''),
    () => a.getBackupCodes(''),
    () => a.getUserSSOLinks(''),
  ],
  notFound: [
    () => a.updateUser('', { name: 'x' }),
    () => a.updateSession('', { plan: 'x' }),
    () => a.updateApiKey('', { scopes: [] }),
    () => a.updateOrganization('', { seats: 1 }),
    () => a.updateRole('', { name: 'x' }),
    () => a.updateSSOProvider('', { name: 'x' }),
    () => a.updateTwoFactorDevice('', { verified: true }),
    () => a.updateTenantSAMLConfig('', { x: 1 }),
    () => a.markEmailVerificationTokenAsUsed(''),
    () => a.incrementEmailVerificationTokenAttempts(''),
    () => a.linkOAuthAccount('', 'google', { provider: 'google', sub: 's', linkedAt: new Date() }),
    () => a.assignRoleToUser('user-1', '', 'org-1'),
    () => a.assignRoleToUser('', 'role-1', 'org-1'),
    () => a.assignRoleToUser('user-1', 'role-1', ''),
    () => a.markBackupCodeUsed(''),
    () => a.completeTwoFactorSession(''),
  ],
  noops: [
    () => a.deleteUser(''),
    () => a.deleteSession(''),
    () => a.deleteApiKey(''),
    () => a.deleteOrganization(''),
    () => a.deleteRole(''),
    () => a.deleteTwoFactorDevice(''),
    () => a.deleteSSOProvider(''),
    () => a.deleteSSOLink(''),
    () => a.deleteTenantSAMLConfig(''),
    () => a.revokeRoleFromUser('', 'role-1', 'org-1'),
    () => a.revokeRoleFromUser('user-1', '', 'org-1'),
  ],
});

describeKitium('an empty id, as upstream’s memory adapter answers an id it does not hold', (h) => {
  it('gets answer null, lists [], attempts 0', async () => {
    const { nulls, empties } = lookups(h.adapter);
    for (const get of nulls) expect(await get()).toBeNull();
    for (const list of empties) expect(await list()).toEqual([]);
    expect(await h.adapter.getEmailVerificationTokenAttempts('')).toBe(0);
  });

  it('writes by an empty id are not_found; nothing is written', async () => {
    for (const write of lookups(h.adapter).notFound) {
      await expect(write()).rejects.toMatchObject({ code: 'not_found' });
    }
    expect(await h.adapter.getEmailVerificationTokenAttempts('')).toBe(0);
  });

  it('an unknown token has 0 attempts, as memory.ts answers; other malformed ids stay validation errors', async () => {
    expect(await h.adapter.getEmailVerificationTokenAttempts('no-such-token')).toBe(0);
    for (const bad of [null, undefined, 42, 'x'.repeat(300), 'a\u0000b']) {
      await expect(h.adapter.getEmailVerificationTokenAttempts(bad as never)).rejects.toMatchObject({
        code: 'validation',
      });
      await expect(h.adapter.getUser(bad as never)).rejects.toMatchObject({ code: 'validation' });
    }
  });
});

it('an empty id is answered without the database: the same answers from a disconnected adapter', async () => {
  const adapter = new SqliteStorageAdapter(':memory:', {
    logger: silentLogger,
    encryptionKeys: TEST_KEYS,
    cache: 'memory',
  });
  await adapter.connect();
  await adapter.disconnect();
  // The database is gone: a real look-up now fails.
  await expect(adapter.getUser('someone')).rejects.toMatchObject({ code: 'unavailable' });
  const { nulls, empties, notFound, noops } = lookups(adapter);
  for (const get of nulls) expect(await get()).toBeNull();
  for (const list of empties) expect(await list()).toEqual([]);
  for (const write of notFound) await expect(write()).rejects.toMatchObject({ code: 'not_found' });
  for (const remove of noops) await expect(remove()).resolves.toBeUndefined();
  expect(await adapter.getEmailVerificationTokenAttempts('')).toBe(0);
});
