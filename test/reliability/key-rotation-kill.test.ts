import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type SqlStore } from '../../src/adapters/kysely/index.js';
import { silentLogger } from '../../src/adapters/log/pino-logger.js';
import {
  checkAllReadable,
  migrateKitium,
  seedEncryptedRows,
  storedValues,
  testKeys,
} from '../support/encrypted-rows.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { recordTally } from './tally.js';

const url = databaseUrl();
const MAIN = fileURLToPath(new URL('../../src/app/cli/main.ts', import.meta.url));
const DEVICES = 10_000;
const SESSIONS = 400;
const BATCH = 500;

interface Run {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  /** stderr split into lines: where `--progress` reports each batch. */
  stderrLines: string[];
  /** Resolves with the first stdout or stderr line matching `pattern`. */
  waitFor(pattern: RegExp): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the real CLI (`authkeep keys …`) in a child process, collecting its output line by line. */
function runCli(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'keys', ...args], {
    env: { ...process.env, ...env, AUTHKEEP_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const stderrLines: string[] = [];
  const waiters: { pattern: RegExp; resolve(line: string): void }[] = [];
  const splitInto = (into: string[]) => {
    let buffered = '';
    return (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        into.push(line);
        for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    };
  };
  child.stdout?.setEncoding('utf8').on('data', splitInto(lines));
  const stderrSplitter = splitInto(stderrLines);
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    stderrSplitter(chunk);
  });
  const exit = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  return {
    child,
    lines,
    stderr,
    stderrLines,
    exit,
    waitFor: (pattern) => {
      const seen = [...lines, ...stderrLines].find((line) => pattern.test(line));
      return seen !== undefined
        ? Promise.resolve(seen)
        : new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}

/** Polls until `check` holds: waits on a condition, not on a duration. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe.skipIf(!url)('authkeep keys rotate, killed half-way [postgres, 10,400 rows]', () => {
  const keys = testKeys();
  const schema = freshSchemaName('rotkill');
  const appName = `ak_${schema}`;
  const database = `${url}${url?.includes('?') ? '&' : '?'}application_name=${appName}`;
  let store: SqlStore;

  const countWaiting = () =>
    withClient(url as string, undefined, async (client) => {
      const { rows } = await client.query(
        `select count(*) filter (where not l.granted)::int as waiting, count(distinct a.pid)::int as backends
         from pg_stat_activity a left join pg_locks l on l.pid = a.pid where a.application_name = $1`,
        [appName],
      );
      return rows[0] as { waiting: number; backends: number };
    });

  beforeAll(async () => {
    store = openPostgres(url as string, { schema, max: 4 }, silentLogger);
    await migrateKitium(store, silentLogger);
    await seedEncryptedRows(store, keys.old, { devices: DEVICES, nullDevices: 30, ssoSessions: SESSIONS });
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await dropSchema(url as string, schema);
  });

  it('still reads every row under the legacy key once the new key is active', async () => {
    expect(checkAllReadable(await storedValues(store), keys.rotated)).toEqual({ k1: DEVICES + SESSIONS });
  });

  it('dry run counts every value to rotate and writes nothing', async () => {
    const before = await storedValues(store);
    const run = runCli(['rotate', '--dry-run', '--database', database, '--schema', schema], {
      AUTHKEEP_ENCRYPTION_KEYS: keys.rotatedEnv,
    });
    const { code } = await run.exit;
    expect(run.stderr.join('')).toBe('');
    expect(code).toBe(0);
    expect(run.lines).toContain(
      `twofa_devices.secret: ${DEVICES} values, ${DEVICES} to rotate, 0 current, 0 changed concurrently, 0 failed`,
    );
    expect(run.lines).toContain(
      `sso_sessions.session_token: ${SESSIONS} values, ${SESSIONS} to rotate, 0 current, 0 changed concurrently, 0 failed`,
    );
    expect(await storedValues(store)).toEqual(before);
  }, 60_000);

  it('a SIGKILL mid-batch loses nothing, and the next run finishes the rotation', async () => {
    const before = await storedValues(store);
    const devices = before.filter((v) => v.table === 'twofa_devices' && v.value !== null);
    // Row 5,000 (in the rotation's id order) is held by this test, so the 10th batch blocks on it
    // with its UPDATE half-applied inside an open transaction: that is when the process is killed.
    const held = devices[4999]?.id as string;
    await withClient(url as string, schema, async (blocker) => {
      await blocker.query('begin');
      await blocker.query('select id from twofa_devices where id = $1 for update', [held]);
      const run = runCli(
        ['rotate', '--progress', '--database', database, '--schema', schema, '--batch-size', String(BATCH)],
        {
          AUTHKEEP_ENCRYPTION_KEYS: keys.rotatedEnv,
        },
      );
      await run.waitFor(/^twofa_devices\.secret: 4500\/10000 /);
      await until(async () => (await countWaiting()).waiting > 0);
      // Still running and stuck on the held row: nine batches reported, the tenth in flight.
      expect(run.child.exitCode).toBeNull();
      expect(run.stderrLines.filter((l) => l.startsWith('twofa_devices.secret: '))).toHaveLength(9);
      run.child.kill('SIGKILL');
      expect(await run.exit).toEqual({ code: null, signal: 'SIGKILL' });
      await blocker.query('rollback');
    });
    // The orphaned server session aborts its transaction once it notices the client is gone.
    await until(async () => (await countWaiting()).backends === 0);

    const killed = await storedValues(store);
    // Whole batches only: the nine committed ones, plus the tenth if its single statement (its own
    // transaction) finished after the lock was released; never part of a batch. Every row still reads.
    const moved = killed.filter((v) => v.value?.startsWith('ak1.k2.')).length;
    expect([4500, 5000]).toContain(moved);
    expect(checkAllReadable(killed, keys.rotated)).toEqual({ k2: moved, k1: DEVICES - moved + SESSIONS });
    const rotatedIds = killed.filter((v) => v.value?.startsWith('ak1.k2.')).map((v) => v.id);
    expect(rotatedIds).toEqual(devices.slice(0, moved).map((v) => v.id));

    const resumed = runCli(
      ['rotate', '--database', database, '--schema', schema, '--batch-size', String(BATCH)],
      {
        AUTHKEEP_ENCRYPTION_KEYS: keys.rotatedEnv,
      },
    );
    const { code } = await resumed.exit;
    expect(resumed.stderr.join('')).toBe('');
    expect(code).toBe(0);
    expect(resumed.lines).toContain(
      `twofa_devices.secret: ${DEVICES} values, ${DEVICES - moved} rotated, ${moved} current, 0 changed concurrently, 0 failed`,
    );
    expect(resumed.lines).toContain(`done: every encrypted value uses key k2`);

    // The old key can now be retired: every row reads with the new key alone.
    const after = await storedValues(store);
    expect(checkAllReadable(after, keys.newOnly)).toEqual({ k2: DEVICES + SESSIONS });
    expect(after.filter((v) => v.value === null)).toHaveLength(30);
    expect(after.map((v) => v.id)).toEqual(before.map((v) => v.id));
    recordTally({
      suite: 'rotation-sigkill',
      operations: 2,
      faults: 1,
      rowsVerified: after.length,
      rowsLost: 0,
    });
  }, 120_000);

  it('a dry run after the rotation finds nothing to do', async () => {
    const run = runCli(['rotate', '--dry-run', '--database', database, '--schema', schema], {
      AUTHKEEP_ENCRYPTION_KEYS: keys.newOnlyEnv,
    });
    expect((await run.exit).code).toBe(0);
    expect(run.lines).toContain(
      `twofa_devices.secret: ${DEVICES} values, 0 to rotate, ${DEVICES} current, 0 changed concurrently, 0 failed`,
    );
  }, 60_000);
});
