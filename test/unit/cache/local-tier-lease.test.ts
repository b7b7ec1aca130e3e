import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { LocalTier } from '../../../src/app/cache/local-tier.js';
import type {
  Invalidation,
  InvalidationBus,
  InvalidationListener,
} from '../../../src/ports/invalidation-bus.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A bus the test drives by hand: publishes are recorded and settle only when the test says so, so a silent
 * connection (publish never answered, nothing delivered) is exact, not timed.
 */
class HandBus implements InvalidationBus {
  listener: InvalidationListener | undefined;
  readonly sent: { message: Invalidation; settle(ok: boolean): void }[] = [];
  reconnects = 0;
  live = false;

  start(listener: InvalidationListener): void {
    this.listener = listener;
  }

  publish(message: Invalidation): Promise<void> {
    return new Promise((resolve, reject) =>
      this.sent.push({ message, settle: (ok) => (ok ? resolve() : reject(new Error('refused'))) }),
    );
  }

  reconnect(): void {
    this.reconnects += 1;
    this.listener?.down();
  }

  async close(): Promise<void> {}

  /** Delivers (and confirms) every heartbeat sent so far, as a healthy round trip would. */
  echoPings(): void {
    for (const entry of this.sent.splice(0)) {
      entry.settle(true);
      if ('ping' in entry.message) this.listener?.invalidated(entry.message);
    }
  }

  pings(): number {
    return this.sent.filter((entry) => 'ping' in entry.message).length;
  }
}

const clock = { now: () => new Date() };
const tiers: LocalTier[] = [];
function tier(bus: HandBus, settings: Record<string, number> = {}) {
  const made = new LocalTier(
    { clock, logger: silentLogger },
    { heartbeatMs: 20, leaseMs: 200, ...settings },
    bus,
  );
  tiers.push(made);
  made.start();
  return made;
}

afterEach(async () => {
  for (const made of tiers.splice(0)) await made.close();
});

describe('LocalTier lease (issue 21)', () => {
  it('is usable only once a heartbeat sent after subscribing came back', async () => {
    const bus = new HandBus();
    const local = tier(bus);
    expect(local.usable).toBe(false);
    bus.listener!.up();
    expect(local.usable).toBe(false); // subscribed, but nothing has proved the path yet
    bus.echoPings();
    expect(local.usable).toBe(true);
  });

  it('a heartbeat sent before the subscription was lost proves nothing once it is back', async () => {
    const bus = new HandBus();
    const local = tier(bus);
    bus.listener!.up();
    const early = bus.sent.splice(0); // sent on the old subscription, still in flight
    bus.listener!.down();
    bus.listener!.up();
    bus.sent.splice(0);
    for (const entry of early) bus.listener!.invalidated(entry.message);
    expect(local.usable).toBe(false);
  });

  it('never queues a heartbeat behind one that has not come back; one lost for a lease reconnects', async () => {
    const bus = new HandBus();
    const local = tier(bus);
    bus.listener!.up();
    bus.echoPings();
    await sleep(120); // six heartbeat periods with the path silent
    expect(bus.pings()).toBe(1);
    expect(bus.reconnects).toBe(0);
    await sleep(200); // past the lease
    expect(local.usable).toBe(false);
    expect(bus.reconnects).toBe(1);
  });

  it('a publish not confirmed in time is a retryable unavailable error, not a silent success', async () => {
    const bus = new HandBus();
    const local = tier(bus, { publishTimeoutMs: 50 });
    bus.listener!.up();
    const started = performance.now();
    await expect(local.publish({ keys: ['k'] })).rejects.toMatchObject({
      code: 'unavailable',
      retryable: true,
      details: { revocation: 'unconfirmed' },
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
