import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authkeepAdapter, migrateAuthjs } from '../../src/app/authjs/index.js';
import { available, openVariant, TABLES, type AuthjsVariant, type OpenedAuthjs } from './support/backends.js';
import { createUser, newAccount } from './support/records.js';

const KEYS = `k1:${randomBytes(32).toString('base64')}`;

const sealed: AuthjsVariant[] = (['sqlite', 'postgres'] as const).map((dialect) => ({
  name: dialect,
  dialect,
  tables: 'pg-adapter',
  hashSessionTokens: true,
  cache: 'off',
}));

for (const variant of sealed) {
  describe.skipIf(!available(variant))(`sealAccountTokens [${variant.name}]`, () => {
    let opened: OpenedAuthjs;
    const accounts = TABLES['pg-adapter'].accounts;
    const rawAccount = async (providerAccountId: string) =>
      (
        await opened.raw<Record<string, string | null>>(
          `select access_token, refresh_token, id_token, scope from "${accounts}" where "providerAccountId" = $1`,
          [providerAccountId],
        )
      )[0]!;

    beforeAll(async () => {
      opened = await openVariant(variant, 'authjs-sealed', { sealAccountTokens: true, encryptionKeys: KEYS });
    });

    afterAll(async () => {
      await opened?.cleanup();
    });

    it('OAuth tokens are stored sealed and read back in clear; other columns stay as they are', async () => {
      const user = await createUser(opened.adapter);
      const account = newAccount(user.id);
      await opened.adapter.linkAccount(account);
      const row = await rawAccount(account.providerAccountId);
      for (const column of ['access_token', 'refresh_token', 'id_token'] as const) {
        expect(row[column]).not.toContain(String(account[column]));
        expect(row[column]).not.toBe(account[column]);
      }
      expect(row.scope).toBe(account.scope);
      expect(await opened.adapter.getAccount(account.providerAccountId, account.provider)).toEqual(account);
      expect(await opened.adapter.unlinkAccount(account)).toEqual(account);
    });

    it('a sealed token moved to another account does not open (integrity error, no token in the message)', async () => {
      const user = await createUser(opened.adapter);
      const first = newAccount(user.id);
      const second = newAccount(user.id);
      await opened.adapter.linkAccount(first);
      await opened.adapter.linkAccount(second);
      const stolen = (await rawAccount(first.providerAccountId)).access_token;
      await opened.raw(`update "${accounts}" set access_token = $1 where "providerAccountId" = $2`, [
        stolen,
        second.providerAccountId,
      ]);
      const failure = await opened.adapter
        .getAccount(second.providerAccountId, second.provider)
        .catch((error: Error) => error);
      expect(failure).toMatchObject({ code: 'integrity' });
      expect(String((failure as Error).message)).not.toContain(String(first.access_token));
      // A rotation leaves such a row as it is and counts it, instead of stopping.
      const { encryptionKeys: _keys, ...base } = opened.options;
      const rotated = `k9:${randomBytes(32).toString('base64')},${KEYS}`;
      const report = await migrateAuthjs({ ...base, sealAccountTokens: true, encryptionKeys: rotated });
      expect(report.unreadableAccounts).toBe(1);
      expect((await rawAccount(second.providerAccountId)).access_token).toBe(stolen);
      expect((await rawAccount(first.providerAccountId)).access_token).toMatch(/^ak1\.k9\./);
      await opened.raw(`delete from "${accounts}"`); // the next tests start from no accounts
    });

    it('rows written before sealing was turned on are read as they are', async () => {
      const plain = authkeepAdapter({ ...opened.options, sealAccountTokens: false });
      try {
        const user = await createUser(plain);
        const account = newAccount(user.id);
        await plain.linkAccount(account);
        expect((await rawAccount(account.providerAccountId)).access_token).toBe(account.access_token);
        expect(await opened.adapter.getAccount(account.providerAccountId, account.provider)).toEqual(account);
      } finally {
        await plain.close();
      }
    });

    it('migrateAuthjs({ sealAccountTokens }) seals clear rows, then re-seals under a new active key', async () => {
      const plain = authkeepAdapter({ ...opened.options, sealAccountTokens: false });
      const user = await createUser(plain);
      const account = newAccount(user.id, { id_token: null as never });
      await plain.linkAccount(account);
      await plain.close();
      const { encryptionKeys: _old, ...base } = opened.options;
      const first = await migrateAuthjs({ ...base, sealAccountTokens: true, encryptionKeys: KEYS });
      expect(first.resealedAccounts).toBeGreaterThanOrEqual(1);
      const sealedRow = await rawAccount(account.providerAccountId);
      expect(sealedRow.access_token).toMatch(/^ak1\.k1\./);
      expect(sealedRow.id_token).toBeNull();
      expect(
        (await migrateAuthjs({ ...base, sealAccountTokens: true, encryptionKeys: KEYS })).resealedAccounts,
      ).toBe(0);

      // Rotation: k2 becomes active; every envelope is re-sealed under it, and k1 can then be dropped.
      const rotated = `k2:${randomBytes(32).toString('base64')},${KEYS}`;
      const again = await migrateAuthjs({ ...base, sealAccountTokens: true, encryptionKeys: rotated });
      expect(again.resealedAccounts).toBeGreaterThanOrEqual(1);
      expect((await rawAccount(account.providerAccountId)).access_token).toMatch(/^ak1\.k2\./);
      const k2only = rotated.split(',')[0]!;
      const reader = authkeepAdapter({ ...base, encryptionKeys: k2only });
      try {
        expect(await reader.getAccount(account.providerAccountId, account.provider)).toEqual({
          ...account,
          id_token: undefined,
        });
      } finally {
        await reader.close();
      }
    });

    it('migrateAuthjs({ sealAccountTokens }) without a key is a config error', async () => {
      const { encryptionKeys: _keys, ...withoutKeys } = opened.options;
      await expect(migrateAuthjs({ ...withoutKeys, env: {}, sealAccountTokens: true })).rejects.toMatchObject(
        { code: 'config' },
      );
    });

    it('sealing without a key is a config error, and nothing is written', async () => {
      const { encryptionKeys: _keys, ...withoutKeys } = opened.options;
      const keyless = authkeepAdapter({ ...withoutKeys, env: {} });
      try {
        const user = await createUser(keyless);
        const account = newAccount(user.id);
        await expect(keyless.linkAccount(account)).rejects.toMatchObject({ code: 'config' });
        expect(await opened.adapter.getAccount(account.providerAccountId, account.provider)).toBeNull();
      } finally {
        await keyless.close();
      }
    });
  });
}
