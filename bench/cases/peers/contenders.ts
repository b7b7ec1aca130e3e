import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { KyselyAdapter } from '@auth/kysely-adapter';
import { betterAuth, generateId } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PostgresStorageAdapter, silentLogger } from '../../../src/index.js';
import type { Op } from '../../harness.js';
import { authkeepToken, emailOf, pickers, userIdOf, type PeerData } from './data.js';
import { seedAuthjs, seedAuthkeep, seedBetterAuth } from './schemas.js';

export const POOL = 10;
export type Operation =
  'getSession' | 'getSessionAndUser' | 'getUserById' | 'getUserByEmail' | 'createSession' | 'deleteSession';

/** One contender: its operations (absent where its API has no such call) and how to let go of it. */
export interface Contender {
  name: string;
  ops: Partial<Record<Operation, Op>>;
  close(): Promise<void>;
}

const found = <T>(value: T | null | undefined, what: string): T => {
  if (value === null || value === undefined) throw new Error(`bench: a seeded ${what} was not found`);
  return value;
};
const expiresAt = () => new Date(Date.now() + 86_400_000);
/** authkeep's stored key of a token: its SHA-256, 32 bytes. */
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();
const poolIn = (url: string, schema: string) =>
  new pg.Pool({ connectionString: url, max: POOL, options: `-c search_path=${schema}` });

async function seedWith(pool: pg.Pool, seed: (c: pg.ClientBase) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await seed(client);
    await client.query('analyze');
  } finally {
    client.release();
  }
}

export async function authkeep(url: string, schema: string, d: PeerData): Promise<Contender> {
  const adapter = new PostgresStorageAdapter(url, { schema, max: POOL, logger: silentLogger });
  await adapter.connect();
  // The seeded sessions' bucket gets its partition the way production's first login of the day makes it.
  const made = await adapter.createSession({ userId: 'seed', entitlements: [], expiresAt: expiresAt() });
  if (!made.id.endsWith(authkeepToken(d, '')))
    throw new Error('bench: the seed bucket is not the one authkeep uses');
  await adapter.deleteSession(made.id);
  const seeder = poolIn(url, schema);
  await seedWith(seeder, (c) => seedAuthkeep(c, d));
  await seeder.end();
  const p = pickers(d);
  return {
    name: 'authkeep',
    ops: {
      getSession: async () => found(await adapter.getSession(authkeepToken(d, p.readToken())), 'session'),
      getSessionAndUser: async () => {
        const session = found(await adapter.getSession(authkeepToken(d, p.readToken())), 'session');
        return { session, user: found(await adapter.getUser(session.userId), 'user') };
      },
      getUserById: async () => found(await adapter.getUser(userIdOf(d, p.userIndex())), 'user'),
      getUserByEmail: async () => found(await adapter.getUserByEmail(emailOf(p.userIndex())), 'user'),
      createSession: () =>
        adapter.createSession({
          userId: userIdOf(d, p.userIndex()),
          entitlements: [],
          expiresAt: expiresAt(),
        }),
      deleteSession: () => adapter.deleteSession(authkeepToken(d, p.deleteToken())),
    },
    close: () => adapter.disconnect(),
  };
}

/**
 * The floor: pg named statements on authkeep's own tables (sessions: the unpartitioned copy, `sessions_flat`),
 * rows mapped to the same records by hand.
 */
