import type { Clock } from '../../ports/system.js';

export const systemClock: Clock = { now: () => new Date() };

/** Epoch milliseconds of `clock`; the system clock's without a Date object (read on every cache hit). */
export function clockMs(clock: Clock): number {
  return clock === systemClock ? Date.now() : clock.now().getTime();
}
