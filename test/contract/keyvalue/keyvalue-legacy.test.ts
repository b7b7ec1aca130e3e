import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { createKeyValueStore, type KeyValueStore } from '../../../src/app/keyvalue/index.js';
import { IntegrityError } from '../../../src/domain/errors.js';
import {
  DBSTORE_VECTORS,
  randomText,
  upstreamDbstoreRead,
  upstreamDbstoreWrite,
} from '../../unit/crypto/upstream-legacy.js';
import { describeBackends, rawSql, type BackendHandle } from './backends.js';

const keyring = new AesGcmKeyring({ keys: [{ id: 'k1', key: randomBytes(32) }] });

/** dbstore's start() on PostgreSQL, verbatim; on SQLite (which dbstore lacked) the same columns. */
async function createAsDbstore(h: BackendHandle, table: string): Promise<void> {
  await rawSql(
    h.db.store,
    h.backend.dialect === 'postgres'
      ? `CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR(255) PRIMARY KEY, value JSONB NOT NULL,
         created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP)`
      : `CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR(255) PRIMARY KEY, value TEXT NOT NULL,
         created_at TEXT DEFAULT CURRENT_TIMESTAMP, updated_at TEXT DEFAULT CURRENT_TIMESTAMP)`,
  );
}

/** dbstore's put on PostgreSQL: the stored value goes to pg as it is (pg JSON-encodes objects). */
async function putAsDbstore(h: BackendHandle, table: string, key: string, stored: unknown): Promise<void> {
  const value = h.backend.dialect === 'postgres' ? stored : JSON.stringify(stored);
  await rawSql(
    h.db.store,
    `INSERT INTO ${table} (key, value, updated_at) VALUES ($1, $2, CURRENT_TIMESTAMP)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = CURRENT_TIMESTAMP`,
    [key, value],
  );
}

