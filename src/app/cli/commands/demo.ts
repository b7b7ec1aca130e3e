import { envValue } from '../../env.js';
import { defineCommand } from '../command.js';
import { DATABASE_FLAGS, openStorage, REDIS_FLAG, refuseMissingSchema } from '../common.js';
import type { CliIo } from '../io.js';

const EMBEDDED = 'the embedded SQLite file ./.authkeep/authkeep.db';

/** `npm start`: a short guided run on the embedded default that shows the main job end to end. */
async function demo(values: { database?: string; schema?: string; redis?: string }, io: CliIo) {
  const redis = values.redis ?? envValue(io.env, 'AUTHKEEP_REDIS_URL');
  // The demo creates its own embedded default; a database you name must exist (see "authkeep migrate").
  const ownDefault = values.database === undefined && envValue(io.env, 'AUTHKEEP_DATABASE_URL') === undefined;
  const storage = openStorage(values, io, { create: ownDefault, fallbackCache: 'memory' });
  const where = (values.database ?? envValue(io.env, 'AUTHKEEP_DATABASE_URL') ?? EMBEDDED).replace(
    /\/\/[^@/]*@/,
    '//',
  );
  const step = (n: number, text: string) => io.out(`${n}. ${text}`);
  const yes = (ok: boolean, good: string, bad: string) => (ok ? good : bad);
  try {
    if (!ownDefault) await refuseMissingSchema(storage, values, io);
    await storage.connect();
    io.out(`authkeep demo on ${where}, with ${redis ? 'Redis' : 'an in-process memory cache'} in front`);
    step(1, 'migrations applied (connect() is idempotent and safe across processes)');

    const email = `demo+${Date.now()}@example.com`;
    const user = await storage.createUser({ email, name: 'Demo User', entitlements: ['demo'] });
    step(2, `created user ${user.id} <${user.email}>`);
    const found = await storage.getUserByEmail(email.toUpperCase());
    step(3, `found them again as ${email.toUpperCase()}: ${yes(found?.id === user.id, 'yes', 'NO')}`);

    const expiresAt = new Date(Date.now() + 3_600_000);
    const session = await storage.createSession({
      userId: user.id,
      entitlements: user.entitlements,
      expiresAt,
    });
    step(4, `created a session until ${expiresAt.toISOString()}; the database keeps only its SHA-256 digest`);
    const first = await storage.getSession(session.id);
    const second = await storage.getSession(session.id);
    step(
      5,
      `read it back twice (the second read is a cache hit): ${yes(!!first && !!second, 'ok', 'MISSING')}`,
    );

    const { record, key } = await storage.createApiKeyWithSecret(user.id, ['read'], 'demo');
    step(
      6,
      `issued API key ${record.prefix}_…${record.lastFour} (id ${record.id}); the plaintext is shown once`,
    );
    const valid = (await storage.verifyApiKeySecret(key))?.id === record.id;
    const forged = (await storage.verifyApiKeySecret(`${key}x`)) === null;
    step(
      7,
      `verified the key: ${yes(valid, 'valid', 'INVALID')}; a wrong key: ${yes(forged, 'rejected', 'ACCEPTED')}`,
    );

    await storage.deleteUser(user.id);
    const sessionGone = (await storage.getSession(session.id)) === null;
    const keyGone = (await storage.verifyApiKeySecret(key)) === null;
    step(
      8,
      `deleted the user: session ${yes(sessionGone, 'gone', 'STILL THERE')}, key ${yes(keyGone, 'revoked', 'STILL VALID')}`,
    );

    const health = await storage.healthCheck();
    io.out(`done: database ${health.status} in ${health.latencyMs.toFixed(1)} ms`);
  } finally {
    await storage.disconnect();
  }
}

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'a guided run: create a user, a session and an API key, then verify the key',
  flags: { ...DATABASE_FLAGS, ...REDIS_FLAG },
  run: demo,
});
