import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { Argon2Hasher } from '../../src/adapters/crypto/hashing/argon2-hasher.js';
import { columnCipher } from '../../src/adapters/kysely/sealing/encrypted-columns.js';
import { openSqlite } from '../../src/adapters/kysely/index.js';
import { rotateEncryptedColumns } from '../../src/adapters/kysely/sealing/key-rotation.js';
import { createPinoLogger } from '../../src/adapters/log/pino-logger.js';
import { PostgresStorageAdapter, SqliteStorageAdapter, type KitiumStorageAdapter } from '../../src/index.js';
import type { Logger } from '../../src/ports/system.js';
import { migrateKitium } from '../support/encrypted-rows.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';

const MAIN = fileURLToPath(new URL('../../src/app/cli/main.ts', import.meta.url));

/** A pino logger at debug level whose lines are kept in memory. */
function capturedLogger(): { logger: Logger; text(): string } {
  const lines: string[] = [];
  const logger = createPinoLogger({
    level: 'debug',
    destination: { write: (line: string) => lines.push(line) },
  });
  return { logger, text: () => lines.join('') };
}

/** Every way an error can be shown: message, string, inspect (stack, cause, details) and JSON. */
function renderings(error: unknown): string {
  const e = error as Error;
  return [e.message, String(e), e.stack, inspect(e, { depth: 10 }), JSON.stringify(e)].join('\n');
}

/** The forms a key or secret could leak in. */
function forms(secret: string | Buffer): string[] {
  if (typeof secret === 'string') return [secret, Buffer.from(secret).toString('base64')];
  return [
    secret.toString('base64'),
    secret.toString('base64url'),
    secret.toString('hex'),
    secret.toString('latin1'),
  ];
}

function expectNoSecrets(haystack: string, secrets: (string | Buffer)[]): void {
  for (const secret of secrets) {
    for (const form of forms(secret))
      expect(haystack.includes(form), `leaked a form of a secret`).toBe(false);
  }
}

