import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { KeyedCodeDigest } from '../../src/adapters/crypto/hashing/code-digest.js';
import { Sha256TokenDigest } from '../../src/adapters/crypto/hashing/token-digest.js';
import { rotateEncryptedColumns } from '../../src/adapters/kysely/sealing/key-rotation.js';
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  silentLogger,
  type KitiumStorageAdapter,
} from '../../src/index.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';

const MAIN = fileURLToPath(new URL('../../src/app/cli/main.ts', import.meta.url));
const url = databaseUrl();
const dir = mkdtempSync(join(tmpdir(), 'authkeep-codes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keyText = `k1:${randomBytes(32).toString('base64')}`;
const context = (rowId: string) => ({ table: 'email_verification_tokens', column: 'code', rowId });

const backends = [
  {
    name: 'sqlite',
    available: true,
    open(options: { encryptionKeys?: string; tokenPepper?: string }) {
      const file = join(dir, `${randomBytes(4).toString('hex')}.db`);
      const adapter = new SqliteStorageAdapter(`sqlite:${file}`, { logger: silentLogger, ...options });
      return {
        adapter: adapter as KitiumStorageAdapter,
        cli: ['--database', `sqlite:${file}`],
        cleanup: async () => undefined,
      };
    },
  },
  {
    name: 'postgres',
    available: url !== null,
    open(options: { encryptionKeys?: string; tokenPepper?: string }) {
      const schema = freshSchemaName('codes');
      const adapter = new PostgresStorageAdapter(url as string, { schema, logger: silentLogger, ...options });
      return {
        adapter: adapter as KitiumStorageAdapter,
        cli: ['--database', url as string, '--schema', schema],
        cleanup: () => dropSchema(url as string, schema),
      };
    },
  },
];

const token = (email: string, code: string) => ({
  email,
  code,
  codeHash: 'caller-hash',
  type: 'reset_password' as const,
  expiresAt: new Date(Date.now() + 600_000),
  createdAt: new Date(),
});

async function cli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'keys', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const [code] = await once(child, 'exit');
  return { code: code as number, output };
}

for (const backend of backends) {
  describe.skipIf(!backend.available)(`email verification codes at rest [${backend.name}]`, () => {
    it('with a keyring: stored and read back as a keyed digest bound to the token', async () => {
      const { adapter, cleanup } = backend.open({ encryptionKeys: keyText });
      try {
        await adapter.connect();
        const code = `R${randomBytes(6).toString('hex')}`;
        const created = await adapter.createEmailVerificationToken(token('codes@example.com', code));
        const [row] = await adapter.sqlStore.db
          .selectFrom('email_verification_tokens')
          .select('code')
          .where('id', '=', created.id)
          .execute();
        expect(row?.code).toMatch(/^ecd1\.k1\.[A-Za-z0-9_-]{43}$/);
        expect(row?.code).not.toContain(code);
        expect(created.code).toBe(row?.code);
        expect((await adapter.getEmailVerificationTokenById(created.id))?.code).toBe(row?.code);
        const digests = new KeyedCodeDigest(new AesGcmKeyring({ keys: keyText }), new Sha256TokenDigest());
        expect(digests.matches(String(row?.code), code, context(created.id))).toBe(true);
        expect(digests.matches(String(row?.code), `${code}x`, context(created.id))).toBe(false);
        // Bound to its row: the same digest under another token's id matches nothing.
        expect(digests.matches(String(row?.code), code, context('another-token'))).toBe(false);
        // Without the key, a guessed code cannot be checked against the dump.
        const other = new KeyedCodeDigest(
          new AesGcmKeyring({ keys: `k1:${randomBytes(32).toString('base64')}` }),
          new Sha256TokenDigest(),
        );
        expect(other.matches(String(row?.code), code, context(created.id))).toBe(false);
      } finally {
        await adapter.disconnect();
        await cleanup();
      }
    });

    it('without a keyring: the token digest (peppered when configured), never the code', async () => {
      const pepper = randomBytes(16).toString('hex');
      const { adapter, cleanup } = backend.open({ tokenPepper: pepper });
      try {
        await adapter.connect();
        const created = await adapter.createEmailVerificationToken(token('nokey@example.com', '123456'));
        expect(created.code).toMatch(/^ecd0\.[0-9a-f]{64}$/);
        const digests = new KeyedCodeDigest(
          new AesGcmKeyring({ keys: keyText }),
          new Sha256TokenDigest(pepper),
        );
        expect(digests.matches(created.code, '123456', context(created.id))).toBe(true);
      } finally {
        await adapter.disconnect();
        await cleanup();
      }
    });

    it('adopted codes in clear are sealed by "keys rotate --seal-plaintext", and only by it', async () => {
      const { adapter, cli: target, cleanup } = backend.open({ encryptionKeys: keyText });
      try {
        await adapter.connect();
        const created = await adapter.createEmailVerificationToken(token('adopted@example.com', 'x'));
        const adopted = `A${randomBytes(6).toString('hex')}`;
        // What an adopted upstream row holds: the code in clear.
        await adapter.sqlStore.db
          .updateTable('email_verification_tokens')
          .set({ code: adopted })
          .where('id', '=', created.id)
          .execute();
        const plain = await cli(['rotate', ...target], { AUTHKEEP_ENCRYPTION_KEYS: keyText });
        expect(plain.code, plain.output).toBe(0);
        const read = async () =>
          (
            await adapter.sqlStore.db
              .selectFrom('email_verification_tokens')
              .select('code')
              .where('id', '=', created.id)
              .executeTakeFirstOrThrow()
          ).code;
        expect(await read()).toBe(adopted);
        const sealed = await cli(['rotate', '--seal-plaintext', ...target], {
          AUTHKEEP_ENCRYPTION_KEYS: keyText,
        });
        expect(sealed.code, sealed.output).toBe(0);
        expect(sealed.output).toContain('email_verification_tokens.code');
        expect(sealed.output).not.toContain(adopted);
        const stored = await read();
        expect(stored).toMatch(/^ecd1\.k1\./);
        const keyring = new AesGcmKeyring({ keys: keyText });
        expect(
          new KeyedCodeDigest(keyring, new Sha256TokenDigest()).matches(
            String(stored),
            adopted,
            context(created.id),
          ),
        ).toBe(true);
        // Running again finds every code sealed.
        const again = await rotateEncryptedColumns(adapter.sqlStore, {
          cipher: keyring,
          sealCodes: new KeyedCodeDigest(keyring, new Sha256TokenDigest()),
        });
        expect(again.columns.find((c) => c.column === 'code')).toMatchObject({
          rotated: 0,
          current: 1,
          scanned: 1,
        });
      } finally {
        await adapter.disconnect();
        await cleanup();
      }
    }, 60_000);
  });
}
