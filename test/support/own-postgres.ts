import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

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
function asPostgres(command: string, args: string[]) {
  if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', command, ...args]);
  return run(command, args);
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
    const dir = mkdtempSync(join(tmpdir(), 'authkeep-pg-'));
    if (process.getuid?.() === 0)
      chownSync(
        dir,
        Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
        Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
      );
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
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await asPostgres(`${BIN}/pg_ctl`, [
      '-D',
      join(this.dir, 'data'),
      '-o',
      options,
      '-l',
      join(this.dir, 'log'),
      '-w',
      'start',
    ]);
  }

  /** `fast` rolls back open transactions and disconnects clients, as an operator restart would. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await asPostgres(`${BIN}/pg_ctl`, ['-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
