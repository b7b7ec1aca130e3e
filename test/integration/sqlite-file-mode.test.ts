import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStorageAdapter, silentLogger } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'authkeep-mode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

describe('SQLite database files are private to their owner', () => {
  it('creates the database, its write-ahead log and shared-memory file as 0600, whatever the umask', async () => {
    const previous = process.umask(0o022);
    const path = join(dir, 'nested', 'auth.db');
    const adapter = new SqliteStorageAdapter(`sqlite:${path}`, { logger: silentLogger });
    try {
      await adapter.connect();
      await adapter.createUser({ email: 'mode@example.com' });
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        expect({ file, mode: mode(file).toString(8) }).toEqual({ file, mode: '600' });
      }
      expect(mode(join(dir, 'nested')).toString(8)).toBe('700');
    } finally {
      process.umask(previous);
      await adapter.disconnect();
    }
  });

  it('leaves the mode of an existing database file as its owner set it', async () => {
    const path = join(dir, 'existing.db');
    writeFileSync(path, '', { mode: 0o640 });
    const adapter = new SqliteStorageAdapter(`sqlite:${path}`, { logger: silentLogger });
    try {
      await adapter.connect();
      expect(mode(path).toString(8)).toBe('640');
    } finally {
      await adapter.disconnect();
    }
  });
});
