import { fileURLToPath } from 'node:url';
import { IpcWorker } from '../../support/ipc-worker.js';

const WORKER = fileURLToPath(new URL('../fixtures/auth-worker.ts', import.meta.url));

/** An application process running fixtures/auth-worker.ts (betterAuth on authkeepAdapter), commanded over IPC. */
export class AuthWorker extends IpcWorker {
  static async start(config: Record<string, unknown>): Promise<AuthWorker> {
    return new AuthWorker(await IpcWorker.forkReady(WORKER, config, 'auth worker'), 'auth worker');
  }
}
