import { describe, expect, it } from 'vitest';
import { InvalidationBatches } from '../../../src/adapters/cache/bus/invalidation-batches.js';
import type { Invalidation } from '../../../src/ports/invalidation-bus.js';

/** A send that the test completes by hand, so what is in flight and what waits can be told apart. */
function gatedSend() {
  const sent: Invalidation[] = [];
  const gates: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const send = (message: Invalidation) =>
    new Promise<void>((resolve, reject) => {
      sent.push(message);
      gates.push({ resolve, reject });
    });
  return { sent, gates, send };
}

describe('InvalidationBatches', () => {
  it('sends the first at once and everything published meanwhile as one next message', async () => {
    const { sent, gates, send } = gatedSend();
    const batches = new InvalidationBatches(send);
    const first = batches.publish({ keys: ['a'] });
    expect(sent).toEqual([{ keys: ['a'] }]);
    const waiting = Array.from({ length: 16 }, (_, i) => batches.publish({ keys: [`k${i}`, 'shared'] }));
    let settled = 0;
    for (const promise of waiting) void promise.then(() => (settled += 1));
    gates[0]!.resolve();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(0); // not before their own batch was sent
    expect(sent).toHaveLength(2);
    const keys = (sent[1] as { keys: string[] }).keys;
    expect(keys).toHaveLength(17);
    expect(new Set(keys)).toEqual(new Set([...Array.from({ length: 16 }, (_, i) => `k${i}`), 'shared']));
    gates[1]!.resolve();
    await Promise.all(waiting);
    expect(settled).toBe(16);
  });

  it('a flush joins its batch whole; a failed batch rejects its own publishers only', async () => {
    const { sent, gates, send } = gatedSend();
    const batches = new InvalidationBatches(send);
    const first = batches.publish({ keys: ['a'] });
    const second = batches.publish({ keys: ['b'] });
    const flush = batches.publish({ all: true });
    const secondOutcome = second.then(
      () => 'sent',
      () => 'failed',
    );
    const flushOutcome = flush.then(
      () => 'sent',
      () => 'failed',
    );
    gates[0]!.resolve();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent[1]).toEqual({ all: true });
    gates[1]!.reject(new Error('NOTIFY failed'));
    expect(await secondOutcome).toBe('failed');
    expect(await flushOutcome).toBe('failed');
    const third = batches.publish({ keys: ['c'] });
    expect(sent[2]).toEqual({ keys: ['c'] });
    gates[2]!.resolve();
    await expect(third).resolves.toBeUndefined();
  });
});
