import type { Invalidation } from '../../../ports/invalidation-bus.js';

type Revocation = Exclude<Invalidation, { ping: string }>;

interface Batch {
  keys: Set<string>;
  all: boolean;
  settle: { resolve: () => void; reject: (error: unknown) => void }[];
}

/**
 * Sends invalidations one batch at a time: the first goes at once, and every one published while a batch is in
 * flight joins the next, so N concurrent revocations cost about two messages, not N. Each publish resolves once
 * the batch holding its keys was sent (and rejects if that batch failed): a caller's confirmation stays its own.
 */
export class InvalidationBatches {
  private next: Batch | undefined;
  private sending = false;

  constructor(private readonly send: (message: Revocation) => Promise<void>) {}

  publish(message: Revocation): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const batch = (this.next ??= { keys: new Set(), all: false, settle: [] });
      if ('all' in message) batch.all = true;
      else for (const key of message.keys) batch.keys.add(key);
      batch.settle.push({ resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      for (let batch = this.next; batch !== undefined; batch = this.next) {
        this.next = undefined;
        const message: Revocation = batch.all ? { all: true } : { keys: [...batch.keys] };
        try {
          await this.send(message);
          for (const { resolve } of batch.settle) resolve();
        } catch (error) {
          for (const { reject } of batch.settle) reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
