import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { columnCipher } from '../../../src/adapters/kysely/sealing/encrypted-columns.js';
import { openSqlite } from '../../../src/adapters/kysely/index.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { CliError, type CliIo } from '../../../src/app/cli/io.js';
import { runCli, runCommandLine } from '../../../src/app/cli/main.js';
import { ProgressReporter } from '../../../src/app/cli/progress.js';
import { migrateKitium } from '../../support/encrypted-rows.js';

const runKeysCommand = (argv: string[], io: CliIo) => runCommandLine(['keys', ...argv], io);

function captureIo(isTTY = false, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), isTTY, env };
  return { io, out, err };
}

describe('authkeep keys generate', () => {
  it('prints one new key as id:base64 that a keyring accepts', async () => {
    const { io, out, err } = captureIo();
    await runKeysCommand(['generate'], io);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^k\d{8}_[0-9a-f]{4}:[A-Za-z0-9+/]{43}=$/);
    expect(err.join('\n')).toContain('AUTHKEEP_ENCRYPTION_KEYS');
    expect(new AesGcmKeyring({ keys: out[0] as string }).keyIds).toHaveLength(1);
    const again = captureIo();
    await runKeysCommand(['generate'], again.io);
    expect(again.out[0]).not.toBe(out[0]);
  });

  it('takes an id, and refuses one that cannot appear in an envelope', async () => {
    const { io, out } = captureIo();
    await runKeysCommand(['generate', '--id', 'prod-2026'], io);
    expect(out[0]).toMatch(/^prod-2026:/);
    await expect(runKeysCommand(['generate', '--id', 'a.b'], captureIo().io)).rejects.toMatchObject({
      code: 'config',
    });
  });
});

describe('authkeep keys usage', () => {
  it('explains itself and fails with exit code 2 on misuse', async () => {
    const help = captureIo();
    await runKeysCommand(['help'], help.io);
    expect(help.out.join('\n')).toContain('keys rotate');
    await expect(runKeysCommand([], captureIo().io)).rejects.toMatchObject({ exitCode: 2 });
    await expect(runKeysCommand(['spin'], captureIo().io)).rejects.toMatchObject({ exitCode: 2 });
    await expect(runKeysCommand(['rotate', '--bogus'], captureIo().io)).rejects.toMatchObject({
      exitCode: 2,
    });
    await expect(
      runKeysCommand(['rotate', '--batch-size', 'ten', '--keys', 'x'], captureIo().io),
    ).rejects.toBeInstanceOf(CliError);
  });

  it('is dispatched by the authkeep CLI', async () => {
    const { io, out } = captureIo();
    expect(await runCli(['keys', 'generate', '--id', 'k9'], io)).toBe(0);
    expect(out[0]).toMatch(/^k9:/);
    const missing = captureIo(false, {});
    expect(await runCli(['keys', 'rotate', '--database', ':memory:'], missing.io)).toBe(1);
    expect(missing.err.join('\n')).toMatch(/AUTHKEEP_ENCRYPTION_KEYS is not set.*\[config\]/);
  });
});

