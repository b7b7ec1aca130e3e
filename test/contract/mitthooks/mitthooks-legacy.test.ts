import { randomBytes, randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { LegacyReadingCipher } from '../../../src/adapters/crypto/legacy/legacy-cipher.js';
import { MitthooksCipher } from '../../../src/adapters/crypto/legacy/legacy-mitthooks.js';
import { rotateEncryptedColumns } from '../../../src/adapters/kysely/sealing/key-rotation.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { MitthooksExtensionStorage } from '../../../src/app/mitthooks/index.js';
import { IntegrityError } from '../../../src/domain/errors.js';
import {
  MITTHOOKS_VECTORS,
  randomText,
  upstreamMitthooksKey,
  upstreamMitthooksWrite,
} from '../../unit/crypto/upstream-legacy.js';
import { describeBackends, rawSql, type BackendHandle } from '../keyvalue/backends.js';

const keyring = new AesGcmKeyring({ keys: [{ id: 'k1', key: randomBytes(32) }] });
type Casing = 'default' | 'snake';
const names = (casing: Casing) =>
  casing === 'default'
    ? { contextId: '"contextId"', createdAt: '"createdAt"', updatedAt: '"updatedAt"' }
    : { contextId: 'context_id', createdAt: 'created_at', updatedAt: 'updated_at' };

/** The table as drizzle-kit creates mitthooks-drizzle's schema (SQLite: the same columns, closest types). */
async function createAsDrizzle(h: BackendHandle, table: string, casing: Casing): Promise<void> {
  const c = names(casing);
  const postgres = h.backend.dialect === 'postgres';
  if (postgres) {
    await rawSql(
      h.db.store,
      `DO $$ BEGIN CREATE TYPE "context" AS ENUM('customer', 'project');
       EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
  }
  await rawSql(
    h.db.store,
    `CREATE TABLE "${table}" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      ${c.contextId} varchar(36) NOT NULL,
      "context" ${postgres ? '"context"' : 'text'} DEFAULT 'project' NOT NULL,
      "active" boolean NOT NULL,
      "variant_key" text,
      "consented_scopes" ${postgres ? 'text[]' : 'text'} NOT NULL,
      "secret" text,
      ${c.createdAt} timestamp DEFAULT ${postgres ? 'now()' : 'CURRENT_TIMESTAMP'} NOT NULL,
      ${c.updatedAt} timestamp DEFAULT ${postgres ? 'now()' : 'CURRENT_TIMESTAMP'} NOT NULL,
      "notes" text DEFAULT 'caller column'
    )`,
  );
}

/** PgExtensionStorage.upsertExtension: context 'project', active true, no variant key, secret as given. */
async function insertAsDrizzle(
  h: BackendHandle,
  table: string,
  casing: Casing,
  row: { id: string; contextId: string; scopes: string[]; secret: string },
): Promise<void> {
  const c = names(casing);
  const postgres = h.backend.dialect === 'postgres';
  await rawSql(
    h.db.store,
    `INSERT INTO "${table}" ("id", ${c.contextId}, "context", "active", "consented_scopes", "secret")
     VALUES ($1, $2, 'project', ${postgres ? 'true' : '1'}, $3, $4)`,
    [row.id, row.contextId, postgres ? row.scopes : JSON.stringify(row.scopes), row.secret],
  );
}

describeBackends('mitthooks storage over a mitthooks-drizzle table', (h) => {
  for (const casing of ['default', 'snake'] as const) {
    it(`reads every published vector from a drizzle table (${casing} casing)`, async () => {
      const table = `drizzle_vectors_${casing}`;
      await createAsDrizzle(h, table, casing);
      const byKey = new Map<string, typeof MITTHOOKS_VECTORS>();
      for (const v of MITTHOOKS_VECTORS) {
        const k = `${v.password}\u0000${v.salt}`;
        byKey.set(k, [...(byKey.get(k) ?? []), v]);
      }
      for (const vectors of byKey.values()) {
        const { password, salt } = vectors[0]!;
        const rows = vectors.map((v) => ({ v, id: randomUUID() }));
        for (const { v, id } of rows) {
          await insertAsDrizzle(h, table, casing, { id, contextId: 'ctx', scopes: ['s'], secret: v.stored });
        }
        for (const options of [
          { masterPassword: password, salt },
          { masterPassword: password, salt, keyring },
        ]) {
          const storage = new MitthooksExtensionStorage({
            database: h.db.store,
            table,
            logger: silentLogger,
            ...options,
          });
          for (const { v, id } of rows) {
            if (v.expect === 'error') {
              await expect(storage.getExtension(id), v.name).rejects.toBeInstanceOf(IntegrityError);
            } else {
              expect(await storage.getExtension(id), v.name).toMatchObject({
                extensionInstanceId: id,
                contextId: 'ctx',
                consentedScopes: ['s'],
                enabled: true,
                context: 'project',
                secret: v.plaintext,
              });
            }
          }
        }
      }
    });

    it(`reads rows the upstream writer made, and keeps the caller's own columns (${casing} casing)`, async () => {
      const table = `drizzle_generated_${casing}`;
      await createAsDrizzle(h, table, casing);
      const password = randomBytes(32).toString('base64');
      const salt = randomBytes(16).toString('base64');
      const key = upstreamMitthooksKey(password, salt);
      const secrets = ['', 'x', randomText(40), randomText(2000)];
      const ids = secrets.map(() => randomUUID());
      for (const [i, secret] of secrets.entries()) {
        await insertAsDrizzle(h, table, casing, {
          id: ids[i]!,
          contextId: 'c',
          scopes: [],
          secret: upstreamMitthooksWrite(key, secret),
        });
      }
      await rawSql(h.db.store, `update "${table}" set notes = 'mine'`);
      const storage = new MitthooksExtensionStorage({
        database: h.db.store,
        table,
        masterPassword: password,
        salt,
        keyring,
        logger: silentLogger,
      });
      for (const [i, secret] of secrets.entries())
        expect((await storage.getExtension(ids[i]!))!.secret).toBe(secret);
      const id = ids[1]!;
      await storage.upsertExtension({
        extensionInstanceId: id,
        contextId: 'c2',
        consentedScopes: ['n'],
        secret: 'new',
      });
      await storage.updateExtension({
        extensionInstanceId: id,
        contextId: 'c2',
        consentedScopes: ['n'],
        enabled: false,
      });
      await storage.rotateSecret(id, 'newer');
      expect(await storage.getExtension(id)).toMatchObject({
        secret: 'newer',
        enabled: false,
        contextId: 'c2',
      });
      const notes = await rawSql(h.db.store, `select notes from "${table}" order by id`);
      expect(notes.every((row) => row.notes === 'mine')).toBe(true);
      // New secrets are in our envelope now; an upstream reader could no longer read this row.
      const [row] = await rawSql(h.db.store, `select secret from "${table}" where id = $1`, [id]);
      expect(row.secret).toMatch(/^ak1\.k1\./);
    });
  }

  it('without the legacy password, a legacy secret is an IntegrityError naming the format, never garbage', async () => {
    const table = 'drizzle_no_legacy_key';
    await createAsDrizzle(h, table, 'default');
    const v = MITTHOOKS_VECTORS[0]!;
    const id = randomUUID();
    await insertAsDrizzle(h, table, 'default', { id, contextId: 'c', scopes: [], secret: v.stored });
    const storage = new MitthooksExtensionStorage({
      database: h.db.store,
      table,
      keyring,
      logger: silentLogger,
    });
    await expect(storage.getExtension(id)).rejects.toMatchObject({
      code: 'integrity',
      details: { format: 'mitthooks', reason: 'no_legacy_key' },
    });
  });

  it('key rotation with the legacy-reading cipher moves legacy secrets into our envelope', async () => {
    const table = 'extension_instance';
    await createAsDrizzle(h, table, 'default');
    const v = MITTHOOKS_VECTORS[0]!;
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) {
      const secret = upstreamMitthooksWrite(Buffer.from(v.derivedKeyHex!, 'hex'), `secret of ${id}`);
      await insertAsDrizzle(h, table, 'default', { id, contextId: 'c', scopes: [], secret });
    }
    const cipher = new LegacyReadingCipher({
      primary: keyring,
      mitthooks: await MitthooksCipher.fromPassword(v.password, v.salt),
    });
    const report = await rotateEncryptedColumns(h.db.store, {
      cipher,
      columns: [{ table, idColumn: 'id', column: 'secret' }],
    });
    expect(report.columns[0]).toMatchObject({ rotated: 2, failed: 0 });
    const keyringOnly = new MitthooksExtensionStorage({
      database: h.db.store,
      keyring,
      logger: silentLogger,
    });
    for (const id of ids) expect((await keyringOnly.getExtension(id))!.secret).toBe(`secret of ${id}`);
  });
});
