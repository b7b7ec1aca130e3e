import { randomBytes, randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import {
  MitthooksExtensionStorage,
  type MitthooksExtensionStorageOptions,
} from '../../../src/app/mitthooks/index.js';
import {
  ConfigError,
  IntegrityError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../../../src/domain/errors.js';
import {
  MITTHOOKS_VECTORS,
  upstreamMitthooksKey,
  upstreamMitthooksRead,
} from '../../unit/crypto/upstream-legacy.js';
import { describeBackends, rawSql } from '../keyvalue/backends.js';

const { password, salt } = MITTHOOKS_VECTORS[0]!;
const keyring = new AesGcmKeyring({ keys: [{ id: 'k1', key: randomBytes(32) }] });
const added = (overrides: Record<string, unknown> = {}) => ({
  extensionInstanceId: randomUUID(),
  contextId: randomUUID(),
  consentedScopes: ['project:read', 'project:write'],
  secret: `secret-${randomBytes(8).toString('hex')}`,
  ...overrides,
});

describeBackends('mitthooks ExtensionStorage', (h) => {
  let n = 0;
  const open = (options: Partial<MitthooksExtensionStorageOptions> = {}) =>
    new MitthooksExtensionStorage({
      database: h.db.store,
      table: `ext_${++n}`,
      keyring,
      logger: silentLogger,
      ...options,
    });
  const rawSecret = async (table: string, id: string): Promise<string | null> =>
    (await rawSql(h.db.store, `select secret from ${table} where id = $1`, [id]))[0]?.secret ?? null;

  it('stores an added instance with its secret encrypted, and reads it back', async () => {
    const storage = open();
    const ext = added({ variantKey: 'premium' });
    await storage.upsertExtension(ext);
    const stored = await storage.getExtension(ext.extensionInstanceId);
    expect(stored).toMatchObject({ ...ext, enabled: true, context: 'project' });
    expect(stored!.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(stored!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    const raw = await rawSecret(storage.table, ext.extensionInstanceId);
    expect(raw).toMatch(/^ak1\.k1\./);
    expect(raw).not.toContain(ext.secret);
    expect(await storage.getExtension(randomUUID())).toBeNull();
  });

  it('round-trips an empty secret (upstream wrote it and could not read it back)', async () => {
    const storage = open();
    const ext = added({ secret: '' });
    await storage.upsertExtension(ext);
    expect((await storage.getExtension(ext.extensionInstanceId))!.secret).toBe('');
    const legacy = open({ keyring: undefined, masterPassword: password, salt });
    await legacy.upsertExtension(ext);
    expect((await legacy.getExtension(ext.extensionInstanceId))!.secret).toBe('');
  });

  it('a repeated add refreshes scopes, secret, context id and variant, and re-enables', async () => {
    const storage = open();
    const ext = added({ variantKey: 'basic' });
    await storage.upsertExtension(ext);
    await storage.updateExtension({ ...ext, enabled: false });
    const again = {
      ...ext,
      contextId: randomUUID(),
      consentedScopes: ['customer:read'],
      secret: 'new',
      variantKey: 'pro',
    };
    await storage.upsertExtension(again);
    expect(await storage.getExtension(ext.extensionInstanceId)).toMatchObject({ ...again, enabled: true });
    // Without a variant key the stored one is kept.
    const { variantKey: _drop, ...noVariant } = again;
    await storage.upsertExtension(noVariant);
    expect((await storage.getExtension(ext.extensionInstanceId))!.variantKey).toBe('pro');
  });

  it('keeps the context kind it is given, and never overwrites it with project', async () => {
    const storage = open();
    const ext = added({ context: 'customer' });
    await storage.upsertExtension(ext);
    await storage.updateExtension({ ...ext, enabled: true });
    await storage.upsertExtension({ ...ext, context: undefined });
    expect((await storage.getExtension(ext.extensionInstanceId))!.context).toBe('customer');
    await expect(storage.upsertExtension(added({ context: 'org' }))).rejects.toBeInstanceOf(ValidationError);
  });

  it('update sets scopes, state and variant and bumps updatedAt; unknown instances are NotFound', async () => {
    const storage = open();
    const ext = added();
    await storage.upsertExtension(ext);
    const before = await storage.getExtension(ext.extensionInstanceId);
    await new Promise((resolve) => setTimeout(resolve, 15));
    await storage.updateExtension({ ...ext, consentedScopes: [], enabled: false, variantKey: 'v2' });
    const after = await storage.getExtension(ext.extensionInstanceId);
    expect(after).toMatchObject({
      consentedScopes: [],
      enabled: false,
      variantKey: 'v2',
      secret: ext.secret,
    });
    expect(after!.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
    expect(after!.createdAt.getTime()).toBe(before!.createdAt.getTime());
    await expect(storage.updateExtension({ ...added(), enabled: true })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('rotateSecret replaces only the secret; unknown instances are NotFound', async () => {
    const storage = open();
    const ext = added();
    await storage.upsertExtension(ext);
    await storage.rotateSecret(ext.extensionInstanceId, 'rotated');
    expect(await storage.getExtension(ext.extensionInstanceId)).toMatchObject({ ...ext, secret: 'rotated' });
    await expect(storage.rotateSecret(randomUUID(), 'x')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('removal is a hard delete by default and a soft deactivation by option; repeating it is fine', async () => {
    const hard = open();
    const a = added();
    await hard.upsertExtension(a);
    await hard.removeInstance(a.extensionInstanceId);
    await hard.removeInstance(a.extensionInstanceId);
    expect(await hard.getExtension(a.extensionInstanceId)).toBeNull();
    const soft = open({ removal: 'soft' });
    const b = added();
    await soft.upsertExtension(b);
    await soft.removeInstance(b.extensionInstanceId);
    expect(await soft.getExtension(b.extensionInstanceId)).toMatchObject({
      ...b,
      enabled: false,
      secret: null,
    });
    expect(await rawSecret(soft.table, b.extensionInstanceId)).toBeNull();
    await soft.upsertExtension({ ...b, secret: 'back' });
    expect(await soft.getExtension(b.extensionInstanceId)).toMatchObject({ enabled: true, secret: 'back' });
  });

  it('binds each secret to its instance: a secret copied onto another row fails', async () => {
    const storage = open();
    const a = added();
    const b = added();
    await storage.upsertExtension(a);
    await storage.upsertExtension(b);
    await rawSql(h.db.store, `update ${storage.table} set secret = $1 where id = $2`, [
      await rawSecret(storage.table, a.extensionInstanceId),
      b.extensionInstanceId,
    ]);
    await expect(storage.getExtension(b.extensionInstanceId)).rejects.toBeInstanceOf(IntegrityError);
    expect((await storage.getExtension(a.extensionInstanceId))!.secret).toBe(a.secret);
  });

  it("with only the legacy password and salt, writes mitthooks-drizzle's format", async () => {
    const storage = open({ keyring: undefined, masterPassword: password, salt });
    const ext = added();
    await storage.upsertExtension(ext);
    const raw = await rawSecret(storage.table, ext.extensionInstanceId);
    expect(upstreamMitthooksRead(upstreamMitthooksKey(password, salt), raw!)).toBe(ext.secret);
    expect((await storage.getExtension(ext.extensionInstanceId))!.secret).toBe(ext.secret);
  });

  it('refuses malformed arguments with ValidationError', async () => {
    const storage = open();
    const bad: Record<string, unknown>[] = [
      added({ extensionInstanceId: '' }),
      added({ extensionInstanceId: 'x'.repeat(37) }),
      added({ contextId: 42 }),
      added({ consentedScopes: 'project:read' }),
      added({ consentedScopes: [1] }),
      added({ secret: undefined }),
      added({ variantKey: 7 }),
    ];
    for (const ext of bad) {
      await expect(storage.upsertExtension(ext as never)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(storage.updateExtension({ ...added(), enabled: 'yes' } as never)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('checks its keys when built: none, half a legacy key, or an empty one is a ConfigError', () => {
    const attempts: Partial<MitthooksExtensionStorageOptions>[] = [
      { keyring: undefined },
      { keyring: undefined, masterPassword: password },
      { salt },
      { masterPassword: '', salt },
      { removal: 'archive' as never },
      { table: 'extension-instance' },
    ];
    for (const options of attempts) expect(() => open(options)).toThrow(ConfigError);
  });

  it('close() on a shared database leaves it open; a closed storage refuses work', async () => {
    const storage = open();
    const ext = added();
    await storage.upsertExtension(ext);
    await storage.close();
    await expect(storage.getExtension(ext.extensionInstanceId)).rejects.toBeInstanceOf(UnavailableError);
    expect(await open({ table: storage.table }).getExtension(ext.extensionInstanceId)).not.toBeNull();
  });
});
