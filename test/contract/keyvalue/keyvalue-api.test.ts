import { expect, it } from 'vitest';
import {
  createKeyValueStore,
  KeyValueStore,
  type KeyValueStoreOptions,
} from '../../../src/app/keyvalue/index.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { ForbiddenError, UnavailableError, ValidationError } from '../../../src/domain/errors.js';
import { captureLogger, describeBackends, rawSql } from './backends.js';

const VALUES: [string, unknown][] = [
  ['object', { data: 'value1', nested: { list: [1, 2, { deep: true }] } }],
  ['array', [1, 'two', null, { three: 3 }]],
  ['empty-array', []],
  ['string', 'plain string value'],
  ['json-looking string', '{"not":"an object"}'],
  ['empty string', ''],
  ['number', 42],
  ['float', -12.5],
  ['zero', 0],
  ['true', true],
  ['false', false],
  ['null', null],
  ['unicode', 'Grüße 秘密 🔐 👩‍💻'],
  ['colons', 'a:b::c:'],
];

describeBackends('key-value store API', (h) => {
  let n = 0;
  const open = (options: Partial<KeyValueStoreOptions> = {}) =>
    createKeyValueStore({ database: h.db.store, table: `kv_api_${++n}`, logger: silentLogger, ...options });

  it('puts and gets every JSON value, and null for a missing key', async () => {
    const store = open();
    for (const [key, value] of VALUES) await store.put(key, value);
    for (const [key, value] of VALUES) expect(await store.get(key)).toEqual(value);
    expect(await store.get('missing')).toBeNull();
    expect(await store.containsKey('null')).toBe(true);
    expect(await store.containsKey('missing')).toBe(false);
    expect(await store.size()).toBe(VALUES.length);
  });

  it('keeps JSON semantics as dbstore did: Dates become ISO text, undefined properties are dropped', async () => {
    const store = open();
    const date = new Date('2025-01-02T03:04:05.678Z');
    await store.put('d', { date, gone: undefined, nan: Number.NaN });
    expect(await store.get('d')).toEqual({ date: date.toISOString(), nan: null });
  });

  it('turns keys into strings as dbstore did, and overwrites on put', async () => {
    const store = open();
    await store.put(7, 'seven');
    expect(await store.get('7')).toBe('seven');
    await store.put('7', 'SEVEN');
    expect(await store.get(7)).toBe('SEVEN');
    expect(await store.size()).toBe(1);
  });

  it('refuses keys and values the table cannot hold, without writing anything', async () => {
    const store = open();
    const bad: [unknown, unknown][] = [
      ['', 1],
      ['x'.repeat(256), 1],
      ['a\u0000b', 1],
      ['\ud800', 1],
      ['k', undefined],
      ['k', () => 1],
      ['k', 10n],
    ];
    for (const [key, value] of bad) {
      await expect(store.put(key as string, value)).rejects.toBeInstanceOf(ValidationError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(store.put('k', cyclic)).rejects.toBeInstanceOf(ValidationError);
    // 255 characters is the limit, counted as characters, not UTF-16 units or bytes.
    await store.put('🔐'.repeat(255), 'wide');
    expect(await store.get('🔐'.repeat(255))).toBe('wide');
    expect(await store.keys()).toEqual(['🔐'.repeat(255)]);
  });

  it('removes keys, and removing a missing key is not an error', async () => {
    const store = open();
    await store.bulkPut({ a: 1, b: 2 });
    await store.remove('a');
    await store.remove('a');
    expect(await store.keys()).toEqual(['b']);
  });

  it('lists keys, values, entries and objects in key order', async () => {
    const store = open();
    await store.bulkPut({ b: 2, a: 1, c: [3] });
    expect(await store.keys()).toEqual(['a', 'b', 'c']);
    expect(await store.values()).toEqual([1, 2, [3]]);
    expect(await store.entries()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
      { key: 'c', value: [3] },
    ]);
    expect(await store.toObject()).toEqual({ a: 1, b: 2, c: [3] });
    expect(await store.toJSON()).toEqual({ a: 1, b: 2, c: [3] });
    expect(await store.load()).toEqual({ a: 1, b: 2, c: [3] });
  });

  it('builds objects with own properties even for a __proto__ key', async () => {
    const store = open();
    await store.put('__proto__', { polluted: true });
    const object = await store.toObject();
    expect(Object.hasOwn(object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
  });

  it('load() passes the object through an overridable preProc, as dbstore did', async () => {
    class Upper extends KeyValueStore {
      override async preProc(data: Record<string, unknown>) {
        return Object.fromEntries(Object.entries(data).map(([k, v]) => [k.toUpperCase(), v]));
      }
    }
    const base = open();
    await base.put('x', 1);
    const store = new Upper(
      (base as unknown as { parts: ConstructorParameters<typeof KeyValueStore>[0] }).parts,
    );
    expect(await store.load()).toEqual({ X: 1 });
  });

  it('bulkPut takes an object, a Map or pairs; a repeated key keeps the last value', async () => {
    const store = open();
    await store.bulkPut({ a: 1 });
    await store.bulkPut(new Map<string, unknown>([['b', 2]]));
    await store.bulkPut([
      ['c', 3],
      [4, 'four'],
      ['c', 33],
    ]);
    await store.bulkPut({});
    expect(await store.toObject()).toEqual({ a: 1, b: 2, c: 33, 4: 'four' });
  });

  it('bulkPut writes thousands of entries across batches and updates existing ones', async () => {
    const store = open();
    await store.put('k00001', 'old');
    const pairs: Record<string, unknown> = {};
    for (let i = 0; i < 2500; i++) pairs[`k${String(i).padStart(5, '0')}`] = { i };
    await store.bulkPut(pairs);
    expect(await store.size()).toBe(2500);
    expect(await store.get('k00001')).toEqual({ i: 1 });
    expect(await store.get('k02499')).toEqual({ i: 2499 });
  });

  it('bulkPut is all or nothing: one bad value writes none of the batch', async () => {
    const store = open();
    await store.put('kept', 'before');
    await expect(store.bulkPut({ kept: 'after', fine: 1, broken: undefined })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await store.toObject()).toEqual({ kept: 'before' });
  });

  it('clear() is refused unless allowClear is set', async () => {
    const refused = open({ ignoreError: true });
    await refused.put('a', 1);
    await expect(refused.clear()).rejects.toBeInstanceOf(ForbiddenError);
    expect(await refused.size()).toBe(1);
    const allowed = createKeyValueStore({
      database: h.db.store,
      table: refused.table,
      allowClear: true,
      logger: silentLogger,
    });
    await allowed.clear();
    expect(await refused.size()).toBe(0);
  });

  it('iterates with for await as [key, value] pairs, page by page, in key order', async () => {
    const store = open({ pageSize: 7 });
    const pairs: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) pairs[`key-${String(i).padStart(3, '0')}`] = i;
    await store.bulkPut(pairs);
    const seen: [string, unknown][] = [];
    for await (const [key, value] of store) seen.push([key, value]);
    expect(seen).toEqual(Object.entries(pairs));
    const keys: string[] = [];
    for await (const key of store.iKeys()) keys.push(key);
    expect(keys).toEqual(Object.keys(pairs));
    const values: unknown[] = [];
    for await (const value of store.iValues()) values.push(value);
    expect(values).toEqual(Object.values(pairs));
  });

  it("iterates items that destructure both ways: [key, value] and dbstore's { key, value }", async () => {
    const store = open({ pageSize: 2 });
    await store.bulkPut({ a: 1, b: { nested: true }, c: null });
    const named: [string, unknown][] = [];
    for await (const { key, value } of store) named.push([key, value]);
    expect(named).toEqual([
      ['a', 1],
      ['b', { nested: true }],
      ['c', null],
    ]);
    const items = [];
    for await (const item of store) items.push(item);
    // Still a pair wherever it is printed, compared or serialised.
    expect(JSON.stringify(items[0])).toBe('["a",1]');
    expect(Object.keys(items[0]!)).toEqual(['0', '1']);
  });

  it('iteration can stop early, and sees each key once while rows change underneath', async () => {
    const store = open({ pageSize: 10 });
    const pairs: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) pairs[`m${String(i).padStart(2, '0')}`] = i;
    await store.bulkPut(pairs);
    let count = 0;
    for await (const entry of store) {
      expect(entry).toHaveLength(2);
      if (++count === 15) break;
    }
    const seen: string[] = [];
    for await (const [key] of store) {
      seen.push(key);
      // Writes behind and ahead of the cursor while it moves.
      if (key === 'm20') {
        await store.remove('m30');
        await store.put('m05', 'changed');
        await store.put('m45a', 'new');
      }
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain('m30');
    expect(seen).toContain('m45a');
    expect(await store.get('m05')).toBe('changed');
  });

  it('under ignoreError a database failure gives the documented neutral values, logged at error', async () => {
    const capture = captureLogger();
    const store = open({ ignoreError: true, logger: capture.logger });
    await store.bulkPut({ a: 1, b: 2 });
    await rawSql(h.db.store, `drop table ${store.table}`);
    expect(await store.get('a')).toBeNull();
    expect(await store.containsKey('a')).toBe(false);
    expect(await store.size()).toBe(0);
    expect(await store.keys()).toEqual([]);
    expect(await store.values()).toEqual([]);
    expect(await store.entries()).toEqual([]);
    expect(await store.toObject()).toEqual({});
    expect(await store.load()).toEqual({});
    await store.put('c', 3);
    await store.bulkPut({ d: 4 });
    await store.remove('a');
    const seen: unknown[] = [];
    for await (const entry of store) seen.push(entry);
    expect(seen).toEqual([]);
    const errors = capture.lines().filter((line) => line.levelName === 'error');
    expect(errors).toHaveLength(12);
    expect(errors.every((line) => line.errorCode === 'internal' && line.table === store.table)).toBe(true);
    // Without ignoreError the same failure throws (the new store recreated the table on start).
    const strict = open({ table: store.table });
    await strict.start();
    await rawSql(h.db.store, `drop table ${store.table}`);
    await expect(strict.size()).rejects.toMatchObject({ code: 'internal' });
  });

  it('close() on a shared database leaves it open; a closed store refuses work', async () => {
    const store = open();
    await store.put('a', 1);
    await store.close();
    await store.close();
    await expect(store.get('a')).rejects.toBeInstanceOf(UnavailableError);
    expect(await open({ table: store.table }).get('a')).toBe(1);
  });
});
