import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { LegacyReadingCipher } from '../../src/adapters/crypto/legacy/legacy-cipher.js';
import { openPostgres, openSqlite, type SqlStore } from '../../src/adapters/kysely/index.js';
import { columnCipher } from '../../src/adapters/kysely/sealing/encrypted-columns.js';
import {
  rotateEncryptedColumns,
  type ColumnRotation,
} from '../../src/adapters/kysely/sealing/key-rotation.js';
import { silentLogger } from '../../src/adapters/log/pino-logger.js';
import { ValidationError } from '../../src/domain/errors.js';
import {
  checkAllReadable,
  migrateKitium,
  seedEncryptedRows,
  storedValues,
  testKeys,
} from '../support/encrypted-rows.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { awaitLater } from '../support/await-later.js';

const url = databaseUrl();

interface Backend {
  name: string;
  available: boolean;
  open(): Promise<{ store: SqlStore; schema?: string; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    available: true,
    async open() {
      const store = openSqlite(':memory:', {}, silentLogger);
      return { store, cleanup: async () => undefined };
    },
  },
  {
    name: 'postgres',
    available: url !== null,
    async open() {
      const schema = freshSchemaName('rotation');
      const store = openPostgres(url as string, { schema, max: 4 }, silentLogger);
      return { store, schema, cleanup: () => dropSchema(url as string, schema) };
    },
  },
];

const DEVICES = 1234;
/** The two columns this file seeds; the registry may list more (later issues append to it). */
const columns = [
  { table: 'twofa_devices', idColumn: 'id', column: 'secret' },
  { table: 'sso_sessions', idColumn: 'id', column: 'session_token' },
];
const SESSIONS = 345;

for (const backend of backends) {
  describe.skipIf(!backend.available)(`key rotation engine [${backend.name}]`, () => {
    const keys = testKeys();
    let store: SqlStore;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      const opened = await backend.open();
      store = opened.store;
      cleanup = opened.cleanup;
      await migrateKitium(store, silentLogger);
      await seedEncryptedRows(store, keys.old, { devices: DEVICES, nullDevices: 25, ssoSessions: SESSIONS });
    });

    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('reads values under the old key once the new key is active, before any rotation', async () => {
      const values = await storedValues(store);
      expect(checkAllReadable(values, keys.rotated)).toEqual({ k1: DEVICES + SESSIONS });
      expect(() => checkAllReadable(values, keys.newOnly)).toThrow(/not in the keyring/);
    });

    it('dry run counts what would change and writes nothing', async () => {
      const before = await storedValues(store);
      const seen: ColumnRotation[] = [];
      const report = await rotateEncryptedColumns(store, {
        columns,
        cipher: keys.rotated,
        dryRun: true,
        batchSize: 100,
        onProgress: (p) => seen.push(p),
      });
      expect(report.dryRun).toBe(true);
      expect(
        report.columns.map((c) => [c.table, c.total, c.scanned, c.rotated, c.current, c.failed]),
      ).toEqual([
        ['twofa_devices', DEVICES, DEVICES, DEVICES, 0, 0],
        ['sso_sessions', SESSIONS, SESSIONS, SESSIONS, 0, 0],
      ]);
      expect(await storedValues(store)).toEqual(before);
      // One progress call per batch, counts only growing.
      expect(seen.filter((p) => p.table === 'twofa_devices')).toHaveLength(Math.ceil(DEVICES / 100));
      const scanned = seen.filter((p) => p.table === 'twofa_devices').map((p) => p.scanned);
      expect(scanned).toEqual([...scanned].sort((a, b) => a - b));
    });

    it('stops between batches when aborted, and a second run finishes the job', async () => {
      const abort = new AbortController();
      let batches = 0;
      const partial = await rotateEncryptedColumns(store, {
        columns,
        cipher: keys.rotated,
        batchSize: 100,
        signal: abort.signal,
        onProgress: () => {
          if (++batches === 3) abort.abort();
        },
      });
      expect(partial.aborted).toBe(true);
      expect(partial.columns).toHaveLength(1);
      expect(partial.columns[0]?.rotated).toBe(300);
      expect(checkAllReadable(await storedValues(store), keys.rotated)).toEqual({
        k2: 300,
        k1: DEVICES + SESSIONS - 300,
      });

      const rest = await rotateEncryptedColumns(store, { columns, cipher: keys.rotated, batchSize: 100 });
      expect(rest.aborted).toBe(false);
      expect(rest.columns.map((c) => [c.table, c.rotated, c.current, c.conflicts, c.failed])).toEqual([
        ['twofa_devices', DEVICES - 300, 300, 0, 0],
        ['sso_sessions', SESSIONS, 0, 0, 0],
      ]);
      const values = await storedValues(store);
      expect(checkAllReadable(values, keys.newOnly)).toEqual({ k2: DEVICES + SESSIONS });
      expect(values.filter((v) => v.value === null)).toHaveLength(25);
    });

    it('a run with nothing left to do changes nothing', async () => {
      const before = await storedValues(store);
      const report = await rotateEncryptedColumns(store, { columns, cipher: keys.rotated });
      expect(report.columns.map((c) => [c.rotated, c.current])).toEqual([
        [0, DEVICES],
        [0, SESSIONS],
      ]);
      expect(await storedValues(store)).toEqual(before);
    });

    it('seals legacy plaintext only when the cipher accepts plaintext', async () => {
      await store.db
        .insertInto('twofa_devices')
        .values({ id: 'zz-plain', user_id: 'u', method: 'totp', secret: 'JBSWY3DPEHPK3PXP' })
        .execute();
      const refused = await rotateEncryptedColumns(store, {
        columns: columns.slice(0, 1),
        cipher: keys.rotated,
      });
      expect(refused.failures).toContainEqual({
        table: 'twofa_devices',
        column: 'secret',
        rowId: 'zz-plain',
      });
      const sealing = new LegacyReadingCipher({ primary: keys.rotated, plaintext: 'allow' });
      const sealed = await rotateEncryptedColumns(store, { columns: columns.slice(0, 1), cipher: sealing });
      expect(sealed.failures).toEqual([]);
      expect(sealed.columns[0]).toMatchObject({ rotated: 1, current: DEVICES });
      const row = await store.db
        .selectFrom('twofa_devices')
        .select('secret')
        .where('id', '=', 'zz-plain')
        .executeTakeFirst();
      expect(row?.secret).toMatch(/^ak1\.k2\./);
      const secrets = columnCipher(keys.newOnly, 'twofa_devices', 'secret');
      expect(secrets.read('zz-plain', row?.secret)).toBe('JBSWY3DPEHPK3PXP');
      await store.db.deleteFrom('twofa_devices').where('id', '=', 'zz-plain').execute();
    });

    it('leaves values it cannot decrypt unchanged and reports their row ids', async () => {
      const values = (await storedValues(store)).filter((v) => v.table === 'twofa_devices' && v.value);
      const [a, b, c] = values as [(typeof values)[0], (typeof values)[0], (typeof values)[0]];
      // a: a ciphertext copied from row b; c: a value sealed under a key nobody has any more.
      const stranger = testKeys().old;
      const sealedElsewhere = columnCipher(stranger, 'twofa_devices', 'secret').write(c.id, 'x');
      await store.db.updateTable('twofa_devices').set({ secret: b.value }).where('id', '=', a.id).execute();
      await store.db
        .updateTable('twofa_devices')
        .set({ secret: sealedElsewhere })
        .where('id', '=', c.id)
        .execute();
      const next = testKeys();
      const cipher = new AesGcmKeyring({ keys: `k3:${next.k2},k2:${keys.k2}` });
      const report = await rotateEncryptedColumns(store, { columns, cipher, batchSize: 100 });
      expect(report.columns[0]?.failed).toBe(2);
      expect(report.failures).toEqual([
        { table: 'twofa_devices', column: 'secret', rowId: a.id },
        { table: 'twofa_devices', column: 'secret', rowId: c.id },
      ]);
      expect(report.columns[0]?.rotated).toBe(DEVICES - 2);
      const after = await storedValues(store);
      expect(after.find((v) => v.id === a.id)?.value).toBe(b.value);
      expect(after.find((v) => v.id === c.id)?.value).toBe(sealedElsewhere);
    });

    it('skips a registered table or column that this database does not have', async () => {
      const report = await rotateEncryptedColumns(store, {
        cipher: keys.rotated,
        columns: [
          { table: 'extension_instance', idColumn: 'id', column: 'secret' },
          { table: 'twofa_devices', idColumn: 'id', column: 'no_such_column' },
        ],
      });
      expect(report.columns).toEqual([
        expect.objectContaining({ table: 'extension_instance', missing: true, total: 0 }),
        expect.objectContaining({ table: 'twofa_devices', missing: true, total: 0 }),
      ]);
    });

    if (backend.name === 'postgres') {
      it('refuses a registered column that is not text', async () => {
        await expect(
          rotateEncryptedColumns(store, {
            cipher: keys.rotated,
            columns: [{ table: 'sso_providers', idColumn: 'id', column: 'created_at' }],
          }),
        ).rejects.toMatchObject({ code: 'config' });
      });
    }

    it('validates the batch size', async () => {
      for (const batchSize of [0, -1, 1.5, 5001]) {
        await expect(
          rotateEncryptedColumns(store, { columns, cipher: keys.rotated, batchSize }),
        ).rejects.toThrow(ValidationError);
      }
    });
  });
}

