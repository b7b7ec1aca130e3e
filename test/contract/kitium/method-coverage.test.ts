import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { StorageAdapter } from '../../../src/index.js';

/** Every StorageAdapter method; the type below fails to compile if one is missing from the list. */
const METHODS = [
  'connect',
  'disconnect',
  'createApiKey',
  'getApiKey',
  'getApiKeyByHash',
  'getApiKeysByPrefixAndLastFour',
  'updateApiKey',
  'deleteApiKey',
  'listApiKeys',
  'createSession',
  'getSession',
  'updateSession',
  'deleteSession',
  'createOrganization',
  'getOrganization',
  'updateOrganization',
  'deleteOrganization',
  'createUser',
  'getUser',
  'getUserByEmail',
  'getUserByOAuth',
  'updateUser',
  'deleteUser',
  'linkOAuthAccount',
  'createEmailVerificationToken',
  'getEmailVerificationTokens',
  'getEmailVerificationTokenById',
  'markEmailVerificationTokenAsUsed',
  'deleteExpiredEmailVerificationTokens',
  'getEmailVerificationTokenAttempts',
  'incrementEmailVerificationTokenAttempts',
  'emitEvent',
  'storeTenantSAMLConfig',
  'getTenantSAMLConfig',
  'updateTenantSAMLConfig',
  'deleteTenantSAMLConfig',
  'createRole',
  'getRole',
  'updateRole',
  'deleteRole',
  'listRoles',
  'assignRoleToUser',
  'revokeRoleFromUser',
  'getUserRoles',
  'createTwoFactorDevice',
  'getTwoFactorDevice',
  'updateTwoFactorDevice',
  'listTwoFactorDevices',
  'deleteTwoFactorDevice',
  'createBackupCodes',
  'getBackupCodes',
  'markBackupCodeUsed',
  'createTwoFactorSession',
  'getTwoFactorSession',
  'completeTwoFactorSession',
  'createSSOProvider',
  'getSSOProvider',
  'updateSSOProvider',
  'deleteSSOProvider',
  'listSSOProviders',
  'createSSOLink',
  'getSSOLink',
  'getUserSSOLinks',
  'deleteSSOLink',
  'createSSOSession',
  'getSSOSession',
] as const satisfies readonly (keyof StorageAdapter)[];

type Unlisted = Exclude<keyof StorageAdapter, (typeof METHODS)[number]>;
const exhaustive: [Unlisted] extends [never] ? true : never = true;

describe('the kitium contract suite', () => {
  it('lists all 66 methods of the StorageAdapter', () => {
    expect(exhaustive).toBe(true);
    expect(new Set(METHODS).size).toBe(66);
  });

  it('calls every one of them in its test files', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const source = readdirSync(dir)
      .filter((file) => file.endsWith('.test.ts'))
      .map((file) => readFileSync(`${dir}/${file}`, 'utf8'))
      .join('\n');
    const uncalled = METHODS.filter((method) => !new RegExp(`\\.${method}\\(`).test(source));
    expect(uncalled).toEqual([]);
  });
});
