/**
 * Settles like `work`, or rejects with `onTimeout()` once `ms` have passed (0 = no limit). The timer is
 * unref'd, and a late rejection of `work` is swallowed here, so giving up never leaves an unhandled one.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (ms <= 0) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
