import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AuthkeepError,
  PostgresStorageAdapter,
  silentLogger,
  SqliteStorageAdapter,
  type KitiumStorageAdapter,
} from '../../src/index.js';
import { TEST_KEYS } from '../contract/kitium/keyed-backends.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { hostileObjects, hostileScalars, prng } from './fuzz-inputs.js';
import { recordTally } from './tally.js';

const CALLS = 12_000;
const hour = 3_600_000;
const url = databaseUrl();
const dir = mkdtempSync(join(tmpdir(), 'authkeep-fuzz-'));
const schema = freshSchemaName('fuzz');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (url) await dropSchema(url, schema);
});

/** The public surface: all 66 StorageAdapter methods plus the extras, with how many arguments each takes. */
const METHODS: [name: string, arity: number][] = [
  ['createApiKey', 1],
  ['getApiKey', 1],
  ['getApiKeyByHash', 1],
  ['getApiKeysByPrefixAndLastFour', 2],
  ['updateApiKey', 2],
  ['deleteApiKey', 1],
  ['listApiKeys', 1],
  ['createApiKeyWithSecret', 3],
  ['verifyApiKeySecret', 1],
  ['rotateApiKey', 1],
  ['createSession', 1],
  ['getSession', 1],
  ['updateSession', 2],
  ['deleteSession', 1],
  ['createOrganization', 1],
  ['getOrganization', 1],
  ['updateOrganization', 2],
  ['deleteOrganization', 1],
  ['createUser', 1],
  ['getUser', 1],
  ['getUserByEmail', 1],
  ['getUserByOAuth', 2],
  ['updateUser', 2],
  ['deleteUser', 1],
  ['linkOAuthAccount', 3],
  ['createEmailVerificationToken', 1],
  ['getEmailVerificationTokens', 2],
  ['getEmailVerificationTokenById', 1],
  ['markEmailVerificationTokenAsUsed', 1],
  ['deleteExpiredEmailVerificationTokens', 0],
  ['getEmailVerificationTokenAttempts', 1],
  ['incrementEmailVerificationTokenAttempts', 1],
  ['emitEvent', 1],
  ['storeTenantSAMLConfig', 1],
  ['getTenantSAMLConfig', 1],
  ['updateTenantSAMLConfig', 2],
  ['deleteTenantSAMLConfig', 1],
  ['createRole', 1],
  ['getRole', 1],
  ['updateRole', 2],
  ['deleteRole', 1],
  ['listRoles', 1],
  ['assignRoleToUser', 3],
  ['revokeRoleFromUser', 3],
  ['getUserRoles', 2],
  ['createTwoFactorDevice', 1],
  ['getTwoFactorDevice', 1],
  ['updateTwoFactorDevice', 2],
  ['listTwoFactorDevices', 1],
  ['deleteTwoFactorDevice', 1],
  ['createBackupCodes', 2],
  ['getBackupCodes', 1],
  ['markBackupCodeUsed', 1],
  ['createTwoFactorSession', 1],
  ['getTwoFactorSession', 1],
  ['completeTwoFactorSession', 1],
  ['createSSOProvider', 1],
  ['getSSOProvider', 1],
  ['updateSSOProvider', 2],
  ['deleteSSOProvider', 1],
  ['listSSOProviders', 1],
  ['createSSOLink', 1],
  ['getSSOLink', 1],
  ['getUserSSOLinks', 1],
  ['deleteSSOLink', 1],
  ['createSSOSession', 1],
  ['getSSOSession', 1],
  ['healthCheck', 0],
];