export function rawPg(url: string, schema: string, d: PeerData): Contender {
  const pool = poolIn(url, schema);
  const p = pickers(d);
  const one = async (name: string, text: string, value: string | Buffer) =>
    (await pool.query({ name, text, values: [value] })).rows[0];
  const session = (token: string, row: any) => ({
    id: token,
    userId: row.user_id,
    entitlements: row.entitlements,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
  const user = (row: any) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    entitlements: row.entitlements,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
  return {
    name: 'pg',
    ops: {
      getSession: async () => {
        const token = authkeepToken(d, p.readToken());
        const row = found(
          await one('s', 'select * from sessions_flat where id = $1', sha256(token)),
          'session',
        );
        return session(token, row);
      },
      getSessionAndUser: async () => {
        const token = authkeepToken(d, p.readToken());
        const text =
          'select s.user_id, s.entitlements, s.expires_at, s.created_at, s.updated_at, u.id as u_id, ' +
          'u.email as u_email, u.name as u_name, u.entitlements as u_entitlements, u.created_at as u_created_at, ' +
          'u.updated_at as u_updated_at from sessions_flat s join users u on u.id = s.user_id where s.id = $1';
        const row = found(await one('su', text, sha256(token)), 'session');
        const u = Object.fromEntries(
          Object.entries(row)
            .filter(([k]) => k.startsWith('u_'))
            .map(([k, v]) => [k.slice(2), v]),
        );
        return { session: session(token, row), user: user(u) };
      },
      getUserById: async () =>
        user(found(await one('u', 'select * from users where id = $1', userIdOf(d, p.userIndex())), 'user')),
      getUserByEmail: async () =>
        user(
          found(
            await one('e', 'select * from users where email_normalized = $1', emailOf(p.userIndex())),
            'user',
          ),
        ),
      createSession: async () => {
        const token = authkeepToken(d, randomBytes(32).toString('base64url'));
        const now = new Date();
        await pool.query({
          name: 'c',
          text: 'insert into sessions_flat (id, bucket, user_id, entitlements, expires_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7)',
          values: [sha256(token), d.bucket, userIdOf(d, p.userIndex()), [], expiresAt(), now, now],
        });
        return token;
      },
      deleteSession: () =>
        pool.query({
          name: 'd',
          text: 'delete from sessions_flat where id = $1',
          values: [sha256(authkeepToken(d, p.deleteToken()))],
        }),
    },
    close: () => pool.end(),
  };
}

/** Auth.js's KyselyAdapter as an Auth.js app wires it (one Kysely over a pg pool). */
export async function authjs(url: string, schema: string, d: PeerData): Promise<Contender> {
  const pool = poolIn(url, schema);
  await seedWith(pool, (c) => seedAuthjs(c, d));
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  const adapter = KyselyAdapter(db);
  const p = pickers(d);
  return {
    name: '@auth/kysely-adapter',
    ops: {
      // Auth.js reads a session only together with its user (getSessionAndUser): no plain getSession.
      getSessionAndUser: async () => found(await adapter.getSessionAndUser!(p.readToken()), 'session'),
      getUserById: async () => found(await adapter.getUser!(userIdOf(d, p.userIndex())), 'user'),
      getUserByEmail: async () => found(await adapter.getUserByEmail!(emailOf(p.userIndex())), 'user'),
      // Auth.js core makes the token (randomUUID) and hands the row to the adapter.
      createSession: async () =>
        adapter.createSession!({
          sessionToken: randomUUID(),
          userId: userIdOf(d, p.userIndex()),
          expires: expiresAt(),
        }),
      deleteSession: async () => adapter.deleteSession!(p.deleteToken()),
    },
    close: () => db.destroy(),
  };
}

/**
 * better-auth over Kysely: `ctx.adapter` is its Kysely adapter (the port better-auth's internals call);
 * session+user is `internalAdapter.findSession`, what better-auth runs to resolve a request's session.
 */
export async function betterAuthContender(url: string, schema: string, d: PeerData): Promise<Contender> {
  const pool = poolIn(url, schema);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  const options = {
    database: { db, type: 'postgres' as const },
    secret: randomBytes(32).toString('hex'),
    baseURL: 'http://localhost:3000',
    telemetry: { enabled: false },
    logger: { disabled: true },
  };
  await (await getMigrations(options)).runMigrations();
  await seedWith(pool, (c) => seedBetterAuth(c, d));
  const ctx = await betterAuth(options).$context;
  const adapter = ctx.adapter;
  const p = pickers(d);
  const eq = (field: string, value: string) => [{ field, value }];
  return {
    name: 'better-auth',
    ops: {
      getSession: async () =>
        found(await adapter.findOne({ model: 'session', where: eq('token', p.readToken()) }), 'session'),
      getSessionAndUser: async () => found(await ctx.internalAdapter.findSession(p.readToken()), 'session'),
      getUserById: async () =>
        found(await adapter.findOne({ model: 'user', where: eq('id', userIdOf(d, p.userIndex())) }), 'user'),
      getUserByEmail: async () =>
        found(await adapter.findOne({ model: 'user', where: eq('email', emailOf(p.userIndex())) }), 'user'),
      // The row better-auth's internal adapter writes for a new session (token: generateId(32)).
      createSession: () => {
        const now = new Date();
        return adapter.create({
          model: 'session',
          data: {
            token: generateId(32),
            userId: userIdOf(d, p.userIndex()),
            expiresAt: expiresAt(),
            createdAt: now,
            updatedAt: now,
            ipAddress: '',
            userAgent: '',
          },
        });
      },
      deleteSession: () => adapter.delete({ model: 'session', where: eq('token', p.deleteToken()) }),
    },
    close: () => db.destroy(),
  };
}
