import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { kitiumMigrations } from '../../migrations/index.js';
import { AesGcmKeyring } from '../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { columnCipher } from '../../src/adapters/kysely/sealing/encrypted-columns.js';
import { runMigrations, type SqlStore } from '../../src/adapters/kysely/index.js';
import type { CipherPort } from '../../src/ports/cipher.js';
import type { Logger } from '../../src/ports/system.js';

/** Two keys as the env holds them: `old` (k1 alone, before rotation) and `rotated` (k2 active, k1 kept). */
export function testKeys() {
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');
  return {
    k1,
    k2,
    oldEnv: `k1:${k1}`,
    rotatedEnv: `k2:${k2},k1:${k1}`,
    newOnlyEnv: `k2:${k2}`,
    old: new AesGcmKeyring({ keys: `k1:${k1}` }),
    rotated: new AesGcmKeyring({ keys: `k2:${k2},k1:${k1}` }),
    newOnly: new AesGcmKeyring({ keys: `k2:${k2}` }),
  };
}

/** The plaintext each seeded row holds, derived from its id so a test needs no map of 10,000 entries. */
export const totpSecretOf = (id: string) => `TOTP-${id.toUpperCase()}-✓`;
export const ssoTokenOf = (id: string) => `sso-token-${id}`;

export async function migrateKitium(store: SqlStore, logger: Logger): Promise<void> {
  await runMigrations(store, kitiumMigrations, {
    dialect: store.dialect,
    codec: store.codec,
    logger,
    digestToken: (token) => token,
  });
}

export interface SeedCounts {
  devices: number;
  /** Devices without a secret (SMS): NULL values, which rotation must ignore. */
  nullDevices?: number;
  ssoSessions: number;
}

/** Inserts encrypted rows with `cipher` (ids are UUIDv7), in chunks of 500 rows per statement. */
export async function seedEncryptedRows(store: SqlStore, cipher: CipherPort, counts: SeedCounts) {
  const secrets = columnCipher(cipher, 'twofa_devices', 'secret');
  const tokens = columnCipher(cipher, 'sso_sessions', 'session_token');
  const devices = Array.from({ length: counts.devices + (counts.nullDevices ?? 0) }, (_, i) => {
    const id = uuidv7();
    const secret = i < counts.devices ? secrets.write(id, totpSecretOf(id)) : null;
    return { id, user_id: `user-${i % 97}`, method: secret ? 'totp' : 'sms', secret };
  });
  const expires = store.codec.timestamp(new Date(Date.now() + 86_400_000));
  const sessions = Array.from({ length: counts.ssoSessions }, (_, i) => {
    const id = uuidv7();
    return {
      id,
      user_id: `user-${i % 97}`,
      provider_id: 'provider-1',
      provider_type: 'oidc',
      provider_subject: `subject-${i}`,
      session_token: tokens.write(id, ssoTokenOf(id)),
      expires_at: expires,
    };
  });
  for (let i = 0; i < devices.length; i += 500) {
    await store.db
      .insertInto('twofa_devices')
      .values(devices.slice(i, i + 500))
      .execute();
  }
  for (let i = 0; i < sessions.length; i += 500) {
    await store.db
      .insertInto('sso_sessions')
      .values(sessions.slice(i, i + 500))
      .execute();
  }
}

export interface StoredValue {
  table: 'twofa_devices' | 'sso_sessions';
  id: string;
  value: string | null;
}

/** Every encrypted value as stored, in id order. */
export async function storedValues(store: SqlStore): Promise<StoredValue[]> {
  const devices = await store.db.selectFrom('twofa_devices').select(['id', 'secret']).orderBy('id').execute();
  const sessions = await store.db
    .selectFrom('sso_sessions')
    .select(['id', 'session_token'])
    .orderBy('id')
    .execute();
  return [
    ...devices.map((r) => ({
      table: 'twofa_devices' as const,
      id: r.id as string,
      value: r.secret as string | null,
    })),
    ...sessions.map((r) => ({
      table: 'sso_sessions' as const,
      id: r.id as string,
      value: r.session_token as string | null,
    })),
  ];
}

/** Decrypts every stored value with `cipher` and checks it against the seeded plaintext; returns key-id counts. */
export function checkAllReadable(values: StoredValue[], cipher: CipherPort): Record<string, number> {
  const secrets = columnCipher(cipher, 'twofa_devices', 'secret');
  const tokens = columnCipher(cipher, 'sso_sessions', 'session_token');
  const keyIds: Record<string, number> = {};
  for (const { table, id, value } of values) {
    if (value === null) continue;
    const codec = table === 'twofa_devices' ? secrets : tokens;
    const expected = table === 'twofa_devices' ? totpSecretOf(id) : ssoTokenOf(id);
    const plaintext = codec.read(id, value);
    if (plaintext !== expected) throw new Error(`row ${table}/${id} decrypted to something else`);
    const keyId = cipher.keyIdOf(value) ?? 'none';
    keyIds[keyId] = (keyIds[keyId] ?? 0) + 1;
  }
  return keyIds;
}
