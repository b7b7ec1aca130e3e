import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  silentLogger,
  type KitiumStorageAdapter,
} from '../../src/index.js';
import type { Logger } from '../../src/ports/system.js';
import { captureLogger } from '../support/capture-logger.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';

const url = databaseUrl();
const dir = mkdtempSync(join(tmpdir(), 'authkeep-email-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backends = [
  {
    name: 'sqlite',
    available: true,
    target: () => join(dir, `${Math.random().toString(36).slice(2)}.db`),
    open: (target: string, logger: Logger): KitiumStorageAdapter =>
      new SqliteStorageAdapter(`sqlite:${target}`, { logger }),
    cleanup: async () => undefined,
  },
  {
    name: 'postgres',
    available: url !== null,
    target: () => freshSchemaName('email'),
    open: (target: string, logger: Logger): KitiumStorageAdapter =>
      new PostgresStorageAdapter(url as string, { schema: target, logger, maxRetries: 0 }),
    cleanup: (target: string) => dropSchema(url as string, target),
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.available)(`email identity [${backend.name}]`, () => {
    const target = backend.target();
    let adapter: KitiumStorageAdapter;

    beforeAll(async () => {
      adapter = backend.open(target, silentLogger);
      await adapter.connect();
    });
    afterAll(async () => {
      await adapter?.disconnect();
      await backend.cleanup(target);
    });

    it('look-alike spellings of one address are one identity; the address is kept as given', async () => {
      const kate = await adapter.createUser({ email: 'Kate@Example.com' });
      for (const twin of ['\u212Aate@example.com', 'ｋａｔｅ@ｅｘａｍｐｌｅ.com', 'KATE@EXAMPLE.COM ']) {
        await expect(adapter.createUser({ email: twin })).rejects.toMatchObject({ code: 'conflict' });
        expect((await adapter.getUserByEmail(twin))?.id).toBe(kate.id);
      }
      expect((await adapter.getUser(kate.id))?.email).toBe('Kate@Example.com');
      const strasse = await adapter.createUser({ email: 'Straße@example.de' });
      await expect(adapter.createUser({ email: 'STRASSE@example.de' })).rejects.toMatchObject({
        code: 'conflict',
      });
      const composed = await adapter.createUser({ email: 'caf\u00e9@example.fr' });
      await expect(adapter.createUser({ email: 'cafe\u0301@example.fr' })).rejects.toMatchObject({
        code: 'conflict',
      });
      expect((await adapter.getUserByEmail('CAFE\u0301@example.fr'))?.id).toBe(composed.id);
      // Dotless ı is another letter (Unicode default folding): no Turkish-i collision.
      const kite = await adapter.createUser({ email: 'kite@example.com' });
      expect((await adapter.getUserByEmail('k\u0131te@example.com'))?.id).not.toBe(kite.id);
      expect(strasse.email).toBe('Straße@example.de');
    });

    it('refuses invisible and mixed-script addresses with a validation error on every write', async () => {
      const user = await adapter.createUser({ email: 'plain@example.com' });
      for (const email of [
        'ka\u200bte@example.com',
        'kate\u200d@example.com',
        'kate@exa\u202emple.com',
        '\u2066kate@example.com',
        'ka\u00adte@example.com',
        'p\u0430ypal@example.com',
        'paypal@ex\u0430mple.com',
      ]) {
        const rule = { code: 'validation', details: { field: 'email' } };
        await expect(adapter.createUser({ email })).rejects.toMatchObject(rule);
        await expect(adapter.updateUser(user.id, { email })).rejects.toMatchObject(rule);
        // A look-up cannot match anyone: not found, as for any unknown address.
        expect(await adapter.getUserByEmail(email)).toBeNull();
        await expect(
          adapter.createEmailVerificationToken({
            email,
            code: 'c',
            codeHash: 'h',
            type: 'verify_email',
            expiresAt: new Date(Date.now() + 60_000),
            createdAt: new Date(),
          }),
        ).rejects.toMatchObject(rule);
      }
      // Scripts may differ between parts, and an all-Cyrillic address is fine.
      expect(await adapter.createUser({ email: 'иван@пример.рф' })).toMatchObject({
        email: 'иван@пример.рф',
      });
      expect((await adapter.getUser(user.id))?.email).toBe('plain@example.com');
    });

    it('re-checks stored keys made by the old rule: collisions and refused addresses are reported, never dropped', async () => {
      const db = adapter.sqlStore.db;
      const ids: string[] = [];
      for (const n of [1, 2, 3, 4])
        ids.push((await adapter.createUser({ email: `old-${n}@example.org` })).id);
      const [first, twin, hidden, sharp] = ids as [string, string, string, string];
      // What trim + toLowerCase stored before the identity rules.
      const old = (id: string, email: string) =>
        db
          .updateTable('users')
          .set({ email, email_normalized: email.trim().toLowerCase() })
          .where('id', '=', id)
          .execute();
      await old(first, 'Dora@example.org');
      await old(twin, 'ＤＯＲＡ@example.org');
      await old(hidden, 'eve\u200b@example.org');
      await old(sharp, 'Weiß@example.org');
      await sql`delete from auth_migrations where id = 'authkeep_0005_email_identity'`.execute(db);

      const logger = captureLogger();
      const reopened = backend.open(target, logger);
      try {
        await reopened.connect();
        for (const id of ids) expect(await reopened.getUser(id)).not.toBeNull();
        expect((await reopened.getUserByEmail('dora@example.org'))?.id).toBe(first);
        expect((await reopened.getUserByEmail('ｄｏｒａ@example.org'))?.id).toBe(first);
        expect((await reopened.getUserByEmail('weiss@example.org'))?.id).toBe(sharp);
        expect((await reopened.getUser(twin))?.email).toBe('ＤＯＲＡ@example.org');
        const warnings = logger.lines.filter((line) => line.level === 'warn').map((line) => line.object);
        expect(warnings).toContainEqual(
          expect.objectContaining({ table: 'users', id: twin, collidesWith: first }),
        );
        expect(warnings).toContainEqual(
          expect.objectContaining({ table: 'users', id: hidden, rule: 'invisible_character' }),
        );
      } finally {
        await reopened.disconnect();
      }
    });
  });
}
