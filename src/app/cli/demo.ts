import { DATABASE_OPTION, openStorage, parse } from './common.js';
import type { CliIo } from './io.js';

/** `npm start`: a short guided run on the embedded default that shows the main job end to end. */
export async function demoCommand(argv: string[], io: CliIo): Promise<void> {
  const { values } = parse(argv, DATABASE_OPTION);
  const storage = openStorage(values.database, io);
  const step = (n: number, text: string) => io.out(`${n}. ${text}`);
  try {
    await storage.connect();
    io.out(
      `authkeep demo on ${values.database ?? io.env.AUTHKEEP_DATABASE_URL ?? 'the embedded SQLite file ./.authkeep/authkeep.db'}`,
    );
    step(1, 'migrations applied (connect() is idempotent and safe across processes)');
    const email = `demo+${Date.now()}@example.com`;
    const user = await storage.createUser({ email, name: 'Demo User', entitlements: ['demo'] });
    step(2, `created user ${user.id} <${user.email}>`);
    const found = await storage.getUserByEmail(email.toUpperCase());
    step(
      3,
      `found the user again by ${email.toUpperCase()} (emails match case-insensitively): ${found?.id === user.id}`,
    );
    const session = await storage.createSession({
      userId: user.id,
      entitlements: user.entitlements,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    step(
      4,
      `created a session expiring ${session.expiresAt.toISOString()} (only its SHA-256 digest is stored)`,
    );
    step(
      5,
      `read the session back: ${(await storage.getSession(session.id))?.userId === user.id ? 'ok' : 'MISSING'}`,
    );
    const { record, key } = await storage.createApiKeyWithSecret(user.id, ['read'], 'demo');
    step(
      6,
      `issued API key ${record.prefix}_…${record.lastFour} (id ${record.id}); the plaintext is shown once`,
    );
    const verified = await storage.verifyApiKeySecret(key);
    step(
      7,
      `verified the key: ${verified?.id === record.id ? 'valid' : 'INVALID'}; a wrong key: ${(await storage.verifyApiKeySecret(`${key}x`)) === null ? 'rejected' : 'ACCEPTED'}`,
    );
    await storage.deleteUser(user.id);
    step(
      8,
      `deleted the user; their session is ${(await storage.getSession(session.id)) === null ? 'gone' : 'STILL THERE'} and their key ${(await storage.verifyApiKeySecret(key)) === null ? 'revoked' : 'STILL VALID'}`,
    );
    const health = await storage.healthCheck();
    io.out(`done: database ${health.status} in ${health.latencyMs.toFixed(1)} ms`);
  } finally {
    await storage.disconnect();
  }
}
