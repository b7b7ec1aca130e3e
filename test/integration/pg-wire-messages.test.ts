import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { bucketOfToken } from '../../src/domain/records/session-bucket.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';

const url = databaseUrl();

/**
 * A loopback proxy in front of PostgreSQL that counts the frontend messages by type (Parse 'P', Bind 'B',
 * Describe 'D', Execute 'E', Sync 'S', Query 'Q'): what a call costs on the wire, end to end.
 */
class MessageCounter {
  readonly counts = new Map<string, number>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: URL): Promise<MessageCounter> {
    const box: { counter?: MessageCounter } = {};
    const server = createServer((client) => box.counter?.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    box.counter = new MessageCounter(server, (server.address() as { port: number }).port);
    return box.counter;
  }

  private accept(client: Socket, target: URL): void {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    this.sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        // The startup packet has no type byte; every later message is a type byte and an int32 length.
        const header = started ? 5 : 4;
        if (pending.length < header) break;
        const length = started ? pending.readInt32BE(1) + 1 : pending.readInt32BE(0);
        if (pending.length < length) break;
        if (started) {
          const type = String.fromCharCode(pending[0]!);
          this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
        }
        started = true;
        pending = pending.subarray(length);
      }
    });
    upstream.on('data', (chunk) => client.write(chunk));
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  }

  reset(): void {
    this.counts.clear();
  }

  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe.skipIf(!url)('PostgreSQL hot path on the wire', () => {
  const schema = freshSchemaName('wire');
  let counter: MessageCounter;
  let adapter: PostgresStorageAdapter;

  beforeAll(async () => {
    counter = await MessageCounter.start(new URL(url!));
    const target = new URL(url!);
    target.host = `127.0.0.1:${counter.port}`;
    // One connection, so every call below meets the statements the earlier ones prepared.
    adapter = new PostgresStorageAdapter(target.toString(), { schema, max: 1, logger: silentLogger });
    await adapter.connect();
  });

  afterAll(async () => {
    await adapter?.disconnect();
    await counter?.stop();
    await dropSchema(url!, schema);
  });

  it('a repeated read is Bind, Execute and Sync only: no Parse, no Describe, and the same record', async () => {
    const user = await adapter.createUser({ email: 'wire@example.com', name: 'W', entitlements: ['a'] });
    const first = await adapter.getUserByEmail('wire@example.com');
    expect(first).toEqual(user);
    counter.reset();
    for (let i = 0; i < 5; i++) {
      expect(await adapter.getUserByEmail('wire@example.com')).toEqual(user);
      expect(await adapter.getUser(user.id)).toEqual(user);
    }
    // getUser's statement was new on this connection: its first run is the only Parse and Describe.
    expect({ P: counter.count('P'), D: counter.count('D'), Q: counter.count('Q') }).toEqual({
      P: 1,
      D: 1,
      Q: 0,
    });
    expect({ B: counter.count('B'), E: counter.count('E'), S: counter.count('S') }).toEqual({
      B: 10,
      E: 10,
      S: 10,
    });
  });

  it('statements without rows (insert, delete) are described once too, and still report what they did', async () => {
    const user = await adapter.createUser({ email: 'rows@example.com' });
    const expiresAt = new Date(Date.now() + 60_000);
    // The first session of a bucket goes through the parent; once its partition is seen, straight to it.
    for (let i = 0; i < 2; i++) {
      const warm = await adapter.createSession({ userId: user.id, entitlements: [], expiresAt });
      await adapter.getSession(warm.id);
      await adapter.deleteSession(warm.id);
    }
    counter.reset();
    const sessions = [];
    for (let i = 0; i < 3; i++) {
      sessions.push(
        await adapter.createSession({
          userId: user.id,
          entitlements: ['x'],
          expiresAt: new Date(Date.now() + 60_000),
        }),
      );
    }
    for (const session of sessions) {
      expect(await adapter.getSession(session.id)).toMatchObject({ userId: user.id, entitlements: ['x'] });
      await adapter.deleteSession(session.id);
      expect(await adapter.getSession(session.id)).toBeNull();
    }
    expect({ P: counter.count('P'), D: counter.count('D') }).toEqual({ P: 0, D: 0 });
  });

  it('a session is created in a bucket whose partition another process dropped after this one wrote there', async () => {
    const expiresAt = new Date(Date.now() + 40 * 86_400_000);
    const first = await adapter.createSession({ userId: 'p', entitlements: [], expiresAt });
    await adapter.createSession({ userId: 'p', entitlements: [], expiresAt });
    await withClient(url!, schema, (client) =>
      client.query(`drop table sessions_b${bucketOfToken(first.id)}`),
    );
    const again = await adapter.createSession({ userId: 'p', entitlements: ['y'], expiresAt });
    expect(bucketOfToken(again.id)).toBe(bucketOfToken(first.id));
    expect(await adapter.getSession(again.id)).toMatchObject({ userId: 'p', entitlements: ['y'] });
    expect(await adapter.getSession(first.id)).toBeNull();
  });
});

describe.skipIf(!url)("pooler: 'transaction' on the wire", () => {
  const schema = freshSchemaName('wirepool');
  let counter: MessageCounter;
  let adapter: PostgresStorageAdapter;

  beforeAll(async () => {
    counter = await MessageCounter.start(new URL(url!));
    const target = new URL(url!);
    target.host = `127.0.0.1:${counter.port}`;
    adapter = new PostgresStorageAdapter(target.toString(), {
      schema,
      pooler: 'transaction',
      logger: silentLogger,
    });
    await adapter.connect();
  });

  afterAll(async () => {
    await adapter?.disconnect();
    await counter?.stop();
    await dropSchema(url!, schema);
  });

  it('a lone statement and its settings are one exchange: one Sync, no begin or commit', async () => {
    const user = await adapter.createUser({ email: 'pool@example.com' });
    counter.reset();
    for (let i = 0; i < 4; i++) expect(await adapter.getUserByEmail('pool@example.com')).toEqual(user);
    // Per call: the settings' Parse, Bind, Execute, then the statement's with its Describe; one Sync.
    expect(Object.fromEntries(['Q', 'P', 'B', 'D', 'E', 'S'].map((t) => [t, counter.count(t)]))).toEqual({
      Q: 0,
      P: 8,
      B: 8,
      D: 4,
      E: 8,
      S: 4,
    });
  });
});