describe('authkeep keys rotate output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authkeep-keys-'));
  const file = join(dir, 'auth.db');
  const keys = { k1: Buffer.alloc(32, 1).toString('base64'), k2: Buffer.alloc(32, 2).toString('base64') };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('draws a bar on a terminal (stderr), stays quiet otherwise, and prints lines with --progress', async () => {
    const store = openSqlite(file, {}, silentLogger);
    await migrateKitium(store, silentLogger);
    const secrets = columnCipher(new AesGcmKeyring({ keys: `k1:${keys.k1}` }), 'twofa_devices', 'secret');
    const rows = Array.from({ length: 25 }, (_, i) => ({
      id: `d${String(i).padStart(3, '0')}`,
      user_id: 'u',
      method: 'totp',
      secret: secrets.write(`d${String(i).padStart(3, '0')}`, `s${i}`),
    }));
    await store.db.insertInto('twofa_devices').values(rows).execute();
    await store.close();
    const env = { AUTHKEEP_ENCRYPTION_KEYS: `k2:${keys.k2},k1:${keys.k1}` };

    const quiet = captureIo(false, env);
    await runKeysCommand(['rotate', '--dry-run', '--database', `sqlite:${file}`], quiet.io);
    expect(quiet.err).toEqual([]);
    expect(quiet.out).toEqual([
      'dry run: counting encrypted columns to key k2',
      ...quiet.out.slice(1, -1),
      'dry run complete: nothing was written',
    ]);
    expect(quiet.out).toContain(
      'twofa_devices.secret: 25 values, 25 to rotate, 0 current, 0 changed concurrently, 0 failed',
    );

    const plain = captureIo(false, env);
    await runKeysCommand(
      ['rotate', '--dry-run', '--progress', '--database', `sqlite:${file}`, '--batch-size', '10'],
      plain.io,
    );
    expect(plain.err.filter((l) => l.startsWith('twofa_devices.secret: '))).toEqual([
      'twofa_devices.secret: 10/25 10 to rotate, 0 current, 0 changed concurrently, 0 failed',
      'twofa_devices.secret: 20/25 20 to rotate, 0 current, 0 changed concurrently, 0 failed',
      'twofa_devices.secret: 25/25 25 to rotate, 0 current, 0 changed concurrently, 0 failed',
    ]);
    expect(plain.out).toContain(
      'twofa_devices.secret: 25 values, 25 to rotate, 0 current, 0 changed concurrently, 0 failed',
    );
    expect(plain.out.at(-1)).toBe('dry run complete: nothing was written');

    const tty = captureIo(true, env);
    await runKeysCommand(['rotate', '--database', `sqlite:${file}`, '--batch-size', '10'], tty.io);
    const bars = tty.err.filter((l) => l.includes('twofa_devices.secret ['));
    expect(bars).toHaveLength(3);
    expect(bars[0]).toMatch(/^twofa_devices\.secret \[#{10}-{14}\] {2}40% 10\/25 /);
    // Later updates redraw the same line in place.
    const redraw = '\x1b[1A\x1b[2K';
    expect(bars[1]?.startsWith(redraw)).toBe(true);
    expect(bars[2]?.slice(redraw.length)).toMatch(/^twofa_devices\.secret \[#{24}\] 100% 25\/25 25 rotated/);
    expect(tty.out.at(-1)).toBe('done: every encrypted value uses key k2');
  });

  it('seals plaintext left by an adopted database only with --seal-plaintext', async () => {
    const store = openSqlite(file, {}, silentLogger);
    await store.db
      .insertInto('twofa_devices')
      .values({ id: 'plain-1', user_id: 'u', method: 'totp', secret: 'JBSWY3DPEHPK3PXP' })
      .execute();
    await store.close();
    const env = { AUTHKEEP_ENCRYPTION_KEYS: `k2:${keys.k2}` };
    const refused = captureIo(false, env);
    await expect(
      runKeysCommand(['rotate', '--database', `sqlite:${file}`], refused.io),
    ).rejects.toMatchObject({
      exitCode: 1,
    });
    // The CLI's own line, after the library's warning (stderr carries both; stdout stays results only).
    expect(refused.err.at(-1)).toBe('cannot decrypt twofa_devices.secret row plain-1: left unchanged');
    expect(refused.err.filter((l) => l.startsWith('authkeep warning: '))).toHaveLength(1);
    const sealed = captureIo(false, env);
    await runKeysCommand(['rotate', '--seal-plaintext', '--database', `sqlite:${file}`], sealed.io);
    expect(sealed.out).toContain(
      'twofa_devices.secret: 26 values, 1 rotated, 25 current, 0 changed concurrently, 0 failed',
    );
    const check = openSqlite(file, {}, silentLogger);
    const row = await check.db
      .selectFrom('twofa_devices')
      .select('secret')
      .where('id', '=', 'plain-1')
      .executeTakeFirst();
    await check.close();
    const cipher = new AesGcmKeyring({ keys: `k2:${keys.k2}` });
    expect(columnCipher(cipher, 'twofa_devices', 'secret').read('plain-1', row?.secret)).toBe(
      'JBSWY3DPEHPK3PXP',
    );
  });

  it('names the account tokens it rotates in its help', async () => {
    const help = captureIo();
    await runKeysCommand(['rotate', '--help'], help.io);
    const text = [...help.out, ...help.err].join('\n');
    expect(text).toContain('rotateBetterAuthSecrets');
    expect(text).toContain('migrateAuthjs({ sealAccountTokens: true })');
  });

  it('a progress reporter with an empty total shows a full bar', () => {
    const { io, err } = captureIo(true);
    new ProgressReporter(io).update('t.c', 0, 0, 'nothing');
    expect(err[0]).toContain('100%');
  });
});
