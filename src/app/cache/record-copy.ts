/**
 * A deep copy of a record as the repositories return it (JSON values, Dates, byte arrays), so a caller who
 * mutates what the in-process tier handed out cannot change what the next caller gets. Several times
 * cheaper than structuredClone or a JSON round trip for the small records the cache holds.
 */
export function copyRecord<T>(record: T): T {
  return copyFast(record) as T;
}

/**
 * The copy and its estimated size in bytes (UTF-16 strings, 8 per number or date, byte arrays as they are),
 * measured while copying: the in-process tier bounds its memory without a JSON.stringify per fill.
 */
export function copyMeasured<T>(record: T): { copy: T; bytes: number } {
  const size = { bytes: 0 };
  const copy = copyValue(record, size) as T;
  return { copy, bytes: size.bytes };
}

/** Rough cost of a value the copy does not walk (a class instance, structured-cloned whole). */
const OPAQUE_BYTES = 64;

function copyValue(value: unknown, size: { bytes: number }): unknown {
  if (typeof value === 'string') {
    size.bytes += value.length * 2;
    return value;
  }
  if (typeof value !== 'object' || value === null) {
    size.bytes += 8;
    return value;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => copyValue(item, size));
  if (value instanceof Date) {
    size.bytes += 8;
    return new Date(value.getTime());
  }
  if (ArrayBuffer.isView(value)) {
    size.bytes += value.byteLength;
    return structuredClone(value);
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    size.bytes += OPAQUE_BYTES;
    return structuredClone(value);
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    size.bytes += key.length * 2;
    setField(copy, key, copyValue((value as Record<string, unknown>)[key], size));
  }
  return copy;
}

/**
 * copyValue without the size count, for every cache hit: a plain object is spread (one shape-cached clone)
 * and only its object-valued fields are walked. Symbol keys would be spread shallowly, so this is meant for
 * records copyValue built (string keys only), or decoded from JSON.
 */
function copyFast(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i += 1) copy[i] = copyFast(value[i]);
    return copy;
  }
  if (value instanceof Date) return new Date(value.getTime());
  const prototype = Object.getPrototypeOf(value) as unknown;
  if ((prototype !== Object.prototype && prototype !== null) || ArrayBuffer.isView(value)) {
    return structuredClone(value);
  }
  // Spread defines "__proto__" as an own key, as copyValue does.
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of Object.keys(copy)) {
    const field = copy[key];
    if (typeof field === 'object' && field !== null) setField(copy, key, copyFast(field));
  }
  return copy;
}

/** Sets an own field; a JSON "__proto__" key stays an own property (assignment would set the prototype). */
function setField(copy: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  } else copy[key] = value;
}
