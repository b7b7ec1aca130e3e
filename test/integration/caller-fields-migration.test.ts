import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { LegacyReadingCipher } from '../../src/adapters/crypto/legacy/legacy-cipher.js';
import { rotateEncryptedColumns } from '../../src/adapters/kysely/sealing/key-rotation.js';
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  silentLogger,
  type KitiumAdapterOptions,
  type KitiumStorageAdapter,
} from '../../src/index.js';
import { EXTRA_FIELD_TABLES } from '../../migrations/0006_caller_fields.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';

const DEVICE_COLUMNS = [
  'sealed_metadata',
  'backup_codes_used',
  'verification_code',
  'verification_code_expires_at',
];

interface Backend {
  name: string;
  available: boolean;
  open(options: KitiumAdapterOptions): KitiumStorageAdapter;
  cleanup(): Promise<void>;
}

function backends(): Backend[] {
  const dir = mkdtempSync(join(tmpdir(), 'authkeep-0006-'));
  const url = databaseUrl();
  const schema = freshSchemaName('caller_fields');
  return [
    {
      name: 'sqlite file',
      available: true,
      open: (options) =>
        new SqliteStorageAdapter(`sqlite:${join(dir, 'auth.db')}`, { logger: silentLogger, ...options }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    },
    {
      name: 'postgres',
      available: url !== null,
      open: (options) =>
        new PostgresStorageAdapter(url as string, { schema, logger: silentLogger, ...options }),
      cleanup: () => dropSchema(url as string, schema),
    },
  ];
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(
    `migration 0006: two-factor metadata moves to its sealed column [${backend.name}]`,
    () => {
      afterAll(() => backend.cleanup());

      it('keeps metadata written before it readable (legacy plaintext reader), and key rotation seals it', async () => {
        const keyring = new AesGcmKeyring({ keys: `k1:${randomBytes(32).toString('base64')}` });
        // A database as it was before 0006: the columns absent, metadata in clear in the JSON column.
        const before = backend.open({ cipher: keyring });
        await before.connect();
        const db = before.sqlStore.db;
        for (const table of EXTRA_FIELD_TABLES)
          await db.schema.alterTable(table).dropColumn('extra').execute();
        for (const column of DEVICE_COLUMNS)
          await db.schema.alterTable('twofa_devices').dropColumn(column).execute();
        await db.deleteFrom('auth_migrations').where('id', '=', 'authkeep_0006_caller_fields').execute();
        const metadata = { tempSecret: 'LEGACYTEMPSECRET', n: 1 };
        const json =
          before.sqlStore.dialect === 'postgres'
            ? sql`${JSON.stringify(metadata)}::jsonb`
            : JSON.stringify(metadata);
        await sql`insert into twofa_devices (id, user_id, method, verified, metadata, created_at)
        values ('old-device', 'u1', 'totp', ${before.sqlStore.codec.bool(false)}, ${json},
        ${before.sqlStore.codec.timestamp(new Date())})`.execute(db);
        await before.disconnect();

        const legacy = new LegacyReadingCipher({ primary: keyring, plaintext: 'allow' });
        const adopting = backend.open({ cipher: legacy });
        await adopting.connect();
        expect((await adopting.getTwoFactorDevice('old-device'))?.metadata).toEqual(metadata);
        const row = await adopting.sqlStore.db
          .selectFrom('twofa_devices')
          .select(['metadata', 'sealed_metadata'])
          .where('id', '=', 'old-device')
          .executeTakeFirstOrThrow();
        expect(row.metadata).toBeNull();
        const report = await rotateEncryptedColumns(adopting.sqlStore, {
          columns: [{ table: 'twofa_devices', idColumn: 'id', column: 'sealed_metadata' }],
          cipher: legacy,
        });
        expect(report.failures).toEqual([]);
        await adopting.disconnect();

        // Sealed: a plain keyring reads it, and the clear text is gone.
        const sealed = backend.open({ cipher: keyring });
        await sealed.connect();
        expect((await sealed.getTwoFactorDevice('old-device'))?.metadata).toEqual(metadata);
        const raw = await sealed.sqlStore.db.selectFrom('twofa_devices').selectAll().execute();
        expect(JSON.stringify(raw)).not.toContain('LEGACYTEMPSECRET');
        await sealed.disconnect();
      });
    },
  );
}