describe.skipIf(!url)('key rotation engine under concurrent writes [postgres]', () => {
  const keys = testKeys();
  const schema = freshSchemaName('rotconflict');
  let store: SqlStore;

  beforeAll(async () => {
    store = openPostgres(url as string, { schema, max: 4, application_name: `ak_${schema}` }, silentLogger);
    await migrateKitium(store, silentLogger);
    await seedEncryptedRows(store, keys.old, { devices: 300, ssoSessions: 0 });
  });

  afterAll(async () => {
    await store?.close();
    await dropSchema(url as string, schema);
  });

  it('never overwrites a value another writer changed between its read and its write', async () => {
    const values = await storedValues(store);
    const target = values[150] as (typeof values)[0];
    const replacement = columnCipher(keys.rotated, 'twofa_devices', 'secret').write(
      target.id,
      'rewritten by the app',
    );
    await withClient(url as string, schema, async (client) => {
      // Hold the row, let the rotation's batch block on it, then change it and commit.
      await client.query('begin');
      await client.query('select id from twofa_devices where id = $1 for update', [target.id]);
      const rotation = awaitLater(
        rotateEncryptedColumns(store, { columns, cipher: keys.rotated, batchSize: 100 }),
      );
      for (;;) {
        const { rows } = await client.query(
          `select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
           where not l.granted and a.application_name = $1`,
          [`ak_${schema}`],
        );
        if (rows[0].n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await client.query('update twofa_devices set secret = $1 where id = $2', [replacement, target.id]);
      await client.query('commit');
      const report = await rotation;
      expect(report.columns[0]).toMatchObject({ rotated: 299, conflicts: 1, failed: 0 });
    });
    const after = await storedValues(store);
    expect(after.find((v) => v.id === target.id)?.value).toBe(replacement);
    expect(after.filter((v) => keys.rotated.keyIdOf(v.value ?? '') === 'k2')).toHaveLength(300);
  });
});
