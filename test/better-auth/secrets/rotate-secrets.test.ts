import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BetterAuthOptions } from 'better-auth/types';
import { afterAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { silentLogger } from '../../../src/index.js';
import {
  authkeepAdapter,
  migrateBetterAuth,
  rotateBetterAuthSecrets,
  type AuthkeepAdapterOptions,
} from '../../../src/app/better-auth/index.js';
import type { CipherContext, CipherPort } from '../../../src/ports/cipher.js';
import { runCommandLine } from '../../../src/app/cli/main.js';
import type { CliIo } from '../../../src/app/cli/io.js';
import { awaitLater } from '../../support/await-later.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../../support/postgres.js';

/** rotateBetterAuthSecrets and `authkeep keys rotate` on sealOAuthTokens' account tokens (issue 23 item 5). */
const dir = mkdtempSync(join(tmpdir(), 'authkeep-ba-rotate-'));
const url = databaseUrl();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});
const secret = 'a-test-secret-that-is-long-enough-for-better-auth';
const keyA = `kA:${randomBytes(32).toString('base64')}`;
const keyB = `kB:${randomBytes(32).toString('base64')}`;
const both = `${keyB},${keyA}`;
// Custom names resolve as the adapter resolves them (better-auth 1.7.25 initGetModelName/initGetFieldName).
const customOptions: BetterAuthOptions = {
  secret,
  account: { modelName: 'oauth_link', fields: { accessToken: 'access_tok', idToken: 'id_tok' } },
};

type Sql = (sql: string, values: unknown[]) => Promise<Record<string, unknown>[]>;
interface Opened {
  database: Pick<AuthkeepAdapterOptions, 'database' | 'schema'>;
  sql: Sql;
  /** A write from another connection that completes before it returns (SQLite only: it is synchronous). */
  writeNow?: (text: string, values: unknown[]) => void;
  cli: string[];
}
const backends: { name: string; available: boolean; open(): Promise<Opened> }[] = [
  {
    name: 'sqlite',
    available: true,
    async open() {
      const file = join(dir, `${randomBytes(4).toString('hex')}.db`);
      const writeNow = (text: string, values: unknown[]) => {
        const db = new Database(file);
        try {
          db.prepare(text.replaceAll(/\$\d+/g, '?')).run(...values);
        } finally {
          db.close();
        }
      };
      const sql: Sql = async (text, values) => {
        const db = new Database(file);
        try {
          const statement = db.prepare(text.replaceAll(/\$\d+/g, '?'));
          return statement.reader
            ? (statement.all(...values) as Record<string, unknown>[])
            : (statement.run(...values), []);
        } finally {
          db.close();
        }
      };
      return {
        database: { database: `sqlite:${file}` },
        sql,
        writeNow,
        cli: ['--database', `sqlite:${file}`],
      };
    },
  },
  {
    name: 'postgres',
    available: url !== null,
    async open() {
      const schema = freshSchemaName('ba_rotate');
      await withClient(url!, undefined, (client) => client.query(`create schema "${schema}"`));
      cleanups.push(() => dropSchema(url!, schema));
      const sql: Sql = (text, values) =>
        withClient(url!, schema, async (c) => (await c.query(text, values)).rows);
      return { database: { database: url!, schema }, sql, cli: ['--database', url!, '--schema', schema] };
    },
  },
];

/** An adapter sealing under `keys`, its tables migrated, closed after the file. */
async function adapterOn(opened: Opened, keys: string, options: BetterAuthOptions) {
  const adapter = authkeepAdapter({
    ...opened.database,
    sealOAuthTokens: true,
    encryptionKeys: keys,
    logger: silentLogger,
  });
  cleanups.push(() => adapter.close());
  await migrateBetterAuth({ database: adapter.store, options });
  return adapter(options);
}
type Db = Awaited<ReturnType<typeof adapterOn>>;
type Tokens = { id: string; accessToken: string; refreshToken: string; idToken: string };

/** Three accounts sealed under key A. */
async function seed(db: Db) {
  const user = await db.create<Record<string, unknown>, { id: string }>({
    model: 'user',
    data: {
      email: `${randomBytes(4).toString('hex')}@example.com`,
      name: 'R',
      createdAt: new Date(),
      updatedAt: new Date(),
    },
  });
  const ids: string[] = [];
  for (const provider of ['github', 'google', 'gitlab']) {
    const row = await db.create<Record<string, unknown>, { id: string }>({
      model: 'account',
      data: {
        accountId: `${provider}-1`,
        providerId: provider,
        userId: user.id,
        accessToken: `${provider}_access`,
        refreshToken: `${provider}_refresh`,
        idToken: `${provider}_id`,
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });
    ids.push(row.id);
  }
  return ids;
}

const read = (db: Db, id: string) =>
  db.findOne<Tokens>({ model: 'account', where: [{ field: 'id', value: id }] });
const snapshot = (sql: Sql, table = 'account') => sql(`select * from ${table} order by id`, []);
const counts = (report: Awaited<ReturnType<typeof rotateBetterAuthSecrets>>) =>
  report.columns.map((c) => [c.column, c.rotated, c.current, c.conflicts, c.failed]);

/** A different envelope naming the same key: one ciphertext character changed. */
function tamper(envelope: string): string {
  const pieces = envelope.split('.');
  const body = pieces[3]!;
  pieces[3] = (body[0] === 'A' ? 'B' : 'A') + body.slice(1);
  return pieces.join('.');
}

function captureIo(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), isTTY: false, env };
  return { io, out, err };
}

