import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('../fixtures/auth-worker.ts', import.meta.url));

/** An application process running fixtures/auth-worker.ts (betterAuth on authkeepAdapter), commanded over IPC. */
export class AuthWorker {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: { seq?: number; result?: unknown; error?: string }) => {
      if (message.seq === undefined) return;
      const waiter = this.waiting.get(message.seq);
      this.waiting.delete(message.seq);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
    child.on('exit', () => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error('auth worker exited'));
      this.waiting.clear();
    });
  }

  static start(config: Record<string, unknown>): Promise<AuthWorker> {
    const child = fork(WORKER, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('message', (message: { ready?: boolean }) => {
        if (message.ready) resolve(new AuthWorker(child));
      });
      child.once('exit', (code) => reject(new Error(`auth worker exited with ${code}`)));
    });
  }

  run<T>(command: Record<string, unknown>): Promise<T> {
    const seq = ++this.seq;
    const done = new Promise<T>((resolve, reject) =>
      this.waiting.set(seq, { resolve: resolve as (value: unknown) => void, reject }),
    );
    done.catch(() => undefined); // a caller may await it after other work
    this.child.send({ seq, command });
    return done;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.run({ op: 'exit' }).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
