// global-setup and the reporter run in the main vitest process: the line passes through a global.
const KEY = Symbol.for('authkeep.tests.skippedServices');

export function markSkippedServices(line: string): void {
  (globalThis as Record<symbol, unknown>)[KEY] = line;
}

export function skippedServices(): string | undefined {
  return (globalThis as Record<symbol, unknown>)[KEY] as string | undefined;
}
