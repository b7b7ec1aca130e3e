import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { authkeepAdapter } from '../../src/app/authjs/index.js';
import type { CliIo } from '../../src/app/cli/io.js';
import { runCommandLine } from '../../src/app/cli/main.js';
import { silentLogger } from '../../src/index.js';
import { available, openVariant, TABLES, type AuthjsVariant, type OpenedAuthjs } from './support/backends.js';
import { createUser, newAccount } from './support/records.js';

/** `authkeep keys rotate` on an Auth.js database: sealAccountTokens' envelopes, bound to the account's identity. */
const keyA = `kA:${randomBytes(32).toString('base64')}`;
const keyB = `kB:${randomBytes(32).toString('base64')}`;
const opened: OpenedAuthjs[] = [];
afterAll(async () => {
  for (const o of opened) await o.cleanup();
});

function captureIo(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), isTTY: false, env };
  return { io, out, err };
}

const variants: AuthjsVariant[] = (['sqlite', 'postgres'] as const).flatMap((dialect) =>
  (['pg-adapter', 'kysely-adapter'] as const).map((tables) => ({
    name: `${dialect} ${tables}`,
    dialect,
    tables,
    hashSessionTokens: false,
    cache: 'off' as const,
  })),
);

for (const variant of variants) {
  describe.skipIf(!available(variant))(`keys rotate on Auth.js accounts [${variant.name}]`, () => {
    it('re-seals A to B, seals clear tokens, and every account reads under B alone', async () => {
      const db = await openVariant(variant, 'authjs-keys', { sealAccountTokens: true, encryptionKeys: keyA });
      opened.push(db);
      const table = TABLES[variant.tables].accounts;
      const user = await createUser(db.adapter);
      const sealed = [newAccount(user.id), newAccount(user.id, { provider: 'google' })];
      for (const account of sealed) await db.adapter.linkAccount(account);
      const clear = newAccount(user.id, { provider: 'gitlab', id_token: null as never });
      const plain = authkeepAdapter({ ...db.options, sealAccountTokens: false });
      await plain.linkAccount(clear);
      await plain.close();

      const cli =
        variant.dialect === 'sqlite'
          ? ['--database', String(db.options.database)]
          : ['--database', String(db.options.database), '--schema', String(db.options.schema)];
      const env = { AUTHKEEP_ENCRYPTION_KEYS: `${keyB},${keyA}` };
      const run = captureIo(env);
      await runCommandLine(['keys', 'rotate', ...cli], run.io);
      const text = run.out.join('\n');
      // Clear tokens are left unless --seal-plaintext: an app without sealAccountTokens may hold them.
      expect(text).toContain(
        `${table}.access_token: 3 values, 2 rotated, 0 current, 0 changed concurrently, 0 failed, 1 in clear`,
      );
      expect(text).toContain(
        `${table}.id_token: 2 values, 2 rotated, 0 current, 0 changed concurrently, 0 failed`,
      );
      const sealing = captureIo(env);
      await runCommandLine(['keys', 'rotate', '--seal-plaintext', ...cli], sealing.io);
      expect(sealing.out).toContain(
        `${table}.access_token: 3 values, 1 rotated, 2 current, 0 changed concurrently, 0 failed`,
      );
      const raw = await db.raw<Record<string, string | null>>(`select * from "${table}"`);
      for (const row of raw) expect(row.access_token).toMatch(/^ak1\.kB\./);

      const onB = authkeepAdapter({ ...db.options, encryptionKeys: keyB, logger: silentLogger });
      try {
        for (const account of [...sealed, clear]) {
          // Null fields come back absent (as from @auth/pg-adapter).
          const expected = Object.fromEntries(Object.entries(account).filter(([, v]) => v !== null));
          expect(await onB.getAccount(account.providerAccountId, account.provider)).toEqual(expected);
        }
      } finally {
        await onB.close();
      }
    });
  });
}
