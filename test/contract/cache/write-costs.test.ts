import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorageAdapter } from '../../../src/app/kitium/adapters.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../../support/postgres.js';

const hour = 3_600_000;

/**
 * What cached writes send on the PostgreSQL bus (issue 22 item 2): nothing for createSession (its token was
 * just minted: no process can hold an entry for it), one revocation per deleteSession. A second connection
 * LISTENs on the adapter's channel (named as kitium-cache.ts names it: namespace and schema, hashed).
 */
describe.skipIf(databaseUrl() === null)("cached writes on the PostgreSQL bus [cache: 'memory']", () => {
  const schema = freshSchemaName('write_costs');
  const channel = `authkeep_cache_${createHash('sha256').update(`authkeep:\0${schema}`).digest('hex').slice(0, 24)}`;
  const heard: string[] = [];
  let adapter: PostgresStorageAdapter;
  let listener: pg.Client;

  beforeAll(async () => {
    adapter = new PostgresStorageAdapter(databaseUrl()!, { schema, logger: silentLogger, cache: 'memory' });
    await adapter.connect();
    listener = new pg.Client({ connectionString: databaseUrl()! });
    await listener.connect();
    listener.on('notification', (note) => {
      if (note.channel === channel && !(note.payload ?? '').startsWith('{"p":'))
        heard.push(note.payload ?? '');
    });
    await listener.query(`LISTEN ${channel}`);
  });

  afterAll(async () => {
    await listener?.end();
    await adapter?.disconnect();
    await dropSchema(databaseUrl()!, schema);
  });

  /** A NOTIFY sent through the adapter's pool before `marker` is delivered before it (commit order). */
  async function heardUntilMarker(): Promise<string[]> {
    const marker = `{"marker":${Math.random()}}`;
    await listener.query('SELECT pg_notify($1, $2)', [channel, marker]);
    const deadline = Date.now() + 2_000;
    while (!heard.includes(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const seen = heard.splice(0, heard.length);
    expect(seen).toContain(marker);
    return seen.filter((payload) => payload !== marker);
  }

  it('createSession publishes nothing; deleteSession publishes its key', async () => {
    const user = await adapter.createUser({ email: `costs-${Math.random()}@example.com` });
    await heardUntilMarker();
    const sessions = [];
    for (let i = 0; i < 5; i += 1) {
      sessions.push(
        await adapter.createSession({
          userId: user.id,
          entitlements: [],
          expiresAt: new Date(Date.now() + hour),
        }),
      );
    }
    expect(await heardUntilMarker()).toEqual([]);
    await adapter.deleteSession(sessions[0]!.id);
    const revocations = await heardUntilMarker();
    expect(revocations).toHaveLength(1);
    expect(revocations[0]).toMatch(/^\{"k":\["kc2:s:/);
  });
});
