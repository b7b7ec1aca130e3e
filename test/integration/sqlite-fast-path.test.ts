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

  it('a read made while a transaction holds the connection waits for it and sees its outcome', async () => {
    const adapter = new SqliteStorageAdapter(':memory:', { logger: silentLogger });
    await adapter.connect();
    const user = await adapter.createUser({ email: 'tx@example.com' });
    let reading: Promise<unknown> | undefined;
    await adapter.sqlStore
      .transaction(
        async (trx) => {
          await trx.updateTable('users').set({ name: 'inside' }).where('id', '=', user.id).execute();
          // Asked mid-transaction: it must not run on the connection the transaction holds.
          reading = adapter.getUser(user.id);
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('rolled back');
        },
        { idempotent: false },
      )
      .catch(() => undefined);
    expect(await reading).toMatchObject({ id: user.id });
    expect(((await reading) as { name?: string }).name).toBeUndefined();
    await adapter.disconnect();
  });
});
