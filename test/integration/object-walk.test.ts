import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { KeyedCodeDigest } from '../../src/adapters/crypto/hashing/code-digest.js';
import { LegacyReadingCipher } from '../../src/adapters/crypto/legacy/legacy-cipher.js';
import { DbstoreCipher } from '../../src/adapters/crypto/legacy/legacy-dbstore.js';
import { MitthooksCipher } from '../../src/adapters/crypto/legacy/legacy-mitthooks.js';
import { Sha256TokenDigest } from '../../src/adapters/crypto/hashing/token-digest.js';
import type { PostgresStorageAdapter } from '../../src/index.js';
import {
  createAuthStorage,
  createKeyValueStore,
  createPasskeyStores,
  MemoryCache,
  MitthooksExtensionStorage,
  RedisCache,
  SqliteStorageAdapter,
  silentLogger,
} from '../../src/index.js';
import { databaseUrl, dropSchema, freshSchemaName, redisUrl } from '../support/postgres.js';

const pgUrl = databaseUrl();
const redis = redisUrl();

/** A URL with a password inserted (the shared servers trust loopback, so it is sent and ignored). */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.username ||= 'postgres';
  parsed.password = password;
  return parsed.toString();
}

/** Every rendering of an object a careless caller could print or serialise. */
function renderings(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? '';
  } catch (error) {
    json = `JSON.stringify threw: ${(error as Error).message}`;
  }
  return [
    inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    inspect(value, { depth: Infinity }),
    String(value),
    json,
  ].join('\n');
}

function forms(secret: string | Buffer): string[] {
  const bytes = typeof secret === 'string' ? Buffer.from(secret) : secret;
  const out = [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
  if (typeof secret === 'string') out.push(secret, encodeURIComponent(secret));
  // A Buffer printed by inspect: `<Buffer 1f 2e …>`.
  out.push([...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' '));
  return out;
}

function leaks(objects: Record<string, unknown>, secrets: Record<string, string | Buffer>): string[] {
  const found: string[] = [];
  for (const [name, object] of Object.entries(objects)) {
    const text = renderings(object);
    for (const [secretName, secret] of Object.entries(secrets)) {
      if (forms(secret).some((form) => text.includes(form))) found.push(`${name} shows ${secretName}`);
    }
  }
  return found;
}

const pgPassword = `pgpw-${randomBytes(8).toString('hex')}`;
const redisPassword = `rdpw-${randomBytes(8).toString('hex')}`;
const pepper = `pepper-${randomBytes(12).toString('hex')}`;
const cacheSecret = `cache-${randomBytes(12).toString('hex')}`;
const rawKey = randomBytes(32);
const keys = `k1:${rawKey.toString('base64')}`;
const dbstoreKey = randomBytes(16).toString('hex');
const masterPassword = `master-${randomBytes(8).toString('hex')}`;
const salt = `salt-${randomBytes(8).toString('hex')}`;
const secrets = {
  'PostgreSQL password': pgPassword,
  'Redis password': redisPassword,
  'token pepper': pepper,
  'cache secret': cacheSecret,
  'keyring key': rawKey,
  'dbstore key': dbstoreKey,
  'mitthooks master password': masterPassword,
  'mitthooks salt': salt,
};

describe('no public object prints or serialises secret material', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  it('crypto objects: keyrings, legacy ciphers, digests', async () => {
    const keyring = new AesGcmKeyring({ keys });
    const dbstore = new DbstoreCipher(dbstoreKey);
    const mitthooks = await MitthooksCipher.fromPassword(masterPassword, salt);
    const objects = {
      keyring,
      dbstore,
      mitthooks,
      legacy: new LegacyReadingCipher({ primary: keyring, dbstore, mitthooks, plaintext: 'allow' }),
      tokenDigest: new Sha256TokenDigest(pepper),
      codeDigest: new KeyedCodeDigest(keyring, new Sha256TokenDigest(pepper)),
    };
    expect(leaks(objects, secrets)).toEqual([]);
  });

  it('SQLite adapter (memory cache), key-value store and mitthooks storage, after use', async () => {
    const adapter = new SqliteStorageAdapter(':memory:', {
      logger: silentLogger,
      encryptionKeys: keys,
      tokenPepper: pepper,
      cache: 'memory',
      cacheOptions: { secret: cacheSecret },
    });
    closers.push(() => adapter.disconnect());
    await adapter.connect();
    const user = await adapter.createUser({ email: 'walk@example.com' });
    const session = await adapter.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + 60_000),
    });
    await adapter.getSession(session.id);
    const kv = createKeyValueStore({
      database: ':memory:',
      keyring: new AesGcmKeyring({ keys }),
      encryptionKey: dbstoreKey,
      logger: silentLogger,
    });
    closers.push(() => kv.close());
    await kv.put('k', { secret: 'value' });
    const mitthooks = new MitthooksExtensionStorage({
      database: ':memory:',
      masterPassword,
      salt,
      logger: silentLogger,
    });
    closers.push(() => mitthooks.close());
    await mitthooks.start();
    const memory = new MemoryCache();
    await memory.set('session', session.id);
    const objects = { adapter, sqlStore: adapter.sqlStore, kv, mitthooks };
    expect(leaks(objects, { ...secrets, 'session token': session.id })).toEqual([]);
  });

  it.skipIf(!pgUrl || !redis)(
    'PostgreSQL and Redis: adapter, passkey stores and their config, caches',
    async () => {
      const schema = freshSchemaName('walk');
      closers.push(() => dropSchema(pgUrl as string, schema));
      const database = withPassword(pgUrl as string, pgPassword);
      const cacheUrl = withPassword(redis as string, redisPassword).replace('redis://postgres:', 'redis://:');
      const adapter = createAuthStorage({
        database,
        schema,
        logger: silentLogger,
        encryptionKeys: keys,
        tokenPepper: pepper,
        cache: cacheUrl as `redis://${string}`,
        cacheOptions: { secret: cacheSecret, namespace: `walk-${randomBytes(4).toString('hex')}:` },
      }) as PostgresStorageAdapter;
      closers.push(() => adapter.disconnect());
      await adapter.connect();
      const user = await adapter.createUser({ email: 'walk-pg@example.com' });
      const session = await adapter.createSession({
        userId: user.id,
        entitlements: [],
        expiresAt: new Date(Date.now() + 60_000),
      });
      await adapter.getSession(session.id);
      const stores = createPasskeyStores({
        env: {
          GENERIC_DATA_STORE_TYPE: 'postgres',
          GENERIC_DATA_STORE_URL: database,
          GENERIC_CACHE_STORE_TYPE: 'redis',
          GENERIC_CACHE_STORE_URL: cacheUrl,
        },
        postgres: { schema },
        logger: silentLogger,
      });
      closers.push(() => stores.close());
      await stores.data.init();
      const redisCache = new RedisCache({ url: cacheUrl }, { namespace: 'walk:' });
      // The key it writes is removed before the client closes: the shared Redis keeps nothing of ours.
      closers.push(async () => {
        await redisCache.delete('x');
        await redisCache.close();
      });
      await redisCache.set('x', '1');
      const objects = {
        adapter,
        sqlStore: adapter.sqlStore,
        stores,
        config: stores.config,
        data: stores.data,
        cache: stores.cache,
        sessions: stores.sessions,
        redisCache,
      };
      expect(leaks(objects, { ...secrets, 'session token': session.id })).toEqual([]);
      // The config still says where things are, with the password masked.
      expect(JSON.stringify(stores.config)).toContain('127.0.0.1');
    },
    60_000,
  );
});
