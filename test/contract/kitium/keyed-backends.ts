import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { type KitiumAdapterOptions, type KitiumStorageAdapter } from '../../../src/index.js';
import {
  databaseBackends,
  describeKitium,
  type BackendHandle,
  type BackendLocation,
  type KitiumBackend,
} from './backends.js';

/** A keyring for one test file: the optional groups store secrets, so they need a key. */
export const TEST_KEYS = `k1:${randomBytes(32).toString('base64')}`;

/** Where each opened backend keeps its bytes, for dumps: the SQLite file, or the PostgreSQL schema. */
const locations = new WeakMap<KitiumStorageAdapter, BackendLocation>();

/** The three databases of the kitium contract (SQLite memory and file, PostgreSQL), with encryption keys. */
export function keyedBackends(
  options: KitiumAdapterOptions = { encryptionKeys: TEST_KEYS },
): KitiumBackend[] {
  return databaseBackends(options, (adapter, location) => locations.set(adapter, location));
}

/** `describeKitium` on SQLite and PostgreSQL with encryption keys configured. */
export function describeKeyed(title: string, body: (handle: BackendHandle) => void): void {
  describeKitium(title, body, keyedBackends());
}

const TABLES = [
  'users',
  'sessions',
  'api_keys',
  'roles',
  'user_roles',
  'sso_providers',
  'sso_links',
  'sso_sessions',
  'twofa_devices',
  'twofa_backup_codes',
  'twofa_sessions',
  'saml_tenant_configs',
] as const;

/** Every row of the kitium tables, as JSON text. */
export async function rawRows(adapter: KitiumStorageAdapter): Promise<string> {
  const db = adapter.sqlStore.db;
  const parts: string[] = [];
  for (const table of TABLES) parts.push(JSON.stringify(await db.selectFrom(table).selectAll().execute()));
  return parts.join('\n');
}

/**
 * What an attacker with the database would read: the raw rows, plus the SQLite file and its WAL as
 * bytes, or `pg_dump` of the schema on PostgreSQL.
 */
export async function databaseDump(adapter: KitiumStorageAdapter): Promise<string> {
  const parts = [await rawRows(adapter)];
  const where = locations.get(adapter);
  if (where?.file) {
    for (const file of [where.file, `${where.file}-wal`]) {
      if (existsSync(file)) parts.push(readFileSync(file).toString('latin1'));
    }
  }
  if (where?.url && where.schema) {
    try {
      const { stdout } = await promisify(execFile)(
        'pg_dump',
        ['--data-only', `--schema=${where.schema}`, where.url],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      parts.push(stdout);
    } catch (error) {
      // Without the client tools installed the raw rows stand in for the dump.
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
  }
  return parts.join('\n');
}
