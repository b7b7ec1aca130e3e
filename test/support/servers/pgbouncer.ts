import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './own-postgres.js';

const run = promisify(execFile);

/** Whether the pgbouncer binary (Debian package `pgbouncer`) is on PATH. */
export async function pgbouncerInstalled(): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v pgbouncer']);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A PgBouncer of the tests' own in transaction pooling mode, in front of `upstreamUrl`'s server, on a
 * spare loopback port. Its ini is PgBouncer's defaults except listen address/port, pool mode, trust auth
 * and a client limit large enough for parallel test files: no ignore_startup_parameters, no tracked extras.
 */
export class OwnPgBouncer {
  private constructor(
    private readonly dir: string,
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly upstream: URL,
  ) {}

  /** The upstream URL with host and port replaced by the pooler's. */
  get url(): string {
    const url = new URL(this.upstream.href);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.href;
  }

  /** `settings` are extra [pgbouncer] lines (e.g. a pool size of 1 to see one server connection's state). */
  static async start(
    upstreamUrl: string,
    settings: Record<string, string | number> = {},
  ): Promise<OwnPgBouncer> {
    const upstream = new URL(upstreamUrl);
    const user = decodeURIComponent(upstream.username || 'postgres');
    const dir = mkdtempSync(join(tmpdir(), 'authkeep-pgbouncer-'));
    const port = await freePort();
    const password = decodeURIComponent(upstream.password);
    writeFileSync(join(dir, 'users.txt'), `"${user}" "${password.replace(/"/g, '""')}"\n`);
    const host = upstream.hostname.replace(/^\[|\]$/g, '');
    const target = `host=${host} port=${upstream.port || '5432'}${password ? ` password=${password}` : ''}`;
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `* = ${target}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'pool_mode = transaction',
        'auth_type = trust',
        `auth_file = ${join(dir, 'users.txt')}`,
        'max_client_conn = 2000',
        `logfile = ${join(dir, 'pgbouncer.log')}`,
        ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`),
        '',
      ].join('\n'),
    );
    // PgBouncer refuses to run as root: `-u postgres` switches user at start, so that user owns its files.
    const root = process.getuid?.() === 0;
    if (root) {
      const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
      const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
      for (const file of ['', 'users.txt', 'pgbouncer.ini']) chownSync(join(dir, file), uid, gid);
    }
    const args = [...(root ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')];
    const child = spawn('pgbouncer', args, { stdio: 'ignore' });
    const bouncer = new OwnPgBouncer(dir, child, port, upstream);
    for (let attempt = 0; attempt < 100; attempt++) {
      if (child.exitCode !== null) break;
      if (await portOpen(port)) return bouncer;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await bouncer.stop();
    throw new Error(`pgbouncer did not start (see ${join(dir, 'pgbouncer.log')})`);
  }

  /** Stops this PgBouncer only (by its pid) and removes its directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.pid !== undefined) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
