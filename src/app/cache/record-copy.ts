/**
 * A deep copy of a record as the repositories return it (JSON values, Dates, byte arrays), so a caller who
 * mutates what the in-process tier handed out cannot change what the next caller gets. Several times
 * cheaper than structuredClone or a JSON round trip for the small records the cache holds.
 */
export function copyRecord<T>(record: T): T {
  return copyValue(record) as T;
}

function copyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyValue);
  if (value instanceof Date) return new Date(value.getTime());
  if (ArrayBuffer.isView(value)) return structuredClone(value);
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = copyValue((value as Record<string, unknown>)[key]);
    // A JSON "__proto__" key is an own property; plain assignment would set the prototype instead.
    if (key === '__proto__')
      Object.defineProperty(copy, key, {
        value: field,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[key] = field;
  }
  return copy;
}
