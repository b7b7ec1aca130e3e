import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { createKeyValueStore, type KeyValueStoreOptions } from '../../../src/app/keyvalue/index.js';
import { ConfigError, IntegrityError } from '../../../src/domain/errors.js';
import { upstreamDbstoreRead } from '../../unit/crypto/upstream-legacy.js';
import { captureLogger, describeBackends, rawSql } from './backends.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const keyring = new AesGcmKeyring({ keys: [{ id: 'k1', key: k1 }] });
const SECRET = 'correct horse battery staple';

describeBackends('key-value store encryption', (h) => {
  let n = 0;
  const open = (options: Partial<KeyValueStoreOptions> = {}) =>
    createKeyValueStore({
      database: h.db.store,
      table: `kv_enc_${++n}`,
      keyring,
      logger: silentLogger,
      ...options,
    });
  const rawValue = async (table: string, key: string): Promise<string> => {
    const [row] = await rawSql(h.db.store, `select cast(value as text) as v from ${table} where key = $1`, [
      key,
    ]);
    return row.v as string;
  };
  const setRaw = (table: string, key: string, json: string) =>
    rawSql(
      h.db.store,
      h.backend.dialect === 'postgres'
        ? `update ${table} set value = cast($1 as jsonb) where key = $2`
        : `update ${table} set value = $1 where key = $2`,
      [json, key],
    );

  it('stores our envelope as a JSON string, with nothing of the value in clear', async () => {
    const store = open();
    await store.put('api', { secret: SECRET, n: 1 });
    const raw = await rawValue(store.table, 'api');
    expect(raw).toMatch(/^"ak1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"$/);
    expect(raw).not.toContain('correct');
    expect(await store.get('api')).toEqual({ secret: SECRET, n: 1 });
    expect(store.encrypted).toBe(true);
  });

  it('binds each value to its key: a value copied onto another key fails', async () => {
    const store = open();
    await store.bulkPut({ a: 'value of a', b: 'value of b' });
    await setRaw(store.table, 'b', await rawValue(store.table, 'a'));
    expect(await store.get('a')).toBe('value of a');
    await expect(store.get('b')).rejects.toBeInstanceOf(IntegrityError);
  });

  it('a tampered value is an IntegrityError in get, listings and iteration', async () => {
    const store = open();
    await store.bulkPut({ a: 1, b: SECRET, c: 3 });
    const raw = await rawValue(store.table, 'b');
    const last = raw.at(-3) === 'A' ? 'B' : 'A';
    await setRaw(store.table, 'b', `${raw.slice(0, -3)}${last}${raw.slice(-2)}`);
    await expect(store.get('b')).rejects.toBeInstanceOf(IntegrityError);
    await expect(store.values()).rejects.toBeInstanceOf(IntegrityError);
    await expect(store.toObject()).rejects.toBeInstanceOf(IntegrityError);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const [key] of store) seen.push(key);
      })(),
    ).rejects.toBeInstanceOf(IntegrityError);
    expect(seen).toEqual(['a']);
  });

  it('under ignoreError a tampered row is null or left out, and logged at error level without secrets', async () => {
    const capture = captureLogger();
    const store = open({ ignoreError: true, logger: capture.logger });
    await store.bulkPut({ a: 1, 'secret-key-name': SECRET, c: 3 });
    const raw = await rawValue(store.table, 'secret-key-name');
    await setRaw(store.table, 'secret-key-name', JSON.stringify(`${JSON.parse(raw)}x`));
    expect(await store.get('secret-key-name')).toBeNull();
    expect(await store.values()).toEqual([1, 3]);
    expect(await store.toObject()).toEqual({ a: 1, c: 3 });
    const keys: string[] = [];
    for await (const [key] of store) keys.push(key);
    expect(keys).toEqual(['a', 'c']);
    const errors = capture.lines().filter((line) => line.levelName === 'error');
    expect(errors.length).toBe(4);
    for (const line of errors) expect(line.errorCode).toBe('integrity');
    const text = capture.text();
    for (const secret of [SECRET, 'secret-key-name', k1.toString('base64'), k1.toString('hex')]) {
      expect(text).not.toContain(secret);
    }
  });

  it('refuses a plaintext row by default (no silent downgrade); a migration window opts in and reencrypt seals it', async () => {
    const store = open();
    await store.put('role', { role: 'user' });
    // A database writer replaces the sealed value with plain JSON.
    await rawSql(h.db.store, `update ${store.table} set value = $1 where key = $2`, [
      '{"role":"admin"}',
      'role',
    ]);
    await expect(store.get('role')).rejects.toBeInstanceOf(IntegrityError);
    expect(await store.toObject().catch((e: unknown) => e)).toBeInstanceOf(IntegrityError);
    const migrating = open({ table: store.table, allowPlaintext: true });
    expect(await migrating.get('role')).toEqual({ role: 'admin' });
    expect(await migrating.reencrypt()).toMatchObject({ scanned: 1, rewritten: 1, failed: 0 });
    expect(await rawValue(store.table, 'role')).toMatch(/^"ak1\.k1\./);
    expect(await store.get('role')).toEqual({ role: 'admin' });
    await store.put('new', 1);
    expect(await store.get('new')).toBe(1);
  });

  it('reads values sealed with an older key after the keyring gains a new active key', async () => {
    const old = open();
    await old.put('a', 'sealed with k1');
    const rotated = new AesGcmKeyring({
      keys: [
        { id: 'k2', key: k2 },
        { id: 'k1', key: k1 },
      ],
    });
    const store = open({ table: old.table, keyring: rotated });
    expect(await store.get('a')).toBe('sealed with k1');
    await store.put('b', 'sealed with k2');
    expect(await rawValue(store.table, 'b')).toMatch(/^"ak1\.k2\./);
    await expect(old.get('b')).rejects.toBeInstanceOf(IntegrityError);
  });

  it("with only dbstore's key, writes dbstore's format, which the upstream reader reads", async () => {
    const key = randomBytes(16).toString('hex');
    const store = open({ keyring: undefined, encryptionKey: key });
    await store.put('a', { secret: SECRET });
    const stored = JSON.parse(await rawValue(store.table, 'a'));
    expect(Object.keys(stored).sort()).toEqual(['authTag', 'ciphertext', 'iv']);
    expect(upstreamDbstoreRead(key, stored)).toEqual({ secret: SECRET });
    expect(await store.get('a')).toEqual({ secret: SECRET });
    const plain = open({ keyring: undefined, table: store.table });
    expect(await plain.get('a')).toEqual(stored);
  });

  it('a dbstore key that is not 32 bytes is a ConfigError at creation, never a random salt', () => {
    const hex64 = randomBytes(32).toString('hex');
    let caught: unknown;
    try {
      open({ encryptionKey: hex64 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).not.toContain(hex64);
  });
});
