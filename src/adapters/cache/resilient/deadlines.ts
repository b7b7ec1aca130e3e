interface Waiter {
  deadline: number;
  expire(): void;
}

/**
 * Time limits for many short operations with one timer: a timer per cache read costs more than the
 * read's own bookkeeping, so in-flight operations sit in a set that a single unref'd interval checks.
 * A limit fires up to a quarter of itself late, which is precise enough for an outage detector.
 */
export class Deadlines {
  private readonly waiting = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly checkEveryMs: number) {}

  /** Settles like `operation`, or rejects with `onTimeout()` once `timeoutMs` has passed. */
  within<T>(timeoutMs: number, operation: Promise<T>, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = { deadline: performance.now() + timeoutMs, expire: () => reject(onTimeout()) };
      this.waiting.add(waiter);
      this.arm();
      operation.then(
        (value) => {
          this.waiting.delete(waiter);
          resolve(value);
        },
        (error: unknown) => {
          this.waiting.delete(waiter);
          reject(error);
        },
      );
    });
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), this.checkEveryMs);
    this.timer.unref();
  }

  private check(): void {
    const now = performance.now();
    for (const waiter of this.waiting) {
      if (waiter.deadline > now) continue;
      this.waiting.delete(waiter);
      waiter.expire();
    }
    if (this.waiting.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
