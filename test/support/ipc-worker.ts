import { fork, type ChildProcess } from 'node:child_process';

type Reply = { seq?: number; result?: unknown; error?: string };

/**
 * A child process running a TypeScript fixture (through tsx), commanded over IPC: `run` sends
 * `{ seq, command }` and settles with the fixture's `{ seq, result }` or `{ seq, error }`. The fixture
 * announces itself with `{ ready: true }` (or `{ ready: false, error }`).
 */
export class IpcWorker {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  protected constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.on('message', (message: Reply) => {
      if (message.seq === undefined) return;
      const waiter = this.waiting.get(message.seq);
      this.waiting.delete(message.seq);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
    child.on('exit', () => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`${name} exited`));
      this.waiting.clear();
    });
  }

  /** Forks `script` with `config` as its one argument and resolves once it is ready. */
  protected static forkReady(script: string, config: object, name: string): Promise<ChildProcess> {
    const child = fork(script, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('message', (message: { ready?: boolean; error?: string }) => {
        if (message.ready) resolve(child);
        else reject(new Error(`${name} failed to start: ${message.error}`));
      });
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
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

/**
 * The fixture's side: answers each `{ seq, command }` with `handle`'s result or error, and announces
 * `{ ready: true }` once `ready` settles (or `{ ready: false, error }` and exits when it fails).
 */
export function serveCommands<C>(handle: (command: C) => Promise<unknown>, ready: Promise<unknown>): void {
  process.on('message', (message: { seq: number; command: C }) => {
    handle(message.command).then(
      (result) => process.send!({ seq: message.seq, result }),
      (error: unknown) => process.send!({ seq: message.seq, error: String(error) }),
    );
  });
  ready.then(
    () => process.send!({ ready: true }),
    (error: unknown) => {
      process.send!({ ready: false, error: String(error) });
      process.exit(1);
    },
  );
}