/** Always a different envelope (a fixed replacement would be a no-op when the tag already ends in it). */
function flipSecondToLast(text: string): string {
  const i = text.length - 2;
  return text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('secrets never reach error messages or logs', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const keyring = new AesGcmKeyring({
    keys: [
      { id: 'k2', key: k2 },
      { id: 'k1', key: k1 },
    ],
  });
  const totp = `JBSWY3DP${randomBytes(8).toString('hex').toUpperCase()}`;
  const ctx = { table: 'twofa_devices', column: 'secret', rowId: 'device-1' };

  it('cipher failures (tampered, wrong key, moved, malformed) carry no plaintext or key', () => {
    const { logger, text } = capturedLogger();
    const envelope = keyring.encrypt(totp, ctx);
    const failures = [
      caught(() => keyring.decrypt(flipSecondToLast(envelope), ctx)),
      caught(() => new AesGcmKeyring({ keys: [{ id: 'k2', key: randomBytes(32) }] }).decrypt(envelope, ctx)),
      caught(() => keyring.decrypt(envelope, { ...ctx, rowId: 'device-2' })),
      caught(() => keyring.decrypt(`${envelope}.x`, ctx)),
      caught(() => keyring.decrypt(totp, ctx)),
      caught(() => keyring.encrypt(`${totp}\ud800`, ctx)),
    ];
    for (const error of failures) {
      expect((error as { code?: string }).code).toMatch(/^(integrity|validation)$/);
      expectNoSecrets(renderings(error), [totp, k1, k2]);
      logger.error({ err: error }, 'decrypt failed');
      logger.error({ error, context: ctx }, 'decrypt failed');
    }
    // A careless caller logging the keyring itself, or the whole context with the secret under a known name.
    logger.info(
      { keyring, cipher: keyring, secret: totp, plaintext: totp, key: k1.toString('base64') },
      'state',
    );
    expect(inspect(keyring, { depth: 10, showHidden: true })).not.toContain(k1.toString('hex'));
    expectNoSecrets(`${inspect(keyring, { depth: 10 })}${JSON.stringify(keyring)}`, [k1, k2]);
    expect(text()).toContain('decrypt failed');
    expectNoSecrets(text(), [totp, k1, k2]);
  });

  it('key configuration errors never echo the key material', () => {
    const { logger, text } = capturedLogger();
    const short = randomBytes(31);
    const good = randomBytes(32);
    for (const keys of [
      `k1:${short.toString('base64')}`,
      `${good.toString('base64')}:k1`,
      `k1:${good.toString('base64')}!`,
      `k1:${good.toString('hex')}`,
      `k1:${good.toString('base64')},k2:${good.toString('base64')}`,
    ]) {
      const error = caught(() => new AesGcmKeyring({ keys }));
      expect((error as { code?: string }).code).toBe('config');
      expectNoSecrets(renderings(error), [short, good]);
      logger.error({ err: error }, 'bad key config');
    }
    expectNoSecrets(text(), [short, good]);
  });

  it('hasher failures never echo the secret', async () => {
    const { logger, text } = capturedLogger();
    const hasher = new Argon2Hasher({ memoryCost: 1024, timeCost: 1 });
    const longSecret = `pw-${randomBytes(2100).toString('hex')}`;
    const hash = await hasher.hash(totp);
    for (const attempt of [
      hasher.hash(longSecret),
      hasher.verify(`${hash}x$y`, totp),
      hasher.verify('bogus', totp),
    ]) {
      const error = await attempt.then(
        () => {
          throw new Error('expected a failure');
        },
        (e: unknown) => e,
      );
      expect((error as { code?: string }).code).toBe('validation');
      expectNoSecrets(renderings(error), [longSecret, totp]);
      logger.warn({ err: error }, 'hash failed');
    }
    expectNoSecrets(text(), [longSecret, totp]);
  });

  it('rotation logs failing rows by id only', async () => {
    const { logger, text } = capturedLogger();
    const store = openSqlite(':memory:', {}, logger);
    try {
      await migrateKitium(store, logger);
      const secrets = columnCipher(keyring, 'twofa_devices', 'secret');
      const stranger = new AesGcmKeyring({ keys: [{ id: 'k0', key: randomBytes(32) }] });
      await store.db
        .insertInto('twofa_devices')
        .values([
          { id: 'd1', user_id: 'u', method: 'totp', secret: secrets.write('d1', totp) },
          { id: 'd2', user_id: 'u', method: 'totp', secret: secrets.write('d1', `${totp}-2`) },
          {
            id: 'd3',
            user_id: 'u',
            method: 'totp',
            secret: columnCipher(stranger, 'twofa_devices', 'secret').write('d3', `${totp}-3`),
          },
        ])
        .execute();
      const k3 = randomBytes(32);
      const next = new AesGcmKeyring({
        keys: [
          { id: 'k3', key: k3 },
          { id: 'k2', key: k2 },
        ],
      });
      const report = await rotateEncryptedColumns(store, { cipher: next, logger });
      expect(report.failures.map((f) => f.rowId)).toEqual(['d2', 'd3']);
      expect(text()).toContain('"rowId":"d2"');
      expectNoSecrets(`${text()}${JSON.stringify(report)}`, [totp, k1, k2, k3]);
    } finally {
      await store.close();
    }
  });
});

describe('the keys CLI never prints keys or plaintexts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authkeep-leaks-'));
  const database = `sqlite:${join(dir, 'auth.db')}`;
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const totp = `JBSWY3DP${randomBytes(8).toString('hex').toUpperCase()}`;

  beforeAll(async () => {
    const store = openSqlite(join(dir, 'auth.db'), {}, createPinoLogger({ level: 'silent' }));
    try {
      await migrateKitium(store, createPinoLogger({ level: 'silent' }));
      const secrets = columnCipher(
        new AesGcmKeyring({ keys: [{ id: 'k1', key: k1 }] }),
        'twofa_devices',
        'secret',
      );
      await store.db
        .insertInto('twofa_devices')
        .values([
          { id: 'd1', user_id: 'u', method: 'totp', secret: secrets.write('d1', totp) },
          { id: 'd2', user_id: 'u', method: 'totp', secret: secrets.write('d1', `${totp}-moved`) },
        ])
        .execute();
    } finally {
      await store.close();
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[], env: Record<string, string>) {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'keys', ...args], {
      env: { ...process.env, AUTHKEEP_LOG_LEVEL: 'debug', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const [code] = await once(child, 'exit');
    return { code: code as number, output };
  }

  it('rotation with a failing row, keys from the environment and from --keys', async () => {
    const envKeys = `k2:${k2.toString('base64')},k1:${k1.toString('base64')}`;
    const fromEnv = await cli(['rotate', '--database', database], { AUTHKEEP_ENCRYPTION_KEYS: envKeys });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.output).toContain('cannot decrypt twofa_devices.secret row d2');
    expect(fromEnv.output).toContain('"rowId":"d2"');
    expectNoSecrets(fromEnv.output, [k1, k2, totp]);

    const fromFlag = await cli(['rotate', '--dry-run', '--database', database, '--keys', envKeys], {});
    expect(fromFlag.code).toBe(1);
    expect(fromFlag.output).toContain('1 current');
    expectNoSecrets(fromFlag.output, [k1, k2, totp]);
  }, 60_000);

  it('a wrong-length key is a config error that does not echo it', async () => {
    const short = randomBytes(24);
    const run = await cli(['rotate', '--database', database], {
      AUTHKEEP_ENCRYPTION_KEYS: `k2:${short.toString('base64')},k1:${k1.toString('base64')}`,
    });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/key "k2" must be 32 bytes.*\[config\]/);
    expectNoSecrets(run.output, [short, k1]);
  }, 60_000);
});

