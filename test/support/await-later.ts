/**
 * Marks a promise as handled now, for a test that awaits something else before awaiting it: a rejection in
 * between is then not an "unhandled rejection" (which fails the run), and is still thrown where it is awaited.
 */
export function awaitLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