for (const backend of backends) {
  describe.skipIf(!backend.available)(`rotating better-auth's sealed OAuth tokens (${backend.name})`, () => {
    it('re-seals A to B, adopts clear rows, leaves a tampered row, dry run writes nothing', async () => {
      const opened = await backend.open();
      const options: BetterAuthOptions = { secret };
      const [a, b, c] = await seed(await adapterOn(opened, keyA, options));
      await opened.sql(`update account set "accessToken" = $1 where id = $2`, ['clear_legacy', c]);
      const sealedRefresh = (await opened.sql(`select "refreshToken" from account where id = $1`, [b]))[0]!;
      const tampered = tamper(String(sealedRefresh.refreshToken));
      await opened.sql(`update account set "refreshToken" = $1 where id = $2`, [tampered, b]);
      const rotate = (dryRun: boolean) =>
        rotateBetterAuthSecrets({
          ...opened.database,
          options,
          encryptionKeys: both,
          dryRun,
          logger: silentLogger,
        });

      const before = await snapshot(opened.sql);
      const dry = await rotate(true);
      expect(dry).toMatchObject({ dryRun: true, activeKeyId: 'kB', aborted: false });
      expect(counts(dry)).toEqual([
        ['accessToken', 3, 0, 0, 0],
        ['refreshToken', 2, 0, 0, 1],
        ['idToken', 3, 0, 0, 0],
      ]);
      expect(await snapshot(opened.sql)).toEqual(before);

      const report = await rotate(false);
      expect(counts(report)).toEqual(counts(dry));
      expect(report.failures).toEqual([{ table: 'account', column: 'refreshToken', rowId: b }]);
      const after = (await snapshot(opened.sql)).find((row) => row.id === b)!;
      expect(after.refreshToken).toBe(tampered);

      // Key A removed: every row reads under B alone, the clear one included; the tampered one does not open.
      const onB = await adapterOn(opened, keyB, options);
      expect(await read(onB, a!)).toMatchObject({
        accessToken: 'github_access',
        refreshToken: 'github_refresh',
        idToken: 'github_id',
      });
      expect(await read(onB, c!)).toMatchObject({
        accessToken: 'clear_legacy',
        refreshToken: 'gitlab_refresh',
      });
      const raw = await snapshot(opened.sql);
      for (const row of raw.filter((r) => r.id !== b)) {
        for (const column of ['accessToken', 'refreshToken', 'idToken']) {
          expect(String(row[column]).startsWith('ak1.kB.')).toBe(true);
        }
      }
      await expect(read(onB, b!)).rejects.toThrow();

      // Run again: nothing left to do but the tampered value, still failed.
      expect(counts(await rotate(false))).toEqual([
        ['accessToken', 0, 3, 0, 0],
        ['refreshToken', 0, 2, 0, 1],
        ['idToken', 0, 3, 0, 0],
      ]);
    });

    it('resolves custom model and field names from the same options the app passes', async () => {
      const opened = await backend.open();
      const [a] = await seed(await adapterOn(opened, keyA, customOptions));
      const report = await rotateBetterAuthSecrets({
        ...opened.database,
        options: customOptions,
        encryptionKeys: both,
        batchSize: 1,
        logger: silentLogger,
      });
      expect(report.columns.map((col) => [col.table, col.column, col.rotated, col.missing])).toEqual([
        ['oauth_link', 'access_tok', 3, false],
        ['oauth_link', 'refreshToken', 3, false],
        ['oauth_link', 'id_tok', 3, false],
      ]);
      const onB = await adapterOn(opened, keyB, customOptions);
      expect(await read(onB, a!)).toMatchObject({ accessToken: 'github_access', idToken: 'github_id' });
    });

    for (const generateId of ['serial', 'uuid'] as const) {
      it(`rotates accounts with ${generateId} ids (the id array typed as the column)`, async () => {
        const opened = await backend.open();
        const options: BetterAuthOptions = { secret, advanced: { database: { generateId } } };
        const [a] = await seed(await adapterOn(opened, keyA, options));
        const report = await rotateBetterAuthSecrets({
          ...opened.database,
          options,
          encryptionKeys: both,
          logger: silentLogger,
        });
        expect(counts(report)).toEqual([
          ['accessToken', 3, 0, 0, 0],
          ['refreshToken', 3, 0, 0, 0],
          ['idToken', 3, 0, 0, 0],
        ]);
        const onB = await adapterOn(opened, keyB, options);
        expect(await read(onB, a!)).toMatchObject({ accessToken: 'github_access', idToken: 'github_id' });
      });
    }

    it('lets a write made between its read and its write win', async () => {
      const opened = await backend.open();
      const options: BetterAuthOptions = { secret };
      const [, target] = await seed(await adapterOn(opened, keyA, options));
      const keyring = new AesGcmKeyring({ keys: both });
      const replacement = keyring.encrypt('written by the app', {
        table: 'account',
        column: 'accessToken',
        rowId: target!,
      });
      const update = `update account set "accessToken" = $1 where id = $2`;
      const rotate = (cipher: CipherPort, extra: object = {}) =>
        rotateBetterAuthSecrets({ ...opened.database, ...extra, options, cipher, logger: silentLogger });
      let report;
      if (opened.writeNow) {
        // SQLite: the other connection writes while the rotation holds the page it read (encrypt is synchronous).
        const writeNow = opened.writeNow;
        const hooked: CipherPort = {
          get activeKeyId() {
            return keyring.activeKeyId;
          },
          keyIdOf: (value) => keyring.keyIdOf(value),
          decrypt: (value, context) => keyring.decrypt(value, context),
          encrypt(plaintext: string, context: CipherContext) {
            if (context.column === 'accessToken' && context.rowId === target)
              writeNow(update, [replacement, target]);
            return keyring.encrypt(plaintext, context);
          },
        };
        report = await rotate(hooked);
      } else {
        // PostgreSQL: hold the row, let the rotation's batch block on it, then change it and commit.
        const applicationName = `ak_${randomBytes(4).toString('hex')}`;
        report = await withClient(url!, opened.database.schema, async (client) => {
          await client.query('begin');
          await client.query('select id from account where id = $1 for update', [target]);
          const rotation = awaitLater(rotate(keyring, { application_name: applicationName }));
          let settled = false;
          void rotation
            .finally(() => {
              settled = true;
            })
            .catch(() => undefined);
          // Until its batch waits on the row (or it ended without waiting: then the assertions below fail).
          while (!settled) {
            const { rows } = await client.query(
              `select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
               where not l.granted and a.application_name = $1`,
              [applicationName],
            );
            if (rows[0].n > 0) break;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await client.query(update, [replacement, target]);
          await client.query('commit');
          return rotation;
        });
      }
      expect(counts(report)[0]).toEqual(['accessToken', 2, 0, 1, 0]);
      const stored = (await opened.sql(`select "accessToken" from account where id = $1`, [target]))[0]!;
      expect(stored.accessToken).toBe(replacement);
      const onB = await adapterOn(opened, keyB, options);
      expect((await read(onB, target!))?.accessToken).toBe('written by the app');
    });

    it('authkeep keys rotate finds the default better-auth account table and rotates it', async () => {
      const opened = await backend.open();
      const options: BetterAuthOptions = { secret };
      const [a, , c] = await seed(await adapterOn(opened, keyA, options));
      await opened.sql(`update account set "idToken" = $1 where id = $2`, ['clear_id', c]);
      const dry = captureIo({ AUTHKEEP_ENCRYPTION_KEYS: both });
      await runCommandLine(['keys', 'rotate', ...opened.cli, '--dry-run'], dry.io);
      expect(dry.out).toContain(
        'account.idToken: 3 values, 2 to rotate, 0 current, 0 changed concurrently, 0 failed, 1 in clear left as they are',
      );
      const run = captureIo({ AUTHKEEP_ENCRYPTION_KEYS: both });
      await runCommandLine(['keys', 'rotate', ...opened.cli], run.io);
      const text = run.out.join('\n');
      for (const column of ['accessToken', 'refreshToken']) {
        expect(text).toContain(`account.${column}: 3 values, 3 rotated, 0 current`);
      }
      // A token in clear is sealed only on request: an app without sealOAuthTokens would read the envelope.
      expect(text).toContain(
        'account.idToken: 3 values, 2 rotated, 0 current, 0 changed concurrently, 0 failed, 1 in clear',
      );
      expect((await opened.sql(`select "idToken" from account where id = $1`, [c]))[0]!.idToken).toBe(
        'clear_id',
      );
      const sealing = captureIo({ AUTHKEEP_ENCRYPTION_KEYS: both });
      await runCommandLine(['keys', 'rotate', ...opened.cli, '--seal-plaintext'], sealing.io);
      expect(sealing.out).toContain(
        'account.idToken: 3 values, 1 rotated, 2 current, 0 changed concurrently, 0 failed',
      );
      expect(sealing.out.join('\n')).not.toContain('in clear');
      expect(sealing.out.at(-1)).toBe('done: every encrypted value uses key kB');
      const onB = await adapterOn(opened, keyB, options);
      expect(await read(onB, a!)).toMatchObject({ accessToken: 'github_access', idToken: 'github_id' });
      expect((await read(onB, c!))?.idToken).toBe('clear_id');
    });
  });
}
