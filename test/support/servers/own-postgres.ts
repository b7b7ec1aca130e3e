import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const BIN = '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: commands go through `runuser -u postgres` when we are root. */
export function asPostgres(command: string, args: string[]) {
  if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', command, ...args]);
  return run(command, args);
}

/** A temporary directory the postgres user owns (initdb and pg_basebackup write into it). */
export async function ownedTempDir(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

/** Starts the server in `dir`/data on `port` (loopback only, its socket in `dir`), with extra settings. */
export async function pgCtlStart(dir: string, port: number, settings: string[] = []): Promise<void> {
  const options = [
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    ...settings.map((setting) => `-c ${setting}`),
    '-c max_connections=200',
  ].join(' ');
  await asPostgres(`${BIN}/pg_ctl`, [
    '-D',
    join(dir, 'data'),
    '-o',
    options,
    '-l',
    join(dir, 'log'),
    '-w',
    'start',
  ]);
}

/** `fast` rolls back open transactions and disconnects clients, as an operator restart would. */
export async function pgCtlStop(dir: string, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
  await asPostgres(`${BIN}/pg_ctl`, ['-D', join(dir, 'data'), '-m', mode, '-w', 'stop']);
}

/**
 * A throwaway PostgreSQL server of a test's own (initdb + pg_ctl on a spare loopback port), so fault
 * tests can stop and start it without touching the shared server.
 */
export class OwnPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<OwnPostgres> {
    const dir = await ownedTempDir('authkeep-pg-');
    await asPostgres(`${BIN}/initdb`, [
      '-D',
      join(dir, 'data'),
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    const server = new OwnPostgres(dir, await freePort());
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    await pgCtlStart(this.dir, this.port);
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await pgCtlStop(this.dir, mode);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