/** Valid records to mutate, and valid ids to aim hostile updates at. */
async function seed(adapter: KitiumStorageAdapter) {
  const user = await adapter.createUser({ email: `fuzz-${Date.now()}@x.io`, name: 'Fuzz' });
  const org = await adapter.createOrganization({ name: 'o', plan: 'p', seats: 1, members: [] });
  const session = await adapter.createSession({
    userId: user.id,
    entitlements: [],
    expiresAt: new Date(Date.now() + hour),
  });
  const role = await adapter.createRole({ orgId: org.id, name: 'r', permissions: [], isSystem: false });
  const device = await adapter.createTwoFactorDevice({
    userId: user.id,
    method: 'totp',
    verified: false,
    secret: 'JBSWY3DP',
  });
  const ids = [user.id, org.id, session.id, role.id, device.id, 'missing-id'];
  // A population of ordinary rows for hostile updates and deletes to land on, and to read back at the end.
  for (let i = 0; i < 40; i++) {
    const u = await adapter.createUser({ email: `pop-${i}-${Date.now()}@x.io`, metadata: { i } });
    const k = await adapter.createApiKeyWithSecret(u.id, ['read']);
    const t = await adapter.createEmailVerificationToken({
      email: u.email!,
      code: `${i}`,
      codeHash: `h${i}`,
      type: 'verify_email',
      expiresAt: new Date(Date.now() + hour),
      createdAt: new Date(),
    });
    const r = await adapter.createRole({
      orgId: org.id,
      name: `role-${i}`,
      permissions: [],
      isSystem: i % 10 === 0,
    });
    ids.push(u.id, k.record.id, t.id, r.id);
  }
  const valid: Record<string, unknown>[] = [
    { email: 'v@x.io', name: 'v', entitlements: ['a'], metadata: { a: 1 } },
    { userId: user.id, entitlements: [], expiresAt: new Date(Date.now() + hour) },
    { principalId: user.id, hash: `h-${Math.random()}`, prefix: 'p', lastFour: '1234', scopes: [] },
    {
      email: 'v@x.io',
      code: '1',
      codeHash: 'h',
      type: 'verify_email',
      expiresAt: new Date(Date.now() + hour),
    },
    { type: 'login', principalId: user.id, data: { ip: '1.1.1.1' } },
    { name: 'o', plan: 'p', seats: 1, members: [{ userId: user.id, role: 'owner', joinedAt: new Date() }] },
    {
      orgId: org.id,
      name: 'r',
      permissions: [{ id: 'p', name: 'n', resource: 'r', action: 'a' }],
      isSystem: false,
    },
    { userId: user.id, method: 'totp', verified: true, secret: 'S' },
    {
      type: 'oidc',
      name: 'n',
      metadata_url: 'https://x',
      client_id: 'c',
      client_secret: 's',
      redirect_uris: ['https://x/cb'],
    },
    { tenantId: 't1', entityId: 'e' },
  ];
  return { ids, valid };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

async function fuzz(adapter: KitiumStorageAdapter, seedValue: number) {
  const random = prng(seedValue);
  const { ids, valid } = await seed(adapter);
  const scalars = hostileScalars();
  const objects = hostileObjects(valid);
  const argument = () => {
    const r = random();
    if (r < 0.2) return pick(random, ids);
    // Some valid records too, so rows pile up for the read-back check and hostile updates hit real rows.
    if (r < 0.4) return structuredClone(pick(random, valid));
    if (r < 0.65) return pick(random, scalars);
    return pick(random, objects);
  };
  const untyped: string[] = [];
  let typed = 0;
  for (let call = 0; call < CALLS; call++) {
    const [name, arity] = pick(random, METHODS);
    const args = Array.from({ length: arity }, argument);
    try {
      await (adapter as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);
    } catch (error) {
      if (error instanceof AuthkeepError) typed++;
      else if (untyped.length < 20)
        untyped.push(
          `${name}: ${(error as Error)?.constructor?.name} ${String((error as Error)?.message).slice(0, 120)}`,
        );
    }
  }
  return { untyped, typed };
}

/** Every row of every table still reads back through the adapter, and the unique rules still hold. */
async function readBackEverything(adapter: KitiumStorageAdapter, rows: { table: string; id: string }[]) {
  const getters: Record<string, (id: string) => Promise<unknown>> = {
    users: (id) => adapter.getUser(id),
    organizations: (id) => adapter.getOrganization(id),
    api_keys: (id) => adapter.getApiKey(id),
    roles: (id) => adapter.getRole(id),
    twofa_devices: (id) => adapter.getTwoFactorDevice(id),
    sso_providers: (id) => adapter.getSSOProvider(id),
    sso_links: (id) => adapter.getSSOLink(id),
    email_verification_tokens: (id) => adapter.getEmailVerificationTokenById(id),
  };
  let verified = 0;
  for (const { table, id } of rows) {
    const get = getters[table];
    if (!get) continue;
    expect(await get(id), `${table} ${id}`).not.toBeNull();
    verified++;
  }
  return verified;
}

const TABLES = [
  'users',
  'organizations',
  'api_keys',
  'roles',
  'twofa_devices',
  'sso_providers',
  'sso_links',
  'email_verification_tokens',
];

describe('fuzzing every public method with hostile input', () => {
  it('SQLite file: only typed errors; the file passes integrity_check and every row reads back', async () => {
    const file = join(dir, 'fuzz.db');
    const adapter = new SqliteStorageAdapter(file, { logger: silentLogger, encryptionKeys: TEST_KEYS });
    await adapter.connect();
    const seedValue = Date.now() % 1_000_000;
    const { untyped, typed } = await fuzz(adapter, seedValue);
    expect(untyped, `seed ${seedValue}`).toEqual([]);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(raw.pragma('foreign_key_check')).toEqual([]);
    const dupes = raw
      .prepare(
        'select email_normalized, count(*) n from users where email_normalized is not null group by 1 having n > 1',
      )
      .all();
    expect(dupes).toEqual([]);
    const rows = TABLES.flatMap((table) =>
      (raw.prepare(`select id from ${table}`).all() as { id: string }[]).map((r) => ({ table, id: r.id })),
    );
    raw.close();
    const verified = await readBackEverything(adapter, rows);
    await adapter.disconnect();
    recordTally({
      suite: 'fuzz-sqlite',
      operations: CALLS,
      faults: typed,
      rowsVerified: verified,
      rowsLost: 0,
    });
  });

  it.skipIf(!url)('PostgreSQL: only typed errors; constraints hold and every row reads back', async () => {
    const adapter = new PostgresStorageAdapter(url!, {
      schema,
      logger: silentLogger,
      encryptionKeys: TEST_KEYS,
    });
    await adapter.connect();
    const seedValue = (Date.now() + 7) % 1_000_000;
    const { untyped, typed } = await fuzz(adapter, seedValue);
    expect(untyped, `seed ${seedValue}`).toEqual([]);
    const { rows, dupes, invalidIndexes } = await withClient(url!, schema, async (c) => ({
      rows: (
        await Promise.all(
          TABLES.map(async (table) =>
            (await c.query(`select id from ${table}`)).rows.map((r) => ({ table, id: r.id as string })),
          ),
        )
      ).flat(),
      dupes: (
        await c.query(
          'select email_normalized from users where email_normalized is not null group by 1 having count(*) > 1',
        )
      ).rows,
      invalidIndexes: (
        await c.query(
          `select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = $1 and not (i.indisvalid and i.indisready)`,
          [schema],
        )
      ).rows,
    }));
    expect(dupes).toEqual([]);
    expect(invalidIndexes).toEqual([]);
    const verified = await readBackEverything(adapter, rows);
    await adapter.disconnect();
    recordTally({
      suite: 'fuzz-postgres',
      operations: CALLS,
      faults: typed,
      rowsVerified: verified,
      rowsLost: 0,
    });
  });
});
