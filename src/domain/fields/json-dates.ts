import { IntegrityError } from '../errors.js';
import { isPlainObject } from './validation.js';

type Path = (string | number)[];

/** Sets an own property even for a key like `__proto__`, which plain assignment would not. */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * JSON that keeps its Dates: `{"v":1,"value":…,"dates":[path,…]}` lists where each Date was, so a
 * value with no declared shape (a SAML tenant config) comes back with Dates as Dates, and a string
 * that merely looks like a date stays a string.
 */
export function stringifyWithDates(value: unknown): string {
  const dates: Path[] = [];
  const walk = (node: unknown, path: Path): unknown => {
    if (node instanceof Date) {
      dates.push(path);
      return node.toISOString();
    }
    if (Array.isArray(node)) return node.map((entry, index) => walk(entry, [...path, index]));
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(node)) {
        if (entry !== undefined) setOwn(out, key, walk(entry, [...path, key]));
      }
      return out;
    }
    return node;
  };
  return JSON.stringify({ v: 1, value: walk(value, []), dates });
}

export function parseWithDates(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new IntegrityError('stored JSON value is not valid JSON');
  }
  if (!isPlainObject(parsed) || parsed.v !== 1 || !Array.isArray(parsed.dates)) {
    throw new IntegrityError('stored JSON value is not in the dated-JSON format');
  }
  const root = { value: parsed.value };
  for (const path of parsed.dates as Path[]) {
    let parent: Record<string | number, unknown> = root;
    let key: string | number = 'value';
    for (const step of Array.isArray(path) ? path : [null]) {
      const next = parent[key];
      if (
        typeof next !== 'object' ||
        next === null ||
        (typeof step !== 'string' && typeof step !== 'number')
      ) {
        throw new IntegrityError('stored JSON value has a misplaced date');
      }
      parent = next as Record<string | number, unknown>;
      key = step;
    }
    const raw = parent[key];
    if (typeof raw !== 'string') throw new IntegrityError('stored JSON value has a misplaced date');
    setOwn(parent, String(key), new Date(raw));
  }
  return root.value;
}
