import type { AdapterAccount } from '@auth/core/adapters';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpcWorker } from '../support/ipc-worker.js';
import { databaseUrl, redisUrl } from '../support/postgres.js';
import { openVariant, TABLES, type AuthjsVariant, type OpenedAuthjs } from './support/backends.js';
import { createUser, inHours, newAccount } from './support/records.js';

const WORKER = fileURLToPath(new URL('./support/authjs-worker.ts', import.meta.url));
/** The in-process tier's lease (LocalTierSettings.leaseMs default): its bound on serving a revoked entry. */
const LEASE_MS = 1_000;
const SLACK_MS = 50;

type Seen = { name: string | null; expires: string } | null;

/** A child process with an adapter of its own over the same database and cache. */
class Worker extends IpcWorker {
  static async start(options: object): Promise<Worker> {
    return new Worker(await IpcWorker.forkReady(WORKER, options, 'authjs worker'), 'authjs worker');
  }

  read(token: string): Promise<Seen> {
    return this.run<Seen>({ op: 'read', token });
  }

  /** Reads until `done` holds or the lease (plus slack) has passed since the call; returns the last read. */
  async readUntil(token: string, done: (seen: Seen) => boolean): Promise<{ seen: Seen; afterMs: number }> {
    const start = performance.now();
    for (;;) {
      const seen = await this.read(token);
      const afterMs = performance.now() - start;
      if (done(seen) || afterMs > LEASE_MS + SLACK_MS) return { seen, afterMs };
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

const cases: { name: string; variant: AuthjsVariant; extra?: object }[] = [
  {
    name: 'Redis with in-process tiers (bus: Redis pub/sub)',
    variant: {
      name: 'pg',
      dialect: 'postgres',
      tables: 'pg-adapter',
      hashSessionTokens: true,
      cache: 'redis+local',
    },
  },
  {
    name: "cache: 'memory' (bus: PostgreSQL LISTEN/NOTIFY)",
    variant: {
      name: 'pg',
      dialect: 'postgres',
      tables: 'kysely-adapter',
      hashSessionTokens: false,
      cache: 'off',
    },
    extra: { cache: 'memory' },
  },
];

for (const { name, variant, extra } of cases) {
  const usable = databaseUrl() !== null && (variant.cache === 'off' || redisUrl() !== null);
  describe.skipIf(!usable)(`revocation across processes [${name}]`, () => {
    let opened: OpenedAuthjs;
    const workers: Worker[] = [];

    beforeAll(async () => {
      opened = await openVariant(variant, 'authjs-procs', extra);
      const { logger: _logger, ...options } = opened.options;
      workers.push(...(await Promise.all([1, 2].map(() => Worker.start(options)))));
      for (const worker of workers) await warmUp(worker);
    });

    /** A tier with a bus serves nothing until its subscription is live and a heartbeat came back: wait for that. */
    async function warmUp(worker: Worker): Promise<void> {
      const user = await createUser(opened.adapter, { name: 'warm' });
      const token = randomUUID();
      await opened.adapter.createSession({ sessionToken: token, userId: user.id, expires: inHours(1) });
      const id = variant.tables === 'pg-adapter' ? Number(user.id) : user.id;
      const users = TABLES[variant.tables].users;
      for (let attempt = 0; attempt < 100; attempt += 1) {
        await opened.raw(`update "${users}" set name = 'warm' where id = $1`, [id]);
        await opened.adapter.updateUser({ id: user.id, name: 'warm' });
        await worker.read(token);
        await opened.raw(`update "${users}" set name = 'cold' where id = $1`, [id]);
        if ((await worker.read(token))?.name === 'warm') return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the worker in-process tier never became usable');
    }

    afterAll(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await opened?.cleanup();
    });

    /**
     * Both children cache the session; a direct SQL rename (no invalidation) proves they serve it from their
     * tier; then `revoke` runs in this process, and each child must see the database within the lease.
     */
    async function revokedAcross(
      revoke: (ids: { userId: string; token: string; account: AdapterAccount }) => Promise<unknown>,
    ) {
      const user = await createUser(opened.adapter, { name: 'before' });
      const token = randomUUID();
      await opened.adapter.createSession({ sessionToken: token, userId: user.id, expires: inHours(1) });
      const account = newAccount(user.id);
      await opened.adapter.linkAccount(account);
      const users = TABLES[variant.tables].users;
      const id = variant.tables === 'pg-adapter' ? Number(user.id) : user.id;
      // createSession's own invalidation may reach a child after its first fill (harmless, but it empties
      // the entry): fill and check again until every child serves the stale name from its tier.
      let cached = false;
      for (let attempt = 0; attempt < 40 && !cached; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
        await opened.raw(`update "${users}" set name = 'before' where id = $1`, [id]);
        for (const worker of workers) expect((await worker.read(token))?.name).toBe('before');
        await opened.raw(`update "${users}" set name = 'changed in SQL' where id = $1`, [id]);
        const names = await Promise.all(workers.map(async (worker) => (await worker.read(token))?.name));
        cached = names.every((name) => name === 'before');
      }
      expect(cached).toBe(true);
      await revoke({ userId: user.id, token, account });
      return workers.map((worker) => ({ worker, token }));
    }

    it('deleteSession: other processes stop serving the session', async () => {
      const seen = await revokedAcross(({ token }) => opened.adapter.deleteSession(token));
      for (const { worker, token } of seen) {
        const { seen: last, afterMs } = await worker.readUntil(token, (s) => s === null);
        expect(last).toBeNull();
        expect(afterMs).toBeLessThanOrEqual(LEASE_MS + SLACK_MS);
      }
    });

    it('updateSession: other processes read the new expiry', async () => {
      const expires = inHours(30);
      const seen = await revokedAcross(({ token }) =>
        opened.adapter.updateSession({ sessionToken: token, expires }),
      );
      for (const { worker, token } of seen) {
        const { seen: last } = await worker.readUntil(token, (s) => s?.expires === expires.toISOString());
        expect(last).toEqual({ name: 'changed in SQL', expires: expires.toISOString() });
      }
    });

    it('deleteUser: other processes stop serving every session of the user', async () => {
      const seen = await revokedAcross(({ userId }) => opened.adapter.deleteUser(userId));
      for (const { worker, token } of seen) {
        expect((await worker.readUntil(token, (s) => s === null)).seen).toBeNull();
      }
    });

    it('unlinkAccount: other processes drop the user cached entries', async () => {
      const seen = await revokedAcross(({ account }) => opened.adapter.unlinkAccount(account));
      for (const { worker, token } of seen) {
        const { seen: last } = await worker.readUntil(token, (s) => s?.name === 'changed in SQL');
        expect(last?.name).toBe('changed in SQL');
      }
    });
  });
}