describeBackends('key-value store reading dbstore rows', (h) => {
  const byKey = new Map<string, typeof DBSTORE_VECTORS>();
  for (const v of DBSTORE_VECTORS) byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);

  async function expectVectors(store: KeyValueStore, vectors: typeof DBSTORE_VECTORS) {
    for (const v of vectors) {
      if (v.expect === 'error')
        await expect(store.get(v.name), v.name).rejects.toBeInstanceOf(IntegrityError);
      else expect(await store.get(v.name), v.name).toEqual(v.value);
    }
  }

  // The vectors include legacy plaintext rows, so these stores are in the plaintext migration window.
  it('reads every published vector from a table dbstore created and filled', async () => {
    let i = 0;
    for (const [key, vectors] of byKey) {
      const table = `dbstore_vectors_${++i}`;
      await createAsDbstore(h, table);
      for (const v of vectors) await putAsDbstore(h, table, v.name, v.stored);
      const legacyOnly = createKeyValueStore({
        database: h.db.store,
        table,
        encryptionKey: key,
        allowPlaintext: true,
        logger: silentLogger,
      });
      await expectVectors(legacyOnly, vectors);
      const withKeyring = createKeyValueStore({
        database: h.db.store,
        table,
        encryptionKey: key,
        keyring,
        allowPlaintext: true,
        logger: silentLogger,
      });
      await expectVectors(withKeyring, vectors);
    }
    expect(i).toBeGreaterThanOrEqual(2);
  });

  it('reads rows made here by the upstream writer, with multibyte 32-byte keys too', async () => {
    const keys = [randomBytes(16).toString('hex'), randomBytes(24).toString('base64'), 'ü'.repeat(16)];
    const values: unknown[] = [
      { data: 'value1' },
      'text',
      '',
      0,
      false,
      null,
      [],
      [1, { two: [2] }],
      { unicode: randomText(50) },
      randomText(3000),
    ];
    let t = 0;
    for (const key of keys) {
      const table = `dbstore_generated_${++t}`;
      await createAsDbstore(h, table);
      for (const [i, value] of values.entries()) {
        await putAsDbstore(h, table, `k${i}`, upstreamDbstoreWrite(key, value));
      }
      const store = createKeyValueStore({
        database: h.db.store,
        table,
        encryptionKey: key,
        keyring,
        logger: silentLogger,
      });
      expect(await store.values()).toEqual(values);
    }
  });

  it('reads legacy plaintext rows when opted in, and refuses partial envelopes, as the spec recommends', async () => {
    const key = randomBytes(16).toString('hex');
    const table = 'dbstore_mixed';
    await createAsDbstore(h, table);
    const whole = upstreamDbstoreWrite(key, { real: true });
    await putAsDbstore(h, table, 'plain-object', { data: 'value1' });
    await putAsDbstore(h, table, 'plain-number', 123);
    await putAsDbstore(h, table, 'plain-false', false);
    await putAsDbstore(h, table, 'no-tag', { ciphertext: whole.ciphertext, iv: whole.iv });
    await putAsDbstore(h, table, 'blank-tag', { ...whole, authTag: '' });
    await putAsDbstore(h, table, 'encrypted', whole);
    const store = createKeyValueStore({
      database: h.db.store,
      table,
      encryptionKey: key,
      allowPlaintext: true,
      logger: silentLogger,
    });
    expect(await store.get('plain-object')).toEqual({ data: 'value1' });
    expect(await store.get('plain-number')).toBe(123);
    expect(await store.get('plain-false')).toBe(false);
    expect(await store.get('encrypted')).toEqual({ real: true });
    await expect(store.get('no-tag')).rejects.toBeInstanceOf(IntegrityError);
    await expect(store.get('blank-tag')).rejects.toBeInstanceOf(IntegrityError);
    // Upstream would have returned both as trusted data.
    expect(upstreamDbstoreRead(key, { ...whole, authTag: '' })).toEqual({ ...whole, authTag: '' });
  });

  it('moves a dbstore table onto our envelope as rows are rewritten, reading both meanwhile', async () => {
    const key = randomBytes(16).toString('hex');
    const table = 'dbstore_migrating';
    await createAsDbstore(h, table);
    await putAsDbstore(h, table, 'a', upstreamDbstoreWrite(key, 'old a'));
    await putAsDbstore(h, table, 'b', upstreamDbstoreWrite(key, 'old b'));
    const store = createKeyValueStore({
      database: h.db.store,
      table,
      encryptionKey: key,
      keyring,
      logger: silentLogger,
    });
    await store.put('a', 'new a');
    const [row] = await rawSql(h.db.store, `select cast(value as text) as v from ${table} where key = 'a'`);
    expect(JSON.parse(row.v)).toMatch(/^ak1\.k1\./);
    expect(await store.toObject()).toEqual({ a: 'new a', b: 'old b' });
  });

  it('reencrypt() moves dbstore rows, plaintext and older keys onto the active key, resumably', async () => {
    const key = randomBytes(16).toString('hex');
    const [k0, k1] = [randomBytes(32), randomBytes(32)];
    const table = 'dbstore_reencrypt';
    await createAsDbstore(h, table);
    for (let i = 0; i < 30; i++) await putAsDbstore(h, table, `enc-${i}`, upstreamDbstoreWrite(key, { i }));
    await putAsDbstore(h, table, 'plain', { plain: true });
    const whole = upstreamDbstoreWrite(key, 'x');
    await putAsDbstore(h, table, 'tampered', { ...whole, authTag: whole.iv });
    const open = (keys: { id: string; key: Buffer }[], extra: Record<string, unknown> = {}) =>
      createKeyValueStore({
        database: h.db.store,
        table,
        keyring: new AesGcmKeyring({ keys }),
        logger: silentLogger,
        ...extra,
      });
    await open([{ id: 'k0', key: k0 }]).put('old-key', 'sealed with k0');
    const store = open(
      [
        { id: 'k1', key: k1 },
        { id: 'k0', key: k0 },
      ],
      { encryptionKey: key, allowPlaintext: true },
    );
    const dry = await store.reencrypt({ batchSize: 7, dryRun: true });
    expect(dry).toEqual({ scanned: 33, current: 0, rewritten: 32, conflicts: 0, failed: 1 });
    const first = await store.reencrypt({ batchSize: 7 });
    expect(first).toEqual({ scanned: 33, current: 0, rewritten: 32, conflicts: 0, failed: 1 });
    expect(await store.reencrypt()).toEqual({
      scanned: 33,
      current: 32,
      rewritten: 0,
      conflicts: 0,
      failed: 1,
    });
    // Now only k1 and no dbstore key or plaintext are needed, except for the tampered row.
    const strict = open([{ id: 'k1', key: k1 }], { ignoreError: true });
    const object = await strict.toObject();
    expect(Object.keys(object)).toHaveLength(32);
    expect(object).toMatchObject({ plain: { plain: true }, 'old-key': 'sealed with k0', 'enc-7': { i: 7 } });
    expect(await strict.get('tampered')).toBeNull();
  });

  it('reencrypt() refuses to seal a dbstore value moved onto another key when the caller’s check fails', async () => {
    const key = randomBytes(16).toString('hex');
    const table = 'dbstore_moved';
    await createAsDbstore(h, table);
    const alice = upstreamDbstoreWrite(key, { userId: 'alice', role: 'user' });
    const admin = upstreamDbstoreWrite(key, { userId: 'admin', role: 'admin' });
    await putAsDbstore(h, table, 'alice', alice);
    // A database writer copies admin's ciphertext onto alice's key: dbstore's format cannot tell.
    await putAsDbstore(h, table, 'mallory', admin);
    const store = createKeyValueStore({
      database: h.db.store,
      table,
      keyring,
      encryptionKey: key,
      logger: silentLogger,
    });
    expect(await store.get('mallory')).toEqual({ userId: 'admin', role: 'admin' }); // the documented gap
    const ownId = (k: string, value: unknown) => (value as { userId?: unknown }).userId === k;
    expect(await store.reencrypt({ accept: ownId })).toEqual({
      scanned: 2,
      current: 0,
      rewritten: 1,
      conflicts: 0,
      failed: 1,
    });
    // The moved row stays in the legacy form (not laundered into a bound envelope); alice's is sealed.
    const rows = await rawSql(h.db.store, `select key, cast(value as text) as v from ${table} order by key`);
    const stored = Object.fromEntries(rows.map((row: { key: string; v: string }) => [row.key, row.v]));
    expect(JSON.parse(stored.alice!)).toMatch(/^ak1\.k1\./);
    expect(JSON.parse(stored.mallory!)).toEqual(admin);
  });
});
