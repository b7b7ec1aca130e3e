import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { MitthooksExtensionStorage } from '../../../src/app/mitthooks/index.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../../support/postgres.js';

const url = databaseUrl();
const keyring = new AesGcmKeyring({ keys: [{ id: 'k1', key: randomBytes(32) }] });

describe.skipIf(!url)('mitthooks storage under concurrent calls [postgres]', () => {
  const schema = freshSchemaName('mitthooks-concurrency');
  const opened: MitthooksExtensionStorage[] = [];
  const open = () => {
    const storage = new MitthooksExtensionStorage({
      database: url as string,
      connection: { schema, max: 4, statementTimeoutMs: 60_000 },
      keyring,
      logger: silentLogger,
    });
    opened.push(storage);
    return storage;
  };

  afterAll(async () => {
    await Promise.all(opened.map((storage) => storage.close()));
    await dropSchema(url as string, schema);
  });

  it('processes starting at once create the enum and table once, and all of them work', async () => {
    const storages = Array.from({ length: 6 }, open);
    const ids = storages.map(() => randomUUID());
    await Promise.all(
      storages.map((storage, i) =>
        storage.upsertExtension({
          extensionInstanceId: ids[i]!,
          contextId: 'c',
          consentedScopes: [],
          secret: `s${i}`,
        }),
      ),
    );
    for (const [i, id] of ids.entries()) expect((await storages[0]!.getExtension(id))!.secret).toBe(`s${i}`);
  });

  it('concurrent adds and rotations of one instance leave one coherent row', async () => {
    const storages = [open(), open(), open()];
    const id = randomUUID();
    const writes = Array.from({ length: 30 }, (_, i) => {
      const storage = storages[i % storages.length]!;
      return i % 3 === 2
        ? storage.rotateSecret(id, `rotated-${i}`).catch(() => undefined) // may run before the first add
        : storage.upsertExtension({
            extensionInstanceId: id,
            contextId: `ctx-${i}`,
            consentedScopes: [`scope-${i}`],
            secret: `added-${i}`,
          });
    });
    await Promise.all(writes);
    const row = await storages[0]!.getExtension(id);
    expect(row).not.toBeNull();
    // Each upsert writes its context id and scopes in one statement: they always belong together.
    const writer = row!.contextId.slice('ctx-'.length);
    expect(row!.consentedScopes).toEqual([`scope-${writer}`]);
    expect(row!.secret).toMatch(/^(added|rotated)-\d+$/);
  });
});
