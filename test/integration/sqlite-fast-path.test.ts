import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuthkeepError, SqliteStorageAdapter, silentLogger } from '../../src/index.js';

/** The hot reads on SQLite run synchronously when the connection is free; what a caller sees must not change. */
describe('SQLite hot path', () => {
  it('a failing read is still a rejected promise with a typed error, never a synchronous throw', async () => {
    const db = new Database(':memory:');
    const adapter = new SqliteStorageAdapter(db, { logger: silentLogger });
    await adapter.connect();
    const user = await adapter.createUser({ email: 'fast@example.com' });
    expect(await adapter.getUserByEmail('fast@example.com')).toEqual(user);
    db.exec('drop table users');
    let pending: Promise<unknown> | undefined;
    expect(() => (pending = adapter.getUserByEmail('fast@example.com'))).not.toThrow();
    const error = await pending!.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthkeepError);
    expect((error as AuthkeepError).code).toBe('internal');
    await adapter.disconnect();
    db.close();
  });

  it('a session or user row that cannot be read is a rejected integrity error, never a synchronous throw', async () => {
    const db = new Database(':memory:');
    const adapter = new SqliteStorageAdapter(db, { logger: silentLogger });
    await adapter.connect();
    const user = await adapter.createUser({ email: 'corrupt@example.com' });
    const session = await adapter.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(await adapter.getSession(session.id)).toEqual(session);
    db.exec(`update sessions set entitlements = 'not json'; update users set created_at = 'not a date'`);
    for (const read of [() => adapter.getSession(session.id), () => adapter.getUserByEmail(user.email!)]) {
      let pending: Promise<unknown> | undefined;
      expect(() => (pending = read())).not.toThrow();
      const error = await pending!.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AuthkeepError);
      expect((error as AuthkeepError).code).toBe('integrity');
    }
    await adapter.disconnect();
    db.close();
  });

  it('a read made while a transaction holds the connection waits for it and sees its outcome', async () => {
    const adapter = new SqliteStorageAdapter(':memory:', { logger: silentLogger });
    await adapter.connect();
    const user = await adapter.createUser({ email: 'tx@example.com' });
    const session = await adapter.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + 60_000),
    });
    let reading: Promise<unknown> | undefined;
    let readingSession: Promise<unknown> | undefined;
    await adapter.sqlStore
      .transaction(
        async (trx) => {
          await trx.updateTable('users').set({ name: 'inside' }).where('id', '=', user.id).execute();
          await trx.deleteFrom('sessions').execute();
          // Asked mid-transaction: it must not run on the connection the transaction holds.
          reading = adapter.getUser(user.id);
          readingSession = adapter.getSession(session.id);
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('rolled back');
        },
        { idempotent: false },
      )
      .catch(() => undefined);
    expect(await reading).toMatchObject({ id: user.id });
    expect(((await reading) as { name?: string }).name).toBeUndefined();
    expect(await readingSession).toEqual(session);
    await adapter.disconnect();
  });
});
