import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every redis-server this test process started, killed on exit even if a test forgot to. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port that is free now, and whose +10000 twin is free too when `withBusPort`
 * (a Cluster node also listens there). Random, so parallel test files rarely collide.
 */
export async function sparePort(withBusPort = false): Promise<number> {
  for (let tries = 0; tries < 200; tries += 1) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (!(await portIsFree(port))) continue;
    if (withBusPort && !(await portIsFree(port + 10_000))) continue;
    return port;
  }
  throw new Error('no spare loopback port found');
}

/**
 * Starts `redis-server args` and resolves once its output shows `readyLine`; rejects if it exits first.
 * The child is killed when this test process exits.
 */
export function launchRedis(
  args: string[],
  readyLine = 'Ready to accept connections',
  label = 'redis-server',
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not start in time:\n${output}`));
    }, 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyLine)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/** Stops a child started by launchRedis (SIGTERM) and waits for it to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = exited(child);
    child.kill('SIGTERM');
    await gone;
  }
  children.delete(child);
}

/** redis-cli against a loopback port. */
export async function cliOn(port: number, args: string[]): Promise<string> {
  return (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface RedisServerOptions {
  /** Extra redis-server arguments (e.g. cluster settings), given the chosen port. */
  args?: (port: number) => string[];
  /** Directory for its files; a fresh temp dir (removed by destroy()) when absent. */
  dir?: string;
  /** Needs the cluster bus port (+10000) free too. */
  clusterBus?: boolean;
}

/** A redis-server process of a test's own, on a spare loopback port: stop it, start it again, destroy it. */
export class RedisServerProcess {
  private child: ChildProcess | undefined;
  private readonly ownsDir: boolean;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
    ownsDir: boolean,
  ) {
    this.ownsDir = ownsDir;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServerProcess> {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'authkeep-redis-'));
    let lastError: unknown;
    for (let tries = 0; tries < 5; tries += 1) {
      const port = await sparePort(options.clusterBus);
      const server = new RedisServerProcess(port, dir, options.args?.(port) ?? [], !options.dir);
      try {
        await server.startAgain();
        return server;
      } catch (error) {
        lastError = error; // most likely another process took the port in between
      }
    }
    throw lastError;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** (Re)starts on the same port and directory; the RDB file there, if any, is loaded. */
  async startAgain(): Promise<void> {
    if (this.child) return;
    this.child = await launchRedis([
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--dbfilename',
      `dump-${this.port}.rdb`,
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'notice',
      ...this.args,
    ]);
  }

  /** Stops the process; with `keepData` it saves an RDB first so startAgain() brings the data back. */
  async stop(options: { keepData?: boolean } = {}): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (options.keepData) await this.cli('SAVE');
    this.child = undefined;
    await stopChild(child);
  }

  /** Sends a signal to the server process (SIGSTOP pauses it mid-work, SIGCONT resumes it). */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  cli(...args: string[]): Promise<string> {
    return cliOn(this.port, args);
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
