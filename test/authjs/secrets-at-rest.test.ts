import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authkeepAdapter } from '../../src/app/authjs/index.js';
import { available, openVariant, TABLES, type AuthjsVariant, type OpenedAuthjs } from './backends.js';
import { createUser, newAccount } from './fixtures.js';

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
