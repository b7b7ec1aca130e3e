import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import type { BetterAuthOptions } from 'better-auth/types';
import {
  authkeepSecondaryStorage,
  type AuthkeepSecondaryStorage,
  type BetterAuthSecondaryStorage,
} from '../../../src/app/better-auth/secondary-storage.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { redisUrl } from '../../support/postgres.js';
import { uniqueNamespace } from '../../contract/cache/cache-contract.js';

/**
 * Real better-auth 1.7.25 flows on authkeepSecondaryStorage, with better-auth's own Kysely adapter on SQLite
 * (a better-sqlite3 Database, tables from better-auth's getMigrations) as the database. Sessions then live in
 * the secondary storage only (storeSessionInDatabase off, better-auth's default).
 */
export const secondaryBackends: { name: string; available: boolean; open(): AuthkeepSecondaryStorage }[] = [
  { name: 'memory', available: true, open: () => authkeepSecondaryStorage({ cache: 'memory' }) },
  {
    name: 'redis',
    available: redisUrl() !== null,
    open: () =>
      authkeepSecondaryStorage({
        cache: redisUrl()!,
        secret: testCacheSecret,
        namespace: uniqueNamespace('ba-flow'),
        tombstoneSeconds: 60,
      }),
  },
];

const password = 'correct horse battery staple';
export const opened: { close(): Promise<void> }[] = [];

export async function makeAuth<const Extra extends Partial<BetterAuthOptions> = object>(
  storage: BetterAuthSecondaryStorage,
  extra: Extra = {} as Extra,
) {
  const sqlite = new Database(':memory:');
  opened.push({ close: async () => void sqlite.close() });
  // Typed as better-auth's option, so the exported return type names no better-sqlite3 type.
  const database: BetterAuthOptions['database'] = sqlite;
  const options = {
    secret: 'better-auth-secondary-flow-secret-0123456789',
    baseURL: 'http://localhost:3000',
    database,
    secondaryStorage: storage,
    emailAndPassword: { enabled: true },
    // Every getSession refreshes the session (better-auth 1.7.25 dist/api/routes/session.mjs: shouldBeUpdated
    // holds when updateAge is 0): the read-then-write path of better-auth#11073's case C.
    session: { updateAge: 0 },
    logger: { disabled: true },
    ...extra,
  } satisfies BetterAuthOptions;
  await (await getMigrations(options)).runMigrations();
  return betterAuth(options);
}

export type Auth = Awaited<ReturnType<typeof makeAuth>>;

/** The request headers of a client holding the session cookie a response set. */
export function clientOf(responseHeaders: Headers): Headers {
  const cookie = responseHeaders
    .getSetCookie()
    .map((entry) => entry.split(';')[0]!)
    .find((pair) => pair.startsWith('better-auth.session_token='));
  if (!cookie) throw new Error('no session cookie in the response');
  return new Headers({ cookie });
}

export async function signUp(auth: { api: Pick<Auth['api'], 'signUpEmail'> }, email: string) {
  const { headers, response } = await auth.api.signUpEmail({
    body: { email, password, name: 'Secondary Flow' },
    returnHeaders: true,
  });
  return { client: clientOf(headers), token: response.token!, userId: response.user.id };
}

export async function signIn(auth: { api: Pick<Auth['api'], 'signInEmail'> }, email: string) {
  const { headers, response } = await auth.api.signInEmail({
    body: { email, password },
    returnHeaders: true,
  });
  return { client: clientOf(headers), token: response.token };
}

/** Closes every storage and database the helpers opened. */
export async function closeOpened(): Promise<void> {
  for (const handle of opened.splice(0)) await handle.close();
}

export interface Hold {
  /** Resolves once the awaited number of calls reached the hold. */
  arrived: Promise<void>;
  release(): void;
}

/**
 * A storage whose calls can be held, to place another request between them: a held `get` has already read and
 * waits before answering; a held `set` waits before writing. The held storage's own methods run unchanged.
 */
export function holdableStorage(storage: BetterAuthSecondaryStorage) {
  const holds = new Map<string, { remaining: number; arrive(): void; gate: Promise<void> }>();
  const wait = async (method: 'get' | 'set', key: string) => {
    const hold = holds.get(`${method}:${key}`);
    if (!hold) return;
    hold.remaining -= 1;
    if (hold.remaining === 0) {
      holds.delete(`${method}:${key}`);
      hold.arrive();
    }
    await hold.gate;
  };
  const held: BetterAuthSecondaryStorage = {
    ...storage,
    async get(key) {
      const value = await storage.get(key);
      await wait('get', key);
      return value;
    },
    async set(key, value, ttl) {
      await wait('set', key);
      return storage.set(key, value, ttl);
    },
  };
  const hold = (method: 'get' | 'set', key: string, calls = 1): Hold => {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    holds.set(`${method}:${key}`, { remaining: calls, arrive, gate });
    return { arrived, release };
  };
  return { storage: held, hold };
}