const url = databaseUrl();
const kitiumBackends = [
  {
    name: 'sqlite',
    available: true,
    open: (logger: Logger) => ({
      adapter: new SqliteStorageAdapter(':memory:', { logger }) as KitiumStorageAdapter,
      cleanup: async () => undefined,
    }),
  },
  {
    name: 'postgres',
    available: url !== null,
    open(logger: Logger) {
      const schema = freshSchemaName('leaks');
      return {
        adapter: new PostgresStorageAdapter(url as string, {
          schema,
          logger,
          maxRetries: 0,
        }) as KitiumStorageAdapter,
        cleanup: () => dropSchema(url as string, schema),
      };
    },
  },
];

for (const backend of kitiumBackends) {
  describe.skipIf(!backend.available)(
    `session tokens and API keys in database failures [${backend.name}]`,
    () => {
      it('a failing look-up reports and logs neither the token nor the key', async () => {
        const { logger, text } = capturedLogger();
        const { adapter, cleanup } = backend.open(logger);
        try {
          await adapter.connect();
          const user = await adapter.createUser({
            email: `leak-${randomBytes(4).toString('hex')}@example.com`,
          });
          const expiresAt = new Date(Date.now() + 60_000);
          const session = await adapter.createSession({ userId: user.id, entitlements: [], expiresAt });
          const { key } = await adapter.createApiKeyWithSecret(user.id, ['read']);
          await sql`drop table sessions`.execute(adapter.sqlStore.db);
          await sql`drop table api_keys`.execute(adapter.sqlStore.db);
          const errors = [
            await adapter.getSession(session.id).catch((e: unknown) => e),
            await adapter.verifyApiKeySecret(key).catch((e: unknown) => e),
            await adapter.updateSession(session.id, { expiresAt }).catch((e: unknown) => e),
          ];
          for (const error of errors) {
            expect(error).toBeInstanceOf(Error);
            expectNoSecrets(renderings(error), [session.id, key]);
            logger.error({ err: error }, 'storage call failed');
          }
          expect(text()).toContain('storage call failed');
          expectNoSecrets(text(), [session.id, key]);
        } finally {
          await adapter.disconnect();
          await cleanup();
        }
      });

      it('a unique violation prints its code and constraint, never the values or SQL', async () => {
        const { logger, text } = capturedLogger();
        const { adapter, cleanup } = backend.open(logger);
        try {
          await adapter.connect();
          const email = `unique-${randomBytes(6).toString('hex')}@example.com`;
          const user = await adapter.createUser({ email });
          const hash = randomBytes(32).toString('hex');
          const apiKey = { principalId: user.id, hash, prefix: 'ak', lastFour: 'abcd', scopes: [] };
          await adapter.createApiKey(apiKey);
          const errors = [
            await adapter.createUser({ email }).catch((e: unknown) => e),
            await adapter.createApiKey(apiKey).catch((e: unknown) => e),
          ];
          for (const error of errors) {
            expect(error).toMatchObject({ code: 'conflict' });
            let cause = (error as { cause?: unknown }).cause as Record<string, unknown>;
            while (cause?.cause !== undefined) cause = cause.cause as Record<string, unknown>;
            // The cause keeps what an operator needs: the driver's code and, on PostgreSQL, the constraint.
            expect(cause).toBeInstanceOf(Error);
            expect(String(cause.code)).toMatch(
              backend.name === 'postgres' ? /^23505$/ : /^SQLITE_CONSTRAINT/,
            );
            expect(cause.constraint).toEqual(expect.any(String));
            const shown = `${renderings(error)}${inspect(error, { depth: Infinity, showHidden: true })}`;
            expect(shown).not.toMatch(/Key \(|\bdetail\b|insert into|values \(/i);
            expectNoSecrets(shown, [email, hash]);
            logger.error({ err: error }, 'conflict');
          }
          expect(text()).toContain('conflict');
          expect(text()).not.toMatch(/Key \(/);
          expectNoSecrets(text(), [email, hash]);
        } finally {
          await adapter.disconnect();
          await cleanup();
        }
      });
    },
  );
}
